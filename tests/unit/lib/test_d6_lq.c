/*
 * Unit tests for lib/d6_lq.c: bulk leasequery framing (partial frame,
 * exact frame, two frames in one buffer, zero length), LQ_QUERY checks per
 * query type, and LQ_RELAY_DATA built from a captured relay chain.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "d6_lq.h"

static struct d6_msg m, m2;
static struct d6_relay_chain c, c2;
static const uint8_t zero[16];
static const uint8_t link1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 1};
static const uint8_t duid[] = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

/* msg-size 10, LEASEQUERY-DONE xid 0x000007, STATUS_CODE Success */
static const uint8_t frame[] = {0x00, 0x0a, 0x10, 0x00, 0x00, 0x07,
                                0x00, 0x0d, 0x00, 0x02, 0x00, 0x00};

static void test_frame_partial(void **state)
{
	(void)state;
	assert_int_equal(d6_lq_frame(frame, 0), D6_LQ_FRAME_NEED);
	assert_int_equal(d6_lq_frame(frame, 1), D6_LQ_FRAME_NEED);
	assert_int_equal(d6_lq_frame(frame, 2), D6_LQ_FRAME_NEED);
	assert_int_equal(d6_lq_frame(frame, sizeof(frame) - 1), D6_LQ_FRAME_NEED);
}

static void test_frame_exact_and_two_in_one_buffer(void **state)
{
	uint8_t two[2 * sizeof(frame)];
	int n;

	(void)state;
	assert_int_equal(d6_lq_frame(frame, sizeof(frame)), sizeof(frame));
	assert_int_equal(d6_msg_parse(frame + 2, sizeof(frame) - 2, &m), 0);
	assert_int_equal(m.type, D6_MSG_LQ_DONE);
	memcpy(two, frame, sizeof(frame));
	memcpy(two + sizeof(frame), frame, sizeof(frame));
	n = d6_lq_frame(two, sizeof(two));
	assert_int_equal(n, sizeof(frame));
	assert_int_equal(d6_lq_frame(two + n, sizeof(two) - (size_t)n), sizeof(frame));
	/* the second one cut short */
	assert_int_equal(d6_lq_frame(two + n, sizeof(two) - (size_t)n - 1), D6_LQ_FRAME_NEED);
}

static void test_frame_bad(void **state)
{
	(void)state;
	/* zero length, a length below a header, a non-leasequery message */
	assert_int_equal(d6_lq_frame((const uint8_t[]){0, 0}, 2), CH_EMALFORMED);
	assert_int_equal(d6_lq_frame((const uint8_t[]){0, 3, 14, 0, 0}, 5), CH_EMALFORMED);
	assert_int_equal(d6_lq_frame((const uint8_t[]){0, 4, D6_MSG_SOLICIT}, 3), CH_EMALFORMED);
	/* largest frame: just needs more */
	assert_int_equal(d6_lq_frame((const uint8_t[]){0xff, 0xff, 15}, 3), D6_LQ_FRAME_NEED);
}

static void test_frame_put(void **state)
{
	uint8_t buf[64];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	(void)state;
	d6_msg_init(&m, D6_MSG_LQ_DONE, 7);
	d6_ia_add_status(&m, D6_ROOT, D6_STATUS_SUCCESS, NULL, 0);
	assert_int_equal(d6_lq_frame_put(&m, &w), 0);
	assert_int_equal(w.len, sizeof(frame));
	assert_memory_equal(buf, frame, sizeof(frame));
	w = wire_wr_init(buf, sizeof(frame) - 1);
	assert_int_equal(d6_lq_frame_put(&m, &w), CH_ENOSPACE);
	w = wire_wr_init(buf, 1);
	assert_int_equal(d6_lq_frame_put(&m, &w), CH_ENOSPACE);
}

static void query_round_trip(void)
{
	uint8_t buf[512];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	assert_int_equal(d6_msg_build(&m, &w), 0);
	assert_int_equal(d6_msg_parse(buf, w.len, &m2), 0);
}

