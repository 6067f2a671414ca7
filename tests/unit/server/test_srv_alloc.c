/*
 * server/srv_alloc.c and srv_lease.c: the stable hash gives two separate
 * instances the same address for the same client, probing skips held
 * addresses, iterative and random stay inside the pool, reserved interface
 * ids (Subnet-Router anycast, RFC 2526) and foreign ranges are never handed
 * out, reservations win, PD pools delegate whole prefixes; the cache finds
 * leases by address and by binding and survives growth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr6.h"
#include "fixture.h"
#include "srv_alloc.h"
#include "srv_link.h"

static const uint8_t duid_a[] = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};
static const uint8_t duid_b[] = {0, 3, 0, 1, 6, 5, 4, 3, 2, 1};

static struct srv_lease *hold(struct srv *s, const struct in6_addr *a, uint8_t plen,
                              const uint8_t *duid, uint32_t iaid)
{
	struct srv_lease *l = srv_lease_new();

	assert_non_null(l);
	l->addr = *a;
	l->plen = plen;
	l->type = plen == 128 ? SRV_NA : SRV_PD;
	l->iaid = iaid;
	l->duid_len = 10;
	memcpy(l->duid, duid, 10);
	assert_int_equal(srv_cache_add(&s->cache, l), 0);
	return l;
}

static void test_stable_hash_same_on_two_instances(void **state)
{
	struct srv *s1 = fx_new(NULL), *s2 = fx_new(NULL);
	struct in6_addr a1, a2, b1;
	uint8_t p1, p2;

	(void)state;
	assert_int_equal(
	    srv_alloc(s1, &s1->conf->dhcp6.subnets[0], SRV_NA, duid_a, 10, 1, &a1, &p1), 0);
	assert_int_equal(
	    srv_alloc(s2, &s2->conf->dhcp6.subnets[0], SRV_NA, duid_a, 10, 1, &a2, &p2), 0);
	assert_memory_equal(&a1, &a2, 16);
	assert_int_equal(p1, 128);
	/* another client, another candidate */
	assert_int_equal(
	    srv_alloc(s1, &s1->conf->dhcp6.subnets[0], SRV_NA, duid_b, 10, 1, &b1, &p1), 0);
	assert_memory_not_equal(&a1, &b1, 16);
	/* held: the next probe, still inside the pool */
	hold(s1, &a1, 128, duid_b, 9);
	assert_int_equal(
	    srv_alloc(s1, &s1->conf->dhcp6.subnets[0], SRV_NA, duid_a, 10, 1, &a2, &p2), 0);
	assert_memory_not_equal(&a1, &a2, 16);
	assert_true(srv_link_own_addr(&s1->conf->dhcp6.subnets[0], &a2));
	fx_free(s1);
	fx_free(s2);
}

static void test_pd_pool(void **state)
{
	struct srv *s = fx_new(NULL);
	struct addr6_prefix pool;
	struct in6_addr p;
	uint8_t plen;

	(void)state;
	assert_int_equal(addr6_prefix_parse("2001:db8:100::/40", &pool), 0);
	assert_int_equal(srv_alloc(s, &s->conf->dhcp6.subnets[0], SRV_PD, duid_a, 10, 1, &p, &plen),
	                 0);
	assert_int_equal(plen, 56);
	assert_true(addr6_in_prefix(&p, &pool));
	{
		struct in6_addr m = p;

		addr6_mask(&m, 56);
		assert_memory_equal(&m, &p, 16); /* host bits zero */
	}
	/* no PD pool in subnet 2 */
	assert_int_equal(srv_alloc(s, &s->conf->dhcp6.subnets[1], SRV_PD, duid_a, 10, 1, &p, &plen),
	                 CH_ENOENT);
	fx_free(s);
}

/* A /120 pool that starts at the Subnet-Router anycast address and ends in
 * the RFC 2526 ids of a /120 link: only ::1 .. ::7f may be handed out. */
static const char tiny_json[] =
    "{\"instance\": {\"name\": \"ut\", \"database\": {\"conninfo\": \"dbname=none\"}},"
    " \"dhcp6\": {\"allocator\": \"iterative\", \"subnets\": ["
    "  {\"id\": 7, \"prefix\": \"2001:db8:7::/120\","
    "   \"pools\": [{\"prefix\": \"2001:db8:7::/120\"}]},"
    "  {\"id\": 8, \"prefix\": \"2001:db8:8::/64\","
    "   \"pools\": [{\"start\": \"2001:db8:8::\", \"end\": \"2001:db8:8::3\"}]}"
    " ]}}";

static void test_iterative_skips_reserved_ids(void **state)
{
	struct srv *s = fx_new(tiny_json);
	const struct conf_subnet *sn = &s->conf->dhcp6.subnets[0];
	uint8_t duid[10] = {0, 3, 0, 1, 0, 0, 0, 0, 0, 0};
	struct in6_addr a;
	uint8_t plen;
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < 300; i++) {
		duid[9] = (uint8_t)i;
		duid[8] = (uint8_t)(i >> 8);
		if (srv_alloc(s, sn, SRV_NA, duid, 10, 1, &a, &plen) < 0)
			break;
		assert_false(addr6_is_reserved_iid(&a, 120));
		assert_true(a.s6_addr[15] != 0); /* never the Subnet-Router anycast */
		hold(s, &a, 128, duid, 1);
		n++;
	}
	assert_int_equal(n, 127); /* 256 - anycast - 128 RFC 2526 ids */
	fx_free(s);
}

