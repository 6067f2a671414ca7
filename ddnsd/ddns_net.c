/*
 * chorus-ddnsd's syscalls (see ddns_net.h). Only loopback or the servers the
 * configuration names are ever addressed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ddns_net.h"

static int sock_open(int type, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	sa.sin6_addr = *a;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int ddns_net_udp_open(const struct in6_addr *a, uint16_t port)
{
	return sock_open(SOCK_DGRAM, a, port);
}

int ddns_net_tcp_open(const struct in6_addr *a, uint16_t port)
{
	return sock_open(SOCK_STREAM, a, port);
}

ssize_t ddns_net_send(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}

ssize_t ddns_net_recv(int fd, void *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap, 0);

	return n < 0 ? -errno : n;
}

int ddns_net_tcp_error(int fd)
{
	int e = 0;
	socklen_t l = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return -errno;
	return -e;
}

void ddns_net_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

uint16_t ddns_net_random16(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint16_t)(rand() ^ (int)time(NULL));
	return v;
}

int64_t ddns_net_wallclock(void)
{
	return (int64_t)time(NULL);
}
