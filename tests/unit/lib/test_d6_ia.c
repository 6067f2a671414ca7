/*
 * Unit tests for lib/d6_ia.c: the RFC 6603 PD_EXCLUDE vector, subnet-ID
 * arithmetic at its edges, IA builders and parse-time IA checks (nesting,
 * duplicate IAIDs, caps).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"

static struct d6_msg m, m2;
static const uint8_t bee0[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xe0};
static const uint8_t beef[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xef};
/* the same /63 in canonical form: bit 63 lies outside the prefix */
static const uint8_t beee[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xee};

static size_t build(uint8_t *buf, size_t cap)
{
	struct wire_wr w = wire_wr_init(buf, cap);

	assert_int_equal(d6_msg_build(&m, &w), 0);
	return w.len;
}

/* RFC 6603 via Kea Option6PDExcludeTest.pack: /59 excluding /63 -> 00 43 00 02 3F 70. */
static void test_pd_exclude_rfc6603_vector(void **state)
{
	static const uint8_t want[] = {0x00, 0x43, 0x00, 0x02, 0x3f, 0x70};
	uint8_t buf[128], out[16];
	size_t n;
	int ia, p, x;

	(void)state;
	d6_msg_init(&m, D6_MSG_REPLY, 1);
	ia = d6_ia_add_pd(&m, 1, 0, 0);
	p = d6_ia_add_prefix(&m, ia, bee0, 59, 100, 200);
	x = d6_ia_add_pd_exclude(&m, p, beef, 63);
	assert_true(x >= 0);
	n = build(buf, sizeof(buf));
	assert_memory_equal(buf + n - sizeof(want), want, sizeof(want));
	assert_int_equal(d6_msg_parse(buf, n, &m2), 0);
	x = d6_msg_find(&m2, d6_msg_first(&m2, d6_msg_first(&m2, D6_ROOT)), D6_OPT_PD_EXCLUDE);
	assert_int_not_equal(x, D6_NONE);
	assert_int_equal(d6_ia_pdx_decode(bee0, 59, &m2.node[x].v, out), 63);
	assert_memory_equal(out, beee, 16);
}

static void test_pd_exclude_edges(void **state)
{
	static const uint8_t other[16] = {0x20, 0x01, 0x0d, 0xb9};
	static const uint8_t all[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xe0,
	                                0,    0,    0,    0,    0,    0,    0,    1};
	union d6_val v;
	uint8_t out[16];

	(void)state;
	/* not inside the delegated prefix; not longer than it */
	assert_int_equal(d6_ia_pdx_encode(bee0, 59, other, 63, &v), CH_EINVAL);
	assert_int_equal(d6_ia_pdx_encode(bee0, 59, bee0, 59, &v), CH_EINVAL);
	/* one bit longer: one octet; up to /128: ceil(69 / 8) = 9 octets */
	assert_int_equal(d6_ia_pdx_encode(bee0, 59, bee0, 60, &v), 0);
	assert_int_equal(v.pdx.id_len, 1);
	assert_int_equal(d6_ia_pdx_encode(bee0, 59, all, 128, &v), 0);
	assert_int_equal(v.pdx.id_len, 9);
	assert_int_equal(d6_ia_pdx_decode(bee0, 59, &v, out), 128);
	assert_memory_equal(out, all, 16);
	/* a subnet ID one octet too long is a bad length */
	v.pdx.id_len++;
	assert_int_equal(d6_ia_pdx_decode(bee0, 59, &v, out), CH_EBADLEN);
	v.pdx.plen = 59;
	assert_int_equal(d6_ia_pdx_decode(bee0, 59, &v, out), CH_EMALFORMED);
}

