/*
 * Link-time fake of server/srv_sock.c for the unit tests: nothing touches
 * the network; every datagram sent is kept so a test can decode it.
 */
#include <errno.h>
#include <string.h>

#include "fixture.h"
#include "srv_sock.h"

struct fake_sent fake_sent;

int srv_sock_open(struct srv_sock *s, uint16_t port, const char (*ifnames)[CONF_IFNAME_LEN],
                  size_t n, bool steer)
{
	(void)port;
	(void)ifnames;
	(void)n;
	(void)steer;
	s->n = 0;
	s->steered = false;
	return 0;
}

void srv_sock_close(struct srv_sock *s)
{
	s->n = 0;
}

int srv_sock_recv(int fd, uint8_t *buf, size_t cap, struct srv_pktinfo *out)
{
	(void)fd;
	(void)buf;
	(void)cap;
	(void)out;
	return -EAGAIN;
}

int srv_sock_send(struct srv_sock *s, const uint8_t *buf, size_t len,
                  const struct sockaddr_in6 *dst, unsigned ifindex, const struct in6_addr *src)
{
	(void)s;
	(void)src;
	if (len > sizeof(fake_sent.buf))
		return -EMSGSIZE;
	memcpy(fake_sent.buf, buf, len);
	fake_sent.len = len;
	fake_sent.dst = *dst;
	fake_sent.ifindex = ifindex;
	fake_sent.count++;
	return 0;
}

size_t srv_sock_send_many(struct srv_sock *s, const struct udp6_out *o, size_t n, int *err)
{
	size_t failed = 0;

	*err = 0;
	for (size_t i = 0; i < n; i++) {
		int e = srv_sock_send(s, o[i].p, o[i].n, &o[i].dst, o[i].ifindex, &o[i].src);

		if (e < 0 && !*err)
			*err = e;
		failed += e < 0;
	}
	return failed;
}
