/*
 * UDP socket syscalls of chorus-dhcp6d (see srv_sock.h). Nothing else in
 * server/ touches the DHCPv6 socket. RFC 8415 §7.1 (ports, ff02::1:2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "srv_sock.h"

#define SRV_SOCK_RCVBUF (8 * 1024 * 1024)
/* chorus-leasequeryd holds the sockets of the engine before us until it
 * sees that engine's lifeline hang up (lib/lq_handoff.h): a restart may
 * find 547 still bound for a moment, so a bind that finds it in use is
 * tried again, every BIND_RETRY_MS for BIND_TRIES times. */
#define BIND_RETRY_MS 20
#define BIND_TRIES    150

static int sock_opt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int sock_join(int fd, unsigned ifindex)
{
	struct ipv6_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.ipv6mr_interface = ifindex;
	inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
	return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0 ? -errno : 0;
}

/* One socket on port; on ifname only when it is not NULL. */
static int sock_new(uint16_t port, const char *ifname, unsigned ifindex)
{
	struct sockaddr_in6 sa;
	int fd, err;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = sock_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (!err)
		err = sock_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	if (!err)
		err = sock_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
	/* a burst (clients rebinding after a sibling failed) must queue, not
	 * drop; the kernel caps this at rmem_max, which root may exceed */
	if (!err && sock_opt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SRV_SOCK_RCVBUF) < 0)
		sock_opt(fd, SOL_SOCKET, SO_RCVBUF, SRV_SOCK_RCVBUF);
	if (!err && ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0)
		err = -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(port);
	for (int i = 0; !err && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0; i++) {
		err = -errno;
		if (err != -EADDRINUSE || i + 1 >= BIND_TRIES)
			break;
		if (i == 0)
			log_notice(
			    "UDP port %u is in use, trying again for %d ms (chorus-leasequeryd "
			    "may still hold the sockets of the engine before us)",
			    port, BIND_RETRY_MS * BIND_TRIES);
		nanosleep(&(struct timespec){0, BIND_RETRY_MS * 1000000L}, NULL);
		err = 0;
	}
	if (!err && ifname && (err = sock_join(fd, ifindex)) < 0) {
		log_warning("cannot join ff02::1:2 on %s (%s), unicast only there", ifname,
		            strerror(-err));
		err = 0;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int srv_sock_open(struct srv_sock *s, uint16_t port, const char (*ifnames)[CONF_IFNAME_LEN],
                  size_t n)
{
	int fd;

	s->n = 0;
	if (!n) {
		if ((fd = sock_new(port, NULL, 0)) < 0)
			return fd;
		s->fd[0] = fd;
		s->ifindex[0] = 0;
		s->n = 1;
		return 0;
	}
	for (size_t i = 0; i < n && i < CONF_MAX_IFACES; i++) {
		unsigned ifindex = if_nametoindex(ifnames[i]);

		if (!ifindex) {
			log_warning("interface %s does not exist, not listening there", ifnames[i]);
			continue;
		}
		if ((fd = sock_new(port, ifnames[i], ifindex)) < 0) {
			log_err("cannot listen on %s: %s", ifnames[i], strerror(-fd));
			srv_sock_close(s);
			return fd;
		}
		s->fd[s->n] = fd;
		s->ifindex[s->n++] = ifindex;
	}
	return s->n ? 0 : -ENODEV;
}

void srv_sock_close(struct srv_sock *s)
{
	for (size_t i = 0; i < s->n; i++)
		close(s->fd[i]);
	s->n = 0;
}

static void sock_pktinfo(struct msghdr *mh, struct srv_pktinfo *out)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct in6_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		out->dst = pi.ipi6_addr;
		out->ifindex = pi.ipi6_ifindex;
		out->dst_multicast = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr);
	}
}

int srv_sock_recv(int fd, uint8_t *buf, size_t cap, struct srv_pktinfo *out)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	memset(out, 0, sizeof(*out));
	mh.msg_name = &out->src;
	mh.msg_namelen = sizeof(out->src);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.b;
	mh.msg_controllen = sizeof(cbuf.b);
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	sock_pktinfo(&mh, out);
	return (int)n;
}

/* The socket of interface ifindex; else the one without a device (or the
 * first), where routing decides. */
static int sock_for(const struct srv_sock *s, unsigned ifindex)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->ifindex[i] == ifindex)
			return s->fd[i];
	}
	return s->fd[0];
}

int srv_sock_send(struct srv_sock *s, const uint8_t *buf, size_t len,
                  const struct sockaddr_in6 *dst, unsigned ifindex, const struct in6_addr *src)
{
	struct udp6_out o = {.p = buf, .n = len, .dst = *dst, .ifindex = ifindex};
	union udp6_out_cmsg cb;
	struct iovec iov;
	struct msghdr mh;

	if (src)
		o.src = *src;
	udp6_out_msg(&o, &mh, &iov, &cb);
	if (!s->n || sendmsg(sock_for(s, ifindex), &mh, MSG_DONTWAIT) < 0)
		return s->n ? -errno : -EBADF;
	return 0;
}

size_t srv_sock_send_many(struct srv_sock *s, const struct udp6_out *o, size_t n, int *err)
{
	size_t failed = 0;

	*err = 0;
	while (n) {
		int fd = s->n ? sock_for(s, o[0].ifindex) : -1, e = -EBADF;
		size_t k = 1, sent;

		/* a run of datagrams that leave from one socket */
		while (fd >= 0 && k < n && k < UDP6_OUT_MAX && sock_for(s, o[k].ifindex) == fd)
			k++;
		sent = fd < 0 ? 0 : udp6_out_send(fd, o, k, &e);
		if (!sent) {
			/* o[0] failed: count it, go on with the rest */
			if (!*err)
				*err = e;
			failed++;
			sent = 1;
		}
		o += sent;
		n -= sent;
	}
	return failed;
}
