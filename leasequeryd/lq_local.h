/*
 * UDP leasequery (RFC 5007) through chorus-dhcp6d's hand-off socket
 * (lib/lq_handoff.h): each datagram is a LEASEQUERY, or a Relay-forward
 * chain around one, as it reached UDP 547; the answer goes back the same
 * way, relay-wrapped, and dhcp6d sends it from 547 (or we do, lq_direct.h).
 * Unrelayed LEASEQUERY may come straight from dhcp6d's steered sockets.
 */
#ifndef CHORUS_LQ_LOCAL_H
#define CHORUS_LQ_LOCAL_H

#include "lq.h"

/* Binds leasequery.local-socket and watches it. 0 or -errno. */
int lq_local_open(struct lq *lq);
void lq_local_close(struct lq *lq);
/* Hands the answers of this loop iteration back to dhcp6d in one call
 * (before the loop sleeps). */
void lq_local_flush(struct lq *lq);
/* The loop's callback of one of dhcp6d's steered UDP sockets (arg: the
 * struct lq): reads its LEASEQUERY datagrams and answers them directly. */
void lq_local_on_udp(struct evl *l, int fd, uint32_t events, void *arg);

#endif
