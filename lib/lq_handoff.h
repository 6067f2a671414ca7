/*
 * The LEASEQUERY hand-off between chorus-dhcp6d and chorus-leasequeryd
 * (ARCHITECTURE.md: "UDP 547 has one owner"). dhcp6d forwards every
 * LEASEQUERY datagram that it reads from UDP 547 over a unix datagram socket
 * (leasequery.local-socket); the answers leave from 547 too, sent by the
 * responder itself out of dhcp6d's own UDP sockets (kind 3 below), or by
 * dhcp6d when the responder has none of them. An unrelayed unicast
 * LEASEQUERY need not pass through dhcp6d at all: the kernel steers it to a
 * second socket of dhcp6d's in the same SO_REUSEPORT group, which the
 * responder reads while it says so (kinds 3 and 4).
 *
 * Datagram contract, both directions, all integers in network order:
 *
 *   offset size field
 *   0      4    magic "CHLQ"
 *   4      1    version (3)
 *   5      1    kind: 1 = query (dhcp6d -> responder), 2 = answer (-> dhcp6d),
 *               3 = sockets (dhcp6d -> responder), 4 = reading (-> dhcp6d)
 *   6      2    header length (LQ_HANDOFF_HDR_LEN = 48); payload starts here
 *   8      16   peer address: the requestor's IP source address (query); the
 *               destination to send the payload to (answer, normally echoed)
 *   24     2    peer UDP port (as above)
 *   26     2    reserved, 0
 *   28     4    ifindex the query arrived on (answer: send out of it; 0 = any)
 *   32     16   local address: the one the query was sent to (answer: the
 *               source address to send from; :: or multicast: the kernel picks)
 *   48     ...  payload: the datagram exactly as received on UDP 547 (a
 *               LEASEQUERY, or a RELAY-FORW chain around one); in an answer,
 *               the bytes to send, already relay-wrapped if needed
 *
 * Sockets (kind 3): dhcp6d's UDP sockets, passed with SCM_RIGHTS before the
 * first query on each connection to the responder, and again after a
 * reconnect or a reload. The payload is one 4-octet ifindex per socket (the
 * device it is bound to, 0 for the one on every interface); the descriptors
 * are those sockets in the same order, then, when dhcp6d steers (leasequery
 * enabled), as many steered sockets in the same order (steered socket i is
 * the second member of socket i's SO_REUSEPORT group, whose classic BPF
 * program sends it every datagram of msg-type 14 (LEASEQUERY) and socket i
 * all others; it gets no multicast), then a lifeline: the read end of a
 * pipe whose write end only dhcp6d holds, so its hang-up tells the
 * responder that dhcp6d is gone and the sockets must be closed (they keep
 * UDP 547 bound while anyone holds them). The responder answers a query
 * from the sender of the sockets, or one it read from a steered socket, out
 * of the socket an answer through dhcp6d would have left from
 * (lq_handoff_sock_for); the header's other fields are 0.
 *
 * Reading (kind 4): the responder reads the steered sockets of the last
 * kind 3 from now on. The payload is their 4-octet count; the one
 * descriptor is the read end of a pipe whose write end only the responder
 * holds. dhcp6d stops reading the steered sockets, and reads them again as
 * soon as that pipe hangs up (the responder stopped, died, or took other
 * sockets): a datagram steered meanwhile waits in the socket, which dhcp6d
 * holds too. The header's other fields are 0.
 *
 * dhcp6d's socket is autobound in the abstract namespace; the responder
 * answers to the sender address of the query (recvfrom). One answer per
 * query; dhcp6d keeps no state per query, so a late answer is still sent.
 */
#ifndef CHORUS_LQ_HANDOFF_H
#define CHORUS_LQ_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#define LQ_HANDOFF_MAGIC     "CHLQ"
#define LQ_HANDOFF_VERSION   3
#define LQ_HANDOFF_QUERY     1
#define LQ_HANDOFF_ANSWER    2
#define LQ_HANDOFF_SOCKETS   3
#define LQ_HANDOFF_READING   4
#define LQ_HANDOFF_HDR_LEN   48
#define LQ_HANDOFF_MAX_DGRAM 65535 /* payload */
#define LQ_HANDOFF_MAX_SOCKS 32    /* sockets in one kind 3 (CONF_MAX_IFACES) */
/* descriptors in one kind 3: the sockets, as many steered ones, the lifeline */
#define LQ_HANDOFF_MAX_FDS (2 * LQ_HANDOFF_MAX_SOCKS + 1)

