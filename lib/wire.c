/* Bounded byte cursors: see wire.h for the contract. */
#include <string.h>

#include "wire.h"

struct wire_rd wire_rd_init(const void *buf, size_t len)
{
	struct wire_rd r = {.buf = buf, .len = buf ? len : 0, .off = 0, .err = 0};

	return r;
}

struct wire_wr wire_wr_init(void *buf, size_t cap)
{
	struct wire_wr w = {.buf = buf, .cap = buf ? cap : 0, .len = 0, .err = 0};

	return w;
}

size_t wire_left(const struct wire_rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

bool wire_done(const struct wire_rd *r)
{
	return !r->err && r->off == r->len;
}

/* Consumes n bytes and returns where they start, or NULL with err set. */
static const uint8_t *wire_take(struct wire_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (n > r->len - r->off) {
		r->err = CH_ETRUNC;
		return NULL;
	}
	p = r->buf + r->off;
	r->off += n;
	return p;
}

uint8_t wire_get_u8(struct wire_rd *r)
{
	const uint8_t *p = wire_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t wire_get_u16(struct wire_rd *r)
{
	const uint8_t *p = wire_take(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t wire_get_u24(struct wire_rd *r)
{
	const uint8_t *p = wire_take(r, 3);

	return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

uint32_t wire_get_u32(struct wire_rd *r)
{
	const uint8_t *p = wire_take(r, 4);

	if (!p)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t wire_get_u64(struct wire_rd *r)
{
	uint64_t hi = wire_get_u32(r);
	uint64_t lo = wire_get_u32(r);

	return r->err ? 0 : hi << 32 | lo;
}

void wire_get_bytes(struct wire_rd *r, void *out, size_t n)
{
	const uint8_t *p = wire_take(r, n);

	if (p)
		memcpy(out, p, n);
	else if (n)
		memset(out, 0, n);
}

const uint8_t *wire_get_ptr(struct wire_rd *r, size_t n)
{
	return wire_take(r, n);
}

struct wire_rd wire_get_sub(struct wire_rd *r, size_t n)
{
	const uint8_t *p = wire_take(r, n);
	struct wire_rd sub = wire_rd_init(p, p ? n : 0);

	sub.err = r->err;
	return sub;
}

struct wire_rd wire_get_rest(struct wire_rd *r)
{
	return wire_get_sub(r, wire_left(r));
}

void wire_skip(struct wire_rd *r, size_t n)
{
	(void)wire_take(r, n);
}

/* Makes room for n bytes and returns where they go, or NULL with err set. */
static uint8_t *wire_room(struct wire_wr *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = CH_ENOSPACE;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void wire_put_u8(struct wire_wr *w, uint8_t v)
{
	uint8_t *p = wire_room(w, 1);

	if (p)
		p[0] = v;
}

void wire_put_u16(struct wire_wr *w, uint16_t v)
{
	uint8_t *p = wire_room(w, 2);

	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
}

void wire_put_u24(struct wire_wr *w, uint32_t v)
{
	uint8_t *p = wire_room(w, 3);

	if (p) {
		p[0] = (v >> 16) & 0xff;
		p[1] = (v >> 8) & 0xff;
		p[2] = v & 0xff;
	}
}

void wire_put_u32(struct wire_wr *w, uint32_t v)
{
	uint8_t *p = wire_room(w, 4);

	if (p) {
		p[0] = v >> 24;
		p[1] = (v >> 16) & 0xff;
		p[2] = (v >> 8) & 0xff;
		p[3] = v & 0xff;
	}
}

void wire_put_u64(struct wire_wr *w, uint64_t v)
{
	wire_put_u32(w, (uint32_t)(v >> 32));
	wire_put_u32(w, (uint32_t)v);
}

void wire_put_bytes(struct wire_wr *w, const void *src, size_t n)
{
	uint8_t *p = wire_room(w, n);

	if (p && n)
		memcpy(p, src, n);
}

size_t wire_put_reserve(struct wire_wr *w, size_t n)
{
	size_t off = w->len;
	uint8_t *p = wire_room(w, n);

	if (!p)
		return 0;
	memset(p, 0, n);
	return off;
}

void wire_patch_u16(struct wire_wr *w, size_t off, uint16_t v)
{
	if (w->err || off > w->len || 2 > w->len - off)
		return;
	w->buf[off] = v >> 8;
	w->buf[off + 1] = v & 0xff;
}
