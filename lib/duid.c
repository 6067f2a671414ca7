/* DUID parsing, printing and hex text: see duid.h. RFC 8415 §11, RFC 6355. */
#include <stdio.h>
#include <string.h>

#include "duid.h"
#include "wire.h"
#include "hex.h"

/* Smallest total length per type; UUID is also the largest. */
static size_t duid_min_len(uint16_t type)
{
	switch (type) {
	case DUID_LLT:
		return 2 + 2 + 4 + 1;
	case DUID_EN:
		return 2 + 4 + 1;
	case DUID_LL:
		return 2 + 2 + 1;
	case DUID_UUID:
		return 2 + 16;
	default:
		return DUID_MIN_LEN;
	}
}

int duid_parse(const uint8_t *duid, size_t len, struct duid_view *out)
{
	struct wire_rd r = wire_rd_init(duid, len);
	struct duid_view d;

	if (len < DUID_MIN_LEN || len > DUID_MAX_LEN)
		return CH_EBADLEN;
	memset(&d, 0, sizeof(d));
	d.type = wire_get_u16(&r);
	if (len < duid_min_len(d.type) || (d.type == DUID_UUID && len != 18))
		return CH_EBADLEN;
	if (d.type == DUID_LLT || d.type == DUID_LL)
		d.hwtype = wire_get_u16(&r);
	if (d.type == DUID_LLT)
		d.time = wire_get_u32(&r);
	if (d.type == DUID_EN)
		d.enterprise = wire_get_u32(&r);
	d.id_len = wire_left(&r);
	d.id = wire_get_ptr(&r, d.id_len);
	if (r.err)
		return CH_EBADLEN;
	*out = d;
	return 0;
}

int duid_build(const struct duid_view *d, uint8_t *out, size_t cap, size_t *out_len)
{
	struct wire_wr w = wire_wr_init(out, cap);

	if (d->id_len > DUID_MAX_LEN)
		return CH_EINVAL;
	wire_put_u16(&w, d->type);
	if (d->type == DUID_LLT || d->type == DUID_LL)
		wire_put_u16(&w, d->hwtype);
	if (d->type == DUID_LLT)
		wire_put_u32(&w, d->time);
	if (d->type == DUID_EN)
		wire_put_u32(&w, d->enterprise);
	wire_put_bytes(&w, d->id, d->id_len);
	if (w.err)
		return w.err;
	if (w.len < DUID_MIN_LEN || w.len > DUID_MAX_LEN)
		return CH_EINVAL;
	*out_len = w.len;
	return 0;
}

/* Hex with ':' separators; no length limit (link-layer addresses too). */
static int hex_colon(const uint8_t *p, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t need = len ? 3 * len - 1 : 0;

	if (cap == 0)
		return CH_ENOSPACE;
	if (need + 1 > cap) {
		out[0] = '\0';
		return CH_ENOSPACE;
	}
	for (size_t i = 0; i < len; i++) {
		if (i)
			out[3 * i - 1] = ':';
		out[3 * i] = hex[p[i] >> 4];
		out[3 * i + 1] = hex[p[i] & 0xf];
	}
	out[need] = '\0';
	return (int)need;
}

int duid_to_text(const uint8_t *duid, size_t len, char *out, size_t cap)
{
	if (len == 0 || len > DUID_MAX_LEN) {
		if (cap)
			out[0] = '\0';
		return CH_EBADLEN;
	}
	return hex_colon(duid, len, out, cap);
}

int duid_from_text(const char *text, uint8_t *out, size_t cap)
{
	uint8_t tmp[DUID_MAX_LEN];
	size_t n = 0;
	const char *s = text;

	for (;;) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0)
			return CH_EINVAL;
		if (n == DUID_MAX_LEN)
			return CH_EBADLEN;
		tmp[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return CH_EINVAL;
	}
	if (n < DUID_MIN_LEN)
		return CH_EBADLEN;
	if (n > cap)
		return CH_ENOSPACE;
	memcpy(out, tmp, n);
	return (int)n;
}

int duid_describe(const uint8_t *duid, size_t len, char *out, size_t cap)
{
	char hex[DUID_TEXT_MAX];
	struct duid_view d;
	int n;

	if (duid_parse(duid, len, &d) < 0) {
		hex_colon(duid, len > DUID_MAX_LEN ? DUID_MAX_LEN : len, hex, sizeof(hex));
		n = snprintf(out, cap, "raw=%s", hex);
	} else {
		hex_colon(d.id, d.id_len, hex, sizeof(hex));
		if (d.type == DUID_LLT)
			n = snprintf(out, cap, "LLT hw=%u time=%u ll=%s", d.hwtype, d.time, hex);
		else if (d.type == DUID_EN)
			n = snprintf(out, cap, "EN ent=%u id=%s", d.enterprise, hex);
		else if (d.type == DUID_LL)
			n = snprintf(out, cap, "LL hw=%u ll=%s", d.hwtype, hex);
		else if (d.type == DUID_UUID)
			n = snprintf(out, cap, "UUID %s", hex);
		else
			n = snprintf(out, cap, "type=%u id=%s", d.type, hex);
	}
	if (n < 0 || (size_t)n >= cap)
		return CH_ENOSPACE;
	return n;
}
