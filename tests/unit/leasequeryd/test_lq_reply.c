/*
 * Unit tests for leasequeryd/lq_reply.c: a CLIENT_DATA byte for byte (an
 * address and a prefix with their remaining lifetimes, CLT_TIME of the
 * latest binding), LQ_RELAY_DATA inside it only when asked and present,
 * CLIENT_FQDN from the lease's name and the stored client options the ORO
 * asks for,
 * the reply head, ids and status, and a writer one octet too small.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lq_reply.h"

static struct lq_client c;
static uint8_t chain[] = {0x0c, 0x00}; /* a (short) stored relay chain */

static void fill(void)
{
	static const uint8_t duid[] = {0x00, 0x03, 0x00, 0x01, 0x02, 0, 0, 0, 0, 0xd1};

	memset(&c, 0, sizeof(c));
	c.n = 2;
	for (int i = 0; i < 2; i++) {
		memcpy(c.row[i].duid, duid, sizeof(duid));
		c.row[i].duid_len = sizeof(duid);
		c.row[i].hwtype = -1;
	}
	/* 2001:db8:1::5, 290/590 left, last seen 10 s ago */
	memcpy(c.row[0].addr, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5}, 16);
	c.row[0].pref = 290;
	c.row[0].valid = 590;
	c.row[0].age = 10;
	/* 2001:db8:100::/56, seen 4 s ago, through a relay */
	c.row[1].pd = true;
	memcpy(c.row[1].addr, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 1, [15] = 0}, 16);
	c.row[1].plen = 56;
	c.row[1].pref = 296;
	c.row[1].valid = 596;
	c.row[1].age = 4;
	c.row[1].relayed = true;
	c.row[1].relay_src[15] = 1;
	c.row[1].chain = chain;
	c.row[1].chain_len = sizeof(chain);
}

static const uint8_t want_cd[] = {
    0x00, 0x2d, 0x00, 0x4f,                                                 /* CLIENT_DATA, 79 */
    0x00, 0x01, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x02, 0, 0, 0, 0, 0xd1, /* CLIENTID */
    0x00, 0x05, 0x00, 0x18,                                                 /* IAADDR, 24 */
    0x20, 0x01, 0x0d, 0xb8, 0,    1,    0,    0,    0,    0, 0, 0, 0, 0,    0, 5,
    0,    0,    0x01, 0x22,                             /* pref 290 */
    0,    0,    0x02, 0x4e,                             /* valid 590 */
    0x00, 0x1a, 0x00, 0x19,                             /* IAPREFIX, 25 */
    0,    0,    0x01, 0x28, 0,    0,    0x02, 0x54, 56, /* 296, 596, /56 */
    0x20, 0x01, 0x0d, 0xb8, 1,    0,    0,    0,    0,    0, 0, 0, 0, 0,    0, 0, /* prefix */
    0x00, 0x2e, 0x00, 0x04, 0,    0,    0,    4, /* CLT_TIME: the latest, 4 s */
};

static void test_client_data(void **state)
{
	uint8_t buf[256];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct lq_want none = {0};

	(void)state;
	fill();
	lq_reply_client_data(&w, &c, &none, true);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, sizeof(want_cd));
	assert_memory_equal(buf, want_cd, sizeof(want_cd));
	assert_ptr_equal(lq_client_latest(&c), &c.row[1]);
	assert_ptr_equal(lq_client_relayed(&c), &c.row[1]);
}

static void test_relay_inside_when_asked(void **state)
{
	uint8_t buf[256];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct lq_want rd = {.relay_data = true};
	/* LQ_RELAY_DATA: peer ::1 then the chain */
	static const uint8_t tail[] = {0x00, 0x2f, 0x00, 0x12, 0, 0, 0, 0, 0, 0,    0,
	                               0,    0,    0,    0,    0, 0, 0, 0, 1, 0x0c, 0x00};

	(void)state;
	fill();
	lq_reply_client_data(&w, &c, &rd, true);
	assert_int_equal(w.len, sizeof(want_cd) + sizeof(tail));
	assert_int_equal(buf[3], 0x4f + sizeof(tail));
	assert_memory_equal(buf + sizeof(want_cd), tail, sizeof(tail));
	/* no relay data: nothing added even when asked (RFC 5007 §4.1.2.4) */
	c.row[1].relayed = false;
	w = wire_wr_init(buf, sizeof(buf));
	lq_reply_client_data(&w, &c, &rd, true);
	assert_int_equal(w.len, sizeof(want_cd));
	assert_null(lq_client_relayed(&c));
}

