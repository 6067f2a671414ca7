/*
 * A changed configuration reaches existing bindings (issue 10 item 2, RFC
 * 8415 §18.3.4, §18.3.5): after a pool, PD pool or reservation changed, a
 * lease outside the new configuration is never advertised or extended
 * again; Request, Renew and Rebind return it with lifetimes 0 beside a
 * fresh lease and expire its row in the same commit; the reclaim tick
 * takes the ones no client asks about.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "fixture.h"
#include "srv_alloc.h"
#include "srv_link.h"
#include "srv_reclaim.h"
#include "srv_rx.h"

static struct d6_msg rep;

/* fx_conf_json with from replaced by to (once); the caller frees it. */
static char *edit(const char *json, const char *from, const char *to)
{
	const char *at = strstr(json, from);
	size_t n = strlen(json) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
	return out;
}

/* subnet 1's address pool moved to the upper /65 (no foreign range any
 * more), its PD pool to another /40; the reservation stays */
static char *moved(void)
{
	char *a = edit(fx_conf_json,
	               "\"pools\": [{\"prefix\": \"2001:db8:1::/65\"}],"
	               "    \"foreign-ranges\": [{\"prefix\": \"2001:db8:1:0:8000::/65\"}],",
	               "\"pools\": [{\"prefix\": \"2001:db8:1:0:8000::/65\"}],");
	char *b = edit(a, "2001:db8:100::/40", "2001:db8:200::/40");

	free(a);
	return b;
}

static struct srv_txn *ask(struct srv *s, uint8_t type, uint8_t c, bool pd,
                           const struct in6_addr *a)
{
	char txt[64];
	struct fx_req r;
	int ia;

	fx_req_init(&r, type, c);
	if (type != D6_MSG_SOLICIT && type != D6_MSG_REBIND)
		fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, pd, pd ? 2 : 1);
	inet_ntop(AF_INET6, a, txt, sizeof(txt));
	if (pd)
		fx_req_prefix(&r, ia, txt, 56);
	else
		fx_req_addr(&r, ia, txt);
	return fx_run(s, &r, FX_RELAYED);
}

/* The reply IA holds old with lifetimes 0 and one live lease of the new
 * pools; the transaction expires old and grants the new one. */
static void assert_replaced(struct srv *s, struct srv_txn *t, bool pd, const struct in6_addr *old)
{
	const struct conf_subnet *sn = &s->conf->dhcp6.subnets[0];
	uint16_t code = pd ? D6_OPT_IAPREFIX : D6_OPT_IAADDR;
	int ia, k, live = 0, zero = 0;

	assert_false(t->drop);
	assert_int_equal(t->n_ops, 2);
	assert_int_equal(t->ops[0].kind, SRV_OP_EXPIRE);
	assert_memory_equal(&t->ops[0].lease->addr, old, 16);
	assert_int_equal(t->ops[1].kind, SRV_OP_GRANT);
	assert_null(srv_cache_find(&s->cache, old, pd ? 56 : 128));
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, pd ? D6_OPT_IA_PD : D6_OPT_IA_NA, 0);
	for (k = d6_msg_find(&rep, ia, code); k >= 0; k = d6_msg_find_next(&rep, k, code)) {
		const uint8_t *a = pd ? rep.node[k].v.iaprefix.prefix : rep.node[k].v.iaaddr.addr;
		uint32_t valid = pd ? rep.node[k].v.iaprefix.valid : rep.node[k].v.iaaddr.valid;
		struct in6_addr x;

		memcpy(&x, a, 16);
		if (!valid) {
			assert_memory_equal(&x, old, 16);
			zero++;
			continue;
		}
		live++;
		if (pd)
			assert_non_null(srv_link_own_prefix(sn, &x, 56));
		else
			assert_true(srv_link_own_addr(sn, &x));
	}
	assert_int_equal(zero, 1);
	assert_int_equal(live, 1);
}

static void test_advertise_never_offers_it(void **state)
{
	struct srv *s = *state;
	struct in6_addr old = fx_grant(s, 50, false, FX_RELAYED), got;
	char *json = moved();
	struct srv_txn *t;
	int ia;

	fx_reconf(s, json);
	free(json);
	t = ask(s, D6_MSG_SOLICIT, 50, false, &old);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 1);
	memcpy(&got, rep.node[d6_msg_find(&rep, ia, D6_OPT_IAADDR)].v.iaaddr.addr, 16);
	assert_memory_not_equal(&got, &old, 16);
	assert_true(srv_link_own_addr(&s->conf->dhcp6.subnets[0], &got));
	assert_non_null(srv_cache_find(&s->cache, &old, 128)); /* an Advertise changes nothing */
	srv_txn_free(t);
}

