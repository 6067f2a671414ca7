/*
 * The LEASEQUERY hand-off between chorus-dhcp6d and chorus-leasequeryd
 * (ARCHITECTURE.md: "UDP 547 has one owner"). dhcp6d forwards every
 * LEASEQUERY datagram that reaches UDP 547 over a unix datagram socket
 * (leasequery.local-socket) and sends the responder's answers from 547.
 *
 * Datagram contract, both directions, all integers in network order:
 *
 *   offset size field
 *   0      4    magic "CHLQ"
 *   4      1    version (1)
 *   5      1    kind: 1 = query (dhcp6d -> responder), 2 = answer (-> dhcp6d)
 *   6      2    header length (LQ_HANDOFF_HDR_LEN = 32); payload starts here
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
#ifndef CHORUS_LQ_HANDOFF_H
#define CHORUS_LQ_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#define LQ_HANDOFF_MAGIC     "CHLQ"
#define LQ_HANDOFF_VERSION   1
#define LQ_HANDOFF_QUERY     1
#define LQ_HANDOFF_ANSWER    2
#define LQ_HANDOFF_HDR_LEN   32
#define LQ_HANDOFF_MAX_DGRAM 65535 /* payload */

struct lq_handoff_hdr {
	uint8_t kind; /* LQ_HANDOFF_QUERY or LQ_HANDOFF_ANSWER */
	uint8_t peer[16];
	uint16_t port;
	uint32_t ifindex;
};

/* Writes the 32-octet header h to out. */
void lq_handoff_put(uint8_t out[LQ_HANDOFF_HDR_LEN], const struct lq_handoff_hdr *h);

/*
 * Reads the header of a hand-off datagram of len octets. Returns the
 * payload length (> 0), or CH_ETRUNC (no payload), CH_EMALFORMED (bad
 * magic, kind or header length, or a payload over 65535 octets), CH_EVERSION (another version).
 * *out is written only on success.
 */
int lq_handoff_get(const uint8_t *buf, size_t len, struct lq_handoff_hdr *out);

#endif
