/* Sockets of chorus-leasequeryd (see lq_net.h); nothing else calls the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lq_net.h"
#include "udp6_out.h"

int lq_net_local_open(const char *path)
{
	struct sockaddr_un me = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(me.sun_path))
		return -ENAMETOOLONG;
	memcpy(me.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

#define MMSG_MAX 64 /* datagrams per recvmmsg / sendmmsg */

/* room for the descriptors of a kind 3 (lib/lq_handoff.h) in every slot */
#define CMSG_ROOM CMSG_SPACE(sizeof(int) * LQ_HANDOFF_MAX_FDS)

/* Slot m of a recvmmsg: into buf (cap octets), the sender's address into
 * name, control data into cb. */
static void mm_slot(struct mmsghdr *m, struct iovec *iov, uint8_t *buf, size_t cap, void *name,
                    socklen_t namelen, uint8_t *cb, size_t cblen)
{
	*iov = (struct iovec){buf, cap};
	*m = (struct mmsghdr){.msg_hdr = {.msg_name = name,
	                                  .msg_namelen = namelen,
	                                  .msg_iov = iov,
	                                  .msg_iovlen = 1,
	                                  .msg_control = cb,
	                                  .msg_controllen = cblen}};
}

int lq_net_local_recv_many(int fd, struct lq_net_dgram *d, size_t n)
{
	static union {
		struct cmsghdr align;
		uint8_t b[CMSG_ROOM];
	} cb[MMSG_MAX];
	struct mmsghdr mm[MMSG_MAX];
	struct iovec iov[MMSG_MAX];
	int r;

	if (n > MMSG_MAX)
		n = MMSG_MAX;
	for (size_t i = 0; i < n; i++)
		mm_slot(&mm[i], &iov[i], d[i].buf, d[i].cap, &d[i].from, sizeof(d[i].from), cb[i].b,
		        sizeof(cb[i].b));
	r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
	if (r < 0)
		return -errno;
	for (int i = 0; i < r; i++) {
		d[i].len = mm[i].msg_len;
		d[i].trunc = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		d[i].fromlen = mm[i].msg_hdr.msg_namelen;
		d[i].fds_trunc = (mm[i].msg_hdr.msg_flags & MSG_CTRUNC) != 0;
		d[i].n_fds = mm[i].msg_hdr.msg_controllen
		                 ? lq_handoff_take_fds(&mm[i].msg_hdr, d[i].fds, LQ_HANDOFF_MAX_FDS)
		                 : 0;
	}
	return r;
}

size_t lq_net_local_send_many(int fd, const struct lq_net_out *o, size_t n, int *err)
{
	struct mmsghdr mm[MMSG_MAX];
	struct iovec iov[MMSG_MAX][2];
	size_t k = n > MMSG_MAX ? MMSG_MAX : n;
	int r;

	*err = 0;
	memset(mm, 0, k * sizeof(*mm));
	/* sendmsg's structures are not const; the kernel only reads them */
	for (size_t i = 0; i < k; i++) {
		iov[i][0] = (struct iovec){(void *)(uintptr_t)o[i].hdr, o[i].hlen};
		iov[i][1] = (struct iovec){(void *)(uintptr_t)o[i].p, o[i].n};
		mm[i].msg_hdr.msg_name = (void *)(uintptr_t)o[i].to;
		mm[i].msg_hdr.msg_namelen = o[i].tolen;
		mm[i].msg_hdr.msg_iov = iov[i];
		mm[i].msg_hdr.msg_iovlen = 2;
	}
	r = sendmmsg(fd, mm, (unsigned)k, MSG_DONTWAIT);
	if (r < 0) {
		*err = -errno;
		return 0;
	}
	if ((size_t)r < k)
		*err = -EAGAIN; /* o[r] did not go: try it again to learn why */
	return (size_t)r;
}

int lq_net_udp_recv_many(int fd, struct lq_net_udp_in *d, size_t n)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cb[MMSG_MAX];
	struct mmsghdr mm[MMSG_MAX];
	struct iovec iov[MMSG_MAX];
	int r;

	if (n > MMSG_MAX)
		n = MMSG_MAX;
	for (size_t i = 0; i < n; i++)
		mm_slot(&mm[i], &iov[i], d[i].buf, d[i].cap, &d[i].src, sizeof(d[i].src), cb[i].b,
		        sizeof(cb[i].b));
	r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT, NULL);
	if (r < 0)
		return -errno;
	for (int i = 0; i < r; i++) {
		d[i].len = mm[i].msg_len;
		d[i].trunc = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		d[i].dst = in6addr_any;
		d[i].ifindex = 0;
		udp6_out_pktinfo(&mm[i].msg_hdr, &d[i].dst, &d[i].ifindex);
	}
	return r;
}

int lq_net_tcp_listen(const struct in6_addr *addr, uint16_t port)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, err;

	if (fd < 0)
		return -errno;
	sa.sin6_addr = *addr;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int lq_net_tcp_accept(int lfd, struct in6_addr *peer, uint16_t *port)
{
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);
	int fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* a fixed kernel buffer per connection: max-connections bounds memory,
	 * and a stalled reader is noticed after this much, not after megabytes */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){LQ_NET_SNDBUF}, sizeof(int));
	*peer = sa.sin6_addr;
	*port = ntohs(sa.sin6_port);
	return fd;
}

ssize_t lq_net_read(int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap);

	return n < 0 ? -errno : n;
}

ssize_t lq_net_write(int fd, const uint8_t *buf, size_t n)
{
	ssize_t w = send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	return w < 0 ? -errno : w;
}

void lq_net_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
