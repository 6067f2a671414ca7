/*
 * Commit groups of the lease store (see srv_store_group.h): the text[]
 * parameters of the batch statements and the matching of their results
 * to the transactions.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "srv_relayinfo.h"
#include "srv_store_group.h"
#include "srv_store_sql.h"

/*
 * A batch is cut into groups in which no address appears twice. Inside a
 * group the rows are independent, so its Release, Decline and Expire rows
 * go first, one statement each, then every grant as one INSERT and every
 * extend as one UPDATE. An address seen again (granted then renewed,
 * released then granted to another client...) closes the group, so the
 * statements still meet each address in the order of the transactions.
 */
/* Addresses per group, a power of two: it also bounds the statements'
 * nested-loop joins of the batch with itself. */
#define GROUP_ADDRS 512

struct arr { /* a text[] literal under construction */
	char *p;
	size_t len, cap;
};

struct bulk_row { /* which transaction and lease row i of a statement is */
	struct srv_txn *txn;
	const struct srv_lease *lease;
};

struct one { /* the first row's parameters as scalars (owned copies) */
	char *buf;
	size_t cap;
	const char *v[SRV_LP_N];
	int len[SRV_LP_N], fmt[SRV_LP_N];
	bool ok; /* copied, and fit for ST_INSERT_ONE */
};

struct bulk { /* the rows of one batch statement */
	struct arr col[SRV_LP_N];
	struct bulk_row *row;
	size_t n, cap;
	bool oom;
	struct one one;
};

struct bulk_res { /* what the result callback needs */
	size_t n;
	bool by_addr; /* result rows name addresses, not ordinals */
	struct bulk_row row[];
};

struct aslot {
	struct in6_addr addr;
	uint8_t plen;
	uint32_t gen;
};

static struct group {
	struct bulk grant, extend;
	struct aslot seen[2 * GROUP_ADDRS];
	size_t n_seen;
	uint32_t gen;
} grp;

static bool arr_room(struct arr *a, size_t more)
{
	char *p;
	size_t cap;

	if (a->len + more <= a->cap)
		return true;
	cap = a->cap ? a->cap : 4096;
	while (cap < a->len + more)
		cap *= 2;
	p = realloc(a->p, cap);
	if (!p)
		return false;
	a->p = p;
	a->cap = cap;
	return true;
}

/* Appends one element: NULL, binary as hex, or quoted text. */
static bool arr_put(struct arr *a, const char *v, int len, bool bin)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = v && !bin ? strlen(v) : (size_t)(len > 0 ? len : 0);

	if (!arr_room(a, 2 * n + 8))
		return false;
	a->p[a->len] = a->len ? ',' : '{';
	a->len++;
	if (!v) {
		memcpy(a->p + a->len, "NULL", 4);
		a->len += 4;
		return true;
	}
	a->p[a->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)v[i];

		if (bin) {
			a->p[a->len++] = hex[c >> 4];
			a->p[a->len++] = hex[c & 15];
			continue;
		}
		if (c == '"' || c == '\\')
			a->p[a->len++] = '\\';
		a->p[a->len++] = (char)c;
	}
	a->p[a->len++] = '"';
	return true;
}

static const char *arr_end(struct arr *a)
{
	if (!arr_room(a, 3))
		return NULL;
	if (!a->len)
		a->p[a->len++] = '{';
	a->p[a->len++] = '}';
	a->p[a->len] = '\0';
	return a->p;
}

static size_t param_len(const struct srv_lease_params *p, int i)
{
	return !p->v[i] ? 0 : p->fmt[i] ? (size_t)p->len[i] : strlen(p->v[i]) + 1;
}

/* Keeps the row's parameters for ST_INSERT_ONE: a grant without an FQDN
 * and without client options. */
