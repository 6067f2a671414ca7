/*
 * Unit tests for lib/duid.c: parse and print DUID-LLT, -EN, -LL, -UUID and
 * an unknown type; hex text both ways; length edges (2, 3, 130, 131 octets;
 * output exactly full and one short).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "duid.h"

/* DUID-LLT: type 1, Ethernet, time 0x2a2b2c2d, 00:11:22:33:44:55 */
static const uint8_t llt[] = {0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 0, 0x11, 0x22, 0x33, 0x44, 0x55};
/* DUID-EN: RFC 8415 §11.3 example, enterprise 9 */
static const uint8_t en[] = {0, 2, 0, 0, 0, 9, 0x0c, 0xc0, 0x84, 0xd3, 0x03, 0x00, 0x09, 0x12};
/* DUID-LL: Ethernet 02:00:00:00:00:01 */
static const uint8_t ll[] = {0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0x01};
/* DUID-UUID (RFC 6355) */
static const uint8_t uuid[] = {0,    4, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,
                               0xf0, 1, 2,    3,    4,    5,    6,    7,    8};
/* an unknown type, kept opaque */
static const uint8_t other[] = {0xab, 0xcd, 1, 2, 3};

static void check_round_trip(const uint8_t *d, size_t len, const struct duid_view *v)
{
	uint8_t out[DUID_MAX_LEN];
	size_t n = 0;

	assert_int_equal(duid_build(v, out, sizeof(out), &n), 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, d, len);
}

static void test_parse_all_types(void **state)
{
	struct duid_view v;

	(void)state;
	assert_int_equal(duid_parse(llt, sizeof(llt), &v), 0);
	assert_int_equal(v.type, DUID_LLT);
	assert_int_equal(v.hwtype, 1);
	assert_int_equal(v.time, 0x2a2b2c2d);
	assert_int_equal(v.id_len, 6);
	check_round_trip(llt, sizeof(llt), &v);
	assert_int_equal(duid_parse(en, sizeof(en), &v), 0);
	assert_int_equal(v.type, DUID_EN);
	assert_int_equal(v.enterprise, 9);
	assert_int_equal(v.id_len, 8);
	check_round_trip(en, sizeof(en), &v);
	assert_int_equal(duid_parse(ll, sizeof(ll), &v), 0);
	assert_int_equal(v.type, DUID_LL);
	assert_int_equal(v.id_len, 6);
	check_round_trip(ll, sizeof(ll), &v);
	assert_int_equal(duid_parse(uuid, sizeof(uuid), &v), 0);
	assert_int_equal(v.type, DUID_UUID);
	assert_int_equal(v.id_len, 16);
	check_round_trip(uuid, sizeof(uuid), &v);
	assert_int_equal(duid_parse(other, sizeof(other), &v), 0);
	assert_int_equal(v.type, 0xabcd);
	assert_int_equal(v.id_len, 3);
	check_round_trip(other, sizeof(other), &v);
}

static void test_parse_lengths(void **state)
{
	uint8_t big[DUID_MAX_LEN + 1];
	struct duid_view v;

	(void)state;
	memset(big, 0x77, sizeof(big));
	assert_int_equal(duid_parse(other, 2, &v), CH_EBADLEN);
	assert_int_equal(duid_parse(other, 3, &v), 0);
	assert_int_equal(duid_parse(big, DUID_MAX_LEN, &v), 0);
	assert_int_equal(duid_parse(big, DUID_MAX_LEN + 1, &v), CH_EBADLEN);
	assert_int_equal(duid_parse(llt, 8, &v), CH_EBADLEN);
	assert_int_equal(duid_parse(uuid, sizeof(uuid) - 1, &v), CH_EBADLEN);
	assert_int_equal(duid_parse(en, 6, &v), CH_EBADLEN);
	assert_int_equal(duid_parse(ll, 4, &v), CH_EBADLEN);
}

