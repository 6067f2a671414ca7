/* Sockets of chorus-leasequeryd (see lq_net.h); nothing else calls the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lq_net.h"

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

ssize_t lq_net_local_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_un *from,
                          socklen_t *fromlen)
{
	ssize_t n;

	*fromlen = sizeof(*from);
	n = recvfrom(fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)from, fromlen);
	if (n < 0)
		return -errno;
	if ((size_t)n > cap)
		return -EMSGSIZE;
	return n;
}

int lq_net_local_send(int fd, const uint8_t *hdr, size_t hlen, const uint8_t *p, size_t n,
                      const struct sockaddr_un *to, socklen_t tolen)
{
	/* sendmsg's structures are not const; the kernel only reads them */
	struct iovec iov[2] = {{(void *)(uintptr_t)hdr, hlen}, {(void *)(uintptr_t)p, n}};
	struct msghdr mh = {.msg_name = (void *)(uintptr_t)to,
	                    .msg_namelen = tolen,
	                    .msg_iov = iov,
	                    .msg_iovlen = 2};

	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
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
