/*
 * Who may ask (RFC 5007 §5: answer only trusted requestors; rate-limit
 * against flooding): the requesters prefixes, and a token bucket per
 * requestor address in a fixed table (a new address takes the slot of the
 * one its hash lands on, so a flood of sources cannot grow memory).
 */
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "errors.h"
#include "lq.h"

#define RATE_SLOTS 4096

struct lq_bucket {
	struct in6_addr a;
	bool used;
	double tokens;
	uint64_t at_ms;
};

struct lq_rate {
	struct lq_bucket slot[RATE_SLOTS];
};

bool lq_acl_allowed(const struct conf_leasequery *c, const struct in6_addr *a)
{
	if (!c->n_requesters)
		return true;
	for (size_t i = 0; i < c->n_requesters; i++) {
		if (addr6_in_prefix(a, &c->requesters[i]))
			return true;
	}
	return false;
}

int lq_rate_new(struct lq_rate **out)
{
	struct lq_rate *r = calloc(1, sizeof(*r));

	if (!r)
		return CH_ENOMEM;
	*out = r;
	return 0;
}

void lq_rate_free(struct lq_rate *r)
{
	free(r);
}

static struct lq_bucket *bucket(struct lq_rate *r, const struct conf_leasequery *c,
                                const struct in6_addr *a, uint64_t now)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	double depth = c->rate_burst ? c->rate_burst : c->rate_limit;
	struct lq_bucket *b;

	for (size_t i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	b = &r->slot[h % RATE_SLOTS];
	if (!b->used || !addr6_eq(&b->a, a)) {
		b->used = true;
		b->a = *a;
		b->tokens = depth;
		b->at_ms = now;
	}
	b->tokens += (double)(now - b->at_ms) * c->rate_limit / 1000.0;
	if (b->tokens > depth)
		b->tokens = depth;
	b->at_ms = now;
	return b;
}

bool lq_rate_take(struct lq_rate *r, const struct conf_leasequery *c, const struct in6_addr *a,
                  uint64_t now_ms)
{
	struct lq_bucket *b;

	if (!c->rate_limit)
		return true;
	b = bucket(r, c, a, now_ms);
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

uint64_t lq_rate_wait(struct lq_rate *r, const struct conf_leasequery *c, const struct in6_addr *a,
                      uint64_t now_ms)
{
	struct lq_bucket *b;

	if (!c->rate_limit)
		return 0;
	b = bucket(r, c, a, now_ms);
	if (b->tokens >= 1.0)
		return 0;
	return (uint64_t)((1.0 - b->tokens) * 1000.0 / c->rate_limit) + 1;
}
