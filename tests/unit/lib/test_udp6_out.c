/*
 * Unit tests for lib/udp6_out.c: the msghdr of a datagram carries an
 * IPV6_PKTINFO only when it names an interface or a unicast source (a
 * multicast source is left to the kernel), and a real send over loopback
 * arrives with that source; a bad descriptor sends nothing and says why.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "udp6_out.h"

static struct in6_pktinfo pktinfo_of(struct msghdr *mh)
{
	struct in6_pktinfo pi;
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);

	assert_non_null(c);
	assert_int_equal(c->cmsg_level, IPPROTO_IPV6);
	assert_int_equal(c->cmsg_type, IPV6_PKTINFO);
	assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(pi)));
	memcpy(&pi, CMSG_DATA(c), sizeof(pi));
	return pi;
}

static void test_msg(void **state)
{
	struct udp6_out o = {.p = "abc", .n = 3, .dst = {.sin6_family = AF_INET6}};
	union udp6_out_cmsg cb;
	struct in6_pktinfo pi;
	struct iovec iov;
	struct msghdr mh;

	(void)state;
	/* neither interface nor source: no control data */
	udp6_out_msg(&o, &mh, &iov, &cb);
	assert_ptr_equal(mh.msg_name, &o.dst);
	assert_int_equal(mh.msg_namelen, sizeof(o.dst));
	assert_int_equal(mh.msg_iovlen, 1);
	assert_ptr_equal(iov.iov_base, o.p);
	assert_int_equal(iov.iov_len, 3);
	assert_null(mh.msg_control);
	assert_int_equal(mh.msg_controllen, 0);
	/* a multicast source (the query went to ff02::1:2): the kernel picks */
	inet_pton(AF_INET6, "ff02::1:2", &o.src);
	udp6_out_msg(&o, &mh, &iov, &cb);
	assert_null(mh.msg_control);
	o.ifindex = 7;
	udp6_out_msg(&o, &mh, &iov, &cb);
	pi = pktinfo_of(&mh);
	assert_int_equal(pi.ipi6_ifindex, 7);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&pi.ipi6_addr));
	/* a unicast source with no interface */
	o.ifindex = 0;
	inet_pton(AF_INET6, "2001:db8::1", &o.src);
	udp6_out_msg(&o, &mh, &iov, &cb);
	pi = pktinfo_of(&mh);
	assert_int_equal(pi.ipi6_ifindex, 0);
	assert_memory_equal(&pi.ipi6_addr, &o.src, 16);
}

static void test_send_loopback(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(sa);
	struct udp6_out o[2];
	uint8_t buf[8];
	int rx, tx, err;

	(void)state;
	rx = socket(AF_INET6, SOCK_DGRAM, 0);
	tx = socket(AF_INET6, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		skip(); /* no IPv6 loopback here */
	assert_int_equal(getsockname(rx, (struct sockaddr *)&sa, &len), 0);
	for (int i = 0; i < 2; i++)
		o[i] = (struct udp6_out){
		    .p = i ? "two" : "one", .n = 3, .dst = sa, .src = sa.sin6_addr};
	assert_int_equal(udp6_out_send(tx, o, 2, &err), 2);
	assert_int_equal(err, 0);
	assert_int_equal(recv(rx, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "one", 3);
	assert_int_equal(recv(rx, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "two", 3);
	close(rx);
	close(tx);
	assert_int_equal(udp6_out_send(-1, o, 2, &err), 0);
	assert_int_equal(err, -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msg),
	    cmocka_unit_test(test_send_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
