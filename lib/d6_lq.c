/*
 * Leasequery helpers: LQ_QUERY checks per query type (RFC 5007 §4.2,
 * RFC 5460 §6), option builders, LQ_RELAY_DATA chains and the bulk TCP
 * framing (RFC 5460 §5.1: u16 msg-size, then the message).
 */
#include <string.h>

#include "d6_ia.h"
#include "d6_lq.h"

bool d6_lq_is_lq_type(unsigned type)
{
	return type >= D6_MSG_LEASEQUERY && type <= D6_MSG_LQ_DATA;
}

bool d6_lq_is_bulk_query(unsigned qtype)
{
	return qtype == LQ_QUERY_BY_RELAY_ID || qtype == LQ_QUERY_BY_LINK_ADDRESS ||
	       qtype == LQ_QUERY_BY_REMOTE_ID;
}

/* The query-option each query type needs (RFC 5007 §4.1.2.1, RFC 5460). */
static int lq_target_code(uint8_t qtype)
{
	switch (qtype) {
	case LQ_QUERY_BY_ADDRESS:
		return D6_OPT_IAADDR;
	case LQ_QUERY_BY_CLIENTID:
		return D6_OPT_CLIENTID;
	case LQ_QUERY_BY_RELAY_ID:
		return D6_OPT_RELAY_ID;
	case LQ_QUERY_BY_REMOTE_ID:
		return D6_OPT_REMOTE_ID;
	case LQ_QUERY_BY_LINK_ADDRESS:
		return 0;
	default:
		return -1;
	}
}

int d6_lq_query_get(const struct d6_msg *m, struct d6_lq_query *out)
{
	static const uint8_t zero[16];
	struct d6_lq_query q;
	int code;

	q.node = d6_msg_find(m, D6_ROOT, D6_OPT_LQ_QUERY);
	if (q.node == D6_NONE)
		return CH_EMISSING;
	q.qtype = m->node[q.node].v.lq.qtype;
	memcpy(q.link, m->node[q.node].v.lq.link, 16);
	q.oro = d6_msg_find(m, q.node, D6_OPT_ORO);
	code = lq_target_code(q.qtype);
	q.target = code > 0 ? d6_msg_find(m, q.node, (uint16_t)code) : D6_NONE;
	*out = q;
	if (code < 0)
		return CH_ENOENT;
	if (code > 0 && q.target == D6_NONE)
		return CH_EMISSING;
	if (q.qtype == LQ_QUERY_BY_LINK_ADDRESS && memcmp(q.link, zero, 16) == 0)
		return CH_EMISSING;
	return 0;
}

int d6_lq_add_query(struct d6_msg *m, uint8_t qtype, const uint8_t link[16])
{
	int i = d6_msg_add(m, D6_ROOT, D6_OPT_LQ_QUERY);

	if (i >= 0) {
		m->node[i].v.lq.qtype = qtype;
		memcpy(m->node[i].v.lq.link, link, 16);
	}
	return i;
}

int d6_lq_add_client_data(struct d6_msg *m)
{
	return d6_msg_add(m, D6_ROOT, D6_OPT_CLIENT_DATA);
}

int d6_lq_add_clt_time(struct d6_msg *m, int client_data, uint32_t secs)
{
	return d6_msg_add_u32(m, client_data, D6_OPT_CLT_TIME, secs);
}

int d6_lq_add_relay_data(struct d6_msg *m, int parent, const uint8_t peer[16], const uint8_t *chain,
                         size_t len)
{
	int i = d6_msg_add_bytes(m, parent, D6_OPT_LQ_RELAY_DATA, chain, len);

	if (i >= 0)
		memcpy(m->node[i].v.addr, peer, 16);
	return i;
}

int d6_lq_add_client_link(struct d6_msg *m, const uint8_t *addrs, size_t n)
{
	if (n == 0 || n > 0xffff / 16)
		return CH_EINVAL;
	return d6_msg_add_bytes(m, D6_ROOT, D6_OPT_LQ_CLIENT_LINK, addrs, 16 * n);
}

int d6_lq_add_relay_id(struct d6_msg *m, int parent, const uint8_t *duid, size_t len)
{
	return d6_msg_add_bytes(m, parent, D6_OPT_RELAY_ID, duid, len);
}

int d6_lq_relay_data_parse(const struct d6_msg *m, int i, uint8_t peer[16],
                           struct d6_relay_chain *out)
{
	const struct d6_node *n;

	if (i < 0 || i >= m->n_nodes || m->node[i].code != D6_OPT_LQ_RELAY_DATA)
		return CH_EINVAL;
	n = &m->node[i];
	if (peer)
		memcpy(peer, n->v.addr, 16);
	return d6_relay_parse(n->tail, n->tail_len, D6_HOP_COUNT_CAP, D6_RELAY_STRIPPED, out);
}

int d6_lq_frame(const uint8_t *buf, size_t len)
{
	size_t size;

	if (len < 2)
		return D6_LQ_FRAME_NEED;
	size = (size_t)buf[0] << 8 | buf[1];
	if (size < D6_HDR_LEN)
		return CH_EMALFORMED;
	/* RFC 5460 §5.1: only leasequery messages travel on the connection. */
	if (len > 2 && !d6_lq_is_lq_type(buf[2]))
		return CH_EMALFORMED;
	if (len - 2 < size)
		return D6_LQ_FRAME_NEED;
	return (int)(size + 2);
}

int d6_lq_frame_put(const struct d6_msg *m, struct wire_wr *w)
{
	size_t start = wire_put_reserve(w, 2);
	int err;

	if (w->err)
		return w->err;
	if ((err = d6_msg_build(m, w)) < 0)
		return err;
	if (w->len - start - 2 > 0xffff) {
		w->err = CH_EBADLEN;
		return CH_EBADLEN;
	}
	wire_patch_u16(w, start, (uint16_t)(w->len - start - 2));
	return 0;
}
