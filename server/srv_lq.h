/*
 * LEASEQUERY hand-off (ARCHITECTURE.md: "UDP 547 has one owner").
 * chorus-dhcp6d forwards every LEASEQUERY datagram that reaches UDP 547 to
 * chorus-leasequeryd over a unix datagram socket (leasequery.local-socket)
 * and sends the responder's answers from 547. With no responder it answers
 * LEASEQUERY-REPLY with status NotConfigured (RFC 5007 §4.3.3).
 *
 * Datagram contract, both directions, all integers in network order:
 *
 *   offset size field
 *   0      4    magic "CHLQ"
 *   4      1    version (1)
 *   5      1    kind: 1 = query (dhcp6d -> responder), 2 = answer (-> dhcp6d)
 *   6      2    header length (SRV_LQ_HDR_LEN = 32); payload starts here
 *   8      16   peer address: the requestor's IP source address (query); the
 *               destination to send the payload to (answer, normally echoed)
 *   24     2    peer UDP port (as above)
 *   26     2    reserved, 0
 *   28     4    ifindex the query arrived on (answer: send out of it; 0 = any)
 *   32     ...  payload: the datagram exactly as received on UDP 547 (a
 *               LEASEQUERY, or a RELAY-FORW chain around one); in an answer,
 *               the bytes to send, already relay-wrapped if needed
 *
 * dhcp6d's socket is autobound in the abstract namespace; the responder
 * answers to the sender address of the query (recvfrom). One answer per
 * query; dhcp6d keeps no state per query, so a late answer is still sent.
 */
#ifndef CHORUS_SRV_LQ_H
#define CHORUS_SRV_LQ_H

#include <stddef.h>
#include <stdint.h>

#include "srv.h"

#define SRV_LQ_MAGIC     "CHLQ"
#define SRV_LQ_VERSION   1
#define SRV_LQ_QUERY     1
#define SRV_LQ_ANSWER    2
#define SRV_LQ_HDR_LEN   32
#define SRV_LQ_MAX_DGRAM 65535

/* Opens the unix socket and watches it. Returns 0 or -errno. */
int srv_lq_open(struct srv *s);
void srv_lq_close(struct srv *s);

#endif
