/*
 * The lease cache: two chained hash tables over the same lease objects,
 * one keyed by address/prefix, one by binding. Grows by doubling; the hash
 * is seeded per process so peers cannot aim at one chain.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "errors.h"
#include "srv_lease.h"

#define CACHE_MIN_BUCKETS 1024
#define TALLY_MIN         16

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static size_t addr_bucket(const struct srv_cache *c, const struct in6_addr *a, uint8_t plen)
{
	uint64_t h = mix(c->seed, a->s6_addr, 16);

	h = mix(h, &plen, 1);
	return finish(h) & (c->n_buckets - 1);
}

static size_t bind_bucket(const struct srv_cache *c, const uint8_t *duid, size_t len, uint8_t type,
                          uint32_t iaid)
{
	uint8_t tail[5] = {type, (uint8_t)(iaid >> 24), (uint8_t)(iaid >> 16), (uint8_t)(iaid >> 8),
	                   (uint8_t)iaid};
	uint64_t h = mix(c->seed ^ 0x9e3779b97f4a7c15ull, duid, len);

	return finish(mix(h, tail, sizeof(tail))) & (c->n_buckets - 1);
}

struct srv_lease *srv_lease_new(void)
{
	return calloc(1, sizeof(struct srv_lease));
}

int srv_cache_init(struct srv_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->n_buckets = CACHE_MIN_BUCKETS;
	c->by_addr = calloc(c->n_buckets, sizeof(*c->by_addr));
	c->by_bind = calloc(c->n_buckets, sizeof(*c->by_bind));
	if (!c->by_addr || !c->by_bind) {
		srv_cache_clear(c);
		return CH_ENOMEM;
	}
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = 0xcbf29ce484222325ull;
	return 0;
}

static size_t tally_at(const struct srv_tally *v, size_t n, uint32_t id)
{
	size_t i = (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (n - 1);

	while (v[i].used && v[i].subnet_id != id)
		i = (i + 1) & (n - 1);
	return i;
}

/* Doubles the tally; false when out of memory. */
static bool tally_grow(struct srv_cache *c)
{
	size_t n = c->n_tally ? c->n_tally * 2 : TALLY_MIN;
	struct srv_tally *v = calloc(n, sizeof(*v));

	if (!v)
		return false;
	for (size_t i = 0; i < c->n_tally; i++) {
		if (c->tally[i].used)
			v[tally_at(v, n, c->tally[i].subnet_id)] = c->tally[i];
	}
	free(c->tally);
	c->tally = v;
	c->n_tally = n;
	return true;
}

/* Adds d (+1 or -1) to the count of l's subnet and type. A count never
 * goes below 0; out of memory, an addition is lost (the utilisation then
 * reads low, never high). */
static void tally_add(struct srv_cache *c, const struct srv_lease *l, int d)
{
	struct srv_tally *t;

	if ((c->tally_used + 1) * 2 > c->n_tally && d > 0 && !tally_grow(c))
		return;
	if (!c->n_tally)
		return;
	t = &c->tally[tally_at(c->tally, c->n_tally, l->subnet_id)];
	if (!t->used) {
		if (d < 0)
			return;
		t->used = true;
		t->subnet_id = l->subnet_id;
		c->tally_used++;
	}
	if (d > 0)
		t->n[l->type & 1]++;
	else if (t->n[l->type & 1])
		t->n[l->type & 1]--;
}

uint64_t srv_cache_count(const struct srv_cache *c, uint32_t subnet_id, uint8_t type)
{
	const struct srv_tally *t;

	if (!c->n_tally)
		return 0;
	t = &c->tally[tally_at(c->tally, c->n_tally, subnet_id)];
	return t->used ? t->n[type & 1] : 0;
}

void srv_cache_set_subnet(struct srv_cache *c, struct srv_lease *l, uint32_t subnet_id)
{
	if (l->subnet_id == subnet_id)
		return;
	if (l->attached)
		tally_add(c, l, -1);
	l->subnet_id = subnet_id;
	if (l->attached)
		tally_add(c, l, +1);
}