/* conf_load refuses a foreign range inside a pool; the allocator does not
 * rely on that: a hand-made overlap is still never handed out. */
static void test_foreign_range_never_allocated(void **state)
{
	struct srv *s = fx_new(tiny_json);
	struct conf_subnet *sn = &s->conf->dhcp6.subnets[1];
	struct in6_addr a, f = fx_a("2001:db8:8::2");
	struct conf_range fr = {.range = {.start = f, .end = f}};
	uint8_t plen;

	(void)state;
	sn->foreign_ranges = &fr;
	sn->n_foreign_ranges = 1;
	for (uint8_t i = 0; i < 3; i++) {
		uint8_t duid[10] = {0, 3, 0, 1, 0, 0, 0, 0, 1, i};

		if (srv_alloc(s, sn, SRV_NA, duid, 10, 1, &a, &plen) < 0)
			break;
		assert_memory_not_equal(&a, &f, 16);
		hold(s, &a, 128, duid, 1);
	}
	/* ::0 is anycast, ::2 foreign: ::1 and ::3 only */
	assert_int_equal(s->cache.count, 2);
	assert_false(srv_alloc_usable(s, sn, SRV_NA, &f, 128, duid_a, 10));
	sn->foreign_ranges = NULL;
	sn->n_foreign_ranges = 0;
	fx_free(s);
}

static void test_random_stays_in_pool(void **state)
{
	struct srv *s = fx_new(NULL);
	struct conf_subnet *sn = &s->conf->dhcp6.subnets[1];
	struct in6_addr a;
	uint8_t plen;

	(void)state;
	s->conf->dhcp6.allocator = CONF_ALLOC_RANDOM;
	for (uint8_t i = 0; i < 4; i++) {
		uint8_t duid[10] = {0, 3, 0, 1, 0, 0, 0, 0, 2, i};

		assert_int_equal(srv_alloc(s, sn, SRV_NA, duid, 10, 1, &a, &plen), 0);
		assert_true(srv_link_own_addr(sn, &a));
		hold(s, &a, 128, duid, 1);
	}
	assert_int_equal(srv_alloc(s, sn, SRV_NA, duid_a, 10, 1, &a, &plen), CH_ENOENT);
	fx_free(s);
}

static void test_reservation(void **state)
{
	struct srv *s = fx_new(NULL);
	const struct conf_subnet *sn = &s->conf->dhcp6.subnets[0];
	const uint8_t owner[10] = {0, 3, 0, 1, 0, 0, 0, 0, 0, 0x63};
	struct in6_addr a, r = fx_a("2001:db8:1::63");
	uint8_t plen;

	(void)state;
	assert_int_equal(srv_alloc(s, sn, SRV_NA, owner, 10, 1, &a, &plen), 0);
	assert_memory_equal(&a, &r, 16);
	/* nobody else may take it, even asking for it */
	assert_false(srv_alloc_usable(s, sn, SRV_NA, &r, 128, duid_a, 10));
	assert_true(srv_alloc_usable(s, sn, SRV_NA, &r, 128, owner, 10));
	fx_free(s);
}

static void test_cache_indexes_and_growth(void **state)
{
	struct srv *s = fx_new(NULL);
	struct in6_addr a = fx_a("2001:db8:1::1000");
	struct srv_lease *l, *first = NULL;
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		struct in6_addr x = a;

		addr6_add(&x, i);
		l = hold(s, &x, 128, duid_a, i % 3);
		if (!first)
			first = l;
	}
	assert_int_equal(s->cache.count, 5000);
	assert_true(s->cache.n_buckets >= 2048);
	assert_ptr_equal(srv_cache_find(&s->cache, &a, 128), first);
	assert_null(srv_cache_find(&s->cache, &a, 64));
	for (l = srv_cache_bind_first(&s->cache, duid_a, 10, SRV_NA, 1); l;
	     l = srv_cache_bind_next(l))
		n++;
	assert_int_equal(n, 1667);
	srv_cache_del(&s->cache, first);
	assert_null(srv_cache_find(&s->cache, &a, 128));
	assert_false(first->attached);
	free(first);
	assert_int_equal(s->cache.count, 4999);
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stable_hash_same_on_two_instances),
	    cmocka_unit_test(test_pd_pool),
	    cmocka_unit_test(test_iterative_skips_reserved_ids),
	    cmocka_unit_test(test_foreign_range_never_allocated),
	    cmocka_unit_test(test_random_stays_in_pool),
	    cmocka_unit_test(test_reservation),
	    cmocka_unit_test(test_cache_indexes_and_growth),
	};

	return cmocka_run_group_tests_name("srv_alloc", tests, NULL, NULL);
}
