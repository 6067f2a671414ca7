/*
 * Leases this instance ended before their valid lifetime was over (the
 * configuration no longer allowed them, or the API deleted them), kept
 * until that lifetime would have run out: the client may still Renew or
 * Rebind one, and it is ours to replace, not a sibling's to refuse (RFC
 * 8415 §18.3.4, §18.3.5; issue 10 item 2). Mirrors the schema's rows in
 * state expired whose expires_at is still ahead, read at every connect.
 */
#ifndef CHORUS_SRV_HISTORY_H
#define CHORUS_SRV_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"

#define SRV_HISTORY_MAX     65536 /* leases remembered; beyond it, newly ended ones are not */
#define SRV_HISTORY_BUCKETS 4096  /* table buckets srv_history_prune looks at per call */

/* The commit that ended l before l->expires took: keeps l (takes it)
 * until then, or frees it when there is nothing to remember. */
void srv_history_keep(struct srv *s, struct srv_lease *l, int64_t now);

/* True if this instance ended a lease of a/plen of this client (duid,
 * type) early, and its valid lifetime is not over at now. */
bool srv_history_ended(const struct srv *s, const struct in6_addr *a, uint8_t plen,
                       const uint8_t *duid, size_t duid_len, uint8_t type, int64_t now);

/* Forgets what ran out before now, a slice of the table per call. */
void srv_history_prune(struct srv *s, int64_t now);

/* Replaces the history with h (taken), as read from the schema. */
void srv_history_replace(struct srv *s, struct srv_cache *h);

/* Frees it all. */
void srv_history_clear(struct srv *s);

#endif
