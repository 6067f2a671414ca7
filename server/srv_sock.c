/*
 * UDP socket syscalls of chorus-dhcp6d (see srv_sock.h). Nothing else in
 * server/ touches the DHCPv6 socket. RFC 8415 §7.1 (ports, ff02::1:2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "d6_consts.h"
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

/* A socket for port, not bound yet: on ifname only when it is not NULL. */
static int sock_make(const char *ifname)
{
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
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int sock_bind(int fd, uint16_t port)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
}

/* Binds fd, waiting while the port is in use (BIND_RETRY_MS above). */
static int sock_bind_wait(int fd, uint16_t port)
{
	int err;

	for (int i = 0; (err = sock_bind(fd, port)) == -EADDRINUSE && i + 1 < BIND_TRIES; i++) {
		if (i == 0)
			log_notice(
			    "UDP port %u is in use, trying again for %d ms (chorus-leasequeryd "
			    "may still hold the sockets of the engine before us)",
			    port, BIND_RETRY_MS * BIND_TRIES);
		nanosleep(&(struct timespec){0, BIND_RETRY_MS * 1000000L}, NULL);
	}
	return err;
}

/*
 * The steering program of a SO_REUSEPORT group of two (lib/lq_handoff.h):
 * for UDP it sees the payload at offset 0, and returns the index of the
 * socket in the order they joined. msg-type LEASEQUERY: the second, the
 * steered socket; anything else (a RELAY-FORW around a LEASEQUERY
 * included, and a datagram too short to load): the first, ours.
 */
static int sock_steer_prog(int fd)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, D6_MSG_LEASEQUERY, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, 1),
	    BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) < 0
	           ? -errno
	           : 0;
}

/*
 * The first socket of a new steered group, bound, with the program set
 * before the bind (so no datagram is ever hashed to the steered socket).
 * A group another engine left behind (chorus-leasequeryd may still hold
 * its sockets) must never be joined, as its program would send our DHCP
 * traffic to its sockets: a probe bound without SO_REUSEPORT first waits
 * until the port is free, and nothing but an engine creates sockets there.
 */
static int sock_new_group(uint16_t port, const char *ifname)
{
	int probe = sock_make(ifname), fd, err;

	if (probe < 0)
		return probe;
	err = sock_bind_wait(probe, port);
	close(probe);
	if (err < 0)
		return err;
	if ((fd = sock_make(ifname)) < 0)
		return fd;
	if ((err = sock_opt(fd, SOL_SOCKET, SO_REUSEPORT, 1)) < 0 ||
	    (err = sock_steer_prog(fd)) < 0 || (err = sock_bind(fd, port)) < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* The steered socket of the group of port on ifname: no multicast (it
 * joins no group, and IPV6_MULTICAST_ALL 0 keeps the others' away). */
static int sock_new_steered(uint16_t port, const char *ifname)
{
	int fd = sock_make(ifname), err;

	if (fd < 0)
		return fd;
	if ((err = sock_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0)) < 0 ||
	    (err = sock_opt(fd, SOL_SOCKET, SO_REUSEPORT, 1)) < 0 ||
	    (err = sock_bind(fd, port)) < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* One socket on port (on ifname only when it is not NULL), and with
 * *steer its steered socket in *steer_fd; *steer false: the kernel
 * refused the steering (logged), a plain socket. */
static int sock_new(uint16_t port, const char *ifname, unsigned ifindex, bool *steer, int *steer_fd)
{
	int fd = -1, err = 0;

	if (*steer) {
		fd = sock_new_group(port, ifname);
		if (fd == -EADDRINUSE)
			return fd; /* still in use after BIND_TRIES */
		if (fd >= 0 && (err = sock_new_steered(port, ifname)) < 0) {
			close(fd);
			fd = err;
		}
		if (fd < 0) {
			log_warning("cannot steer leasequery to chorus-leasequeryd on UDP %u (%s): "
			            "every LEASEQUERY passes through the engine",
			            port, strerror(-fd));
			*steer = false;
		} else {
			*steer_fd = err;
		}
	}
	if (fd < 0) {
		if ((fd = sock_make(ifname)) < 0)
			return fd;
		if ((err = sock_bind_wait(fd, port)) < 0) {
			close(fd);
			return err;
		}
	}
	if (ifname && (err = sock_join(fd, ifindex)) < 0)
		log_warning("cannot join ff02::1:2 on %s (%s), unicast only there", ifname,
		            strerror(-err));
	return fd;
}

static int sock_add(struct srv_sock *s, uint16_t port, const char *ifname, unsigned ifindex)
{
	bool steer = s->steered;
	int sfd = -1, fd = sock_new(port, ifname, ifindex, &steer, &sfd);

	if (fd < 0)
		return fd;
	if (s->steered && !steer) {
		/* one without a steered socket: none steers */
		for (size_t i = 0; i < s->n; i++)
			close(s->steer[i]);
		s->steered = false;
	}
	s->fd[s->n] = fd;
	s->steer[s->n] = sfd;
	s->ifindex[s->n++] = ifindex;
	if (sfd >= 0 && !s->steered)
		close(sfd);
	return 0;
}

int srv_sock_open(struct srv_sock *s, uint16_t port, const char (*ifnames)[CONF_IFNAME_LEN],
                  size_t n, bool steer)
{
	int err;

	s->n = 0;
	s->steered = steer;
	if (!n) {
		if ((err = sock_add(s, port, NULL, 0)) < 0)
			s->steered = false;
		return err;
	}
	for (size_t i = 0; i < n && i < CONF_MAX_IFACES; i++) {
		unsigned ifindex = if_nametoindex(ifnames[i]);

		if (!ifindex) {
			log_warning("interface %s does not exist, not listening there", ifnames[i]);
			continue;
		}
		if ((err = sock_add(s, port, ifnames[i], ifindex)) < 0) {
			log_err("cannot listen on %s: %s", ifnames[i], strerror(-err));
			srv_sock_close(s);
			return err;
		}
	}
	if (!s->n)
		s->steered = false;
	return s->n ? 0 : -ENODEV;
}

void srv_sock_close(struct srv_sock *s)
{
	for (size_t i = 0; i < s->n; i++) {
		close(s->fd[i]);
		if (s->steered)
			close(s->steer[i]);
	}
	s->n = 0;
	s->steered = false;
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
	udp6_out_pktinfo(&mh, &out->dst, &out->ifindex);
	out->dst_multicast = IN6_IS_ADDR_MULTICAST(&out->dst);
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
