/*
 * The engine's own health: how long its commits take (a window of the
 * latest commits: last, p99, the longest since the last heartbeat, written
 * into the heartbeat's detail for chorus-apid), and whether it is degraded
 * (commit latency, a subnet's pool utilisation, database down: dhcp6.health),
 * which lowers or drops the Preference of its Advertise so that clients
 * prefer a healthy sibling (RFC 8415 §18.2.9; RFC 6853 §4).
 */
#ifndef CHORUS_SRV_HEALTH_H
#define CHORUS_SRV_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"

#define SRV_HEALTH_MS 1000 /* how often the conditions are looked at */

/* A commit segment was sent / its sync came back. */
void srv_health_commit_sent(struct srv *s);
void srv_health_commit_done(struct srv *s);

/* The p99 of the commits in the window, in microseconds (0 without any). */
uint32_t srv_health_commit_p99(const struct srv *s);

/* Looks at every condition at wall-clock second now; enters a degraded
 * state at once, leaves it below recover-percent of the threshold after
 * hold-seconds. Logs and counts each change once. */
void srv_health_tick(struct srv *s, int64_t now);

/* The Preference for an Advertise on subnet sn: returns false when none is
 * to be sent, else true with *out. */
bool srv_health_preference(struct srv *s, const struct conf_subnet *sn, uint8_t *out);

/* Writes the heartbeat's detail JSON into buf and starts a new "max since
 * the last beat". Returns what snprintf returns. */
int srv_health_detail(struct srv *s, char *buf, size_t len);

/* Frees the per-subnet states. */
void srv_health_clear(struct srv *s);

#endif