static void test_renew_rebind_request_replace(void **state)
{
	struct srv *s = *state;
	struct in6_addr a1 = fx_grant(s, 51, false, FX_RELAYED),
	                a2 = fx_grant(s, 52, false, FX_RELAYED);
	struct in6_addr a3 = fx_grant(s, 53, false, FX_RELAYED);
	char *json = moved();
	struct srv_txn *t;

	fx_reconf(s, json);
	free(json);
	t = ask(s, D6_MSG_RENEW, 51, false, &a1);
	assert_replaced(s, t, false, &a1);
	fx_done(s, t, true);
	/* whatever the rebind-policy: refuse would zero a foreign lease only */
	s->conf->dhcp6.subnets[0].rebind_policy = CONF_REBIND_REFUSE;
	t = ask(s, D6_MSG_REBIND, 52, false, &a2);
	assert_replaced(s, t, false, &a2);
	fx_done(s, t, true);
	t = ask(s, D6_MSG_REQUEST, 53, false, &a3);
	assert_replaced(s, t, false, &a3);
	fx_done(s, t, true);
	assert_int_equal(s->cnt[SRV_CNT_LEASE_UNFIT], 3);
	/* a later Renew still naming a1: a1 is zeroed as a lease this instance
	 * does not hold, the new lease of the binding is extended */
	t = ask(s, D6_MSG_RENEW, 51, false, &a1);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_EXTEND);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_live(&rep, fx_ia(&rep, D6_OPT_IA_NA, 0)), 1);
	srv_txn_free(t);
}

/* Reclaimed before the client came back: under rebind-policy refuse an
 * address in no pool and no foreign range is still replaced, while a
 * sibling's (a foreign range) is only zeroed. */
static void test_refuse_still_replaces_stale(void **state)
{
	struct srv *s = *state;
	struct in6_addr a = fx_grant(s, 60, false, FX_RELAYED), sib = fx_a("2001:db8:1:0:c000::9");
	char *json = moved(), *b;
	struct srv_lease *gone;
	struct srv_txn *t;
	int ia;

	b = edit(json, "\"pools\": [{\"prefix\": \"2001:db8:1:0:8000::/65\"}],",
	         "\"pools\": [{\"prefix\": \"2001:db8:1:0:8000::/66\"}], \"foreign-ranges\": "
	         "[{\"prefix\": \"2001:db8:1:0:c000::/66\"}], \"rebind-policy\": \"refuse\",");
	fx_reconf(s, b);
	free(json);
	free(b);
	assert_int_equal(srv_reclaim_tick(s, 0), 1); /* no database: undone, so forget it */
	gone = srv_cache_find(&s->cache, &a, 128);
	srv_cache_del(&s->cache, gone);
	free(gone);
	t = ask(s, D6_MSG_REBIND, 60, false, &a);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 2);
	assert_int_equal(fx_live(&rep, ia), 1);
	fx_done(s, t, true);
	t = ask(s, D6_MSG_REBIND, 61, false, &sib);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_live(&rep, fx_ia(&rep, D6_OPT_IA_NA, 0)), 0);
	srv_txn_free(t);
}

static void test_prefix_replaced(void **state)
{
	struct srv *s = *state;
	struct in6_addr p = fx_grant(s, 54, true, FX_RELAYED);
	char *json = moved();
	struct srv_txn *t;

	fx_reconf(s, json);
	free(json);
	t = ask(s, D6_MSG_RENEW, 54, true, &p);
	assert_replaced(s, t, true, &p);
	fx_done(s, t, true);
}

static void test_reservation_removed(void **state)
{
	struct srv *s = *state;
	struct in6_addr want = fx_a("2001:db8:1::63"), got;
	char *a = moved(), *b;
	struct srv_txn *t;

	got = fx_grant(s, 0x63, false, FX_RELAYED);
	assert_memory_equal(&got, &want, 16);
	fx_reconf(s, a); /* the pool moved, the reservation holds it */
	t = ask(s, D6_MSG_RENEW, 0x63, false, &want);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_EXTEND);
	fx_done(s, t, true);
	b = edit(a,
	         ","
	         "    \"reservations\": [{\"duid\": \"00:03:00:01:00:00:00:00:00:63\","
	         "     \"addresses\": [\"2001:db8:1::63\"]}]",
	         "");
	fx_reconf(s, b);
	free(a);
	free(b);
	t = ask(s, D6_MSG_RENEW, 0x63, false, &want);
	assert_replaced(s, t, false, &want);
	fx_done(s, t, true);
}

