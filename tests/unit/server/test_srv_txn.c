/*
 * server/srv_txn.c and srv_reclaim.c: lease operations change the cache at
 * once and undo newest-first when the commit fails (so a later transaction
 * built on an earlier one unwinds cleanly); a conflicting grant becomes a
 * ghost that blocks the space; reclaim queues expired leases in batches and
 * leaves live ones alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "srv_reclaim.h"
#include "srv_store.h"

static const uint8_t duid_a[] = {0, 3, 0, 1, 1, 2, 3, 4, 5, 6};

static struct srv_lease *mk(const char *addr, int64_t expires)
{
	struct srv_lease *l = srv_lease_new();

	assert_non_null(l);
	l->addr = fx_a(addr);
	l->plen = 128;
	l->iaid = 1;
	l->duid_len = 10;
	memcpy(l->duid, duid_a, 10);
	l->pref = 10;
	l->valid = 20;
	l->expires = expires;
	return l;
}

static struct srv_txn *txn(struct srv *s)
{
	struct srv_pktinfo pi = {0};
	struct srv_txn *t = srv_txn_new(s, NULL, 0, &pi);

	assert_non_null(t);
	t->now = 1000;
	t->subnet_id = 1;
	return t;
}

static void test_undo_newest_first(void **state)
{
	struct srv *s = fx_new(NULL);
	struct srv_txn *t1 = txn(s), *t2 = txn(s);
	struct srv_lease *l = mk("2001:db8:1::5", 1020);
	struct in6_addr a = l->addr;

	(void)state;
	assert_int_equal(srv_txn_grant(t1, l), 0);
	assert_int_equal(srv_txn_extend(t2, l, 300, 600), 0);
	assert_int_equal(l->valid, 600);
	assert_int_equal(l->expires, 1600);
	assert_int_equal(srv_txn_release(t2, l), 0);
	assert_null(srv_cache_find(&s->cache, &a, 128));
	/* the failed batch unwinds t2, then t1 */
	srv_txn_undo(t2);
	assert_ptr_equal(srv_cache_find(&s->cache, &a, 128), l);
	assert_int_equal(l->valid, 20);
	assert_int_equal(l->expires, 1020);
	srv_txn_undo(t1);
	assert_null(srv_cache_find(&s->cache, &a, 128));
	assert_int_equal(s->cache.count, 0);
	srv_txn_free(t1);
	srv_txn_free(t2);
	fx_free(s);
}

static void test_commit_frees_released(void **state)
{
	struct srv *s = fx_new(NULL);
	struct srv_txn *t = txn(s);
	struct srv_lease *l = mk("2001:db8:1::6", 2000);

	(void)state;
	srv_cache_add(&s->cache, l);
	assert_int_equal(srv_txn_decline(t, l, 50), 0);
	assert_int_equal(l->state, SRV_LEASE_DECLINED);
	assert_int_equal(l->expires, 1050);
	srv_txn_committed(t);
	assert_int_equal(t->n_ops, 0);
	srv_txn_free(t);
	t = txn(s);
	assert_int_equal(srv_txn_release(t, l), 0);
	srv_txn_committed(t); /* frees l (ASan checks) */
	assert_int_equal(s->cache.count, 0);
	srv_txn_free(t);
	fx_free(s);
}

static void test_conflict_leaves_ghost(void **state)
{
	struct srv *s = fx_new(NULL);
	struct srv_txn *t = txn(s);
	struct srv_lease *l = mk("2001:db8:1::7", 2000);
	struct in6_addr a = l->addr;

	(void)state;
	assert_int_equal(srv_txn_grant(t, l), 0);
	srv_txn_conflicted(t);
	assert_ptr_equal(srv_cache_find(&s->cache, &a, 128), l);
	assert_int_equal(l->state, SRV_LEASE_GHOST);
	srv_txn_free(t);
	/* reclaim forgets a ghost without any SQL */
	t = txn(s);
	assert_int_equal(srv_txn_expire(t, l), 0);
	assert_int_equal(t->ops[0].kind, SRV_OP_FORGET);
	srv_txn_committed(t);
	srv_txn_free(t);
	assert_int_equal(s->cache.count, 0);
	fx_free(s);
}

static void test_op_cap(void **state)
{
	struct srv *s = fx_new(NULL);
	struct srv_txn *t = txn(s);
	struct srv_lease *l = mk("2001:db8:1::8", 2000);

	(void)state;
	srv_cache_add(&s->cache, l);
	for (int i = 0; i < SRV_TXN_MAX_OPS; i++)
		assert_int_equal(srv_txn_extend(t, l, 1, 2), 0);
	assert_int_equal(srv_txn_extend(t, l, 1, 2), CH_ELIMIT);
	srv_txn_undo(t);
	assert_int_equal(l->valid, 20);
	srv_txn_free(t);
	fx_free(s);
}

static void test_reclaim_needs_database(void **state)
{
	struct srv *s = fx_new(NULL);

	(void)state;
	srv_cache_add(&s->cache, mk("2001:db8:1::9", 10));
	s->db_up = false;
	assert_int_equal(srv_reclaim_tick(s, 1000), 0);
	s->db_up = true;
	/* with no connection the queue refuses and undoes: the lease stays */
	assert_int_equal(srv_reclaim_tick(s, 1000), 1);
	assert_int_equal(s->cache.count, 1);
	assert_int_equal(s->cnt[SRV_CNT_DROP_DB_DOWN], 1);
	fx_free(s);
}

static void test_reclaim_picks_only_expired(void **state)
{
	struct srv *s = fx_new(NULL);
	char buf[64];

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "2001:db8:1::%x", 0x100 + i);
		srv_cache_add(&s->cache, mk(buf, i < 70 ? 500 : SRV_NEVER));
	}
	/* every expired lease is found in one pass of the table, none twice */
	assert_int_equal(srv_reclaim_tick(s, 1000), 70);
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_undo_newest_first),
	    cmocka_unit_test(test_commit_frees_released),
	    cmocka_unit_test(test_conflict_leaves_ghost),
	    cmocka_unit_test(test_op_cap),
	    cmocka_unit_test(test_reclaim_needs_database),
	    cmocka_unit_test(test_reclaim_picks_only_expired),
	};

	return cmocka_run_group_tests_name("srv_txn", tests, NULL, NULL);
}
