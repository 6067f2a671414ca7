/*
 * Unit tests for lib/lq_handoff.c: the 48-octet hand-off header, byte for
 * byte, round trip, and every rejection (short, bad magic, kind, header
 * length, version, no payload); the kind 3 over a real unix datagram
 * socket pair: the very sockets arrive, with their ifindexes and the
 * lifeline, whose hang-up shows; descriptors that are not UDP sockets, or
 * one too few, are refused and closed; the socket an answer leaves from;
 * the kind 3 with steered sockets, and the kind 4 (a count and the
 * responder's lifeline), with what each refuses.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "errors.h"
#include "lq_handoff.h"

/* A query from [2001:db8::1]:547 on ifindex 3, with a 4-octet payload. */
static const uint8_t query[] = {
    'C',  'H',  'L',  'Q',                          /* magic */
    0x03,                                           /* version */
    0x01,                                           /* kind: query */
    0x00, 0x30,                                     /* header length 48 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, /* peer address */
    0,    0,    0,    1,                            /* ... ::1 */
    0x02, 0x23,                                     /* port 547 */
    0x00, 0x00,                                     /* reserved */
    0x00, 0x00, 0x00, 0x03,                         /* ifindex 3 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, /* local address */
    0,    0,    0,    2,                            /* ... ::2 */
    0x0e, 0x12, 0x34, 0x56,                         /* payload: LEASEQUERY xid */
};

static void test_get(void **state)
{
	struct lq_handoff_hdr h;

	(void)state;
	assert_int_equal(lq_handoff_get(query, sizeof(query), &h), 4);
	assert_int_equal(h.kind, LQ_HANDOFF_QUERY);
	assert_int_equal(h.port, 547);
	assert_int_equal(h.ifindex, 3);
	assert_int_equal(h.peer[0], 0x20);
	assert_int_equal(h.peer[15], 1);
	assert_int_equal(h.local[0], 0x20);
	assert_int_equal(h.local[15], 2);
}

static void test_put_round_trip(void **state)
{
	struct lq_handoff_hdr h, h2;
	uint8_t buf[sizeof(query)];

	(void)state;
	assert_int_equal(lq_handoff_get(query, sizeof(query), &h), 4);
	memcpy(buf, query, sizeof(query));
	memset(buf, 0xaa, LQ_HANDOFF_HDR_LEN);
	lq_handoff_put(buf, &h);
	assert_memory_equal(buf, query, sizeof(query));
	h.kind = LQ_HANDOFF_ANSWER;
	lq_handoff_put(buf, &h);
	assert_int_equal(buf[5], 2);
	assert_int_equal(lq_handoff_get(buf, sizeof(buf), &h2), 4);
	assert_int_equal(h2.kind, LQ_HANDOFF_ANSWER);
}

static void test_reject(void **state)
{
	struct lq_handoff_hdr h = {.kind = 9};
	uint8_t b[sizeof(query)];

	(void)state;
	assert_int_equal(lq_handoff_get(query, 0, &h), CH_ETRUNC);
	assert_int_equal(lq_handoff_get(query, LQ_HANDOFF_HDR_LEN - 1, &h), CH_ETRUNC);
	/* exactly a header: no payload */
	assert_int_equal(lq_handoff_get(query, LQ_HANDOFF_HDR_LEN, &h), CH_ETRUNC);
	assert_int_equal(h.kind, 9); /* untouched on error */
	memcpy(b, query, sizeof(b));
	b[0] = 'X';
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	memcpy(b, query, sizeof(b));
	b[4] = 1;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EVERSION);
	memcpy(b, query, sizeof(b));
	b[5] = 5;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	b[5] = 0;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	b[5] = 3; /* sockets */
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), 4);
	assert_int_equal(h.kind, LQ_HANDOFF_SOCKETS);
	b[5] = 4; /* reading */
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), 4);
	assert_int_equal(h.kind, LQ_HANDOFF_READING);
	memcpy(b, query, sizeof(b));
	b[7] = 49;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	/* one payload octet is enough */
	assert_int_equal(lq_handoff_get(query, LQ_HANDOFF_HDR_LEN + 1, &h), 1);
}

static int udp_on_loopback(void)
{
	struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&lo, sizeof(lo)), 0);
	return fd;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t l = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	return ntohs(sa.sin6_port);
}

