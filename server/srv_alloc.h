/*
 * Address and prefix allocation for one IA: reservations by DUID first,
 * then the configured allocator (stable hash with bounded probing, the
 * default; iterative; random) over the subnet's own pools. Never a held or
 * quarantined address, a sibling's foreign range, another client's
 * reservation, the Subnet-Router anycast or an RFC 2526 id (RFC 8415 §13.1).
 */
#ifndef CHORUS_SRV_ALLOC_H
#define CHORUS_SRV_ALLOC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"

#define SRV_ALLOC_PROBES 16   /* stable-hash and random probes before the scan */
#define SRV_ALLOC_SCAN   4096 /* candidates the fallback scan looks at */

/*
 * Picks an address (type SRV_NA, *plen 128) or a prefix (SRV_PD) for the
 * binding (duid, iaid) in subnet sn. Returns 0 and writes *out and *plen,
 * or CH_ENOENT when nothing is free.
 */
int srv_alloc(struct srv *s, const struct conf_subnet *sn, uint8_t type, const uint8_t *duid,
              size_t duid_len, uint32_t iaid, struct in6_addr *out, uint8_t *plen);

/* True if a/plen may be handed to duid now in sn: inside an own pool, not
 * held by anyone, not reserved for another client, not a reserved id. */
bool srv_alloc_usable(struct srv *s, const struct conf_subnet *sn, uint8_t type,
                      const struct in6_addr *a, uint8_t plen, const uint8_t *duid, size_t duid_len);

/* True if the held lease l still fits subnet sn of the running
 * configuration: reserved there for its client, or inside an own pool (PD
 * pool), outside the foreign ranges and no other client's reservation.
 * RFC 8415 §18.3.4: an address "no longer appropriate ... according to the
 * server's explicit configuration" is returned with lifetimes 0. */
bool srv_alloc_fits(const struct conf_subnet *sn, const struct srv_lease *l);

/* The subnet of c where l fits (its own subnet id first), NULL if none. */
const struct conf_subnet *srv_alloc_home(const struct conf *c, const struct srv_lease *l);

/* Sizes the iterative cursors for configuration c. Returns 0 or CH_ENOMEM. */
int srv_alloc_setup(struct srv *s, const struct conf *c);

#endif