static void test_status_defaults_to_success(void **state)
{
	uint8_t buf[128];
	const uint8_t *text;
	size_t len, n;
	int ia;

	(void)state;
	d6_msg_init(&m, D6_MSG_REPLY, 1);
	ia = d6_ia_add_na(&m, 9, 0, 0);
	assert_int_equal(d6_ia_status(&m, ia, &text, &len), D6_STATUS_SUCCESS);
	assert_null(text);
	assert_true(d6_ia_add_status(&m, ia, D6_STATUS_NOBINDING, "gone", 4) >= 0);
	n = build(buf, sizeof(buf));
	assert_int_equal(d6_msg_parse(buf, n, &m2), 0);
	assert_int_equal(d6_ia_status(&m2, d6_msg_first(&m2, D6_ROOT), &text, &len),
	                 D6_STATUS_NOBINDING);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "gone", 4);
	assert_string_equal(d6_status_name(D6_STATUS_NOBINDING), "NoBinding");
}

static void test_duplicate_iaid_and_caps(void **state)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
	uint8_t buf[2048];
	size_t n;
	int ia;

	(void)state;
	/* two IA_NA with one IAID: RFC 8415 §21.4 */
	d6_msg_init(&m, D6_MSG_REQUEST, 1);
	d6_ia_add_na(&m, 5, 0, 0);
	d6_ia_add_na(&m, 5, 0, 0);
	n = build(buf, sizeof(buf));
	assert_int_equal(d6_msg_parse(buf, n, &m2), CH_EDUP);
	/* the same IAID in IA_NA and IA_PD is fine: separate spaces */
	d6_msg_init(&m, D6_MSG_REQUEST, 1);
	d6_ia_add_na(&m, 5, 0, 0);
	d6_ia_add_pd(&m, 5, 0, 0);
	n = build(buf, sizeof(buf));
	assert_int_equal(d6_msg_parse(buf, n, &m2), 0);
	/* D6_MSG_MAX_KIDS addresses in one IA pass, one more is refused */
	d6_msg_init(&m, D6_MSG_REPLY, 1);
	ia = d6_ia_add_na(&m, 1, 0, 0);
	for (int i = 0; i < D6_MSG_MAX_KIDS; i++)
		assert_true(d6_ia_add_addr(&m, ia, a, 0, 0) >= 0);
	n = build(buf, sizeof(buf));
	assert_int_equal(d6_msg_parse(buf, n, &m2), 0);
	assert_true(d6_ia_add_addr(&m, ia, a, 0, 0) >= 0);
	n = build(buf, sizeof(buf));
	assert_int_equal(d6_msg_parse(buf, n, &m2), CH_ELIMIT);
}

static void test_nesting_rules(void **state)
{
	/* Reply; IA_PD(iaid 1) holding an IAADDR: IAADDR belongs in IA_NA/IA_TA */
	static const uint8_t addr_in_pd[] = {
	    0x07, 0, 0, 1,  0,    25, 0,    40,   0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, /* IA_PD */
	    0,    5, 0, 24, 0x20, 1,  0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    0,    0, 0, 0,  0,    0,  0,    0}; /* IAADDR */
	/* Reply; IA_NA holding a CLIENTID */
	static const uint8_t cid_in_na[] = {0x07, 0, 0, 1, 0, 3, 0, 19, 0, 0, 0, 1, 0, 0,
	                                    0,    0, 0, 0, 0, 0, 0, 1,  0, 3, 0, 9, 9};

	(void)state;
	assert_int_equal(d6_msg_parse(addr_in_pd, sizeof(addr_in_pd), &m2), CH_ENEST);
	assert_int_equal(d6_msg_parse(cid_in_na, sizeof(cid_in_na), &m2), CH_ENEST);
	d6_msg_init(&m, D6_MSG_REPLY, 1);
	assert_int_equal(d6_msg_add(&m, D6_ROOT, D6_OPT_PD_EXCLUDE), CH_ENEST);
	assert_int_equal(d6_ia_add_pd_exclude(&m, 0, beef, 63), CH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pd_exclude_rfc6603_vector),
	    cmocka_unit_test(test_pd_exclude_edges),
	    cmocka_unit_test(test_status_defaults_to_success),
	    cmocka_unit_test(test_duplicate_iaid_and_caps),
	    cmocka_unit_test(test_nesting_rules),
	};

	return cmocka_run_group_tests_name("d6_ia", tests, NULL, NULL);
}