/* The reclaim tick's commit took for the lease at a/plen (no database
 * here: what srv_store.c does when the sync comes back). */
static void reclaimed(struct srv *s, const struct in6_addr *a, uint8_t plen)
{
	struct srv_lease *l = srv_cache_find(&s->cache, a, plen);
	struct srv_pktinfo none = {0};
	struct srv_txn *t = srv_txn_new(s, NULL, 0, &none);

	assert_non_null(l);
	assert_non_null(t);
	t->now = time(NULL);
	assert_int_equal(srv_txn_expire(t, l), 0);
	srv_txn_committed(t);
	srv_txn_free(t);
	assert_null(srv_cache_find(&s->cache, a, plen));
}

/* The reply's IA_PD: old with lifetimes 0 and want_live prefixes of the
 * current PD pools, each a grant of the transaction. */
static void assert_prefix_zeroed(struct srv *s, struct srv_txn *t, const struct in6_addr *old,
                                 int want_live)
{
	int ia, k, live = 0, zero = 0;

	assert_false(t->drop);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_PD, 0);
	for (k = d6_msg_find(&rep, ia, D6_OPT_IAPREFIX); k >= 0;
	     k = d6_msg_find_next(&rep, k, D6_OPT_IAPREFIX)) {
		struct in6_addr x;

		memcpy(&x, rep.node[k].v.iaprefix.prefix, 16);
		if (!rep.node[k].v.iaprefix.valid) {
			assert_memory_equal(&x, old, 16);
			zero++;
			continue;
		}
		assert_non_null(srv_link_own_prefix(&s->conf->dhcp6.subnets[0], &x, 56));
		live++;
	}
	assert_int_equal(zero, 1);
	assert_int_equal(live, want_live);
	assert_int_equal(t->n_ops, (size_t)want_live);
	if (want_live)
		assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
}

/* issue 10 item 2: under rebind-policy refuse, a prefix of the old PD pool
 * that the reclaim tick took already is ours by the history: Rebind and
 * Renew return it with lifetimes 0 beside a fresh prefix, as for an
 * address, and so does a Request naming it. A sibling's prefix, and the same prefix named by
 * another client, are refused: lifetimes 0 only. */
static void test_refuse_replaces_reclaimed_prefix(void **state)
{
	struct srv *s = *state;
	struct in6_addr p1 = fx_grant(s, 64, true, FX_RELAYED),
	                p2 = fx_grant(s, 65, true, FX_RELAYED);
	struct in6_addr p3 = fx_grant(s, 68, true, FX_RELAYED), sib = fx_a("2001:db8:300::");
	char *json = moved(), *b;
	struct srv_txn *t;

	b = edit(json, "\"pd-pools\":", "\"rebind-policy\": \"refuse\", \"pd-pools\":");
	fx_reconf(s, b);
	free(json);
	free(b);
	reclaimed(s, &p1, 56);
	reclaimed(s, &p2, 56);
	reclaimed(s, &p3, 56);
	t = ask(s, D6_MSG_REBIND, 64, true, &p1);
	assert_prefix_zeroed(s, t, &p1, 1);
	fx_done(s, t, true);
	t = ask(s, D6_MSG_RENEW, 65, true, &p2);
	assert_prefix_zeroed(s, t, &p2, 1);
	fx_done(s, t, true);
	t = ask(s, D6_MSG_REQUEST, 68, true, &p3);
	assert_prefix_zeroed(s, t, &p3, 1);
	fx_done(s, t, true);
	t = ask(s, D6_MSG_REBIND, 66, true, &sib);
	assert_prefix_zeroed(s, t, &sib, 0);
	srv_txn_free(t);
	t = ask(s, D6_MSG_REBIND, 67, true, &p1);
	assert_prefix_zeroed(s, t, &p1, 0);
	srv_txn_free(t);
	assert_int_equal(s->cnt[SRV_CNT_REBIND_REFUSED], 2);
}

/* The PD pool changed and changed back before the client came back: its
 * ended prefix fits again, and a Request naming it gets it once, live. */
