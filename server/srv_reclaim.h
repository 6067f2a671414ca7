/*
 * Background reclaim of expired leases, of declined addresses whose
 * quarantine is over and of leases the configuration no longer allows: a slice of the cache per
 * tick, batched into ordinary transactions (state expired, DDNS removal queued in the same
 * statement when the lease had an FQDN), so the packet path never stalls.
 */
#ifndef CHORUS_SRV_RECLAIM_H
#define CHORUS_SRV_RECLAIM_H

#include <stdint.h>

#include "srv.h"

#define SRV_RECLAIM_MS      1000 /* tick */
#define SRV_RECLAIM_BUCKETS 4096 /* cache buckets looked at per tick */
#define SRV_RECLAIM_TXNS    16   /* transactions (of up to 64 leases) per tick */

/* Looks at the next slice of the cache and queues what expired before now.
 * Returns the number of leases queued. */
size_t srv_reclaim_tick(struct srv *s, int64_t now);

/* chorus-apid freed addr/plen in the schema (NOTIFY <schema>_dhcp,
 * "lease-deleted addr/plen"): the cache lets it go now, through an ordinary
 * expiry transaction, so the next client can be given it. */
void srv_reclaim_deleted(struct srv *s, const char *payload, int64_t now);

#endif
