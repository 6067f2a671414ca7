/*
 * Bounded byte cursors for reading and writing network data. Errors are
 * sticky: after the first failure every call does nothing and returns 0,
 * so a parser reads a group of fields and tests ->err once.
 * Bounds are checked by subtraction only (n > len - off), never by adding
 * an untrusted length to a pointer.
 */
#ifndef CHORUS_WIRE_H
#define CHORUS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

struct wire_rd {
	const uint8_t *buf; /* a window on bytes we do not own */
	size_t len;
	size_t off;
	int err; /* first error wins (CH_ETRUNC) */
};

struct wire_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err; /* first error wins (CH_ENOSPACE) */
};

struct wire_rd wire_rd_init(const void *buf, size_t len);
struct wire_wr wire_wr_init(void *buf, size_t cap);

/* Bytes not yet consumed; 0 after an error. */
size_t wire_left(const struct wire_rd *r);
/* True when everything was consumed without error. */
bool wire_done(const struct wire_rd *r);

uint8_t wire_get_u8(struct wire_rd *r);
uint16_t wire_get_u16(struct wire_rd *r);
uint32_t wire_get_u24(struct wire_rd *r);
uint32_t wire_get_u32(struct wire_rd *r);
uint64_t wire_get_u64(struct wire_rd *r);
/* Copies n bytes into out; on error out is zero-filled. */
void wire_get_bytes(struct wire_rd *r, void *out, size_t n);
/* Returns a pointer to the next n bytes and consumes them, or NULL. */
const uint8_t *wire_get_ptr(struct wire_rd *r, size_t n);
/* Returns the next n bytes as their own window and consumes them. On error
 * the returned window is empty and carries the error too. */
struct wire_rd wire_get_sub(struct wire_rd *r, size_t n);
/* Returns everything left as a window and consumes it. */
struct wire_rd wire_get_rest(struct wire_rd *r);
void wire_skip(struct wire_rd *r, size_t n);

void wire_put_u8(struct wire_wr *w, uint8_t v);
void wire_put_u16(struct wire_wr *w, uint16_t v);
void wire_put_u24(struct wire_wr *w, uint32_t v);
void wire_put_u32(struct wire_wr *w, uint32_t v);
void wire_put_u64(struct wire_wr *w, uint64_t v);
void wire_put_bytes(struct wire_wr *w, const void *p, size_t n);
/* Reserves n bytes and returns their offset, to be filled in later with
 * wire_patch_u16(); returns 0 and sets err if they do not fit. */
size_t wire_put_reserve(struct wire_wr *w, size_t n);
/* Overwrites two bytes at off (which must lie inside what was written). */
void wire_patch_u16(struct wire_wr *w, size_t off, uint16_t v);

#endif
