/*
 * Unit tests for lib/addr6.c: parse/print, containment and overlap, 128-bit
 * edges (::, ffff:...:ffff, carries across the 64-bit halves), PD pools, the
 * stable hash (vectors computed independently with Python hmac/hashlib) and
 * the reserved interface ids of RFC 2526 / RFC 5453.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "addr6.h"
#include "errors.h"

static struct in6_addr A(const char *s) {
	struct in6_addr a;

	assert_int_equal(addr6_parse(s, &a), 0);
	return a;
}

static struct addr6_prefix
P(const char *s) {
	struct addr6_prefix p;

	assert_int_equal(addr6_prefix_parse(s, &p), 0);
	return p;
}

static struct addr6_range
R(const char *s, const char *e) {
	struct addr6_range r;
	struct in6_addr a = A(s), b = A(e);

	assert_int_equal(addr6_range_make(&a, &b, &r), 0);
	return r;
}

static void
assert_addr(const struct in6_addr *a, const char *want)
{
	char buf[ADDR6_STRLEN];

	assert_string_equal(addr6_ntop(a, buf, sizeof(buf)), want);
}

static void assert_prefix(const struct addr6_prefix *p, const char *want)
{
	char buf[ADDR6_PREFIX_STRLEN];

	assert_string_equal(addr6_prefix_ntop(p, buf, sizeof(buf)), want);
}

static void test_parse_print(void **state)
{
	struct in6_addr a;
	struct addr6_prefix p = {.len = 77};

	(void)state;
	a = A("2001:0db8:0000:0000:0000:0000:0000:0001");
	assert_addr(&a, "2001:db8::1");
	assert_int_equal(addr6_parse("2001:db8::1/64", &a), CH_EINVAL);
	assert_int_equal(addr6_parse("", &a), CH_EINVAL);
	assert_int_equal(addr6_parse("1.2.3.4", &a), CH_EINVAL);
	assert_int_equal(addr6_parse(NULL, &a), CH_EINVAL);

	p = P("2001:db8::/64");
	assert_prefix(&p, "2001:db8::/64");
	p = P("::/0");
	assert_prefix(&p, "::/0");
	p = P("2001:db8::1/128");
	assert_prefix(&p, "2001:db8::1/128");
	/* host bits set, lengths out of range or malformed: rejected, *out untouched */
	p.len = 99;
	assert_int_equal(addr6_prefix_parse("2001:db8::1/64", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::/129", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::/064", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::/", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::/-1", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::/6 4", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8::", &p), CH_EINVAL);
	assert_int_equal(addr6_prefix_parse("2001:db8:0000:0000:0000:0000:0000:0000:1/64", &p),
	                 CH_EINVAL);
	assert_int_equal(p.len, 99);
}

