/*
 * Unit tests for lib/lq_handoff.c: the 32-octet hand-off header, byte for
 * byte, round trip, and every rejection (short, bad magic, kind, header
 * length, version, no payload).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "errors.h"
#include "lq_handoff.h"

/* A query from [2001:db8::1]:547 on ifindex 3, with a 4-octet payload. */
static const uint8_t query[] = {
    'C',  'H',  'L',  'Q',                          /* magic */
    0x01,                                           /* version */
    0x01,                                           /* kind: query */
    0x00, 0x20,                                     /* header length 32 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, /* peer address */
    0,    0,    0,    1,                            /* ... ::1 */
    0x02, 0x23,                                     /* port 547 */
    0x00, 0x00,                                     /* reserved */
    0x00, 0x00, 0x00, 0x03,                         /* ifindex 3 */
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
	b[4] = 2;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EVERSION);
	memcpy(b, query, sizeof(b));
	b[5] = 3;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	memcpy(b, query, sizeof(b));
	b[7] = 33;
	assert_int_equal(lq_handoff_get(b, sizeof(b), &h), CH_EMALFORMED);
	/* one payload octet is enough */
	assert_int_equal(lq_handoff_get(query, LQ_HANDOFF_HDR_LEN + 1, &h), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get),
	    cmocka_unit_test(test_put_round_trip),
	    cmocka_unit_test(test_reject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
