/*
 * Relay chains: parse with bounded depth, rebuild, build the Relay-reply
 * chain, strip the innermost RELAY_MSG. RFC 8415 §9, §13.1, §19; RFC 5007
 * §4.1.2.4. Each layer's options are checked by d6_msg_parse.
 */
#include <stdlib.h>
#include <string.h>

#include "d6_msg.h"
#include "d6_relay.h"

/* Checks one layer (its options through d6_msg_parse) and fills *l.
 * *inner gets the RELAY_MSG window, or NULL if there is none. */
static int layer_parse(const uint8_t *buf, size_t len, struct d6_msg *m, struct d6_relay_layer *l,
                       struct wire_rd *inner)
{
	int err = d6_msg_parse(buf, len, m);
	int i;

	if (err < 0)
		return err;
	memset(l, 0, sizeof(*l));
	l->type = m->type;
	l->hops = m->hops;
	memcpy(l->link, m->link, 16);
	memcpy(l->peer, m->peer, 16);
	l->opts = buf + D6_RELAY_HDR_LEN;
	l->opts_len = len - D6_RELAY_HDR_LEN;
	if ((i = d6_msg_find(m, D6_ROOT, D6_OPT_INTERFACE_ID)) != D6_NONE) {
		l->ifid = m->node[i].tail;
		l->ifid_len = m->node[i].tail_len;
	}
	i = d6_msg_find(m, D6_ROOT, D6_OPT_RELAY_MSG);
	*inner = wire_rd_init(i == D6_NONE ? NULL : m->node[i].tail,
	                      i == D6_NONE ? 0 : m->node[i].tail_len);
	if (i == D6_NONE)
		inner->buf = NULL;
	return 0;
}

/* Walks the layers into c; the struct d6_msg scratch is m. */
static int chain_walk(const uint8_t *buf, size_t len, unsigned max_hops, unsigned flags,
                      struct d6_msg *m, struct d6_relay_chain *c)
{
	struct wire_rd cur = wire_rd_init(buf, len);
	int err;

	if (len == 0)
		return CH_ETRUNC;
	if (!d6_msg_is_relay(buf[0]))
		return CH_EMALFORMED;
	c->n = 0;
	while (cur.len > 0 && d6_msg_is_relay(cur.buf[0])) {
		struct d6_relay_layer *l = &c->layer[c->n];
		struct wire_rd next;

		/* RFC 8415 §19.1: no more than max_hops + 1 layers. */
		if (c->n >= max_hops + 1)
			return CH_EDEEP;
		if ((err = layer_parse(cur.buf, cur.len, m, l, &next)) < 0)
			return err;
		if (l->hops > max_hops)
			return CH_EDEEP;
		if (l->type != buf[0])
			return CH_EMALFORMED;
		c->n++;
		if (!next.buf)
			return (flags & D6_RELAY_STRIPPED) ? 0 : CH_EMISSING;
		cur = next;
	}
	if (flags & D6_RELAY_STRIPPED)
		return CH_EMALFORMED; /* a stripped chain ends in a relay layer */
	c->inner = cur.buf;
	c->inner_len = cur.len;
	return 0;
}

int d6_relay_parse(const uint8_t *buf, size_t len, unsigned max_hops, unsigned flags,
                   struct d6_relay_chain *out)
{
	struct d6_msg *m;
	struct d6_relay_chain *c;
	int err;

	if (max_hops > D6_HOP_COUNT_CAP)
		return CH_EINVAL;
	m = malloc(sizeof(*m));
	c = malloc(sizeof(*c));
	if (!m || !c) {
		err = CH_ENOMEM;
		goto fail;
	}
	memset(c, 0, sizeof(*c));
	err = chain_walk(buf, len, max_hops, flags, m, c);
	if (err == 0)
		memcpy(out, c, sizeof(*c));
fail:
	free(m);
	free(c);
	return err;
}

static void put_header(struct wire_wr *w, uint8_t type, const struct d6_relay_layer *l)
{
	wire_put_u8(w, type);
	wire_put_u8(w, l->hops);
	wire_put_bytes(w, l->link, 16);
	wire_put_bytes(w, l->peer, 16);
}

/* Layer i and everything inside it, options in their original order. */
static void build_layer(const struct d6_relay_chain *c, size_t i, bool strip, struct wire_wr *w)
{
	const struct d6_relay_layer *l = &c->layer[i];
	struct wire_rd r = wire_rd_init(l->opts, l->opts_len);
	struct d6_opt o;

	put_header(w, l->type, l);
	while (d6_opt_next(&r, &o) > 0 && !w->err) {
		size_t start;

		if (o.code != D6_OPT_RELAY_MSG) {
			d6_put_opt(w, o.code, o.data, o.len);
			continue;
		}
		if (i + 1 == c->n && (strip || !c->inner))
			continue;
		start = d6_put_begin(w, D6_OPT_RELAY_MSG);
		if (i + 1 < c->n)
			build_layer(c, i + 1, strip, w);
		else
			wire_put_bytes(w, c->inner, c->inner_len);
		d6_put_end(w, start);
	}
}

int d6_relay_build(const struct d6_relay_chain *c, struct wire_wr *w)
{
	if (c->n == 0 || c->n > D6_RELAY_MAX_LAYERS)
		return CH_EINVAL;
	build_layer(c, 0, false, w);
	return w->err;
}

int d6_relay_build_stripped(const struct d6_relay_chain *c, struct wire_wr *w)
{
	if (c->n == 0 || c->n > D6_RELAY_MAX_LAYERS)
		return CH_EINVAL;
	build_layer(c, 0, true, w);
	return w->err;
}

int d6_relay_build_reply(const struct d6_relay_chain *fwd, const uint8_t *msg, size_t len,
                         struct wire_wr *w)
{
	size_t open[D6_RELAY_MAX_LAYERS];

	if (fwd->n == 0 || fwd->n > D6_RELAY_MAX_LAYERS)
		return CH_EINVAL;
	for (size_t i = 0; i < fwd->n; i++) {
		const struct d6_relay_layer *l = &fwd->layer[i];

		put_header(w, D6_MSG_RELAY_REPL, l);
		/* RFC 8415 §19.3: echo this layer's Interface-Id. */
		if (l->ifid)
			d6_put_opt(w, D6_OPT_INTERFACE_ID, l->ifid, l->ifid_len);
		open[i] = d6_put_begin(w, D6_OPT_RELAY_MSG);
	}
	wire_put_bytes(w, msg, len);
	for (size_t i = fwd->n; i-- > 0;)
		d6_put_end(w, open[i]);
	return w->err;
}

int d6_relay_link_addr(const struct d6_relay_chain *c, uint8_t out[16])
{
	static const uint8_t zero[16];

	for (size_t i = c->n; i-- > 0;) {
		if (memcmp(c->layer[i].link, zero, 16) != 0) {
			memcpy(out, c->layer[i].link, 16);
			return 0;
		}
	}
	return CH_ENOENT;
}
