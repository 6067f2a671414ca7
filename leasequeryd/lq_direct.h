/*
 * UDP answers sent straight out of chorus-dhcp6d's own sockets, which it
 * passes over the hand-off (lib/lq_handoff.h kind 3): an answer then leaves
 * from 547, from the socket, interface and address it would have left from
 * through the engine, one hop sooner. Used only for the queries of the
 * engine that passed them, and only while its lifeline holds; otherwise
 * lq_local.c hands the answers back. When the engine passed steered sockets
 * too, we tell it (kind 4, with a lifeline of ours) and read them: their
 * LEASEQUERY datagrams never pass through the engine.
 */
#ifndef CHORUS_LQ_DIRECT_H
#define CHORUS_LQ_DIRECT_H

#include <sys/un.h>

#include "lq.h"
#include "lq_handoff.h"

/* A kind 3 from the engine at from (payload p, len) with its descriptors
 * fds[0..n), which this takes: they replace the sockets held so far, and
 * steered ones among them are read (lq_local_on_udp). */
void lq_direct_take(struct lq *lq, const struct sockaddr_un *from, socklen_t flen, const uint8_t *p,
                    size_t len, const int *fds, size_t n);
/* True when the answers to queries from `from` go straight out. */
bool lq_direct_for(const struct sockaddr_un *from, socklen_t flen);
/* Queues an answer (msg is copied) to h->peer, port, ifindex, from
 * h->local. false: no room even after a flush (dropped). */
bool lq_direct_queue(struct lq *lq, const struct lq_handoff_hdr *h, const uint8_t *msg, size_t len);
/* Sends what is queued (before the loop sleeps). */
void lq_direct_flush(struct lq *lq);
/* Closes the engine's sockets (its lifeline hung up, or we stop). */
void lq_direct_drop(struct lq *lq);

#endif