void srv_cache_clear(struct srv_cache *c)
{
	if (c->by_addr) {
		for (size_t i = 0; i < c->n_buckets; i++) {
			struct srv_lease *l = c->by_addr[i], *n;

			for (; l; l = n) {
				n = l->next_addr;
				free(l);
			}
		}
	}
	free(c->by_addr);
	free(c->by_bind);
	free(c->tally);
	c->by_addr = NULL;
	c->by_bind = NULL;
	c->tally = NULL;
	c->n_buckets = 0;
	c->count = 0;
	c->n_tally = 0;
	c->tally_used = 0;
}

static void link_lease(struct srv_cache *c, struct srv_lease *l)
{
	size_t a = addr_bucket(c, &l->addr, l->plen);
	size_t b = bind_bucket(c, l->duid, l->duid_len, l->type, l->iaid);

	l->next_addr = c->by_addr[a];
	c->by_addr[a] = l;
	l->next_bind = c->by_bind[b];
	c->by_bind[b] = l;
}

/* Doubles both tables; on allocation failure the cache just stays denser. */
static void grow(struct srv_cache *c)
{
	struct srv_cache n = *c;
	size_t old = c->n_buckets;

	n.n_buckets = old * 2;
	n.by_addr = calloc(n.n_buckets, sizeof(*n.by_addr));
	n.by_bind = calloc(n.n_buckets, sizeof(*n.by_bind));
	if (!n.by_addr || !n.by_bind) {
		free(n.by_addr);
		free(n.by_bind);
		return;
	}
	for (size_t i = 0; i < old; i++) {
		struct srv_lease *l = c->by_addr[i], *next;

		for (; l; l = next) {
			next = l->next_addr;
			link_lease(&n, l);
		}
	}
	free(c->by_addr);
	free(c->by_bind);
	*c = n;
}

int srv_cache_add(struct srv_cache *c, struct srv_lease *l)
{
	if (c->count >= c->n_buckets * 2)
		grow(c);
	link_lease(c, l);
	l->attached = true;
	c->count++;
	tally_add(c, l, +1);
	return 0;
}

static void unlink_from(struct srv_lease **head, struct srv_lease *l, bool by_addr)
{
	for (struct srv_lease **p = head; *p; p = by_addr ? &(*p)->next_addr : &(*p)->next_bind) {
		if (*p == l) {
			*p = by_addr ? l->next_addr : l->next_bind;
			return;
		}
	}
}

void srv_cache_del(struct srv_cache *c, struct srv_lease *l)
{
	if (!l->attached)
		return;
	unlink_from(&c->by_addr[addr_bucket(c, &l->addr, l->plen)], l, true);
	unlink_from(&c->by_bind[bind_bucket(c, l->duid, l->duid_len, l->type, l->iaid)], l, false);
	l->next_addr = NULL;
	l->next_bind = NULL;
	l->attached = false;
	c->count--;
	tally_add(c, l, -1);
}

struct srv_lease *srv_cache_find(const struct srv_cache *c, const struct in6_addr *addr,
                                 uint8_t plen)
{
	struct srv_lease *l = c->by_addr[addr_bucket(c, addr, plen)];

	for (; l; l = l->next_addr) {
		if (l->plen == plen && memcmp(&l->addr, addr, 16) == 0)
			return l;
	}
	return NULL;
}

bool srv_lease_is(const struct srv_lease *l, const uint8_t *duid, size_t duid_len, uint8_t type,
                  uint32_t iaid)
{
	return l->type == type && l->iaid == iaid && l->duid_len == duid_len &&
	       memcmp(l->duid, duid, duid_len) == 0;
}

static struct srv_lease *bind_scan(struct srv_lease *l, const uint8_t *duid, size_t duid_len,
                                   uint8_t type, uint32_t iaid)
{
	for (; l; l = l->next_bind) {
		if (srv_lease_is(l, duid, duid_len, type, iaid))
			return l;
	}
	return NULL;
}

struct srv_lease *srv_cache_bind_first(const struct srv_cache *c, const uint8_t *duid,
                                       size_t duid_len, uint8_t type, uint32_t iaid)
{
	return bind_scan(c->by_bind[bind_bucket(c, duid, duid_len, type, iaid)], duid, duid_len,
	                 type, iaid);
}

struct srv_lease *srv_cache_bind_next(const struct srv_lease *l)
{
	return bind_scan(l->next_bind, l->duid, l->duid_len, l->type, l->iaid);
}
