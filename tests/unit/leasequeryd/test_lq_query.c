/*
 * Unit tests for leasequeryd/lq_query.c: the RFC 5007 §4.2 discard rules,
 * each status decision (UnknownQueryType, MalformedQuery, NotConfigured,
 * NotAllowed for bulk types over UDP), the link from the configured
 * subnets and PD pools, and the ORO minus the sensitive options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lq_query.h"

static const char conf_text[] =
    "{\"instance\": {\"name\": \"u\", \"schema\": \"u\", \"database\": {\"conninfo\": "
    "\"dbname=u\"}},"
    " \"dhcp6\": {\"hash-key\": \"unit-test-key-000000001\", \"subnets\": ["
    "  {\"id\": 1, \"prefix\": \"2001:db8:1::/64\", \"pools\": [{\"prefix\": \"2001:db8:1::/65\"}],"
    "   \"pd-pools\": [{\"prefix\": \"2001:db8:100::/40\", \"delegated-length\": 56}]},"
    "  {\"id\": 2, \"prefix\": \"2001:db8:2::/64\","
    "   \"pools\": [{\"start\": \"2001:db8:2::100\", \"end\": \"2001:db8:2::1ff\"}]}]},"
    " \"leasequery\": {\"enabled\": true, \"sensitive-options\": [79]}}";
static struct conf *conf;
static const uint8_t ours[] = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

/* LEASEQUERY xid 0x123456, CLIENTID 00:03:00:01:02:00:00:00:00:aa, then LQ_QUERY. */
#define HEAD                                                                                       \
	0x0e, 0x12, 0x34, 0x56, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x02, 0, 0, 0, 0,  \
	    0xaa
#define LINK0 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define LINK2 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 /* 2001:db8:2::1 */

/* BY_ADDRESS of 2001:db8:1::5, link ::, ORO 47 and 79 */
static const uint8_t by_addr[] = {
    HEAD, 0x00,  0x2c, 0x00, 0x35, /* LQ_QUERY, 53 octets */
    0x01, LINK0,                   /* BY_ADDRESS, link :: */
    0x00, 0x05,  0x00, 0x18,       /* IAADDR, 24 */
    0x20, 0x01,  0x0d, 0xb8, 0,    1, 0, 0,    0,    0,    0,    0,    0,    0,    0,    5, 0,
    0,    0,     0,    0,    0,    0, 0, 0x00, 0x06, 0x00, 0x04, 0x00, 0x2f, 0x00, 0x4f, /* ORO: 47,
                                                                                            79 */
};

static int parse(const uint8_t *m, size_t n, bool tcp, struct lq_req *q)
{
	return lq_query_parse(m, n, tcp, conf, ours, sizeof(ours), q);
}

static void test_by_address(void **state)
{
	struct lq_req q;

	(void)state;
	assert_int_equal(parse(by_addr, sizeof(by_addr), false, &q), LQ_Q_STORE);
	assert_int_equal(q.xid, 0x123456);
	assert_int_equal(q.qtype, LQ_QUERY_BY_ADDRESS);
	assert_int_equal(q.target_len, 16);
	assert_int_equal(q.target[15], 5);
	assert_int_equal(q.cid_len, 10);
	assert_int_equal(q.cid[9], 0xaa);
	assert_false(q.has_link);
	assert_int_equal(q.subnet, 0);
	assert_true(q.want.relay_data);
	assert_false(q.want.lladdr); /* 79 is sensitive */
}

static void test_not_configured(void **state)
{
	uint8_t m[sizeof(by_addr)];
	struct lq_req q;

	(void)state;
	memcpy(m, by_addr, sizeof(m));
	m[22 + 17 + 4 + 5] = 0x99; /* the address: 2001:db8:99::5 */
	assert_int_equal(parse(m, sizeof(m), false, &q), D6_STATUS_NOTCONFIGURED);
	/* inside the PD pool: the link is found */
	memcpy(m, by_addr, sizeof(m));
	m[22 + 17 + 4 + 5] = 0x00;
	m[22 + 17 + 4 + 4] = 0x01; /* 2001:db8:100:... */
	assert_int_equal(parse(m, sizeof(m), false, &q), LQ_Q_STORE);
}

