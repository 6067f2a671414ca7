/*
 * Allocators (see srv_alloc.h). The stable hash is lib/addr6.c's keyed
 * HMAC, so identical-model siblings that never talk pick the same first
 * candidate for the same (DUID, IAID, subnet) (RFC 6853 §4.3).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "addr6.h"
#include "errors.h"
#include "srv_alloc.h"
#include "srv_link.h"

/* A pool seen the same way for addresses and prefixes. */
struct pool {
	uint8_t type;
	const struct addr6_range *range; /* SRV_NA */
	const struct conf_pd_pool *pd;   /* SRV_PD */
	uint64_t *cursor;
};

static bool reserved_for_other(const struct conf_subnet *sn, uint8_t type, const struct in6_addr *a,
                               uint8_t plen, const uint8_t *duid, size_t duid_len)
{
	for (size_t i = 0; i < sn->n_reservations; i++) {
		const struct conf_reservation *r = &sn->reservations[i];
		bool mine = r->duid_len == duid_len && memcmp(r->duid, duid, duid_len) == 0;

		if (mine)
			continue;
		for (size_t k = 0; type == SRV_NA && k < r->n_addresses; k++) {
			if (addr6_eq(&r->addresses[k], a))
				return true;
		}
		for (size_t k = 0; type == SRV_PD && k < r->n_prefixes; k++) {
			if (r->prefixes[k].len == plen && addr6_eq(&r->prefixes[k].addr, a))
				return true;
		}
	}
	return false;
}

bool srv_alloc_usable(struct srv *s, const struct conf_subnet *sn, uint8_t type,
                      const struct in6_addr *a, uint8_t plen, const uint8_t *duid, size_t duid_len)
{
	if (type == SRV_NA) {
		if (plen != 128 || !srv_link_own_addr(sn, a) || srv_link_foreign(sn, a))
			return false;
		if (addr6_is_reserved_iid(a, sn->prefix.len))
			return false;
	} else if (!srv_link_own_prefix(sn, a, plen)) {
		return false;
	}
	if (srv_cache_find(&s->cache, a, plen))
		return false;
	return !reserved_for_other(sn, type, a, plen, duid, duid_len);
}

static bool reserved_for(const struct conf_subnet *sn, const struct srv_lease *l)
{
	for (size_t i = 0; i < sn->n_reservations; i++) {
		const struct conf_reservation *r = &sn->reservations[i];

		if (r->duid_len != l->duid_len || memcmp(r->duid, l->duid, l->duid_len) != 0)
			continue;
		for (size_t k = 0; l->type == SRV_NA && k < r->n_addresses; k++) {
			if (addr6_eq(&r->addresses[k], &l->addr))
				return true;
		}
		for (size_t k = 0; l->type == SRV_PD && k < r->n_prefixes; k++) {
			if (r->prefixes[k].len == l->plen &&
			    addr6_eq(&r->prefixes[k].addr, &l->addr))
				return true;
		}
	}
	return false;
}

bool srv_alloc_fits(const struct conf_subnet *sn, const struct srv_lease *l)
{
	if (reserved_for(sn, l))
		return true;
	if (l->type == SRV_NA) {
		if (l->plen != 128 || !srv_link_own_addr(sn, &l->addr) ||
		    srv_link_foreign(sn, &l->addr))
			return false;
	} else if (!srv_link_own_prefix(sn, &l->addr, l->plen)) {
		return false;
	}
	return !reserved_for_other(sn, l->type, &l->addr, l->plen, l->duid, l->duid_len);
}

const struct conf_subnet *srv_alloc_home(const struct conf *c, const struct srv_lease *l)
{
	const struct conf_dhcp6 *d = &c->dhcp6;

	for (size_t i = 0; i < d->n_subnets; i++) {
		if (d->subnets[i].id == l->subnet_id)
			return srv_alloc_fits(&d->subnets[i], l) ? &d->subnets[i] : NULL;
	}
	/* its subnet is gone: another one may have taken the range over */
	for (size_t i = 0; i < d->n_subnets; i++) {
		if (srv_alloc_fits(&d->subnets[i], l))
			return &d->subnets[i];
	}
	return NULL;
}

