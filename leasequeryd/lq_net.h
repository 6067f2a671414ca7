/*
 * The syscalls of chorus-leasequeryd: the unix datagram socket of the
 * hand-off, the reads of the engine's steered UDP sockets, the bulk
 * leasequery TCP listener and its connections (answers out of the engine's
 * UDP sockets go through lib/udp6_out.h). All non-blocking; errors are -errno.
 */
#ifndef CHORUS_LQ_NET_H
#define CHORUS_LQ_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "lq_handoff.h"

/* Binds a unix datagram socket at path (a stale socket file is replaced). */
int lq_net_local_open(const char *path);
/* One datagram of a burst, into the caller's buffer. */
struct lq_net_dgram {
	uint8_t *buf;
	size_t cap;
	size_t len; /* what arrived */
	bool trunc; /* it was longer than cap */
	struct sockaddr_un from;
	socklen_t fromlen;
	int fds[LQ_HANDOFF_MAX_FDS]; /* descriptors it carried (SCM_RIGHTS), owned */
	size_t n_fds;
	bool fds_trunc; /* it carried more than fit: those are closed */
};
/* Reads up to n waiting datagrams in one call. Returns how many (> 0) or
 * -errno (-EAGAIN when none waits). */
int lq_net_local_recv_many(int fd, struct lq_net_dgram *d, size_t n);

/* One datagram to send: header and payload, to the sender of a query. */
struct lq_net_out {
	const uint8_t *hdr;
	size_t hlen;
	const uint8_t *p;
	size_t n;
	const struct sockaddr_un *to;
	socklen_t tolen;
};
/* Sends o[0..n) in one call (at most 64 of them). Returns how many went,
 * from the first on; when not all, *err is -errno of the one that did not
 * (-EAGAIN: the receiver's queue is full, or try it again). */
size_t lq_net_local_send_many(int fd, const struct lq_net_out *o, size_t n, int *err);

/* One datagram read from a UDP socket, and how it arrived (IPV6_PKTINFO). */
struct lq_net_udp_in {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool trunc;
	struct sockaddr_in6 src;
	struct in6_addr dst; /* the address it was sent to */
	unsigned ifindex;    /* the interface it came in on */
};
/* Reads up to n waiting datagrams of the UDP socket fd in one call.
 * Returns how many (> 0) or -errno (-EAGAIN when none waits). */
int lq_net_udp_recv_many(int fd, struct lq_net_udp_in *d, size_t n);

/* Listens on TCP [addr]:port. Returns the descriptor or -errno. */
int lq_net_tcp_listen(const struct in6_addr *addr, uint16_t port);
#define LQ_NET_SNDBUF (128 * 1024) /* SO_SNDBUF of a bulk connection */

/* Accepts one connection (with LQ_NET_SNDBUF). Returns the descriptor or -errno (-EAGAIN). */
int lq_net_tcp_accept(int lfd, struct in6_addr *peer, uint16_t *port);
/* Returns bytes read (0 at EOF) or -errno (-EAGAIN). */
ssize_t lq_net_read(int fd, uint8_t *buf, size_t cap);
/* Returns bytes written or -errno (-EAGAIN when the socket is full). */
ssize_t lq_net_write(int fd, const uint8_t *buf, size_t n);
void lq_net_close(int fd);

#endif