/* One datagram at fd with its descriptors: returns the payload length. */
static int recv_with_fds(int fd, uint8_t *buf, size_t cap, int *fds, size_t *n)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(int) * LQ_HANDOFF_MAX_FDS)];
	} cb;
	struct iovec iov = {buf, cap};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof(cb.b)};
	ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	struct lq_handoff_hdr h;

	assert_true(r > 0);
	*n = lq_handoff_take_fds(&mh, fds, LQ_HANDOFF_MAX_FDS);
	return lq_handoff_get(buf, (size_t)r, &h);
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_socks_pass(void **state)
{
	int sp[2], udp[2], life[2], fds[LQ_HANDOFF_MAX_FDS];
	unsigned idx[2] = {7, 9};
	struct lq_handoff_socks s;
	struct pollfd pfd = {.events = POLLIN};
	uint8_t buf[256];
	size_t n;
	int len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), 0);
	assert_int_equal(pipe2(life, O_CLOEXEC), 0);
	udp[0] = udp_on_loopback();
	udp[1] = udp_on_loopback();
	assert_int_equal(lq_handoff_send_socks(sp[0], udp, NULL, idx, 2, life[0]), 0);
	len = recv_with_fds(sp[1], buf, sizeof(buf), fds, &n);
	assert_int_equal(buf[5], LQ_HANDOFF_SOCKETS);
	assert_int_equal(len, 8);
	assert_int_equal(n, 3);
	assert_int_equal(lq_handoff_socks_get(buf + LQ_HANDOFF_HDR_LEN, 8, fds, n, &s), 0);
	assert_int_equal(s.n, 2);
	assert_false(s.steered);
	assert_int_equal(s.ifindex[0], 7);
	assert_int_equal(s.ifindex[1], 9);
	assert_int_equal(port_of(s.fd[0]), port_of(udp[0])); /* the very sockets */
	assert_int_equal(port_of(s.fd[1]), port_of(udp[1]));
	/* the socket of the interface, else the first */
	assert_int_equal(lq_handoff_sock_for(&s, 9), s.fd[1]);
	assert_int_equal(lq_handoff_sock_for(&s, 7), s.fd[0]);
	assert_int_equal(lq_handoff_sock_for(&s, 0), s.fd[0]);
	assert_int_equal(lq_handoff_sock_for(&s, 8), s.fd[0]);
	/* the lifeline: quiet while the sender holds the write end */
	pfd.fd = s.lifeline;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	close(life[1]);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(pfd.revents & POLLHUP);
	lq_handoff_socks_clear(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(lq_handoff_sock_for(&s, 0), -1);
	assert_false(is_open(fds[0]));
	assert_false(is_open(fds[2]));
	assert_int_equal(lq_handoff_send_socks(sp[0], udp, NULL, idx, 0, life[0]), -EINVAL);
	assert_int_equal(
	    lq_handoff_send_socks(sp[0], udp, NULL, idx, LQ_HANDOFF_MAX_SOCKS + 1, life[0]),
	    -EINVAL);
	close(life[0]);
	close(udp[0]);
	close(udp[1]);
	close(sp[0]);
	close(sp[1]);
}

/* With steered sockets: twice the sockets and the lifeline, in order. */
static void test_socks_steered(void **state)
{
	int sp[2], udp[2], steer[2], life[2], fds[LQ_HANDOFF_MAX_FDS];
	unsigned idx[2] = {7, 9};
	struct lq_handoff_socks s;
	uint8_t buf[256];
	size_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), 0);
	assert_int_equal(pipe2(life, O_CLOEXEC), 0);
	for (int i = 0; i < 2; i++) {
		udp[i] = udp_on_loopback();
		steer[i] = udp_on_loopback();
	}
	assert_int_equal(lq_handoff_send_socks(sp[0], udp, steer, idx, 2, life[0]), 0);
	assert_int_equal(recv_with_fds(sp[1], buf, sizeof(buf), fds, &n), 8);
	assert_int_equal(n, 5);
	assert_int_equal(lq_handoff_socks_get(buf + LQ_HANDOFF_HDR_LEN, 8, fds, n, &s), 0);
	assert_true(s.steered);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(port_of(s.fd[i]), port_of(udp[i]));
		assert_int_equal(port_of(s.steer[i]), port_of(steer[i]));
	}
	assert_int_equal(s.lifeline, fds[4]);
	lq_handoff_socks_clear(&s);
	for (size_t i = 0; i < n; i++)
		assert_false(is_open(fds[i]));
	/* one steered socket short: none kept */
	assert_int_equal(lq_handoff_send_socks(sp[0], udp, steer, idx, 2, life[0]), 0);
	assert_int_equal(recv_with_fds(sp[1], buf, sizeof(buf), fds, &n), 8);
	close(fds[3]);
	fds[3] = fds[4];
	assert_int_equal(lq_handoff_socks_get(buf + LQ_HANDOFF_HDR_LEN, 8, fds, 4, &s),
	                 CH_EMALFORMED);
	for (size_t i = 0; i < 4; i++)
		assert_false(is_open(fds[i]));
	/* a pipe where a steered socket should be */
	assert_int_equal(
	    lq_handoff_send_socks(sp[0], udp, (int[]){steer[0], life[1]}, idx, 2, life[0]), 0);
	assert_int_equal(recv_with_fds(sp[1], buf, sizeof(buf), fds, &n), 8);
	assert_int_equal(lq_handoff_socks_get(buf + LQ_HANDOFF_HDR_LEN, 8, fds, n, &s),
	                 CH_EMALFORMED);
	for (size_t i = 0; i < n; i++)
		assert_false(is_open(fds[i]));
	for (int i = 0; i < 2; i++) {
		close(udp[i]);
		close(steer[i]);
		close(life[i]);
		close(sp[i]);
	}
}