static void test_discard(void **state)
{
	uint8_t m[sizeof(by_addr) + 14];
	struct lq_req q;

	(void)state;
	/* not a LEASEQUERY */
	memcpy(m, by_addr, sizeof(by_addr));
	m[0] = 1;
	assert_int_equal(parse(m, sizeof(by_addr), false, &q), LQ_Q_DROP);
	/* no LQ_QUERY: the header and CLIENTID only */
	assert_int_equal(parse(by_addr, 18, false, &q), LQ_Q_DROP);
	/* a SERVERID not ours */
	memcpy(m, by_addr, 18);
	memcpy(m + 18, (const uint8_t[]){0, 2, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x77}, 14);
	memcpy(m + 32, by_addr + 18, sizeof(by_addr) - 18);
	assert_int_equal(parse(m, sizeof(m), false, &q), LQ_Q_DROP);
	/* ... and ours */
	m[31] = 0x01;
	assert_int_equal(parse(m, sizeof(m), false, &q), LQ_Q_STORE);
	/* truncated */
	assert_int_equal(parse(by_addr, sizeof(by_addr) - 1, false, &q), LQ_Q_DROP);
}

static void test_statuses(void **state)
{
	/* BY_LINK_ADDRESS 2001:db8:2::1 */
	static const uint8_t by_link[] = {HEAD, 0x00, 0x2c, 0x00, 0x11, 0x04, LINK2};
	/* BY_RELAY_ID without RELAY_ID */
	static const uint8_t no_rid[] = {HEAD, 0x00, 0x2c, 0x00, 0x11, 0x03, LINK0};
	/* query type 9 */
	static const uint8_t unknown[] = {HEAD, 0x00, 0x2c, 0x00, 0x11, 0x09, LINK0};
	/* BY_LINK_ADDRESS with link :: */
	static const uint8_t link0[] = {HEAD, 0x00, 0x2c, 0x00, 0x11, 0x04, LINK0};
	/* BY_REMOTE_ID with only an enterprise number */
	static const uint8_t rem4[] = {HEAD, 0x00, 0x2c, 0x00, 0x19, 0x05, LINK0, 0x00,
	                               0x25, 0x00, 0x04, 0x00, 0x00, 0x11, 0x8b};
	struct lq_req q;

	(void)state;
	assert_int_equal(parse(by_link, sizeof(by_link), false, &q), D6_STATUS_NOTALLOWED);
	assert_int_equal(parse(by_link, sizeof(by_link), true, &q), LQ_Q_STORE);
	assert_int_equal(q.subnet, 2);
	assert_int_equal(parse(no_rid, sizeof(no_rid), true, &q), D6_STATUS_MALFORMEDQUERY);
	assert_int_equal(parse(unknown, sizeof(unknown), true, &q), D6_STATUS_UNKNOWNQUERYTYPE);
	assert_int_equal(q.xid, 0x123456); /* still answerable */
	assert_int_equal(parse(link0, sizeof(link0), true, &q), D6_STATUS_MALFORMEDQUERY);
	/* the codec already refuses a REMOTE_ID without a remote-id (RFC 4649 §3) */
	assert_int_equal(parse(rem4, sizeof(rem4), true, &q), LQ_Q_DROP);
}

static void test_subnet(void **state)
{
	const uint8_t a1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 9};
	const uint8_t pd[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 0x23, [15] = 1};

	(void)state;
	assert_int_equal(lq_query_subnet(conf, a1, false), 1);
	assert_int_equal(lq_query_subnet(conf, pd, false), 0);
	assert_int_equal(lq_query_subnet(conf, pd, true), 1);
}

static int setup(void **state)
{
	(void)state;
	return conf_load_string("unit.json", conf_text, sizeof(conf_text) - 1, &conf, NULL, 0);
}

static int teardown(void **state)
{
	(void)state;
	conf_free(conf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_address), cmocka_unit_test(test_not_configured),
	    cmocka_unit_test(test_discard),    cmocka_unit_test(test_statuses),
	    cmocka_unit_test(test_subnet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