static void one_keep(struct one *o, const struct srv_lease_params *p)
{
	size_t need = 0, off = 0;

	o->ok = false;
	if (p->v[20] || p->v[24])
		return;
	for (int i = 0; i < SRV_LP_N; i++)
		need += param_len(p, i);
	if (need > o->cap) {
		char *nb = realloc(o->buf, need);

		if (!nb)
			return;
		o->buf = nb;
		o->cap = need;
	}
	for (int i = 0; i < SRV_LP_N; i++) {
		size_t n = param_len(p, i);

		o->v[i] = p->v[i] ? o->buf + off : NULL;
		o->len[i] = p->len[i];
		o->fmt[i] = p->fmt[i];
		if (n)
			memcpy(o->buf + off, p->v[i], n);
		off += n;
	}
	o->ok = true;
}

static void bulk_add(struct bulk *b, struct srv_txn *t, const struct srv_lease *l,
                     const struct srv_lease_params *p)
{
	if (b->n == 0)
		one_keep(&b->one, p);
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct bulk_row *v = realloc(b->row, cap * sizeof(*v));

		if (!v) {
			b->oom = true;
			return;
		}
		b->row = v;
		b->cap = cap;
	}
	for (int i = 0; i < SRV_LP_N; i++) {
		if (!arr_put(&b->col[i], p->v[i], p->len[i], p->fmt[i]))
			b->oom = true;
	}
	b->row[b->n].txn = t;
	b->row[b->n++].lease = l;
}

static void bulk_reset(struct bulk *b)
{
	for (int i = 0; i < SRV_LP_N; i++)
		b->col[i].len = 0;
	b->n = 0;
	b->oom = false;
}

static void bulk_free(struct bulk *b)
{
	for (int i = 0; i < SRV_LP_N; i++)
		free(b->col[i].p);
	free(b->row);
	free(b->one.buf);
	memset(b, 0, sizeof(*b));
}

/* The row of r holding the address of result row k, NULL if none. Rows
 * come back in the order they went in, less the conflicts, so the search
 * starts after the previous match (*from) and is linear for a batch. */
static struct bulk_row *row_by_addr(struct bulk_res *r, const PGresult *res, int k, size_t *from)
{
	struct in6_addr a;
	int plen = atoi(PQgetvalue(res, k, 1));

	if (addr6_parse(PQgetvalue(res, k, 0), &a) < 0)
		return NULL;
	for (size_t j = 0; j < r->n; j++) {
		struct bulk_row *w = &r->row[(*from + j) % r->n];

		if (w->txn && w->lease->plen == plen && IN6_ARE_ADDR_EQUAL(&w->lease->addr, &a)) {
			*from = (*from + j + 1) % r->n;
			return w;
		}
	}
	return NULL;
}

/* Rows that came back took; the transactions of the others failed. On an
 * error the whole segment rolls back and on_batch handles it. */
static void on_bulk(struct db *d, const PGresult *res, int err, void *arg)
{
	struct bulk_res *r = arg;
	size_t from = 0;

	(void)d;
	if (!err) {
		for (int k = 0; k < PQntuples(res); k++) {
			struct bulk_row *w = NULL;
			long i;

			if (r->by_addr) {
				w = row_by_addr(r, res, k, &from);
			} else {
				i = atol(PQgetvalue(res, k, 0));
				if (i >= 1 && (size_t)i <= r->n)
					w = &r->row[i - 1];
			}
			if (w)
				w->txn = NULL;
		}
		for (size_t i = 0; i < r->n; i++) {
			if (r->row[i].txn)
				r->row[i].txn->failed = true;
		}
	}
	free(r);
}

static int bulk_send(struct srv *s, struct bulk *b, size_t stmt)
{
	const char *v[SRV_LP_N];
	struct bulk_res *r;
	int err;

	if (!b->n)
		return 0;
	r = b->oom ? NULL : malloc(sizeof(*r) + b->n * sizeof(r->row[0]));
	for (int i = 0; r && i < SRV_LP_N; i++) {
		v[i] = arr_end(&b->col[i]);
		if (!v[i]) {
			free(r);
			r = NULL;
		}
	}
	if (!r) {
		bulk_reset(b);
		return CH_ENOMEM;
	}
	r->n = b->n;
	r->by_addr = stmt == ST_INSERT_BULK;
	memcpy(r->row, b->row, b->n * sizeof(r->row[0]));
	if (stmt == ST_INSERT_BULK && b->n == 1 && b->one.ok)
		err = db_query(s->db, ST_INSERT_ONE, b->one.v, b->one.len, b->one.fmt, on_bulk, r);
	else
		err = db_query(s->db, stmt, v, NULL, NULL, on_bulk, r);
	if (err)
		free(r);
	bulk_reset(b);
	return err;
}

