/*
 * Leases ended early (see srv_history.h): a second lease cache, keyed by
 * address/prefix like the first, holding copies that no packet or
 * allocation ever sees as held.
 */
#include <stdlib.h>
#include <string.h>

#include "srv_history.h"

void srv_history_keep(struct srv *s, struct srv_lease *l, int64_t now)
{
	struct srv_cache *h = &s->history;
	struct srv_lease *old;

	if (l->state != SRV_LEASE_ACTIVE || l->expires <= now || h->count >= SRV_HISTORY_MAX ||
	    (!h->n_buckets && srv_cache_init(h) < 0)) {
		free(l);
		return;
	}
	old = srv_cache_find(h, &l->addr, l->plen);
	if (old) {
		srv_cache_del(h, old);
		free(old);
	}
	srv_cache_add(h, l);
}

bool srv_history_ended(const struct srv *s, const struct in6_addr *a, uint8_t plen,
                       const uint8_t *duid, size_t duid_len, uint8_t type, int64_t now)
{
	const struct srv_lease *l;

	if (!s->history.n_buckets)
		return false;
	l = srv_cache_find(&s->history, a, plen);
	return l && l->type == type && l->duid_len == duid_len &&
	       memcmp(l->duid, duid, duid_len) == 0 && l->expires > now;
}

void srv_history_prune(struct srv *s, int64_t now)
{
	struct srv_cache *h = &s->history;

	for (size_t k = 0; k < SRV_HISTORY_BUCKETS && k < h->n_buckets; k++) {
		struct srv_lease *l = h->by_addr[s->history_bucket++ & (h->n_buckets - 1)], *next;

		for (; l; l = next) {
			next = l->next_addr;
			if (l->expires <= now) {
				srv_cache_del(h, l);
				free(l);
			}
		}
	}
}

void srv_history_replace(struct srv *s, struct srv_cache *h)
{
	srv_cache_clear(&s->history);
	s->history = *h;
	s->history_bucket = 0;
}

void srv_history_clear(struct srv *s)
{
	srv_cache_clear(&s->history);
}
