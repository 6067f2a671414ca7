/*
 * Unit tests for lib/d6_msg.c: every message type 1..17 built, parsed and
 * rebuilt; every captured message parsed and rebuilt byte for byte; header
 * edges (zero length, one short, exactly full output, one past).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "d6_msg.h"
#include "corpus_walk.h"

static const uint8_t duid_c[] = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t duid_s[] = {0x00, 0x02, 0x00, 0x00, 0x09, 0xbf, 0xac, 0xc0, 0x00, 0x01};
static const uint8_t link_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t peer_a[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};

static struct d6_msg m1, m2;

/* Builds m, writes it, parses it back into m2, rebuilds and compares bytes. */
static size_t round_trip(const struct d6_msg *m, uint8_t *buf, size_t cap)
{
	uint8_t again[1500];
	struct wire_wr w = wire_wr_init(buf, cap);
	struct wire_wr w2 = wire_wr_init(again, sizeof(again));

	assert_int_equal(d6_msg_build(m, &w), 0);
	assert_int_equal(d6_msg_parse(buf, w.len, &m2), 0);
	assert_int_equal(d6_msg_build(&m2, &w2), 0);
	assert_int_equal(w2.len, w.len);
	assert_memory_equal(again, buf, w.len);
	return w.len;
}

/* Options a message of this type typically carries (RFC 8415 Appendix B). */
static void add_typical(struct d6_msg *m, uint8_t type)
{
	static const uint8_t oro[] = {0x00, 0x17, 0x00, 0x52};
	static const uint8_t inner[] = {D6_MSG_SOLICIT, 0x01, 0x02, 0x03, 0x00,
	                                0x08,           0x00, 0x02, 0x00, 0x00};
	static const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 1,
	                                 0,    0,    0,    0,    0, 0, 0, 9};

	if (d6_msg_is_relay(type)) {
		assert_true(d6_msg_add_bytes(m, D6_ROOT, D6_OPT_INTERFACE_ID, "eth0", 4) >= 0);
		assert_true(d6_msg_add_bytes(m, D6_ROOT, D6_OPT_RELAY_MSG, inner, sizeof(inner)) >=
		            0);
		return;
	}
	assert_true(d6_msg_add_bytes(m, D6_ROOT, D6_OPT_CLIENTID, duid_c, sizeof(duid_c)) >= 0);
	if (type != D6_MSG_SOLICIT && type != D6_MSG_CONFIRM && type != D6_MSG_REBIND)
		assert_true(d6_msg_add_bytes(m, D6_ROOT, D6_OPT_SERVERID, duid_s, sizeof(duid_s)) >=
		            0);
	if (type == D6_MSG_LEASEQUERY) {
		int q = d6_msg_add(m, D6_ROOT, D6_OPT_LQ_QUERY);

		assert_true(q >= 0);
		m->node[q].v.lq.qtype = LQ_QUERY_BY_ADDRESS;
		assert_true(d6_ia_add_addr(m, q, addr, 0, 0) >= 0);
		return;
	}
	assert_true(d6_msg_add_u16(m, D6_ROOT, D6_OPT_ELAPSED_TIME, 100) >= 0);
	assert_true(d6_msg_add_bytes(m, D6_ROOT, D6_OPT_ORO, oro, sizeof(oro)) >= 0);
	if (type != D6_MSG_INFO_REQUEST) {
		int ia = d6_ia_add_na(m, 7, 1800, 2880);

		assert_true(ia >= 0);
		assert_true(d6_ia_add_addr(m, ia, addr, 3600, 7200) >= 0);
	}
}

static void test_every_message_type(void **state)
{
	(void)state;
	for (uint8_t type = 1; type <= D6_MSG_MAX; type++) {
		uint8_t buf[1500];
		size_t len;

		if (d6_msg_is_relay(type))
			d6_msg_init_relay(&m1, type, 3, link_a, peer_a);
		else
			d6_msg_init(&m1, type, 0xabcdef);
		add_typical(&m1, type);
		len = round_trip(&m1, buf, sizeof(buf));
		assert_int_equal(buf[0], type);
		assert_int_equal(m2.type, type);
		assert_int_equal(m2.n_nodes, m1.n_nodes);
		if (d6_msg_is_relay(type)) {
			assert_int_equal(m2.hops, 3);
			assert_memory_equal(m2.link, link_a, 16);
			assert_memory_equal(m2.peer, peer_a, 16);
			assert_int_equal(
			    m2.node[d6_msg_find(&m2, D6_ROOT, D6_OPT_RELAY_MSG)].tail_len, 10);
		} else {
			int c = d6_msg_find(&m2, D6_ROOT, D6_OPT_CLIENTID);

			assert_int_equal(m2.xid, 0xabcdef);
			assert_true(c != D6_NONE);
			assert_int_equal(m2.node[c].tail_len, sizeof(duid_c));
			assert_memory_equal(m2.node[c].tail, duid_c, sizeof(duid_c));
		}
		assert_true(len > 4);
		assert_string_not_equal(d6_msg_name(type), "unknown");
	}
}

