/*
 * LEASEQUERY hand-off (ARCHITECTURE.md: "UDP 547 has one owner").
 * chorus-dhcp6d forwards every LEASEQUERY datagram that it reads from UDP
 * 547 to chorus-leasequeryd over a unix datagram socket
 * (leasequery.local-socket) and sends the responder's answers from 547;
 * unrelayed ones go to a steered socket the responder reads itself, while
 * its lifeline holds (srv_sock.h). With no responder it answers
 * LEASEQUERY-REPLY with status NotConfigured (RFC 5007 §4.3.3).
 *
 * The datagram contract is lib/lq_handoff.h.
 */
#ifndef CHORUS_SRV_LQ_H
#define CHORUS_SRV_LQ_H

#include <stddef.h>
#include <stdint.h>

#include "lq_handoff.h"
#include "srv.h"

/* A responder's malformed answers, and answers that cannot be sent, are
 * counted each and logged at most once per interval, with a count. */
#define SRV_LQ_LOG_MS 5000

/* Opens the unix socket and watches it. Returns 0 or -errno. */
int srv_lq_open(struct srv *s);
void srv_lq_close(struct srv *s);
/* After a reload: our sockets go to the responder again before the next query. */
void srv_lq_reloaded(struct srv *s);

#endif