static void test_request_ended_then_allowed_again(void **state)
{
	struct srv *s = *state;
	struct in6_addr p = fx_grant(s, 69, true, FX_RELAYED), x;
	char *json = moved();
	struct srv_txn *t;
	int ia, k;

	fx_reconf(s, json);
	free(json);
	reclaimed(s, &p, 56);
	fx_reconf(s, fx_conf_json);
	t = ask(s, D6_MSG_REQUEST, 69, true, &p);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_PD, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAPREFIX), 1);
	k = d6_msg_find(&rep, ia, D6_OPT_IAPREFIX);
	memcpy(&x, rep.node[k].v.iaprefix.prefix, 16);
	assert_memory_equal(&x, &p, 16);
	assert_true(rep.node[k].v.iaprefix.valid > 0);
	fx_done(s, t, true);
}

/* A reserved prefix outside the PD pools, its reservation removed under
 * rebind-policy refuse: held, Renew replaces it (srv_alloc_fits); reclaimed
 * first, Rebind replaces it (the history). */
static char *with_reserved_prefix(bool keep)
{
	const char *resv = "\"reservations\": [{\"duid\": \"00:03:00:01:00:00:00:00:00:63\","
	                   "     \"addresses\": [\"2001:db8:1::63\"]}]";
	char *a = edit(fx_conf_json, resv,
	               keep ? "\"reservations\": [{\"duid\": \"00:03:00:01:00:00:00:00:00:63\","
	                      " \"prefixes\": [\"2001:db8:900::/56\"]}]"
	                    : "\"reservations\": []");
	char *b = edit(a, "\"pd-pools\":", "\"rebind-policy\": \"refuse\", \"pd-pools\":");

	free(a);
	return b;
}

static void reserved_prefix_removed(struct srv *s, bool reclaim_first)
{
	struct srv_txn *t;
	struct in6_addr want = fx_a("2001:db8:900::"), got;
	char *json = with_reserved_prefix(true);

	fx_reconf(s, json);
	free(json);
	got = fx_grant(s, 0x63, true, FX_RELAYED);
	assert_memory_equal(&got, &want, 16);
	json = with_reserved_prefix(false);
	fx_reconf(s, json);
	free(json);
	if (reclaim_first) {
		reclaimed(s, &want, 56);
		t = ask(s, D6_MSG_REBIND, 0x63, true, &want);
		assert_prefix_zeroed(s, t, &want, 1);
	} else {
		t = ask(s, D6_MSG_RENEW, 0x63, true, &want);
		assert_replaced(s, t, true, &want);
	}
	fx_done(s, t, true);
}

static void test_reserved_prefix_removed_held(void **state)
{
	reserved_prefix_removed(*state, false);
}

static void test_reserved_prefix_removed_reclaimed(void **state)
{
	reserved_prefix_removed(*state, true);
}

static void test_reclaim_takes_unfit(void **state)
{
	struct srv *s = *state;
	char *json = moved();
	size_t drops;

	fx_grant(s, 55, false, FX_RELAYED);
	fx_grant(s, 56, false, FX_RELAYED);
	fx_grant(s, 57, true, FX_RELAYED);
	assert_int_equal(srv_reclaim_tick(s, 0), 0); /* all fit */
	fx_reconf(s, json);
	free(json);
	fx_grant(s, 58, false, FX_RELAYED); /* from the new pool: fits */
	s->resv_ready = false; /* reconnected, the schema's reservations not read yet */
	assert_int_equal(srv_reclaim_tick(s, 0), 0);
	s->resv_ready = true;
	drops = s->cnt[SRV_CNT_DROP_DB_DOWN];
	assert_int_equal(srv_reclaim_tick(s, 0), 3);
	assert_int_equal(s->cnt[SRV_CNT_LEASE_UNFIT], 3);
	/* queued as one transaction: no database here, so it was undone */
	assert_int_equal(s->cnt[SRV_CNT_DROP_DB_DOWN], drops + 1);
	assert_int_equal(s->cache.count, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_advertise_never_offers_it, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_renew_rebind_request_replace, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refuse_still_replaces_stale, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_prefix_replaced, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reservation_removed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reclaim_takes_unfit, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refuse_replaces_reclaimed_prefix, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_ended_then_allowed_again, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reserved_prefix_removed_held, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reserved_prefix_removed_reclaimed, fx_setup,
	                                    fx_teardown),
	};

	return cmocka_run_group_tests_name("srv_reconf", tests, NULL, NULL);
}
