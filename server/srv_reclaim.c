/*
 * Expired-lease reclaim (see srv_reclaim.h). RFC 8415 §18.3.8 for the end
 * of a declined address's quarantine, §18.3.4 for leases the configuration
 * no longer allows.
 */
#include <string.h>

#include "addr6.h"
#include "log.h"
#include "srv_alloc.h"
#include "srv_history.h"
#include "srv_reclaim.h"
#include "srv_store.h"
#include "srv_txn.h"

static bool expired(const struct srv_lease *l, int64_t now)
{
	return l->expires != SRV_NEVER && l->expires <= now;
}

/* An active lease the running configuration no longer allows (a reload or
 * a restart changed its pool or reservation): reclaimed now, so counters,
 * leasequery and DNS stop showing it (RFC 8415 §18.3.4). Not before the
 * schema's reservations are merged after a connect (srv_resv.c): until
 * then a reserved lease outside the pools would look unfit. */
static bool unfit(const struct srv *s, const struct srv_lease *l)
{
	return s->resv_ready && l->state == SRV_LEASE_ACTIVE && !srv_alloc_home(s->conf, l);
}

/* Fills v with up to cap expired or unfit leases from the next buckets;
 * *n_unfit counts the latter. */
static size_t collect(struct srv *s, int64_t now, struct srv_lease **v, size_t cap, size_t *n_unfit)
{
	struct srv_cache *c = &s->cache;
	size_t n = 0;

	for (size_t k = 0; k < SRV_RECLAIM_BUCKETS && k < c->n_buckets && n < cap; k++) {
		size_t b = s->reclaim_bucket++ & (c->n_buckets - 1);

		for (struct srv_lease *l = c->by_addr[b]; l && n < cap; l = l->next_addr) {
			if (expired(l, now)) {
				v[n++] = l;
			} else if (unfit(s, l)) {
				v[n++] = l;
				(*n_unfit)++;
			}
		}
	}
	return n;
}

size_t srv_reclaim_tick(struct srv *s, int64_t now)
{
	struct srv_lease *v[SRV_RECLAIM_TXNS * SRV_TXN_MAX_OPS];
	struct srv_pktinfo none = {0};
	size_t n, done = 0, n_unfit = 0;

	if (!srv_can_commit(s) || !s->cache.n_buckets || s->pending.n > s->max_txns / 2)
		return 0;
	srv_history_prune(s, now);
	n = collect(s, now, v, sizeof(v) / sizeof(v[0]), &n_unfit);
	if (n_unfit)
		log_info("reclaiming %zu leases that no longer fit the configuration", n_unfit);
	s->cnt[SRV_CNT_LEASE_UNFIT] += n_unfit;
	while (done < n) {
		struct srv_txn *t = srv_txn_new(s, NULL, 0, &none);

		if (!t)
			break;
		t->now = now;
		while (done < n && srv_txn_expire(t, v[done]) == 0)
			done++;
		srv_store_queue(s, t);
	}
	return done;
}

void srv_reclaim_deleted(struct srv *s, const char *payload, int64_t now)
{
	static const char tag[] = "lease-deleted ";
	struct srv_pktinfo none = {0};
	struct addr6_prefix p;
	struct srv_lease *l;
	struct srv_txn *t;

	if (strncmp(payload, tag, sizeof(tag) - 1) != 0 ||
	    addr6_prefix_parse(payload + sizeof(tag) - 1, &p) < 0)
		return;
	l = srv_cache_find(&s->cache, &p.addr, p.len);
	if (!l || !(t = srv_txn_new(s, NULL, 0, &none)))
		return;
	t->now = now;
	if (srv_txn_expire(t, l) < 0) {
		srv_txn_free(t);
		return;
	}
	log_info("%s: deleted through the API, free again", payload + sizeof(tag) - 1);
	srv_store_queue(s, t);
}
