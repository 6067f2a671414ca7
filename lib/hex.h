/*
 * Hex text, for the few places that read it (DUIDs in configs, bytea text
 * from PostgreSQL, API tokens, filters and percent-escapes).
 */
#ifndef CHORUS_HEX_H
#define CHORUS_HEX_H

#include <stddef.h>
#include <stdint.h>

/* 0..15, or -1 when c is not a hex digit (either case). */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The same for formats we define as lower case (API token hashes). */
static inline int hex_digit_lower(char c)
{
	return c >= 'A' && c <= 'F' ? -1 : hex_digit(c);
}

/*
 * Decodes the 2 * n hex digits at s (either case) into out[0..n). Returns 0,
 * or -1 at the first character that is not a hex digit (the string's end
 * included); out may then be partly written.
 */
int hex_decode(const char *s, size_t n, uint8_t *out);

/*
 * Reads a bytea in PostgreSQL's hex output form ("\x0001ab", the default
 * bytea_output) into out. Returns the length (0 for "\x"), or -1 when s is
 * not in that form or holds more than cap octets; out may then be partly
 * written.
 */
int hex_bytea_parse(const char *s, uint8_t *out, size_t cap);

#endif