/* ORO 39 and 61: CLIENT_FQDN (flags, labels, root) and the stored
 * CLIENT_ARCH_TYPE of the latest binding, appended after CLT_TIME; the
 * stored USER_CLASS the ORO does not name stays out. */
static void test_fqdn_and_stored_options(void **state)
{
	static uint8_t opts[] = {0x00, 0x3d, 0x00, 0x02, 0x00, 0x07,            /* ARCH_TYPE 7 */
	                         0x00, 0x0f, 0x00, 0x04, 0x00, 0x02, 'a', 'b'}; /* USER_CLASS */
	static const uint8_t want_more[] = {0x00, 0x27, 0x00, 0x0d, 0x01, 2,    'h', '3',
	                                    7,    'e',  'x',  'a',  'm',  'p',  'l', 'e',
	                                    0,    0x00, 0x3d, 0x00, 0x02, 0x00, 0x07};
	uint8_t buf[256];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct lq_want want = {.fqdn = true, .codes = {61}, .n_codes = 1};

	(void)state;
	fill();
	strcpy(c.row[0].fqdn, "h3.example.");
	c.row[0].fqdn_flags = 1;
	c.row[1].opts = opts;
	c.row[1].opts_len = sizeof(opts);
	lq_reply_client_data(&w, &c, &want, false);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, sizeof(want_cd) + sizeof(want_more));
	assert_int_equal(buf[3], want_cd[3] + sizeof(want_more)); /* CLIENT_DATA length */
	assert_memory_equal(buf + 4, want_cd + 4, sizeof(want_cd) - 4);
	assert_memory_equal(buf + sizeof(want_cd), want_more, sizeof(want_more));
}

static void test_head_ids_status(void **state)
{
	static const uint8_t sduid[] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
	static const uint8_t want[] = {
	    0x0f, 0x12, 0x34, 0x56,                                          /* REPLY, xid */
	    0x00, 0x02, 0x00, 0x0a, 0,    3,    0,    1,   2, 0, 0, 0, 0, 1, /* SERVERID */
	    0x00, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc,                        /* CLIENTID */
	    0x00, 0x0d, 0x00, 0x04, 0x00, 0x09, 'n',  'c',                   /* NotConfigured */
	};
	struct lq_req q = {.xid = 0x123456, .cid = {0xaa, 0xbb, 0xcc}, .cid_len = 3};
	uint8_t buf[64];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	(void)state;
	lq_reply_head(&w, D6_MSG_LQ_REPLY, q.xid);
	lq_reply_ids(&w, sduid, sizeof(sduid), &q);
	lq_reply_status(&w, D6_STATUS_NOTCONFIGURED, "nc");
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* one octet short */
	w = wire_wr_init(buf, sizeof(want) - 1);
	lq_reply_head(&w, D6_MSG_LQ_REPLY, q.xid);
	lq_reply_ids(&w, sduid, sizeof(sduid), &q);
	lq_reply_status(&w, D6_STATUS_NOTCONFIGURED, "nc");
	assert_int_equal(w.err, CH_ENOSPACE);
}

static void test_client_link(void **state)
{
	uint8_t links[32] = {0x20, 0x01, [16] = 0x20, [17] = 0x02};
	uint8_t buf[64];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	(void)state;
	lq_reply_client_link(&w, links, 2);
	assert_int_equal(w.len, 4 + 32);
	assert_memory_equal(buf, ((const uint8_t[]){0x00, 0x30, 0x00, 0x20}), 4);
	assert_memory_equal(buf + 4, links, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_client_data),
	    cmocka_unit_test(test_relay_inside_when_asked),
	    cmocka_unit_test(test_fqdn_and_stored_options),
	    cmocka_unit_test(test_head_ids_status),
	    cmocka_unit_test(test_client_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