void srv_store_group_reset(void)
{
	bulk_reset(&grp.grant);
	bulk_reset(&grp.extend);
	grp.n_seen = 0;
	if (++grp.gen == 0) { /* wrapped: forget every slot */
		memset(grp.seen, 0, sizeof(grp.seen));
		grp.gen = 1;
	}
}

/* Sends the group's grants and extends and starts a new group. */
int srv_store_group_close(struct srv *s)
{
	int err = bulk_send(s, &grp.grant, ST_INSERT_BULK);

	if (!err)
		err = bulk_send(s, &grp.extend, ST_EXTEND_BULK);
	srv_store_group_reset();
	return err;
}

/* Adds l's address to the group; false when it is there already (or the
 * group is full). */
static bool group_take(const struct srv_lease *l)
{
	uint32_t h = 2166136261u;
	size_t i, mask = 2 * GROUP_ADDRS - 1;

	if (!grp.gen)
		grp.gen = 1;
	if (grp.n_seen >= GROUP_ADDRS)
		return false;
	for (size_t k = 0; k < sizeof(l->addr); k++)
		h = (h ^ l->addr.s6_addr[k]) * 16777619u;
	h = (h ^ l->plen) * 16777619u;
	for (i = h & mask; grp.seen[i].gen == grp.gen; i = (i + 1) & mask) {
		if (grp.seen[i].plen == l->plen && IN6_ARE_ADDR_EQUAL(&grp.seen[i].addr, &l->addr))
			return false;
	}
	grp.seen[i].addr = l->addr;
	grp.seen[i].plen = l->plen;
	grp.seen[i].gen = grp.gen;
	grp.n_seen++;
	return true;
}

/* Release, Decline, Expire: the holding row by address and DUID. */
static int send_state(struct srv *s, const struct srv_lease *l, size_t stmt)
{
	char addr[ADDR6_PREFIX_STRLEN], exp[24];
	struct addr6_prefix pf = {.addr = l->addr, .len = l->plen};
	const char *v[3] = {addr, (const char *)l->duid, exp};
	int len[3] = {0, l->duid_len, 0}, fmt[3] = {0, 1, 0};

	addr6_prefix_ntop(&pf, addr, sizeof(addr));
	snprintf(exp, sizeof(exp), "%lld", (long long)l->expires);
	return db_query(s->db, stmt, v, len, fmt, NULL, NULL);
}

int srv_store_group_txn(struct srv *s, struct srv_txn *t)
{
	struct srv_relayinfo ri;
	bool have_ri = false;
	int err = 0;

	for (size_t i = 0; i < t->n_ops && !err; i++) {
		const struct srv_op *op = &t->ops[i];
		struct srv_lease_params p;

		if (op->kind == SRV_OP_FORGET)
			continue;
		if (!group_take(op->lease)) {
			err = srv_store_group_close(s);
			if (err || !group_take(op->lease))
				return err ? err : CH_ELIMIT;
		}
		switch (op->kind) {
		case SRV_OP_GRANT:
		case SRV_OP_EXTEND:
			if (!have_ri)
				srv_relayinfo_get(t, &ri);
			have_ri = true;
			srv_relayinfo_params(s, t, &ri, op->lease, &p);
			bulk_add(op->kind == SRV_OP_GRANT ? &grp.grant : &grp.extend, t, op->lease,
			         &p);
			break;
		case SRV_OP_RELEASE:
			err = send_state(s, op->lease, ST_RELEASE);
			break;
		case SRV_OP_DECLINE:
			err = send_state(s, op->lease, ST_DECLINE);
			break;
		default:
			err = send_state(s, op->lease, ST_EXPIRE);
			break;
		}
	}
	return err;
}

void srv_store_group_free(void)
{
	bulk_free(&grp.grant);
	bulk_free(&grp.extend);
}
