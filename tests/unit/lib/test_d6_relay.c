/*
 * Unit tests for lib/d6_relay.c: depth bounds (9 layers pass, 10 give
 * CH_EDEEP by default, 33 with the legacy cap), Relay-reply through 3
 * hops echoing each INTERFACE_ID, stripped chains for LQ_RELAY_DATA, and
 * every captured Relay-forward/Relay-reply rebuilt byte for byte.
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

#include "d6_msg.h"
#include "d6_relay.h"
#include "corpus_walk.h"

static struct d6_relay_chain c, c2;
static struct d6_msg m;

/* Solicit, xid 0x0a0b0c, ELAPSED_TIME 0 */
static const uint8_t solicit[] = {0x01, 0x0a, 0x0b, 0x0c, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00};

/* Wraps msg (len) in a relay layer of type with INTERFACE_ID "if<hops>". */
static size_t wrap(uint8_t *out, size_t cap, uint8_t type, uint8_t hops, const uint8_t *msg,
                   size_t len)
{
	struct wire_wr w = wire_wr_init(out, cap);
	uint8_t link[16] = {0x20, 0x01, 0x0d, 0xb8, 0, hops}, peer[16] = {0xfe, 0x80};
	char ifid[8];
	size_t s;

	peer[15] = hops;
	snprintf(ifid, sizeof(ifid), "if%u", hops);
	wire_put_u8(&w, type);
	wire_put_u8(&w, hops);
	wire_put_bytes(&w, link, 16);
	wire_put_bytes(&w, peer, 16);
	d6_put_opt(&w, D6_OPT_INTERFACE_ID, ifid, strlen(ifid));
	s = d6_put_begin(&w, D6_OPT_RELAY_MSG);
	wire_put_bytes(&w, msg, len);
	d6_put_end(&w, s);
	assert_int_equal(w.err, 0);
	return w.len;
}

/* A chain of n Relay-forwards around solicit; outermost hop-count n - 1. */
static size_t make_chain(uint8_t *buf, size_t cap, unsigned n)
{
	uint8_t tmp[4096];
	size_t len = sizeof(solicit);

	memcpy(buf, solicit, len);
	for (unsigned i = 0; i < n; i++) {
		len = wrap(tmp, sizeof(tmp), D6_MSG_RELAY_FORW, (uint8_t)i, buf, len);
		assert_true(len <= cap);
		memcpy(buf, tmp, len);
	}
	return len;
}

static void test_nine_layers_pass_ten_are_too_deep(void **state)
{
	uint8_t buf[4096], out[4096];
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	size_t n;

	(void)state;
	n = make_chain(buf, sizeof(buf), 9);
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(c.n, 9);
	assert_int_equal(c.layer[0].hops, 8);
	assert_int_equal(c.layer[8].hops, 0);
	assert_int_equal(c.inner_len, sizeof(solicit));
	assert_memory_equal(c.inner, solicit, sizeof(solicit));
	assert_int_equal(d6_relay_build(&c, &w), 0);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, buf, n);

	n = make_chain(buf, sizeof(buf), 10);
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), CH_EDEEP);
	/* legacy relays: a configurable cap up to 32 */
	assert_int_equal(d6_relay_parse(buf, n, 32, 0, &c), 0);
	assert_int_equal(c.n, 10);
	n = make_chain(buf, sizeof(buf), 33);
	assert_int_equal(d6_relay_parse(buf, n, 32, 0, &c), 0);
	n = make_chain(buf, sizeof(buf), 34);
	assert_int_equal(d6_relay_parse(buf, n, 32, 0, &c), CH_EDEEP);
	assert_int_equal(d6_relay_parse(buf, n, 33, 0, &c), CH_EINVAL);
}

static void test_hop_count_over_limit(void **state)
{
	uint8_t buf[256];
	size_t n = wrap(buf, sizeof(buf), D6_MSG_RELAY_FORW, 9, solicit, sizeof(solicit));

	(void)state;
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), CH_EDEEP);
	n = wrap(buf, sizeof(buf), D6_MSG_RELAY_FORW, 8, solicit, sizeof(solicit));
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
}