static void test_compare_and_mask(void **state)
{
	struct in6_addr a = A("2001:db8::1"), b = A("2001:db8::2"), m = A("2001:db8:ffff:ffff::");

	(void)state;
	assert_true(addr6_cmp(&a, &b) < 0);
	assert_true(addr6_cmp(&b, &a) > 0);
	assert_int_equal(addr6_cmp(&a, &a), 0);
	addr6_mask(&m, 33);
	assert_addr(&m, "2001:db8:8000::");
	m = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	addr6_mask(&m, 0);
	assert_addr(&m, "::");
	m = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	addr6_mask(&m, 128);
	assert_addr(&m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_containment(void **state)
{
	struct addr6_prefix p64 = P("2001:db8:1:1::/64"), p65 = P("2001:db8:1:1:8000::/65");
	struct addr6_prefix other = P("2001:db8:1:2::/64"), all = P("::/0");
	struct in6_addr first = A("2001:db8:1:1::"), last = A("2001:db8:1:1:ffff:ffff:ffff:ffff");
	struct in6_addr out = A("2001:db8:1:2::");
	struct addr6_range r;

	(void)state;
	assert_true(addr6_in_prefix(&first, &p64));
	assert_true(addr6_in_prefix(&last, &p64));
	assert_false(addr6_in_prefix(&out, &p64));
	assert_true(addr6_in_prefix(&out, &all));
	assert_true(addr6_prefix_in_prefix(&p65, &p64));
	assert_false(addr6_prefix_in_prefix(&p64, &p65));
	assert_true(addr6_prefix_in_prefix(&p64, &p64));
	assert_true(addr6_prefix_overlap(&p64, &p65));
	assert_true(addr6_prefix_overlap(&p65, &p64));
	assert_false(addr6_prefix_overlap(&p64, &other));

	addr6_prefix_range(&p65, &r);
	assert_addr(&r.start, "2001:db8:1:1:8000::");
	assert_addr(&r.end, "2001:db8:1:1:ffff:ffff:ffff:ffff");
	assert_true(addr6_range_in_prefix(&r, &p64));
	assert_false(addr6_range_in_prefix(&r, &other));
	r = R("2001:db8:1:1::ffff", "2001:db8:1:2::");
	assert_false(addr6_range_in_prefix(&r, &p64));
	assert_true(addr6_range_contains(&r, &out));
	assert_false(addr6_range_contains(&r, &first));
}

static void test_range_overlap_and_order(void **state)
{
	struct addr6_range a = R("2001:db8::10", "2001:db8::20");
	struct addr6_range touch = R("2001:db8::20", "2001:db8::30");
	struct addr6_range after = R("2001:db8::21", "2001:db8::30");
	struct addr6_range inside = R("2001:db8::11", "2001:db8::12");
	struct addr6_range r = a;
	struct in6_addr s = A("2001:db8::2"), e = A("2001:db8::1");

	(void)state;
	assert_true(addr6_range_overlap(&a, &touch)); /* inclusive ends share ::20 */
	assert_false(addr6_range_overlap(&a, &after));
	assert_false(addr6_range_overlap(&after, &a));
	assert_true(addr6_range_overlap(&a, &inside));
	assert_true(addr6_range_overlap(&inside, &a));
	assert_int_equal(addr6_range_make(&s, &e, &r), CH_EINVAL);
	assert_addr(&r.start, "2001:db8::10");
	assert_int_equal(addr6_range_make(&e, &e, &r), 0);
	assert_int_equal(addr6_range_count(&r), 1);
}

static void test_arith_saturation(void **state)
{
	struct in6_addr a = A("::ffff:ffff:ffff:ffff"), max, zero = A("::");

	(void)state;
	/* carry from the low half into the high half */
	assert_true(addr6_add(&a, 1));
	assert_addr(&a, "0:0:0:1::");
	assert_true(addr6_sub(&a, 1));
	assert_addr(&a, "::ffff:ffff:ffff:ffff");
	max = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_true(addr6_add(&max, 1));
	assert_false(addr6_add(&max, 1));
	assert_addr(&max, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	a = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0");
	assert_false(addr6_add(&a, UINT64_MAX));
	assert_addr(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	a = A("::5");
	assert_false(addr6_sub(&a, 6));
	assert_addr(&a, "::");
	assert_true(addr6_sub(&zero, 0));

	a = A("2001:db8::");
	max = A("2001:db8::1:0");
	assert_int_equal(addr6_diff(&a, &max), 0x10000);
	assert_int_equal(addr6_diff(&max, &a), 0);
	max = A("2001:db9::");
	assert_true(addr6_diff(&a, &max) == UINT64_MAX);
}

static void test_range_count(void **state)
{
	struct addr6_prefix p;
	struct addr6_range r;

	(void)state;
	p = P("2001:db8::/65");
	addr6_prefix_range(&p, &r);
	assert_true(addr6_range_count(&r) == (uint64_t)1 << 63);
	p = P("2001:db8::/64");
	addr6_prefix_range(&p, &r);
	assert_true(addr6_range_count(&r) == UINT64_MAX); /* 2^64 saturates */
	p = P("::/0");
	addr6_prefix_range(&p, &r);
	assert_true(addr6_range_count(&r) == UINT64_MAX); /* 2^128 wraps to 0 internally */
	r = R("2001:db8::1000", "2001:db8::1fff");
	assert_int_equal(addr6_range_count(&r), 0x1000);
}

static void test_split(void **state)
{
	struct addr6_prefix p = P("2001:db8:1:1::/64"), out;

	(void)state;
	assert_int_equal(addr6_prefix_split(&p, 1, 0, &out), 0);
	assert_prefix(&out, "2001:db8:1:1::/65");
	assert_int_equal(addr6_prefix_split(&p, 1, 1, &out), 0);
	assert_prefix(&out, "2001:db8:1:1:8000::/65");
	assert_int_equal(addr6_prefix_split(&p, 2, 3, &out), 0);
	assert_prefix(&out, "2001:db8:1:1:c000::/66");
	assert_int_equal(addr6_prefix_split(&p, 2, 4, &out), CH_EINVAL);
	assert_int_equal(addr6_prefix_split(&p, 64, UINT64_MAX, &out), 0);
	assert_prefix(&out, "2001:db8:1:1:ffff:ffff:ffff:ffff/128");
	assert_int_equal(addr6_prefix_split(&p, 65, 0, &out), CH_EINVAL);
	assert_int_equal(addr6_prefix_split(&p, 0, 0, &out), 0);
	assert_prefix(&out, "2001:db8:1:1::/64");
}

static void test_range_iteration(void **state)
{
	struct addr6_range r = R("2001:db8::fffe", "2001:db8::1:0");
	struct in6_addr a = r.start, outside = A("2001:db8::1");
	int n = 1;

	(void)state;
	while (addr6_range_next(&r, &a))
		n++;
	assert_int_equal(n, 3);
	assert_addr(&a, "2001:db8::1:0");
	assert_false(addr6_range_next(&r, &outside));
	assert_int_equal(addr6_range_nth(&r, 0, &a), 0);
	assert_addr(&a, "2001:db8::fffe");
	assert_int_equal(addr6_range_nth(&r, 2, &a), 0);
	assert_addr(&a, "2001:db8::1:0");
	assert_int_equal(addr6_range_nth(&r, 3, &a), CH_ENOENT);

	r = R("::ffff:ffff:ffff:fffe", "0:0:0:1::1");
	assert_int_equal(addr6_range_nth(&r, 3, &a), 0);
	assert_addr(&a, "::1:0:0:0:1");
	r = R("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(addr6_range_nth(&r, UINT64_MAX, &a), 0);
	assert_addr(&a, "::ffff:ffff:ffff:ffff");
	a = r.end;
	assert_false(addr6_range_next(&r, &a));
}

static void test_pd_pool(void **state)
{
	struct addr6_prefix pool = P("2001:db8:100::/40"), p, q;
	int n = 1;

	(void)state;
	assert_int_equal(addr6_pd_count(&pool, 56), 65536);
	assert_int_equal(addr6_pd_count(&pool, 40), 1);
	assert_int_equal(addr6_pd_count(&pool, 39), 0);
	assert_int_equal(addr6_pd_count(&pool, 129), 0);
	assert_true(addr6_pd_count(&pool, 128) == UINT64_MAX);

	assert_int_equal(addr6_pd_nth(&pool, 56, 0, &p), 0);
	assert_prefix(&p, "2001:db8:100::/56");
	assert_int_equal(addr6_pd_nth(&pool, 56, 65535, &p), 0);
	assert_prefix(&p, "2001:db8:1ff:ff00::/56");
	assert_int_equal(addr6_pd_nth(&pool, 56, 65536, &p), CH_ENOENT);
	assert_int_equal(addr6_pd_nth(&pool, 30, 0, &p), CH_EINVAL);
	assert_false(addr6_pd_next(&pool, 56, &p)); /* last one */
	/* the inverse, for delegated lengths at and above 64 bits from the end */
	assert_int_equal(addr6_pd_index(&pool, 56, &p.addr), 65535);
	assert_int_equal(addr6_pd_index(&pool, 40, &p.addr), 0);
	q.addr = A("2001:db8:112:3400::");
	assert_int_equal(addr6_pd_index(&pool, 56, &q.addr), 0x1234);
	assert_int_equal(addr6_pd_index(&pool, 48, &q.addr), 0x12);
	q.addr = A("2001:db8::");
	assert_int_equal(addr6_pd_index(&pool, 56, &q.addr), 0); /* before the pool */
	q.addr = A("2001:db8:100::ff");
	assert_true(addr6_pd_index(&pool, 128, &q.addr) == 0xff);

	pool = P("2001:db8:200::/46");
	assert_int_equal(addr6_pd_nth(&pool, 48, 0, &p), 0);
	q = p;
	while (addr6_pd_next(&pool, 48, &p))
		n++;
	assert_int_equal(n, 4);
	assert_prefix(&p, "2001:db8:203::/48");
	assert_int_equal(addr6_pd_nth(&pool, 48, 1, &p), 0);
	assert_prefix(&p, "2001:db8:201::/48");
	q.len = 47; /* not a /48 of the pool */
	assert_false(addr6_pd_next(&pool, 48, &q));
	pool = P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126");
	assert_int_equal(addr6_pd_nth(&pool, 128, 3, &p), 0);
	assert_false(addr6_pd_next(&pool, 128, &p)); /* would carry past 2^128 */
}

/* Vectors: Python hmac.new(b"sibling-secret", b"chorus-hash-v1" + key + probe, sha256). */
static void test_stable_hash_vectors(void **state)
{
	static const uint8_t hkey[] = "sibling-secret";
	static const uint8_t duid[] = {0x00, 0x01, 0x00, 0x01, 0x2a, 0x2b, 0x3c,
	                               0x4d, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t key[ADDR6_HASH_KEYMAX];
	int klen = addr6_hash_key(key, sizeof(key), duid, sizeof(duid), 7, 1);
	struct addr6_range r = R("2001:db8:1:1::1000", "2001:db8:1:1::ffff");
	struct addr6_prefix pool = P("2001:db8:100::/40"), p, p65 = P("2001:db8:1:1::/65");
	struct addr6_prefix all = P("::/0"), p63 = P("2001:db8:1::/63");
	struct in6_addr a;
	size_t hl = sizeof(hkey) - 1;

	(void)state;
	assert_int_equal(klen, 14 + 8);
	assert_memory_equal(key + 14, "\0\0\0\x07\0\0\0\x01", 8);
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 0, &r, &a), 0);
	assert_addr(&a, "2001:db8:1:1::4b9c");
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 1, &r, &a), 0);
	assert_addr(&a, "2001:db8:1:1::c269");
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 2, &r, &a), 0);
	assert_addr(&a, "2001:db8:1:1::14bf");

	addr6_prefix_range(&p65, &r);
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 0, &r, &a), 0);
	assert_addr(&a, "2001:db8:1:1:46b3:1840:bbac:9b9c");
	addr6_prefix_range(&p63, &r); /* 2^65 candidates: the modulus spans both halves */
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 0, &r, &a), 0);
	assert_addr(&a, "2001:db8:1:1:46b3:1840:bbac:9b9c");
	addr6_prefix_range(&all, &r); /* 2^128 candidates: H itself */
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 0, &r, &a), 0);
	assert_addr(&a, "a4f1:fc54:f40d:f84d:46b3:1840:bbac:9b9c");

	assert_int_equal(addr6_hash_pd(hkey, hl, key, (size_t)klen, 0, &pool, 56, &p), 0);
	assert_prefix(&p, "2001:db8:19b:9c00::/56");
	assert_int_equal(addr6_hash_pd(hkey, hl, key, (size_t)klen, 0, &pool, 39, &p), CH_EINVAL);

	/* a single-address range always yields that address */
	r = R("2001:db8::7", "2001:db8::7");
	assert_int_equal(addr6_hash_range(hkey, hl, key, (size_t)klen, 9, &r, &a), 0);
	assert_addr(&a, "2001:db8::7");
}

