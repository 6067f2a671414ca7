/*
 * The in-memory mirror of this instance's holding leases (states active and
 * declined in the schema): one object per IA_NA address or IA_PD prefix,
 * indexed by address/prefix (conflict checks) and by binding (DUID, IA
 * type, IAID). The database stays the truth; this cache answers a packet
 * without a query. RFC 8415 §7 (bindings), §18.3.8 (declined addresses).
 */
#ifndef CHORUS_SRV_LEASE_H
#define CHORUS_SRV_LEASE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_consts.h"

enum srv_lease_type { SRV_NA = 0, SRV_PD = 1 };

enum srv_lease_state {
	SRV_LEASE_ACTIVE,
	SRV_LEASE_DECLINED, /* quarantined until expires */
	SRV_LEASE_GHOST,    /* held in the schema by a row we do not mirror */
};

#define SRV_NEVER INT64_MAX /* expiry of an infinite lease */

struct srv_lease {
	struct srv_lease *next_addr; /* hash chains */
	struct srv_lease *next_bind;
	uint8_t type;  /* enum srv_lease_type */
	uint8_t state; /* enum srv_lease_state */
	uint8_t plen;  /* 128 for addresses */
	bool attached;
	struct in6_addr addr;
	uint32_t iaid;
	uint32_t subnet_id;
	uint32_t pref;
	uint32_t valid;
	int64_t cltt;    /* wall-clock seconds of the last client transaction */
	int64_t expires; /* wall-clock seconds, SRV_NEVER for infinite */
	uint8_t duid_len;
	uint8_t duid[D6_DUID_MAX_LEN];
};

/* Leases per subnet id and type, kept as leases come and go, so that the
 * pool utilisation (srv_health.c) costs no pass over the cache. */
struct srv_tally {
	uint32_t subnet_id;
	bool used;
	uint64_t n[2]; /* by enum srv_lease_type */
};

struct srv_cache {
	struct srv_lease **by_addr;
	struct srv_lease **by_bind;
	size_t n_buckets; /* a power of two, both tables */
	size_t count;
	uint64_t seed;
	struct srv_tally *tally; /* open addressing, n_tally a power of two */
	size_t n_tally, tally_used;
};

/* Returns 0 or CH_ENOMEM. */
int srv_cache_init(struct srv_cache *c);
/* Frees every attached lease and the tables. */
void srv_cache_clear(struct srv_cache *c);

/* Attaches l (the cache takes it). Returns 0 or CH_ENOMEM (l not taken). */
int srv_cache_add(struct srv_cache *c, struct srv_lease *l);
/* Detaches l; the caller owns it again. */
void srv_cache_del(struct srv_cache *c, struct srv_lease *l);

/* The lease holding exactly addr/plen, or NULL. */
struct srv_lease *srv_cache_find(const struct srv_cache *c, const struct in6_addr *addr,
                                 uint8_t plen);
/* First lease of the binding, or NULL; srv_cache_bind_next continues. */
struct srv_lease *srv_cache_bind_first(const struct srv_cache *c, const uint8_t *duid,
                                       size_t duid_len, uint8_t type, uint32_t iaid);
struct srv_lease *srv_cache_bind_next(const struct srv_lease *l);

/* Leases in c (any state) of subnet_id and type; O(1). */
uint64_t srv_cache_count(const struct srv_cache *c, uint32_t subnet_id, uint8_t type);
/* Sets l->subnet_id, moving l between the counts when it is attached. */
void srv_cache_set_subnet(struct srv_cache *c, struct srv_lease *l, uint32_t subnet_id);

/* True if l belongs to the binding (duid, type, iaid). */
bool srv_lease_is(const struct srv_lease *l, const uint8_t *duid, size_t duid_len, uint8_t type,
                  uint32_t iaid);

/* New detached lease, zeroed. NULL when out of memory. */
struct srv_lease *srv_lease_new(void);

#endif