static void test_describe(void **state)
{
	char s[256];

	(void)state;
	assert_true(duid_describe(llt, sizeof(llt), s, sizeof(s)) > 0);
	assert_string_equal(s, "LLT hw=1 time=707472429 ll=00:11:22:33:44:55");
	assert_true(duid_describe(en, sizeof(en), s, sizeof(s)) > 0);
	assert_string_equal(s, "EN ent=9 id=0c:c0:84:d3:03:00:09:12");
	assert_true(duid_describe(ll, sizeof(ll), s, sizeof(s)) > 0);
	assert_string_equal(s, "LL hw=1 ll=02:00:00:00:00:01");
	assert_true(duid_describe(uuid, sizeof(uuid), s, sizeof(s)) > 0);
	assert_string_equal(s, "UUID 12:34:56:78:9a:bc:de:f0:01:02:03:04:05:06:07:08");
	assert_true(duid_describe(other, sizeof(other), s, sizeof(s)) > 0);
	assert_string_equal(s, "type=43981 id=01:02:03");
	assert_true(duid_describe(llt, 8, s, sizeof(s)) > 0);
	assert_string_equal(s, "raw=00:01:00:01:2a:2b:2c:2d");
	assert_int_equal(duid_describe(llt, sizeof(llt), s, 10), CH_ENOSPACE);
}

static void test_text_both_ways(void **state)
{
	char s[DUID_TEXT_MAX];
	uint8_t out[DUID_MAX_LEN];

	(void)state;
	assert_int_equal(duid_to_text(ll, sizeof(ll), s, sizeof(s)), 29);
	assert_string_equal(s, "00:03:00:01:02:00:00:00:00:01");
	assert_int_equal(duid_from_text(s, out, sizeof(out)), sizeof(ll));
	assert_memory_equal(out, ll, sizeof(ll));
	assert_int_equal(duid_from_text("00:03:00:01:02:00:00:00:00:01", out, sizeof(ll)),
	                 sizeof(ll));
	assert_int_equal(duid_from_text("00:03:00:01:02:00:00:00:00:01", out, sizeof(ll) - 1),
	                 CH_ENOSPACE);
	assert_int_equal(duid_from_text("AB:CD:Ef", out, sizeof(out)), 3);
	assert_memory_equal(out, "\xab\xcd\xef", 3);
	/* exactly full text buffer, one short */
	assert_int_equal(duid_to_text(ll, sizeof(ll), s, 30), 29);
	assert_int_equal(duid_to_text(ll, sizeof(ll), s, 29), CH_ENOSPACE);
	assert_string_equal(s, "");
	assert_int_equal(duid_to_text(ll, 0, s, sizeof(s)), CH_EBADLEN);
}

static void test_from_text_rejects(void **state)
{
	uint8_t out[DUID_MAX_LEN];
	char big[3 * (DUID_MAX_LEN + 1) + 1];

	(void)state;
	assert_int_equal(duid_from_text("", out, sizeof(out)), CH_EINVAL);
	assert_int_equal(duid_from_text("00:01", out, sizeof(out)), CH_EBADLEN);
	assert_int_equal(duid_from_text("00:01:0", out, sizeof(out)), CH_EINVAL);
	assert_int_equal(duid_from_text("00:01:02:", out, sizeof(out)), CH_EINVAL);
	assert_int_equal(duid_from_text("00-01-02", out, sizeof(out)), CH_EINVAL);
	assert_int_equal(duid_from_text("00:01:0g", out, sizeof(out)), CH_EINVAL);
	for (size_t i = 0; i < DUID_MAX_LEN + 1; i++)
		memcpy(big + 3 * i, "ab:", 3);
	big[3 * DUID_MAX_LEN - 1] = '\0';
	assert_int_equal(duid_from_text(big, out, sizeof(out)), DUID_MAX_LEN);
	big[3 * DUID_MAX_LEN - 1] = ':';
	big[3 * (DUID_MAX_LEN + 1) - 1] = '\0';
	assert_int_equal(duid_from_text(big, out, sizeof(out)), CH_EBADLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_all_types),   cmocka_unit_test(test_parse_lengths),
	    cmocka_unit_test(test_describe),          cmocka_unit_test(test_text_both_ways),
	    cmocka_unit_test(test_from_text_rejects),
	};

	return cmocka_run_group_tests_name("duid", tests, NULL, NULL);
}