struct lq_handoff_hdr {
	uint8_t kind; /* LQ_HANDOFF_QUERY, _ANSWER, _SOCKETS or _READING */
	uint8_t peer[16];
	uint16_t port;
	uint32_t ifindex;
	uint8_t local[16];
};

/* dhcp6d's sockets as the responder holds them (kind 3). */
struct lq_handoff_socks {
	size_t n;
	int fd[LQ_HANDOFF_MAX_SOCKS];
	uint32_t ifindex[LQ_HANDOFF_MAX_SOCKS];
	bool steered;                    /* steer[0..n) came too */
	int steer[LQ_HANDOFF_MAX_SOCKS]; /* the steered socket of fd[i] */
	int lifeline;
};

/* Writes the 48-octet header h to out. */
void lq_handoff_put(uint8_t out[LQ_HANDOFF_HDR_LEN], const struct lq_handoff_hdr *h);

/*
 * Reads the header of a hand-off datagram of len octets. Returns the
 * payload length (> 0), or CH_ETRUNC (no payload), CH_EMALFORMED (bad
 * magic, kind or header length, or a payload over 65535 octets), CH_EVERSION (another version).
 * *out is written only on success.
 */
int lq_handoff_get(const uint8_t *buf, size_t len, struct lq_handoff_hdr *out);

/*
 * Sends a kind 3 on fd (connected to the responder): the n sockets fds[i]
 * bound to ifindex[i], their steered sockets steer[i] (steer NULL: none),
 * and the lifeline. Returns 0 or -errno (-EAGAIN: the responder's queue is
 * full; -EINVAL: n is 0 or over LQ_HANDOFF_MAX_SOCKS).
 */
int lq_handoff_send_socks(int fd, const int *fds, const int *steer, const unsigned *ifindex,
                          size_t n, int lifeline);

/*
 * Sends a kind 4 on fd to the engine at to (tolen octets): the responder
 * reads the n steered sockets it was passed, for as long as the read end
 * of the pipe lifeline, passed with it, does not hang up. Returns 0 or -errno.
 */
int lq_handoff_send_reading(int fd, const struct sockaddr_un *to, socklen_t tolen, uint32_t n,
                            int lifeline);

/*
 * Reads a kind 4 payload (p, len) that came with the descriptors fds[0..n).
 * Returns the count of steered sockets the responder reads (> 0), with
 * *lifeline, then owned by the caller; or CH_EMALFORMED (not one 4-octet
 * count, a count of 0, or not one descriptor, a pipe): then every
 * descriptor is closed and *lifeline untouched.
 */
int lq_handoff_reading_get(const uint8_t *p, size_t len, const int *fds, size_t n, int *lifeline);

/*
 * The descriptors of an SCM_RIGHTS in the received mh into fds[0..cap):
 * returns how many; any beyond cap is closed.
 */
size_t lq_handoff_take_fds(struct msghdr *mh, int *fds, size_t cap);

/*
 * Reads a kind 3 payload (p, len) that came with the descriptors fds[0..n)
 * into *out, which then owns them. Returns 0, or CH_EMALFORMED (n is
 * neither one more nor twice and one more than the count of ifindexes, or
 * a socket is not a datagram socket of AF_INET6): then every descriptor is
 * closed and *out untouched.
 */
int lq_handoff_socks_get(const uint8_t *p, size_t len, const int *fds, size_t n,
                         struct lq_handoff_socks *out);
/* Closes what s holds and empties it. */
void lq_handoff_socks_clear(struct lq_handoff_socks *s);

/* The socket an answer out of ifindex leaves from (the one bound to that
 * device, else the first, as chorus-dhcp6d chooses); -1 when s has none. */
int lq_handoff_sock_for(const struct lq_handoff_socks *s, unsigned ifindex);

#endif
