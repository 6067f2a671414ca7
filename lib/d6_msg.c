/*
 * DHCPv6 message parse and build: header, then the option tree in wire
 * order, checked against the rules of d6_opt.c (length, nesting, singletons
 * per RFC 8415 §21) and our caps. See d6_msg.h for the contract.
 */
#include <string.h>

#include "d6_msg.h"

/* Deepest legal nesting is message > LQ_QUERY/IA > IAADDR > STATUS_CODE. */
#define D6_MSG_MAX_DEPTH 4

bool d6_msg_is_relay(unsigned type)
{
	return type == D6_MSG_RELAY_FORW || type == D6_MSG_RELAY_REPL;
}

static void msg_reset(struct d6_msg *m, uint8_t type)
{
	m->type = type;
	m->xid = 0;
	m->hops = 0;
	memset(m->link, 0, sizeof(m->link));
	memset(m->peer, 0, sizeof(m->peer));
	m->first = m->last = D6_NONE;
	m->n_nodes = 0;
	m->n_ias = 0;
}

void d6_msg_init(struct d6_msg *m, uint8_t type, uint32_t xid)
{
	msg_reset(m, type);
	m->xid = xid & 0xffffff;
}

void d6_msg_init_relay(struct d6_msg *m, uint8_t type, uint8_t hops, const uint8_t link[16],
                       const uint8_t peer[16])
{
	msg_reset(m, type);
	m->hops = hops;
	memcpy(m->link, link, 16);
	memcpy(m->peer, peer, 16);
}

/* The context children of parent live in (enum d6_where). */
static unsigned where_of(const struct d6_msg *m, int parent)
{
	if (parent == D6_ROOT)
		return d6_msg_is_relay(m->type) ? D6_IN_RELAY : D6_IN_MSG;
	if (m->node[parent].space != D6_SPACE_MAIN)
		return 0;
	switch (m->node[parent].code) {
	case D6_OPT_IA_NA:
	case D6_OPT_IA_TA:
		return D6_IN_IA;
	case D6_OPT_IA_PD:
		return D6_IN_IAPD;
	case D6_OPT_IAADDR:
		return D6_IN_IAADDR;
	case D6_OPT_IAPREFIX:
		return D6_IN_IAPREFIX;
	case D6_OPT_CLIENT_DATA:
		return D6_IN_CDATA;
	case D6_OPT_LQ_QUERY:
		return D6_IN_LQQUERY;
	case D6_OPT_NTP_SERVER:
		return D6_IN_NTP;
	default:
		return 0;
	}
}

static enum d6_space space_of(const struct d6_msg *m, int parent)
{
	return where_of(m, parent) == D6_IN_NTP ? D6_SPACE_NTP : D6_SPACE_MAIN;
}

const struct d6_opt_rule *d6_msg_rule(const struct d6_msg *m, int i)
{
	return d6_opt_rule((enum d6_space)m->node[i].space, m->node[i].code);
}

static bool is_container(const struct d6_opt_rule *rule)
{
	return rule && (rule->body == D6_BD_OPTS || rule->body == D6_BD_NTP);
}

/* Allocates a node and links it last under parent. */
static int node_new(struct d6_msg *m, int parent, uint16_t code)
{
	struct d6_node *n;
	int i;

	if (m->n_nodes >= D6_MSG_MAX_NODES)
		return CH_ELIMIT;
	i = m->n_nodes++;
	n = &m->node[i];
	memset(n, 0, sizeof(*n));
	n->code = code;
	n->space = (uint8_t)space_of(m, parent);
	n->parent = (int16_t)parent;
	n->child = n->last = n->next = D6_NONE;
	if (parent == D6_ROOT) {
		if (m->last != D6_NONE)
			m->node[m->last].next = (int16_t)i;
		else
			m->first = (int16_t)i;
		m->last = (int16_t)i;
	} else {
		struct d6_node *p = &m->node[parent];

		if (p->last != D6_NONE)
			m->node[p->last].next = (int16_t)i;
		else
			p->child = (int16_t)i;
		p->last = (int16_t)i;
	}
	return i;
}

int d6_msg_first(const struct d6_msg *m, int parent)
{
	if (parent == D6_ROOT)
		return m->first;
	if (parent < 0 || parent >= m->n_nodes)
		return D6_NONE;
	return m->node[parent].child;
}