static void test_reply_through_three_hops(void **state)
{
	/* Reply, xid 0x0a0b0c, STATUS_CODE Success */
	static const uint8_t reply[] = {0x07, 0x0a, 0x0b, 0x0c, 0, 13, 0, 2, 0, 0};
	uint8_t buf[1024], out[1024];
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	size_t n = make_chain(buf, sizeof(buf), 3);

	(void)state;
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(d6_relay_build_reply(&c, reply, sizeof(reply), &w), 0);
	assert_int_equal(d6_relay_parse(out, w.len, HOP_COUNT_LIMIT, 0, &c2), 0);
	assert_int_equal(c2.n, 3);
	for (size_t i = 0; i < 3; i++) {
		char ifid[8];

		snprintf(ifid, sizeof(ifid), "if%zu", 2 - i);
		assert_int_equal(c2.layer[i].type, D6_MSG_RELAY_REPL);
		assert_int_equal(c2.layer[i].hops, c.layer[i].hops);
		assert_memory_equal(c2.layer[i].link, c.layer[i].link, 16);
		assert_memory_equal(c2.layer[i].peer, c.layer[i].peer, 16);
		assert_int_equal(c2.layer[i].ifid_len, strlen(ifid));
		assert_memory_equal(c2.layer[i].ifid, ifid, strlen(ifid));
	}
	assert_int_equal(c2.inner_len, sizeof(reply));
	assert_memory_equal(c2.inner, reply, sizeof(reply));
	/* the reply is exactly what wrapping by hand gives */
	n = wrap(buf, sizeof(buf), D6_MSG_RELAY_REPL, 0, reply, sizeof(reply));
	n = wrap(buf + 512, 512, D6_MSG_RELAY_REPL, 1, buf, n);
	n = wrap(buf, 512, D6_MSG_RELAY_REPL, 2, buf + 512, n);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, buf, n);
	/* one octet short of the output */
	w = wire_wr_init(out, n - 1);
	assert_int_equal(d6_relay_build_reply(&c, reply, sizeof(reply), &w), CH_ENOSPACE);
}

static void test_stripped_chain(void **state)
{
	uint8_t buf[1024], out[1024], again[1024];
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	struct wire_wr w2 = wire_wr_init(again, sizeof(again));
	size_t n = make_chain(buf, sizeof(buf), 2);

	(void)state;
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(d6_relay_build_stripped(&c, &w), 0);
	assert_int_equal(w.len, n - sizeof(solicit) - 4);
	assert_int_equal(d6_relay_parse(out, w.len, HOP_COUNT_LIMIT, 0, &c2), CH_EMISSING);
	assert_int_equal(d6_relay_parse(out, w.len, HOP_COUNT_LIMIT, D6_RELAY_STRIPPED, &c2), 0);
	assert_int_equal(c2.n, 2);
	assert_null(c2.inner);
	assert_memory_equal(c2.layer[1].ifid, "if0", 3);
	assert_int_equal(d6_relay_build(&c2, &w2), 0);
	assert_int_equal(w2.len, w.len);
	assert_memory_equal(again, out, w.len);
	/* a full chain is not a stripped one */
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, D6_RELAY_STRIPPED, &c2),
	                 CH_EMALFORMED);
}

static void test_bad_chains(void **state)
{
	uint8_t buf[1024], tmp[1024];
	size_t n;
	uint8_t link[16];

	(void)state;
	assert_int_equal(d6_relay_parse(NULL, 0, HOP_COUNT_LIMIT, 0, &c), CH_ETRUNC);
	assert_int_equal(d6_relay_parse(solicit, sizeof(solicit), HOP_COUNT_LIMIT, 0, &c),
	                 CH_EMALFORMED);
	/* RELAY-REPL inside RELAY-FORW */
	n = wrap(tmp, sizeof(tmp), D6_MSG_RELAY_REPL, 0, solicit, sizeof(solicit));
	n = wrap(buf, sizeof(buf), D6_MSG_RELAY_FORW, 1, tmp, n);
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), CH_EMALFORMED);
	/* header only: no RELAY_MSG */
	n = wrap(buf, sizeof(buf), D6_MSG_RELAY_FORW, 0, solicit, sizeof(solicit));
	assert_int_equal(d6_relay_parse(buf, 34, HOP_COUNT_LIMIT, 0, &c), CH_EMISSING);
	/* one octet short */
	assert_int_equal(d6_relay_parse(buf, n - 1, HOP_COUNT_LIMIT, 0, &c), CH_ETRUNC);
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(d6_relay_link_addr(&c, link), 0);
	assert_memory_equal(link, c.layer[0].link, 16);
	memset(c.layer[0].link, 0, 16);
	assert_int_equal(d6_relay_link_addr(&c, link), CH_ENOENT);
}

static void replay_capture(const char *path, int *count)
{
	uint8_t buf[1500], out[1500];
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &c), 0);
	assert_int_equal(d6_msg_parse(c.inner, c.inner_len, &m), 0);
	assert_int_equal(d6_relay_build(&c, &w), 0);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, buf, n);
	(*count)++;
}

/* Every Relay-forward/Relay-reply captured between dhcrelay and Kea. */
static void test_captures_round_trip(void **state)
{
	(void)state;
	assert_true(corpus_walk("fuzz_d6_relay", "cap-", replay_capture) >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nine_layers_pass_ten_are_too_deep),
	    cmocka_unit_test(test_hop_count_over_limit),
	    cmocka_unit_test(test_reply_through_three_hops),
	    cmocka_unit_test(test_stripped_chain),
	    cmocka_unit_test(test_bad_chains),
	    cmocka_unit_test(test_captures_round_trip),
	};

	return cmocka_run_group_tests_name("d6_relay", tests, NULL, NULL);
}
