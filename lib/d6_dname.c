/* Uncompressed domain names in DHCPv6 options: see d6_dname.h. RFC 1035 §3.1, RFC 8415 §10. */
#include <stdio.h>

#include "d6_dname.h"

int d6_dname_check(struct wire_rd *r, bool full)
{
	size_t total = 0;

	for (;;) {
		uint8_t n;

		if (!full && wire_left(r) == 0 && !r->err)
			return total ? 0 : CH_EMALFORMED;
		n = wire_get_u8(r);
		if (r->err)
			return CH_ETRUNC;
		total += 1u + n;
		/* RFC 8415 §10: no compression; 0x40..0xff are pointers or reserved. */
		if (n > D6_DNAME_MAX_LABEL || total > D6_DNAME_MAX_LEN)
			return CH_EMALFORMED;
		if (n == 0)
			return 0;
		wire_skip(r, n);
		if (r->err)
			return CH_ETRUNC;
	}
}

int d6_dname_check_list(const uint8_t *p, size_t len)
{
	struct wire_rd r = wire_rd_init(p, len);

	while (wire_left(&r) > 0) {
		int err = d6_dname_check(&r, true);

		if (err < 0)
			return err;
	}
	return 0;
}

static bool dname_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Appends s to out at *pos; returns false once out is full. */
static bool dname_put(char *out, size_t cap, size_t *pos, const char *s)
{
	for (; *s; s++) {
		if (*pos + 1 >= cap)
			return false;
		out[(*pos)++] = *s;
	}
	return true;
}

static bool dname_put_octet(char *out, size_t cap, size_t *pos, uint8_t c)
{
	char tmp[8];

	if (dname_plain(c)) {
		tmp[0] = (char)c;
		tmp[1] = '\0';
	} else {
		snprintf(tmp, sizeof(tmp), "\\%03u", c);
	}
	return dname_put(out, cap, pos, tmp);
}

int d6_dname_to_text(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t pos = 0, i = 0;
	bool ok = cap > 0, start = true;

	while (ok && i < len) {
		uint8_t n = p[i++];

		if (n == 0) {
			ok = dname_put(out, cap, &pos, start ? ". " : " ");
			start = true;
			continue;
		}
		for (size_t k = 0; ok && k < n && i < len; k++)
			ok = dname_put_octet(out, cap, &pos, p[i++]);
		if (ok)
			ok = dname_put(out, cap, &pos, ".");
		start = false;
	}
	if (cap > 0) {
		if (pos > 0 && out[pos - 1] == ' ')
			pos--;
		out[pos] = '\0';
	}
	return ok ? (int)pos : CH_ENOSPACE;
}