static void test_query_checks(void **state)
{
	struct d6_lq_query q;
	int qi;

	(void)state;
	d6_msg_init(&m, D6_MSG_LEASEQUERY, 1);
	d6_msg_add_bytes(&m, D6_ROOT, D6_OPT_CLIENTID, duid, sizeof(duid));
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), CH_EMISSING);
	/* BY_CLIENTID without a CLIENTID query-option */
	qi = d6_lq_add_query(&m, LQ_QUERY_BY_CLIENTID, zero);
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), CH_EMISSING);
	assert_int_equal(q.qtype, LQ_QUERY_BY_CLIENTID);
	d6_msg_add_bytes(&m, qi, D6_OPT_CLIENTID, duid, sizeof(duid));
	d6_msg_add_bytes(&m, qi, D6_OPT_ORO, "\x00\x2f", 2);
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), 0);
	assert_int_not_equal(q.target, D6_NONE);
	assert_int_not_equal(q.oro, D6_NONE);
	assert_false(d6_lq_is_bulk_query(q.qtype));
	/* BY_LINK_ADDRESS needs a link-address; unknown types are ENOENT */
	d6_msg_init(&m, D6_MSG_LEASEQUERY, 1);
	d6_lq_add_query(&m, LQ_QUERY_BY_LINK_ADDRESS, zero);
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), CH_EMISSING);
	m.node[0].v.lq.qtype = 99;
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), CH_ENOENT);
	d6_msg_init(&m, D6_MSG_LEASEQUERY, 1);
	d6_lq_add_query(&m, LQ_QUERY_BY_LINK_ADDRESS, link1);
	query_round_trip();
	assert_int_equal(d6_lq_query_get(&m2, &q), 0);
	assert_true(d6_lq_is_bulk_query(q.qtype));
	assert_string_equal(d6_lq_query_name(q.qtype), "BY_LINK_ADDRESS");
}

/* A Relay-forward from the captures, stripped, carried in CLIENT_DATA. */
static void test_relay_data_from_capture(void **state)
{
	const char *src = getenv("CHORUS_SRCDIR");
	char path[4096];
	uint8_t fwd[1500], chain[1500], buf[1500], peer[16];
	struct wire_wr w = wire_wr_init(chain, sizeof(chain));
	struct wire_wr wb = wire_wr_init(buf, sizeof(buf));
	int cd, rd;
	FILE *f;
	size_t n;

	(void)state;
	snprintf(
	    path, sizeof(path),
	    "%s/tests/fuzz/corpus/fuzz_d6_relay/cap-dhcpcd-relay-linkA-relay-forw-relay-repl-1.bin",
	    src ? src : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(fwd, 1, sizeof(fwd), f);
	fclose(f);
	assert_int_equal(d6_relay_parse(fwd, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(d6_relay_build_stripped(&c, &w), 0);
	d6_msg_init(&m, D6_MSG_LQ_DATA, 3);
	cd = d6_lq_add_client_data(&m);
	d6_msg_add_bytes(&m, cd, D6_OPT_CLIENTID, duid, sizeof(duid));
	d6_lq_add_clt_time(&m, cd, 30);
	rd = d6_lq_add_relay_data(&m, cd, link1, chain, w.len);
	assert_true(rd >= 0);
	assert_int_equal(d6_msg_build(&m, &wb), 0);
	assert_int_equal(d6_msg_parse(buf, wb.len, &m2), 0);
	rd = d6_msg_find(&m2, d6_msg_find(&m2, D6_ROOT, D6_OPT_CLIENT_DATA), D6_OPT_LQ_RELAY_DATA);
	assert_int_equal(d6_lq_relay_data_parse(&m2, rd, peer, &c2), 0);
	assert_memory_equal(peer, link1, 16);
	assert_int_equal(c2.n, c.n);
	assert_memory_equal(c2.layer[0].peer, c.layer[0].peer, 16);
	assert_memory_equal(c2.layer[0].link, c.layer[0].link, 16);
	assert_null(c2.inner);
	assert_int_equal(d6_lq_relay_data_parse(&m2, 0, peer, &c2), CH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frame_partial),
	    cmocka_unit_test(test_frame_exact_and_two_in_one_buffer),
	    cmocka_unit_test(test_frame_bad),
	    cmocka_unit_test(test_frame_put),
	    cmocka_unit_test(test_query_checks),
	    cmocka_unit_test(test_relay_data_from_capture),
	};

	return cmocka_run_group_tests_name("d6_lq", tests, NULL, NULL);
}