static bool from_reservation(struct srv *s, const struct conf_subnet *sn, uint8_t type,
                             const uint8_t *duid, size_t duid_len, struct in6_addr *out,
                             uint8_t *plen)
{
	for (size_t i = 0; i < sn->n_reservations; i++) {
		const struct conf_reservation *r = &sn->reservations[i];

		if (r->duid_len != duid_len || memcmp(r->duid, duid, duid_len) != 0)
			continue;
		for (size_t k = 0; type == SRV_NA && k < r->n_addresses; k++) {
			if (!srv_cache_find(&s->cache, &r->addresses[k], 128)) {
				*out = r->addresses[k];
				*plen = 128;
				return true;
			}
		}
		for (size_t k = 0; type == SRV_PD && k < r->n_prefixes; k++) {
			if (!srv_cache_find(&s->cache, &r->prefixes[k].addr, r->prefixes[k].len)) {
				*out = r->prefixes[k].addr;
				*plen = r->prefixes[k].len;
				return true;
			}
		}
	}
	return false;
}

static uint64_t pool_count(const struct pool *p)
{
	if (p->type == SRV_NA)
		return addr6_range_count(p->range);
	return addr6_pd_count(&p->pd->prefix, p->pd->delegated_len);
}

static int pool_nth(const struct pool *p, uint64_t n, struct in6_addr *out)
{
	struct addr6_prefix pf;
	int err;

	if (p->type == SRV_NA)
		return addr6_range_nth(p->range, n, out);
	err = addr6_pd_nth(&p->pd->prefix, p->pd->delegated_len, n, &pf);
	if (!err)
		*out = pf.addr;
	return err;
}

static uint8_t pool_plen(const struct pool *p)
{
	return p->type == SRV_NA ? 128 : p->pd->delegated_len;
}

/* Looks at up to SRV_ALLOC_SCAN candidates from offset start, wrapping. */
static bool pool_scan(struct srv *s, const struct conf_subnet *sn, const struct pool *p,
                      uint64_t start, const uint8_t *duid, size_t duid_len, struct in6_addr *out,
                      uint64_t *found_at)
{
	uint64_t count = pool_count(p), off = start;

	for (uint64_t i = 0; i < SRV_ALLOC_SCAN && i < count; i++, off++) {
		struct in6_addr a;

		if (off >= count)
			off = 0;
		if (pool_nth(p, off, &a) < 0)
			return false;
		if (srv_alloc_usable(s, sn, p->type, &a, pool_plen(p), duid, duid_len)) {
			*out = a;
			*found_at = off;
			return true;
		}
	}
	return false;
}

static int hash_probe(struct srv *s, const struct pool *p, const uint8_t *key, size_t key_len,
                      uint32_t probe, struct in6_addr *out)
{
	const struct conf_dhcp6 *d = &s->conf->dhcp6;
	struct addr6_prefix pf;
	int err;

	if (p->type == SRV_NA)
		return addr6_hash_range(d->hash_key, d->hash_key_len, key, key_len, probe, p->range,
		                        out);
	err = addr6_hash_pd(d->hash_key, d->hash_key_len, key, key_len, probe, &p->pd->prefix,
	                    p->pd->delegated_len, &pf);
	if (!err)
		*out = pf.addr;
	return err;
}

static uint64_t random_u64(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint64_t)random() << 32 ^ (uint64_t)random();
	return v;
}

