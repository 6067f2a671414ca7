/*
 * The UDP sockets of chorus-dhcp6d: one per configured interface, bound to
 * [::]:547 (or the -p port) on that device only and joined to
 * All_DHCP_Relay_Agents_and_Servers there, so instances serving other
 * interfaces of the same host bind the same port; with no interface
 * configured (relays only), one socket on every interface. recvmsg/sendmsg
 * with IPV6_PKTINFO, so a reply leaves on the interface the request came in
 * on (RFC 8415 §7.1, §18.3.10). With leasequery enabled each socket has a
 * steered socket beside it in one SO_REUSEPORT group, whose classic BPF
 * program gives it the unicast LEASEQUERY datagrams (lib/lq_handoff.h):
 * chorus-leasequeryd reads it while it can, we read it otherwise. Every
 * syscall of the packet path lives in srv_sock.c; unit tests link a fake
 * in its place.
 */
#ifndef CHORUS_SRV_SOCK_H
#define CHORUS_SRV_SOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "udp6_out.h"

struct srv_sock {
	int fd[CONF_MAX_IFACES];
	unsigned ifindex[CONF_MAX_IFACES]; /* 0: the socket without a device */
	size_t n;
	/* with steering, fd[i]'s second socket in its SO_REUSEPORT group: it
	 * gets the unicast LEASEQUERY datagrams, fd[i] all others */
	bool steered;
	int steer[CONF_MAX_IFACES];
};

/* Where a datagram came from and how it arrived. */
struct srv_pktinfo {
	struct sockaddr_in6 src;
	struct in6_addr dst;
	unsigned ifindex;
	bool dst_multicast;
};

/*
 * Opens a socket on port for each of the n interfaces (bound to it, joined
 * to ff02::1:2 there), or one for all when n is 0. An interface that does
 * not exist is logged and skipped. With steer, each gets a steered socket
 * beside it (lib/lq_handoff.h kind 3; none for any when the kernel refuses
 * the program: logged). Returns 0, -ENODEV when none of the interfaces
 * exists, or -errno (nothing left open).
 */
int srv_sock_open(struct srv_sock *s, uint16_t port, const char (*ifnames)[CONF_IFNAME_LEN],
                  size_t n, bool steer);
void srv_sock_close(struct srv_sock *s);

/* Reads one datagram from fd, one of the sockets of a struct srv_sock.
 * Returns its length, -EAGAIN when none is queued, or -errno. */
int srv_sock_recv(int fd, uint8_t *buf, size_t cap, struct srv_pktinfo *out);

/* Sends len octets to dst, out of ifindex (0: routing decides) with src as
 * source address (NULL or :: : the kernel picks), from the socket of that
 * interface. Returns 0 or -errno. */
int srv_sock_send(struct srv_sock *s, const uint8_t *buf, size_t len,
                  const struct sockaddr_in6 *dst, unsigned ifindex, const struct in6_addr *src);

/* Sends o[0..n), each run for one socket in one call (udp6_out_send). Returns
 * how many could not be sent (0: all went); *err is the -errno of the first
 * failure. */
size_t srv_sock_send_many(struct srv_sock *s, const struct udp6_out *o, size_t n, int *err);

#endif
