/*
 * Datagrams sent out of a UDP socket of AF_INET6 with IPV6_PKTINFO, so each
 * leaves on the interface and from the source address its request came
 * to (RFC 8415 §18.3.10; RFC 5007 §4.1.2): the send shared by chorus-dhcp6d's
 * sockets and the copies of them chorus-leasequeryd answers from, and the
 * IPV6_PKTINFO both read off what arrives.
 */
#ifndef CHORUS_UDP6_OUT_H
#define CHORUS_UDP6_OUT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* One datagram to send. */
struct udp6_out {
	const void *p;
	size_t n;
	struct sockaddr_in6 dst;
	unsigned ifindex;    /* out of this interface (0: routing decides) */
	struct in6_addr src; /* from this address (:: or multicast: the kernel picks) */
};

#define UDP6_OUT_MAX 64 /* datagrams per udp6_out_send */

/* Room for the IPV6_PKTINFO of one datagram. */
union udp6_out_cmsg {
	struct cmsghdr align;
	uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

/* The msghdr *mh of o, its iovec *iov and, when o names an interface or a
 * source address, its IPV6_PKTINFO in *cb. mh points into o, iov and cb. */
void udp6_out_msg(const struct udp6_out *o, struct msghdr *mh, struct iovec *iov,
                  union udp6_out_cmsg *cb);

/* The other way: the address a received datagram was sent to and the
 * interface it came in on, from the IPV6_PKTINFO in mh (IPV6_RECVPKTINFO);
 * without one, *dst and *ifindex stay as they are. */
void udp6_out_pktinfo(struct msghdr *mh, struct in6_addr *dst, unsigned *ifindex);

/* Sends o[0..n) on fd in one sendmmsg (at most UDP6_OUT_MAX of them).
 * Returns how many went, from the first on; when not all, *err is the
 * -errno of the first that did not (-EAGAIN when the kernel stopped short:
 * send that one again to learn why). */
size_t udp6_out_send(int fd, const struct udp6_out *o, size_t n, int *err);

#endif