static void test_header_edges(void **state)
{
	static const uint8_t solicit[] = {0x01, 0x12, 0x34, 0x56};
	static const uint8_t relay[34] = {0x0c, 0x00};

	(void)state;
	assert_int_equal(d6_msg_parse(NULL, 0, &m1), CH_ETRUNC);
	assert_int_equal(d6_msg_parse(solicit, 3, &m1), CH_ETRUNC);
	assert_int_equal(d6_msg_parse(solicit, 4, &m1), 0);
	assert_int_equal(m1.xid, 0x123456);
	assert_int_equal(m1.first, D6_NONE);
	assert_int_equal(d6_msg_parse(relay, 33, &m1), CH_ETRUNC);
	assert_int_equal(d6_msg_parse(relay, 34, &m1), 0);
	assert_int_equal(d6_msg_parse((const uint8_t *)"\x00\x00\x00\x00", 4, &m1), CH_EMALFORMED);
	assert_int_equal(d6_msg_parse((const uint8_t *)"\x12\x00\x00\x00", 4, &m1), CH_EMALFORMED);
}

static void test_option_edges(void **state)
{
	/* Reply xid 1, ELAPSED_TIME(2 octets) */
	static const uint8_t ok[] = {0x07, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x02, 0x00, 0x05};

	(void)state;
	assert_int_equal(d6_msg_parse(ok, sizeof(ok), &m1), 0);
	assert_int_equal(m1.node[m1.first].v.u16, 5);
	/* body one octet short, header one octet short */
	assert_int_equal(d6_msg_parse(ok, sizeof(ok) - 1, &m1), CH_ETRUNC);
	assert_int_equal(d6_msg_parse(ok, 7, &m1), CH_ETRUNC);
	assert_int_equal(d6_msg_parse(ok, 5, &m1), CH_ETRUNC);
}

static void test_output_exactly_full_and_one_short(void **state)
{
	uint8_t buf[64];
	struct wire_wr w;
	size_t need;

	(void)state;
	d6_msg_init(&m1, D6_MSG_REPLY, 1);
	assert_true(d6_msg_add_bytes(&m1, D6_ROOT, D6_OPT_SERVERID, duid_s, sizeof(duid_s)) >= 0);
	w = wire_wr_init(buf, sizeof(buf));
	assert_int_equal(d6_msg_build(&m1, &w), 0);
	need = w.len;
	assert_int_equal(need, 4 + 4 + sizeof(duid_s));
	w = wire_wr_init(buf, need);
	assert_int_equal(d6_msg_build(&m1, &w), 0);
	assert_int_equal(w.len, need);
	w = wire_wr_init(buf, need - 1);
	assert_int_equal(d6_msg_build(&m1, &w), CH_ENOSPACE);
	w = wire_wr_init(buf, 0);
	assert_int_equal(d6_msg_build(&m1, &w), CH_ENOSPACE);
}

