/*
 * Bulk leasequery over TCP (RFC 5460): the listener, one struct lq_conn
 * per requestor connection, its queries answered in order as
 * LEASEQUERY-REPLY, -DATA..., -DONE streamed from keyset pages; a stream
 * pauses while its socket is full. Limits: leasequery.max-connections,
 * max-connections-per-requestor, idle-timeout, requesters, rate-limit.
 */
#ifndef CHORUS_LQ_TCP_H
#define CHORUS_LQ_TCP_H

#include "lq.h"

#define LQ_MAX_QUERY 4096 /* largest LEASEQUERY we read; a bigger msg-size closes */

/* Listens on [leasequery.bulk-address]:lq->port. 0 or -errno. */
int lq_tcp_open(struct lq *lq);
/* Stops accepting, sends QueryTerminated to every open stream. Returns
 * true when nothing is left to send. */
bool lq_tcp_stop(struct lq *lq);
/* True when every connection's output is written. */
bool lq_tcp_flushed(const struct lq *lq);
/* Frees the closed connections the database no longer answers for (call
 * before the loop sleeps: never inside a callback that may hold one). */
void lq_tcp_reap(struct lq *lq);
/* Closes every connection (after the database: see lq_store_close). */
void lq_tcp_close(struct lq *lq);

#endif