int d6_msg_next(const struct d6_msg *m, int i)
{
	if (i < 0 || i >= m->n_nodes)
		return D6_NONE;
	return m->node[i].next;
}

int d6_msg_find_next(const struct d6_msg *m, int i, uint16_t code)
{
	for (i = d6_msg_next(m, i); i != D6_NONE; i = m->node[i].next)
		if (m->node[i].code == code)
			return i;
	return D6_NONE;
}

int d6_msg_find(const struct d6_msg *m, int parent, uint16_t code)
{
	int i = d6_msg_first(m, parent);

	if (i == D6_NONE || m->node[i].code == code)
		return i;
	return d6_msg_find_next(m, i, code);
}

bool d6_msg_oro_has(const struct d6_msg *m, int parent, uint16_t code)
{
	int o = d6_msg_find(m, parent, D6_OPT_ORO);

	if (o < 0)
		return false;
	for (size_t k = 0; k + 1 < m->node[o].tail_len; k += 2) {
		const uint8_t *p = m->node[o].tail + k;

		if ((uint16_t)(p[0] << 8 | p[1]) == code)
			return true;
	}
	return false;
}

size_t d6_msg_count(const struct d6_msg *m, int parent, uint16_t code)
{
	size_t n = 0;

	for (int i = d6_msg_find(m, parent, code); i != D6_NONE; i = d6_msg_find_next(m, i, code))
		n++;
	return n;
}

int d6_msg_add(struct d6_msg *m, int parent, uint16_t code)
{
	const struct d6_opt_rule *rule;

	if (parent != D6_ROOT) {
		if (parent < 0 || parent >= m->n_nodes || !is_container(d6_msg_rule(m, parent)))
			return CH_EINVAL;
	}
	rule = d6_opt_rule(space_of(m, parent), code);
	if (rule && !(rule->where & where_of(m, parent)))
		return CH_ENEST;
	return node_new(m, parent, code);
}

int d6_msg_add_bytes(struct d6_msg *m, int parent, uint16_t code, const void *data, size_t len)
{
	int i = d6_msg_add(m, parent, code);

	if (i >= 0) {
		m->node[i].tail = data;
		m->node[i].tail_len = len;
	}
	return i;
}

int d6_msg_add_u8(struct d6_msg *m, int parent, uint16_t code, uint8_t v)
{
	int i = d6_msg_add(m, parent, code);

	if (i >= 0)
		m->node[i].v.u8 = v;
	return i;
}

int d6_msg_add_u16(struct d6_msg *m, int parent, uint16_t code, uint16_t v)
{
	int i = d6_msg_add(m, parent, code);

	if (i >= 0)
		m->node[i].v.u16 = v;
	return i;
}

int d6_msg_add_u32(struct d6_msg *m, int parent, uint16_t code, uint32_t v)
{
	int i = d6_msg_add(m, parent, code);

	if (i >= 0)
		m->node[i].v.u32 = v;
	return i;
}

/* RFC 8415 §21: a singleton appears once per level; IAIDs are unique per IA type. */
static int check_siblings(const struct d6_msg *m, int parent, const struct d6_opt_rule *rule,
                          const union d6_val *v)
{
	size_t same = 0;

	for (int i = d6_msg_find(m, parent, rule->code); i != D6_NONE;
	     i = d6_msg_find_next(m, i, rule->code)) {
		if (!rule->multi)
			return CH_EDUP;
		if ((rule->fixed == D6_FX_IA || rule->fixed == D6_FX_IATA) &&
		    m->node[i].v.ia.iaid == v->ia.iaid)
			return CH_EDUP;
		same++;
	}
	if ((rule->fixed == D6_FX_IAADDR || rule->fixed == D6_FX_IAPREFIX) &&
	    same >= D6_MSG_MAX_KIDS)
		return CH_ELIMIT;
	return 0;
}

