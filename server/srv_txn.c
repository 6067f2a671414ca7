/*
 * Transactions and their lease operations: apply to the cache at once,
 * undo newest-first when the commit fails, free released leases when it
 * succeeds (see srv_txn.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "duid.h"
#include "log.h"
#include "srv_history.h"
#include "srv_txn.h"

struct srv_txn *srv_txn_new(struct srv *s, const uint8_t *pkt, size_t len,
                            const struct srv_pktinfo *pi)
{
	struct srv_txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->pkt = malloc(len ? len : 1);
	if (!t->pkt) {
		free(t);
		return NULL;
	}
	if (len)
		memcpy(t->pkt, pkt, len);
	t->pkt_len = len;
	t->pi = *pi;
	t->srv = s;
	t->min_pref = UINT32_MAX;
	t->min_valid = UINT32_MAX;
	return t;
}

void srv_txn_free(struct srv_txn *t)
{
	if (!t)
		return;
	free(t->pkt);
	free(t->out);
	free(t);
}

uint8_t *srv_txn_scratch(struct srv_txn *t, size_t n)
{
	uint8_t *p;

	if (n > sizeof(t->scratch) - t->scratch_len)
		return NULL;
	p = t->scratch + t->scratch_len;
	t->scratch_len += n;
	return p;
}

static struct srv_op *op_push(struct srv_txn *t, uint8_t kind, struct srv_lease *l)
{
	struct srv_op *op;

	if (t->n_ops >= SRV_TXN_MAX_OPS)
		return NULL;
	op = &t->ops[t->n_ops++];
	op->kind = kind;
	op->lease = l;
	op->saved = *l;
	return op;
}

int srv_txn_grant(struct srv_txn *t, struct srv_lease *l)
{
	if (t->n_ops >= SRV_TXN_MAX_OPS)
		return CH_ELIMIT;
	srv_cache_add(&t->srv->cache, l);
	op_push(t, SRV_OP_GRANT, l);
	return 0;
}

int srv_txn_extend(struct srv_txn *t, struct srv_lease *l, uint32_t pref, uint32_t valid)
{
	if (!op_push(t, SRV_OP_EXTEND, l))
		return CH_ELIMIT;
	l->pref = pref;
	l->valid = valid;
	l->cltt = t->now;
	l->expires = valid == D6_INFINITY ? SRV_NEVER : t->now + valid;
	srv_cache_set_subnet(&t->srv->cache, l, t->subnet_id);
	return 0;
}

int srv_txn_release(struct srv_txn *t, struct srv_lease *l)
{
	if (!op_push(t, SRV_OP_RELEASE, l))
		return CH_ELIMIT;
	srv_cache_del(&t->srv->cache, l);
	return 0;
}

int srv_txn_decline(struct srv_txn *t, struct srv_lease *l, uint32_t quarantine)
{
	if (!op_push(t, SRV_OP_DECLINE, l))
		return CH_ELIMIT;
	l->state = SRV_LEASE_DECLINED;
	l->pref = 0;
	l->valid = 0;
	l->expires = t->now + quarantine;
	return 0;
}

int srv_txn_expire(struct srv_txn *t, struct srv_lease *l)
{
	uint8_t kind = l->state == SRV_LEASE_GHOST ? SRV_OP_FORGET : SRV_OP_EXPIRE;

	if (!op_push(t, kind, l))
		return CH_ELIMIT;
	srv_cache_del(&t->srv->cache, l);
	return 0;
}

void srv_txn_undo(struct srv_txn *t)
{
	struct srv_cache *c = &t->srv->cache;

	while (t->n_ops) {
		struct srv_op *op = &t->ops[--t->n_ops];
		struct srv_lease *l = op->lease;

		switch (op->kind) {
		case SRV_OP_GRANT:
			srv_cache_del(c, l);
			free(l);
			break;
		case SRV_OP_EXTEND:
		case SRV_OP_DECLINE:
			l->state = op->saved.state;
			l->pref = op->saved.pref;
			l->valid = op->saved.valid;
			l->cltt = op->saved.cltt;
			l->expires = op->saved.expires;
			srv_cache_set_subnet(c, l, op->saved.subnet_id);
			break;
		default:
			srv_cache_add(c, l);
			break;
		}
	}
}

void srv_txn_drop(struct srv_txn *t)
{
	srv_txn_undo(t);
	t->drop = true;
}

bool srv_txn_can_commit(struct srv_txn *t)
{
	if (srv_can_commit(t->srv))
		return true;
	srv_count(t->srv, SRV_CNT_DROP_DB_DOWN);
	t->drop = true;
	return false;
}

static bool op_detaches(uint8_t kind)
{
	return kind == SRV_OP_RELEASE || kind == SRV_OP_EXPIRE || kind == SRV_OP_FORGET;
}

void srv_txn_committed(struct srv_txn *t)
{
	for (size_t i = 0; i < t->n_ops; i++) {
		struct srv_op *op = &t->ops[i];

		if (!op_detaches(op->kind) || op->lease->attached)
			continue;
		if (op->kind == SRV_OP_EXPIRE)
			srv_history_keep(t->srv, op->lease, t->now); /* ended early? */
		else
			free(op->lease);
	}
	t->n_ops = 0;
}

void srv_txn_conflicted(struct srv_txn *t)
{
	/* The row holding the space is not ours to know: keep the space blocked
	 * until the lease would have expired, and never hand it to this client. */
	for (size_t i = 0; i < t->n_ops; i++) {
		if (t->ops[i].kind == SRV_OP_GRANT)
			t->ops[i].lease->state = SRV_LEASE_GHOST;
	}
	srv_txn_committed(t);
}

void srv_log(const struct srv_txn *t, int level, const char *fmt, ...)
{
	char msg[512], duid[DUID_TEXT_MAX] = "-", link[ADDR6_STRLEN];
	va_list ap;

	if (level > log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->clientid_len && duid_to_text(t->clientid, t->clientid_len, duid, sizeof(duid)) < 0)
		snprintf(duid, sizeof(duid), "?");
	addr6_ntop(&t->link_addr, link, sizeof(link));
	log_msg(level, "xid %06x link %s duid %s: %s", (unsigned)t->xid, link, duid, msg);
}