static bool pool_hash(struct srv *s, const struct conf_subnet *sn, const struct pool *p,
                      const uint8_t *duid, size_t duid_len, uint32_t iaid, struct in6_addr *out)
{
	uint8_t key[ADDR6_HASH_KEYMAX];
	int key_len = addr6_hash_key(key, sizeof(key), duid, duid_len, iaid, sn->id);
	struct in6_addr first;
	uint64_t at;

	if (key_len < 0)
		return false;
	for (uint32_t i = 0; i < SRV_ALLOC_PROBES; i++) {
		if (hash_probe(s, p, key, (size_t)key_len, i, out) < 0)
			return false;
		if (i == 0)
			first = *out;
		if (srv_alloc_usable(s, sn, p->type, out, pool_plen(p), duid, duid_len))
			return true;
	}
	/* offset of the first candidate, to scan on from it */
	if (p->type == SRV_NA)
		at = addr6_diff(&p->range->start, &first);
	else
		at = addr6_pd_index(&p->pd->prefix, p->pd->delegated_len, &first);
	return pool_scan(s, sn, p, at, duid, duid_len, out, &at);
}

static bool pool_pick(struct srv *s, const struct conf_subnet *sn, const struct pool *p,
                      const uint8_t *duid, size_t duid_len, uint32_t iaid, struct in6_addr *out)
{
	uint64_t at;

	switch (s->conf->dhcp6.allocator) {
	case CONF_ALLOC_STABLE_HASH:
		return pool_hash(s, sn, p, duid, duid_len, iaid, out);
	case CONF_ALLOC_RANDOM:
		for (uint32_t i = 0; i < SRV_ALLOC_PROBES; i++) {
			if (pool_nth(p, random_u64() % pool_count(p), out) == 0 &&
			    srv_alloc_usable(s, sn, p->type, out, pool_plen(p), duid, duid_len))
				return true;
		}
		return pool_scan(s, sn, p, random_u64() % pool_count(p), duid, duid_len, out, &at);
	default:
		if (!pool_scan(s, sn, p, *p->cursor % pool_count(p), duid, duid_len, out, &at))
			return false;
		*p->cursor = at + 1;
		return true;
	}
}

static uint64_t *cursor_for(struct srv *s, const struct conf_subnet *sn, size_t idx)
{
	static uint64_t spare;
	size_t base = 0;

	for (size_t i = 0; i < s->conf->dhcp6.n_subnets; i++) {
		const struct conf_subnet *x = &s->conf->dhcp6.subnets[i];

		if (x == sn)
			return base + idx < s->n_iter_cursor ? &s->iter_cursor[base + idx] : &spare;
		base += x->n_pools + x->n_pd_pools;
	}
	return &spare;
}

int srv_alloc(struct srv *s, const struct conf_subnet *sn, uint8_t type, const uint8_t *duid,
              size_t duid_len, uint32_t iaid, struct in6_addr *out, uint8_t *plen)
{
	size_t n = type == SRV_NA ? sn->n_pools : sn->n_pd_pools;

	if (from_reservation(s, sn, type, duid, duid_len, out, plen))
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct pool p = {.type = type};

		if (type == SRV_NA)
			p.range = &sn->pools[i].range;
		else
			p.pd = &sn->pd_pools[i];
		p.cursor = cursor_for(s, sn, type == SRV_NA ? i : sn->n_pools + i);
		if (pool_pick(s, sn, &p, duid, duid_len, iaid, out)) {
			*plen = pool_plen(&p);
			return 0;
		}
	}
	return CH_ENOENT;
}

int srv_alloc_setup(struct srv *s, const struct conf *c)
{
	size_t n = 0;
	uint64_t *cur;

	for (size_t i = 0; i < c->dhcp6.n_subnets; i++)
		n += c->dhcp6.subnets[i].n_pools + c->dhcp6.subnets[i].n_pd_pools;
	cur = calloc(n ? n : 1, sizeof(*cur));
	if (!cur)
		return CH_ENOMEM;
	free(s->iter_cursor);
	s->iter_cursor = cur;
	s->n_iter_cursor = n;
	return 0;
}