static void test_unknown_options_keep_order(void **state)
{
	/* Reply; unknown 0x1234 (2 octets); ELAPSED 0; unknown 0xfff0 (0 octets) */
	static const uint8_t in[] = {0x07, 0, 0, 9, 0x12, 0x34, 0,    2,    0xaa, 0xbb,
	                             0,    8, 0, 2, 0,    0,    0xff, 0xf0, 0,    0};
	uint8_t out[64];
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	int i;

	(void)state;
	assert_int_equal(d6_msg_parse(in, sizeof(in), &m1), 0);
	i = d6_msg_first(&m1, D6_ROOT);
	assert_int_equal(m1.node[i].code, 0x1234);
	assert_null(d6_msg_rule(&m1, i));
	assert_int_equal(m1.node[i].tail_len, 2);
	i = d6_msg_next(&m1, i);
	assert_int_equal(m1.node[i].code, D6_OPT_ELAPSED_TIME);
	i = d6_msg_next(&m1, i);
	assert_int_equal(m1.node[i].code, 0xfff0);
	assert_int_equal(d6_msg_next(&m1, i), D6_NONE);
	assert_int_equal(d6_msg_build(&m1, &w), 0);
	assert_int_equal(w.len, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
}

static void test_caps(void **state)
{
	uint8_t buf[4096];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	(void)state;
	d6_msg_init(&m1, D6_MSG_REQUEST, 1);
	for (uint32_t i = 0; i <= D6_MSG_MAX_IAS; i++)
		assert_true(d6_ia_add_na(&m1, i, 0, 0) >= 0);
	assert_int_equal(d6_msg_build(&m1, &w), 0);
	assert_int_equal(d6_msg_parse(buf, w.len, &m2), CH_ELIMIT);
	/* the node cap also holds for the builder */
	d6_msg_init(&m1, D6_MSG_REPLY, 1);
	for (int i = 0; i < D6_MSG_MAX_NODES; i++)
		assert_true(d6_msg_add(&m1, D6_ROOT, 0x7000) >= 0);
	assert_int_equal(d6_msg_add(&m1, D6_ROOT, 0x7000), CH_ELIMIT);
	/* and children only go into containers, where they are allowed */
	assert_int_equal(d6_msg_add(&m1, 0, D6_OPT_IAADDR), CH_EINVAL);
	assert_int_equal(d6_msg_add(&m1, D6_ROOT, D6_OPT_IAADDR), CH_ENEST);
}

static void replay_one(const char *path, int *count)
{
	uint8_t buf[1500], out[1500];
	FILE *f = fopen(path, "rb");
	size_t n;
	struct wire_wr w = wire_wr_init(out, sizeof(out));

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == 0 || d6_msg_is_relay(buf[0]))
		return;
	assert_int_equal(d6_msg_parse(buf, n, &m1), 0);
	assert_int_equal(d6_msg_build(&m1, &w), 0);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, buf, n);
	(*count)++;
}

/* A container option added as bytes, with no child nodes, keeps its bytes
 * (it used to be written with an empty body). */
static void test_container_from_bytes_keeps_its_body(void **state)
{
	static const uint8_t ntp_body[] = {
	    0x00, 0x01, 0x00, 0x10, /* sub-option SRV_ADDR, length 16 */
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
	};
	struct d6_msg m, back;
	uint8_t buf[128];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	int ntp, sub;

	(void)state;
	d6_msg_init(&m, D6_MSG_REPLY, 0x010203);
	assert_true(d6_msg_add_bytes(&m, D6_ROOT, D6_OPT_NTP_SERVER, ntp_body, sizeof(ntp_body)) >=
	            0);
	assert_int_equal(d6_msg_build(&m, &w), 0);
	assert_int_equal(w.len, 4 + 4 + sizeof(ntp_body));
	assert_memory_equal(buf + 8, ntp_body, sizeof(ntp_body));
	assert_int_equal(d6_msg_parse(buf, w.len, &back), 0);
	ntp = d6_msg_find(&back, D6_ROOT, D6_OPT_NTP_SERVER);
	assert_int_not_equal(ntp, D6_NONE);
	sub = d6_msg_first(&back, ntp);
	assert_int_not_equal(sub, D6_NONE);
	assert_int_equal(back.node[sub].code, D6_NTP_SRV_ADDR);
}

/* Every client/server message captured from dhclient, dhcpcd, dhcp6c and Kea. */
static void test_captures_round_trip(void **state)
{
	(void)state;
	assert_true(corpus_walk("fuzz_d6_msg", "cap-", replay_one) >= 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_type),
	    cmocka_unit_test(test_container_from_bytes_keeps_its_body),
	    cmocka_unit_test(test_header_edges),
	    cmocka_unit_test(test_option_edges),
	    cmocka_unit_test(test_output_exactly_full_and_one_short),
	    cmocka_unit_test(test_unknown_options_keep_order),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_captures_round_trip),
	};

	return cmocka_run_group_tests_name("d6_msg", tests, NULL, NULL);
}
