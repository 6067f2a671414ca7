/*
 * LEASEQUERY parsing and the decisions that need no database: discard
 * rules (RFC 5007 §4.2), query-type and query-option checks (§4.4,
 * RFC 5460 §6), bulk types over UDP (NotAllowed), the link (§4.4.1,
 * NotConfigured), and what the query's ORO asks for minus the sensitive
 * options (§4.4.2).
 */
#include <string.h>

#include "addr6.h"
#include "d6_lq.h"
#include "d6_msg.h"
#include "lq_query.h"

static bool sensitive(const struct conf_leasequery *c, uint16_t code)
{
	for (size_t i = 0; i < c->n_sensitive_options; i++) {
		if (c->sensitive_options[i] == code)
			return true;
	}
	return false;
}

uint32_t lq_query_subnet(const struct conf *c, const uint8_t a[16], bool pd)
{
	struct in6_addr x;

	memcpy(&x, a, 16);
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		const struct conf_subnet *s = &c->dhcp6.subnets[i];

		if (addr6_in_prefix(&x, &s->prefix))
			return s->id;
		for (size_t k = 0; pd && k < s->n_pd_pools; k++) {
			if (addr6_in_prefix(&x, &s->pd_pools[k].prefix))
				return s->id;
		}
	}
	return 0;
}

static void want_parse(const struct d6_msg *m, int oro, const struct conf_leasequery *c,
                       struct lq_want *out)
{
	const struct d6_node *n;

	memset(out, 0, sizeof(*out));
	if (oro == D6_NONE)
		return;
	n = &m->node[oro];
	for (size_t i = 0; i + 1 < n->len; i += 2) {
		uint16_t code = (uint16_t)(n->data[i] << 8 | n->data[i + 1]);

		/* RFC 5007 §4.4.2: never the configured sensitive options */
		if (sensitive(c, code))
			continue;
		if (code == D6_OPT_LQ_RELAY_DATA)
			out->relay_data = true;
		else if (code == D6_OPT_CLIENT_LLADDR)
			out->lladdr = true;
		else if (code == D6_OPT_CLIENT_FQDN)
			out->fqdn = true;
		else if (out->n_codes < LQ_WANT_CODES)
			out->codes[out->n_codes++] = code;
	}
}

/* RFC 5007 §4.2: a server discards a LEASEQUERY without CLIENTID, with a
 * SERVERID not its own, or without LQ_QUERY. */
static bool discard(const struct d6_msg *m, const uint8_t *sduid, size_t sduid_len)
{
	int sid = d6_msg_find(m, D6_ROOT, D6_OPT_SERVERID);

	if (m->type != D6_MSG_LEASEQUERY || d6_msg_find(m, D6_ROOT, D6_OPT_CLIENTID) == D6_NONE ||
	    d6_msg_find(m, D6_ROOT, D6_OPT_LQ_QUERY) == D6_NONE)
		return true;
	if (sid != D6_NONE && sduid_len &&
	    (m->node[sid].len != sduid_len || memcmp(m->node[sid].data, sduid, sduid_len) != 0))
		return true;
	return false;
}

/* The query-option as the store matches it. Returns 0 or MalformedQuery. */
static int target_get(const struct d6_msg *m, const struct d6_lq_query *lq, struct lq_req *q)
{
	const struct d6_node *t;

	q->target_len = 0;
	if (lq->target == D6_NONE)
		return 0;
	t = &m->node[lq->target];
	if (t->code == D6_OPT_IAADDR) {
		memcpy(q->target, t->v.iaaddr.addr, 16);
		q->target_len = 16;
		return 0;
	}
	/* Kea rejects an empty remote-id: enterprise-number alone matches nothing */
	if (t->len > sizeof(q->target) || t->len == 0 ||
	    (t->code == D6_OPT_REMOTE_ID && t->len <= 4))
		return D6_STATUS_MALFORMEDQUERY;
	memcpy(q->target, t->data, t->len);
	q->target_len = t->len;
	return 0;
}

/* RFC 5007 §4.4.1: a given link-address names the link; BY_ADDRESS
 * without one finds it from the address. Returns 0 or NotConfigured. */
static int link_get(const struct conf *c, struct lq_req *q)
{
	if (q->has_link) {
		q->subnet = lq_query_subnet(c, q->link, false);
		return q->subnet ? 0 : D6_STATUS_NOTCONFIGURED;
	}
	q->subnet = 0;
	if (q->qtype == LQ_QUERY_BY_ADDRESS && !lq_query_subnet(c, q->target, true))
		return D6_STATUS_NOTCONFIGURED;
	return 0;
}

int lq_query_parse(const uint8_t *msg, size_t len, bool tcp, const struct conf *c,
                   const uint8_t *sduid, size_t sduid_len, struct lq_req *out)
{
	static const uint8_t zero[16];
	static struct d6_msg m; /* one query at a time: the loop is single-threaded */
	struct d6_lq_query lq;
	struct lq_req q;
	const struct d6_node *cid;
	int r, st;

	if (d6_msg_parse(msg, len, &m) < 0 || discard(&m, sduid, sduid_len))
		return LQ_Q_DROP;
	memset(&q, 0, sizeof(q));
	q.xid = m.xid;
	cid = &m.node[d6_msg_find(&m, D6_ROOT, D6_OPT_CLIENTID)];
	if (cid->len > sizeof(q.cid))
		return LQ_Q_DROP;
	memcpy(q.cid, cid->data, cid->len);
	q.cid_len = cid->len;
	r = d6_lq_query_get(&m, &lq);
	q.qtype = lq.qtype;
	memcpy(q.link, lq.link, 16);
	q.has_link = memcmp(lq.link, zero, 16) != 0;
	want_parse(&m, lq.oro, &c->leasequery, &q.want);
	*out = q;
	if (r == CH_ENOENT)
		return D6_STATUS_UNKNOWNQUERYTYPE;
	/* RFC 5460 §5: the bulk query types are for TCP only */
	if (!tcp && d6_lq_is_bulk_query(q.qtype))
		return D6_STATUS_NOTALLOWED;
	if (r < 0)
		return D6_STATUS_MALFORMEDQUERY;
	if ((st = target_get(&m, &lq, &q)) != 0 || (st = link_get(c, &q)) != 0) {
		*out = q;
		return st;
	}
	*out = q;
	return LQ_Q_STORE;
}
