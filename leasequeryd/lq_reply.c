/*
 * LEASEQUERY-REPLY / -DATA / -DONE contents (RFC 5007 §4.1.2.2, §4.4.2,
 * RFC 5460 §6.2). Lifetimes are what remains since the last client
 * transaction; CLT_TIME is the age of the client's latest one on the link.
 */
#include <string.h>

#include "d6_opt.h"
#include "lq_reply.h"

void lq_reply_head(struct wire_wr *w, uint8_t type, uint32_t xid)
{
	wire_put_u8(w, type);
	wire_put_u24(w, xid);
}

void lq_reply_ids(struct wire_wr *w, const uint8_t *sduid, size_t sduid_len, const struct lq_req *q)
{
	if (sduid_len)
		d6_put_opt(w, D6_OPT_SERVERID, sduid, sduid_len);
	d6_put_opt(w, D6_OPT_CLIENTID, q->cid, q->cid_len);
}

void lq_reply_status(struct wire_wr *w, uint16_t code, const char *text)
{
	size_t o = d6_put_begin(w, D6_OPT_STATUS_CODE);

	wire_put_u16(w, code);
	wire_put_bytes(w, text, strlen(text));
	d6_put_end(w, o);
}

const struct lq_bind *lq_client_latest(const struct lq_client *c)
{
	const struct lq_bind *best = &c->row[0];

	for (size_t i = 1; i < c->n; i++) {
		if (c->row[i].age < best->age)
			best = &c->row[i];
	}
	return best;
}

const struct lq_bind *lq_client_relayed(const struct lq_client *c)
{
	const struct lq_bind *best = NULL;

	for (size_t i = 0; i < c->n; i++) {
		if (c->row[i].relayed && c->row[i].chain && (!best || c->row[i].age < best->age))
			best = &c->row[i];
	}
	return best;
}

static void put_lease(struct wire_wr *w, const struct lq_bind *b)
{
	size_t o;

	if (b->pd) {
		o = d6_put_begin(w, D6_OPT_IAPREFIX);
		wire_put_u32(w, b->pref);
		wire_put_u32(w, b->valid);
		wire_put_u8(w, b->plen);
		wire_put_bytes(w, b->addr, 16);
	} else {
		o = d6_put_begin(w, D6_OPT_IAADDR);
		wire_put_bytes(w, b->addr, 16);
		wire_put_u32(w, b->pref);
		wire_put_u32(w, b->valid);
	}
	d6_put_end(w, o);
}

void lq_reply_relay_data(struct wire_wr *w, const struct lq_bind *b)
{
	size_t o = d6_put_begin(w, D6_OPT_LQ_RELAY_DATA);

	wire_put_bytes(w, b->relay_src, 16);
	wire_put_bytes(w, b->chain, b->chain_len);
	d6_put_end(w, o);
}

/* The lease's name as RFC 4704 §4 has it: the flags, then the name in
 * uncompressed labels ending in the root label. */
static void put_fqdn(struct wire_wr *w, const struct lq_bind *b)
{
	size_t o = d6_put_begin(w, D6_OPT_CLIENT_FQDN);
	const char *p = b->fqdn;

	wire_put_u8(w, b->fqdn_flags);
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n == 0 || n > 63)
			break;
		wire_put_u8(w, (uint8_t)n);
		wire_put_bytes(w, p, n);
		p += n + (dot ? 1 : 0);
	}
	wire_put_u8(w, 0);
	d6_put_end(w, o);
}

static bool wanted(const struct lq_want *want, uint16_t code)
{
	for (size_t i = 0; i < want->n_codes; i++) {
		if (want->codes[i] == code)
			return true;
	}
	return false;
}

/* The client's stored options the ORO asks for (the sensitive ones are
 * neither stored nor in want). */
static void put_stored(struct wire_wr *w, const struct lq_bind *b, const struct lq_want *want)
{
	struct wire_rd r = wire_rd_init(b->opts, b->opts_len);
	struct d6_opt o;

	while (want->n_codes && d6_opt_next(&r, &o) > 0) {
		if (wanted(want, o.code))
			d6_put_opt(w, o.code, o.data, o.len);
	}
}

/* The latest of the client's bindings with a name, or NULL. */
static const struct lq_bind *named(const struct lq_client *c)
{
	const struct lq_bind *best = NULL;

	for (size_t i = 0; i < c->n; i++) {
		if (c->row[i].fqdn[0] && (!best || c->row[i].age < best->age))
			best = &c->row[i];
	}
	return best;
}

void lq_reply_client_data(struct wire_wr *w, const struct lq_client *c, const struct lq_want *want,
                          bool relay_inside)
{
	const struct lq_bind *last = lq_client_latest(c);
	const struct lq_bind *rel = lq_client_relayed(c);
	size_t o = d6_put_begin(w, D6_OPT_CLIENT_DATA), t;

	d6_put_opt(w, D6_OPT_CLIENTID, last->duid, last->duid_len);
	for (size_t i = 0; i < c->n; i++)
		put_lease(w, &c->row[i]);
	t = d6_put_begin(w, D6_OPT_CLT_TIME);
	wire_put_u32(w, last->age);
	d6_put_end(w, t);
	if (want->lladdr && last->hwtype >= 0) {
		t = d6_put_begin(w, D6_OPT_CLIENT_LLADDR);
		wire_put_u16(w, (uint16_t)last->hwtype);
		wire_put_bytes(w, last->hwaddr, last->hwaddr_len);
		d6_put_end(w, t);
	}
	if (want->fqdn && named(c))
		put_fqdn(w, named(c));
	put_stored(w, last, want);
	if (relay_inside && want->relay_data && rel)
		lq_reply_relay_data(w, rel);
	d6_put_end(w, o);
}

void lq_reply_client_link(struct wire_wr *w, const uint8_t *links, size_t n)
{
	d6_put_opt(w, D6_OPT_LQ_CLIENT_LINK, links, 16 * n);
}
