/*
 * The engine's own health as others see it: how long its commits take (a
 * window of the latest commits: last, p99, the longest since the last
 * heartbeat), written into the heartbeat's detail for chorus-apid.
 */
#ifndef CHORUS_SRV_HEALTH_H
#define CHORUS_SRV_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "srv.h"

/* A commit segment was sent / its sync came back. */
void srv_health_commit_sent(struct srv *s);
void srv_health_commit_done(struct srv *s);

/* The p99 of the commits in the window, in microseconds (0 without any). */
uint32_t srv_health_commit_p99(const struct srv *s);

/* Writes the heartbeat's detail JSON into buf and starts a new "max since
 * the last beat". Returns what snprintf returns. */
int srv_health_detail(struct srv *s, char *buf, size_t len);

#endif