/* Checks an option's placement, length and siblings before it is stored. */
static int check_known(struct d6_msg *m, int parent, const struct d6_opt_rule *rule,
                       const struct d6_opt *o, union d6_val *v)
{
	struct wire_rd body = d6_opt_body(o);
	int err;

	if (!(rule->where & where_of(m, parent)))
		return CH_ENEST;
	if ((err = d6_opt_check_len(rule, o->len)) < 0)
		return err;
	if ((err = d6_opt_get_fixed(rule, &body, v)) < 0)
		return err;
	if ((err = d6_opt_check_fixed(rule, v)) < 0)
		return err;
	if (rule->fixed == D6_FX_PDX && (err = d6_opt_check_pdx(&m->node[parent].v, v)) < 0)
		return err;
	if ((err = check_siblings(m, parent, rule, v)) < 0)
		return err;
	if ((rule->fixed == D6_FX_IA || rule->fixed == D6_FX_IATA) && ++m->n_ias > D6_MSG_MAX_IAS)
		return CH_ELIMIT;
	return 0;
}

static int parse_opts(struct d6_msg *m, int parent, struct wire_rd r, int depth);

static int parse_one(struct d6_msg *m, int parent, const struct d6_opt *o, int depth)
{
	const struct d6_opt_rule *rule = d6_opt_rule(space_of(m, parent), o->code);
	union d6_val v;
	size_t fixed;
	int i, err;

	memset(&v, 0, sizeof(v));
	if (rule && (err = check_known(m, parent, rule, o, &v)) < 0)
		return err;
	if ((i = node_new(m, parent, o->code)) < 0)
		return i;
	m->node[i].data = o->data;
	m->node[i].len = o->len;
	m->node[i].v = v;
	fixed = rule ? d6_opt_fixed_len(rule, o->len) : 0;
	m->node[i].tail = o->data + fixed;
	m->node[i].tail_len = o->len - fixed;
	if (!rule)
		return 0;
	if (!is_container(rule))
		return d6_opt_check_body(rule, &v, m->node[i].tail, m->node[i].tail_len);
	if (depth >= D6_MSG_MAX_DEPTH)
		return CH_EDEEP;
	return parse_opts(m, i, wire_rd_init(m->node[i].tail, m->node[i].tail_len), depth + 1);
}

static int parse_opts(struct d6_msg *m, int parent, struct wire_rd r, int depth)
{
	struct d6_opt o;
	int ret, err;

	while ((ret = d6_opt_next(&r, &o)) > 0)
		if ((err = parse_one(m, parent, &o, depth)) < 0)
			return err;
	return ret;
}

int d6_msg_parse(const uint8_t *buf, size_t len, struct d6_msg *out)
{
	struct wire_rd r = wire_rd_init(buf, len);
	uint8_t type = wire_get_u8(&r);

	if (r.err)
		return CH_ETRUNC;
	if (type == 0 || type > D6_MSG_MAX)
		return CH_EMALFORMED;
	msg_reset(out, type);
	if (d6_msg_is_relay(type)) {
		out->hops = wire_get_u8(&r);
		wire_get_bytes(&r, out->link, 16);
		wire_get_bytes(&r, out->peer, 16);
	} else {
		out->xid = wire_get_u24(&r);
	}
	if (r.err)
		return CH_ETRUNC;
	return parse_opts(out, D6_ROOT, wire_get_rest(&r), 1);
}

static void build_node(const struct d6_msg *m, int i, struct wire_wr *w)
{
	const struct d6_node *n = &m->node[i];
	const struct d6_opt_rule *rule = d6_msg_rule(m, i);
	size_t start = d6_put_begin(w, n->code);

	if (rule)
		d6_opt_put_fixed(rule, w, &n->v);
	/* a container given as ready-made bytes (no child nodes) keeps them */
	if (is_container(rule) && n->child != D6_NONE) {
		for (int c = n->child; c != D6_NONE && !w->err; c = m->node[c].next)
			build_node(m, c, w);
	} else if (n->tail_len) {
		wire_put_bytes(w, n->tail, n->tail_len);
	}
	d6_put_end(w, start);
}

int d6_msg_build(const struct d6_msg *m, struct wire_wr *w)
{
	wire_put_u8(w, m->type);
	if (d6_msg_is_relay(m->type)) {
		wire_put_u8(w, m->hops);
		wire_put_bytes(w, m->link, 16);
		wire_put_bytes(w, m->peer, 16);
	} else {
		wire_put_u24(w, m->xid);
	}
	for (int i = m->first; i != D6_NONE && !w->err; i = m->node[i].next)
		build_node(m, i, w);
	return w->err;
}