static void test_stable_hash_key_bounds(void **state)
{
	uint8_t duid[130] = {0}, key[ADDR6_HASH_KEYMAX];

	(void)state;
	assert_int_equal(addr6_hash_key(key, sizeof(key), duid, sizeof(duid), 1, 2), 138);
	assert_int_equal(addr6_hash_key(key, 137, duid, sizeof(duid), 1, 2), CH_ENOSPACE);
	assert_int_equal(addr6_hash_key(key, 8, NULL, 0, 1, 2), 8);
	assert_int_equal(addr6_hash_key(key, 7, NULL, 0, 1, 2), CH_ENOSPACE);
}

static void test_reserved_iid(void **state)
{
	static const struct {
		const char *addr;
		unsigned plen;
		bool reserved;
	} cases[] = {
	    {"2001:db8:1:1::", 64, true}, /* Subnet-Router anycast */
	    {"2001:db8:1:1::1", 64, false},
	    {"2001:db8:1:1:fdff:ffff:ffff:ff7f", 64, false}, /* one below RFC 2526 */
	    {"2001:db8:1:1:fdff:ffff:ffff:ff80", 64, true},  /* anycast id 0 */
	    {"2001:db8:1:1:fdff:ffff:ffff:fffe", 64, true},  /* Mobile IPv6 HA anycast */
	    {"2001:db8:1:1:fdff:ffff:ffff:ffff", 64, true},
	    {"2001:db8:1:1:ffff:ffff:ffff:ffff", 64, false}, /* u bit one: not RFC 2526 */
	    {"2001:db8:1:1:200:5eff:fe00:0", 64, true},      /* RFC 5453 registry */
	    {"2001:db8:1:1:200:5eff:fe00:5213", 64, true},   /* RFC 6543 PMIPv6 */
	    {"2001:db8:1:1:200:5eff:feff:ffff", 64, true},
	    {"2001:db8:1:1:200:5eff:fdff:ffff", 64, false},
	    {"2001:db8:1:1:200:5eff:ff00:0", 64, false},
	    {"2001:db8:1::", 48, true},
	    {"2001:db8:1:ffff:ffff:ffff:ffff:ff80", 48, true}, /* non-EUI-64: top 128 */
	    {"2001:db8:1:ffff:ffff:ffff:ffff:ff7f", 48, false},
	    {"2001:db8::", 127, false}, /* RFC 6164 */
	    {"2001:db8::", 126, true},
	    {"2001:db8::1", 128, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a = A(cases[i].addr);

		if (addr6_is_reserved_iid(&a, cases[i].plen) != cases[i].reserved)
			fail_msg("%s/%u: expected %s", cases[i].addr, cases[i].plen,
			         cases[i].reserved ? "reserved" : "usable");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_print),
	    cmocka_unit_test(test_compare_and_mask),
	    cmocka_unit_test(test_containment),
	    cmocka_unit_test(test_range_overlap_and_order),
	    cmocka_unit_test(test_arith_saturation),
	    cmocka_unit_test(test_range_count),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_range_iteration),
	    cmocka_unit_test(test_pd_pool),
	    cmocka_unit_test(test_stable_hash_vectors),
	    cmocka_unit_test(test_stable_hash_key_bounds),
	    cmocka_unit_test(test_reserved_iid),
	};

	return cmocka_run_group_tests_name("addr6", tests, NULL, NULL);
}
