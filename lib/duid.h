/*
 * DHCP Unique Identifiers (RFC 8415 §11, RFC 6355): read the four known
 * types (LLT, EN, LL, UUID) and keep unknown ones opaque, print them for
 * logs, and convert the "00:01:..." hex form used in configs and the API.
 * DUIDs are compared only as octet strings; nothing here gives them meaning.
 */
#ifndef CHORUS_DUID_H
#define CHORUS_DUID_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#define DUID_MAX_LEN 130 /* type + up to 128 octets (RFC 8415 §11.1) */
#define DUID_MIN_LEN 3
/* Longest duid_to_text output: 3 characters per octet, minus one, plus NUL. */
#define DUID_TEXT_MAX (3 * DUID_MAX_LEN)

enum duid_type {
	DUID_LLT = 1,
	DUID_EN = 2,
	DUID_LL = 3,
	DUID_UUID = 4,
};

/* A DUID taken apart; id points into the DUID. */
struct duid_view {
	uint16_t type;
	uint16_t hwtype;     /* LLT, LL */
	uint32_t time;       /* LLT: seconds since 2000-01-01 UTC */
	uint32_t enterprise; /* EN */
	const uint8_t *id;   /* LLT/LL: link-layer address; EN: identifier;
	                        UUID: the 16 octets; unknown: everything after the type */
	size_t id_len;
};

/*
 * Takes len octets apart. Returns 0, or CH_EBADLEN when len is outside
 * 3..130 or too short for its type (LLT 9, EN 7, LL 5, UUID exactly 18).
 * *out is written only on success.
 */
int duid_parse(const uint8_t *duid, size_t len, struct duid_view *out);

/* Writes d back as a DUID. Returns 0, CH_EINVAL (id too long for a DUID) or CH_ENOSPACE. */
int duid_build(const struct duid_view *d, uint8_t *out, size_t cap, size_t *out_len);

/* Writes "00:01:00:01:..." into out. Returns the text length, CH_EBADLEN
 * (len outside 1..130) or CH_ENOSPACE (out is then ""). */
int duid_to_text(const uint8_t *duid, size_t len, char *out, size_t cap);

/* Reads "00:01:..." (two hex digits per octet, ':' between, any case).
 * Returns the DUID length, CH_EINVAL on bad text, CH_EBADLEN outside
 * 3..130 octets, CH_ENOSPACE when out is too small. */
int duid_from_text(const char *text, uint8_t *out, size_t cap);

/* One-line description for logs, e.g. "LLT hw=1 time=1234 ll=00:11:22:33:44:55".
 * Unknown or malformed DUIDs come out as "type=N id=<hex>" / "raw=<hex>".
 * Returns the text length or CH_ENOSPACE (text truncated). */
int duid_describe(const uint8_t *duid, size_t len, char *out, size_t cap);

#endif