/* Kind 4: a count and one pipe; anything else refused, its descriptors closed. */
static void test_reading(void **state)
{
	struct sockaddr_un to = {.sun_family = AF_UNIX};
	socklen_t tolen = sizeof(sa_family_t);
	int rx, tx, life[2], fds[LQ_HANDOFF_MAX_FDS], got = -1;
	struct pollfd pfd = {.events = POLLIN};
	uint8_t buf[256];
	size_t n;
	int len;

	(void)state;
	rx = socket(AF_UNIX, SOCK_DGRAM, 0);
	tx = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(rx, (struct sockaddr *)&to, sizeof(sa_family_t)), 0); /* autobind */
	tolen = sizeof(to);
	assert_int_equal(getsockname(rx, (struct sockaddr *)&to, &tolen), 0);
	assert_int_equal(pipe2(life, O_CLOEXEC), 0);
	assert_int_equal(lq_handoff_send_reading(tx, &to, tolen, 2, life[0]), 0);
	close(life[0]);
	len = recv_with_fds(rx, buf, sizeof(buf), fds, &n);
	assert_int_equal(buf[5], LQ_HANDOFF_READING);
	assert_int_equal(len, 4);
	assert_int_equal(n, 1);
	assert_int_equal(lq_handoff_reading_get(buf + LQ_HANDOFF_HDR_LEN, 4, fds, n, &got), 2);
	assert_int_equal(got, fds[0]);
	pfd.fd = got;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	close(life[1]);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(pfd.revents & POLLHUP);
	close(got);
	/* a socket where the pipe should be; a count of 0; no descriptor */
	got = -1;
	fds[0] = udp_on_loopback();
	assert_int_equal(lq_handoff_reading_get((const uint8_t *)"\0\0\0\1", 4, fds, 1, &got),
	                 CH_EMALFORMED);
	assert_false(is_open(fds[0]));
	assert_int_equal(pipe2(life, O_CLOEXEC), 0);
	assert_int_equal(lq_handoff_reading_get((const uint8_t *)"\0\0\0\0", 4, life, 1, &got),
	                 CH_EMALFORMED);
	assert_false(is_open(life[0]));
	assert_int_equal(lq_handoff_reading_get((const uint8_t *)"\0\0\0\1", 4, fds, 0, &got),
	                 CH_EMALFORMED);
	assert_int_equal(
	    lq_handoff_reading_get((const uint8_t *)"\0\0\0\1\0", 5, &life[1], 1, &got),
	    CH_EMALFORMED);
	assert_false(is_open(life[1]));
	assert_int_equal(got, -1); /* untouched */
	close(rx);
	close(tx);
}

/* Refused, and every descriptor closed: a pipe where a socket should be, a
 * TCP socket, the lifeline missing, a payload not a multiple of 4. */
static void test_socks_refused(void **state)
{
	struct lq_handoff_socks s = {.n = 99};
	static const uint8_t idx[8] = {0};
	int p[2], fds[3];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	assert_int_equal(lq_handoff_socks_get(idx, 4, fds, 2, &s), CH_EMALFORMED);
	assert_false(is_open(p[0]));
	assert_false(is_open(p[1]));
	fds[0] = socket(AF_INET6, SOCK_STREAM, 0);
	fds[1] = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_int_equal(lq_handoff_socks_get(idx, 4, fds, 2, &s), CH_EMALFORMED);
	assert_false(is_open(fds[0]));
	fds[0] = udp_on_loopback();
	assert_int_equal(lq_handoff_socks_get(idx, 4, fds, 1, &s), CH_EMALFORMED);
	assert_false(is_open(fds[0]));
	fds[0] = udp_on_loopback();
	fds[1] = udp_on_loopback();
	assert_int_equal(lq_handoff_socks_get(idx, 5, fds, 2, &s), CH_EMALFORMED);
	assert_false(is_open(fds[1]));
	assert_int_equal(s.n, 99); /* untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get),           cmocka_unit_test(test_put_round_trip),
	    cmocka_unit_test(test_reject),        cmocka_unit_test(test_socks_pass),
	    cmocka_unit_test(test_socks_refused), cmocka_unit_test(test_socks_steered),
	    cmocka_unit_test(test_reading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
