/*
 * DNS names (see ddns_name.h). RFC 1035 §3.1 (labels), §4.1.4
 * (compression), RFC 4034 §6.2 (canonical form).
 */
#include <ctype.h>
#include <string.h>

#include "ddns_name.h"
#include "errors.h"

size_t ddns_name_bare_len(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '.')
		n--;
	return n;
}

/* Closes the label whose length octet is at lab, before o. */
static bool label_close(uint8_t *out, size_t lab, size_t o)
{
	size_t l = o - lab - 1;

	if (l == 0 || l > 63)
		return false;
	out[lab] = (uint8_t)l;
	return true;
}

int ddns_name_to_wire(const char *s, bool canonical, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = ddns_name_bare_len(s), o = 1, lab = 0;

	if (cap > DDNS_NAME_WIRE)
		cap = DDNS_NAME_WIRE;
	if (n == 0) { /* the root */
		if (cap < 1)
			return CH_EINVAL;
		out[0] = 0;
		*len = 1;
		return 0;
	}
	if (n + 2 > cap) /* each dot a length octet, one more before and the root after */
		return CH_EINVAL;
	/* one pass: a label's length octet is written when its dot (or the end) comes */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!label_close(out, lab, o))
				return CH_EINVAL;
			lab = o++;
			continue;
		}
		if (c == '\\')
			return CH_EINVAL;
		out[o++] = canonical && c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
	}
	if (!label_close(out, lab, o))
		return CH_EINVAL;
	out[o++] = 0;
	*len = o;
	return 0;
}

/* Appends the label at p (length octet first) to out in lower case. */
static int label_put(struct wire_rd *p, uint8_t l, uint8_t *out, size_t *o)
{
	const uint8_t *b = wire_get_ptr(p, l);

	if (!b)
		return CH_ETRUNC;
	if ((size_t)l + 2 > DDNS_NAME_WIRE - *o) /* this label, and the root after it */
		return CH_EMALFORMED;
	out[(*o)++] = l;
	for (size_t k = 0; k < l; k++)
		out[(*o)++] = (uint8_t)tolower(b[k]);
	return 0;
}

int ddns_name_read(struct wire_rd *r, const uint8_t *msg, size_t msg_len,
                   uint8_t out[DDNS_NAME_WIRE], size_t *len)
{
	struct wire_rd at = *r;       /* where the labels are read: r, then behind pointers */
	size_t o = 0, limit = r->off; /* a pointer must lead before the last one */
	bool jumped = false;
	int err;

	for (;;) {
		uint8_t l = wire_get_u8(&at);

		if (at.err)
			return CH_ETRUNC;
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0) {
			size_t to = (size_t)(l & 0x3f) << 8 | wire_get_u8(&at);

			if (at.err)
				return CH_ETRUNC;
			if (!jumped)
				*r = at;
			jumped = true;
			if (to >= limit)
				return CH_EMALFORMED;
			limit = to;
			at = wire_rd_init(msg, msg_len);
			wire_skip(&at, to);
			continue;
		}
		if (l & 0xc0)
			return CH_EMALFORMED; /* RFC 6891 §5: extended label types are gone */
		if ((err = label_put(&at, l, out, &o)) < 0)
			return err;
	}
	if (!jumped)
		*r = at;
	out[o++] = 0;
	*len = o;
	return 0;
}
