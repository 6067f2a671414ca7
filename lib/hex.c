/*
 * Hex text decoding (see hex.h).
 */
#include <string.h>

#include "hex.h"

int hex_decode(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int hex_bytea_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n;

	if (s[0] != '\\' || s[1] != 'x')
		return -1;
	n = strlen(s + 2);
	if (n % 2 || n / 2 > cap || hex_decode(s + 2, n / 2, out) < 0)
		return -1;
	return (int)(n / 2);
}
