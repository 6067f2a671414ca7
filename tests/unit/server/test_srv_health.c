/*
 * Health-driven Preference (server/srv_health.c, issue 10 item 5): commit
 * latency, a subnet's pool utilisation and the database make the instance
 * degraded; its Advertise then carries the configured lower Preference or
 * none; hysteresis (recover-percent, hold-seconds); counted; the heartbeat
 * detail says so. Commit times are injected at the sent/done boundary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "srv_health.h"
#include "srv_rx.h"

static struct d6_msg rep;

/* fx_conf_json with a health object spliced into dhcp6 */
static struct srv *with_health(const char *health)
{
	const char *at = strstr(fx_conf_json, "\"subnets\": [");
	size_t n = strlen(fx_conf_json) + strlen(health) + 32;
	char *json = malloc(n);
	struct srv *s;

	assert_non_null(at);
	assert_non_null(json);
	snprintf(json, n, "%.*s\"health\": %s, %s", (int)(at - fx_conf_json), fx_conf_json, health,
	         at);
	s = fx_new(json);
	free(json);
	return s;
}

/* The Preference of an Advertise to client c (on subnet 2 with relayed2),
 * -1 when it carries none. */
static int advertised(struct srv *s, uint8_t c, bool subnet2)
{
	struct fx_req r;
	struct srv_txn *t;
	int k, v = -1;

	fx_req_init(&r, D6_MSG_SOLICIT, c);
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, subnet2 ? FX_RELAYED2 : FX_RELAYED);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_ADVERTISE);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_PREFERENCE);
	if (k >= 0)
		v = rep.node[k].v.u8;
	srv_txn_free(t);
	return v;
}

/* n commits of ms milliseconds each */
static void commits(struct srv *s, unsigned n, unsigned ms)
{
	for (unsigned i = 0; i < n; i++) {
		srv_health_commit_sent(s);
		s->lat.sent_us -= (uint64_t)ms * 1000;
		srv_health_commit_done(s);
	}
}

static void test_commit_latency_hysteresis(void **state)
{
	struct srv *s = with_health("{\"enabled\": true, \"commit-latency-ms\": 50, "
	                            "\"preference\": 3, \"hold-seconds\": 0}");
	char detail[512];

	(void)state;
	commits(s, 10, 2);
	srv_health_tick(s, 1000);
	assert_int_equal(advertised(s, 1, false), 200);
	commits(s, 5, 120); /* over 1% of the window: the p99 is 120 ms */
	srv_health_tick(s, 1001);
	assert_int_equal(advertised(s, 1, false), 3);
	assert_int_equal(s->cnt[SRV_CNT_HEALTH_DEGRADED], 1);
	assert_int_equal(s->cnt[SRV_CNT_ADVERTISE_DEGRADED], 1);
	srv_health_detail(s, detail, sizeof(detail));
	assert_non_null(strstr(detail, "\"degraded\": true"));
	assert_non_null(strstr(detail, "\"degraded_latency\": true"));
	/* 45 ms: under the threshold, over 80% of it: still degraded */
	commits(s, SRV_LAT_WINDOW, 45);
	srv_health_tick(s, 1002);
	assert_int_equal(advertised(s, 1, false), 3);
	commits(s, SRV_LAT_WINDOW, 10);
	srv_health_tick(s, 1003);
	assert_int_equal(advertised(s, 1, false), 200);
	srv_health_detail(s, detail, sizeof(detail));
	assert_non_null(strstr(detail, "\"degraded\": false"));
	/* healthy, 45 ms does not make it degraded again */
	commits(s, SRV_LAT_WINDOW, 45);
	srv_health_tick(s, 1004);
	assert_int_equal(advertised(s, 1, false), 200);
	assert_int_equal(s->cnt[SRV_CNT_HEALTH_DEGRADED], 1);
	fx_free(s);
}

static void test_hold_seconds_and_no_preference(void **state)
{
	struct srv *s = with_health("{\"enabled\": true, \"commit-latency-ms\": 20, "
	                            "\"send-preference\": false, \"hold-seconds\": 30}");

	(void)state;
	commits(s, 4, 100);
	srv_health_tick(s, 500);
	assert_int_equal(advertised(s, 1, false), -1); /* no Preference at all */
	commits(s, SRV_LAT_WINDOW, 1);
	srv_health_tick(s, 510);
	assert_int_equal(advertised(s, 1, false), -1); /* held */
	srv_health_tick(s, 530);
	assert_int_equal(advertised(s, 1, false), 200);
	fx_free(s);
}

/* Subnet 2 has four addresses: three held is 75% > 70%. Only its link's
 * Advertise changes; the degraded Preference never exceeds the normal one. */
static void test_pool_utilisation(void **state)
{
	struct srv *s = with_health("{\"enabled\": true, \"pool-utilisation\": 70, "
	                            "\"preference\": 5, \"hold-seconds\": 0}");
	struct fx_req r;
	struct srv_txn *t;

	(void)state;
	for (uint8_t c = 20; c < 23; c++) {
		srv_health_tick(s, 2000 + c);
		assert_int_equal(advertised(s, 30, true), 17); /* 0%, 25%, 50% */
		fx_req_init(&r, D6_MSG_REQUEST, c);
		fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
		fx_req_ia(&r, false, 1);
		t = fx_run(s, &r, FX_RELAYED2);
		assert_int_equal(t->n_ops, 1);
		fx_done(s, t, true);
	}
	srv_health_tick(s, 2100);
	assert_true(s->deg_pool[1].on);
	assert_false(s->deg_pool[0].on);
	assert_int_equal(advertised(s, 30, true), 5);
	assert_int_equal(advertised(s, 31, false), 200); /* subnet 1 is not full */
	assert_int_equal(s->cnt[SRV_CNT_ADVERTISE_DEGRADED], 1);
	assert_int_equal(s->cnt[SRV_CNT_HEALTH_DEGRADED], 1);
	fx_free(s);

	/* the degraded Preference is never above the configured one */
	s = with_health("{\"enabled\": true, \"pool-utilisation\": 10, \"preference\": 100}");
	fx_req_init(&r, D6_MSG_REQUEST, 20);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED2);
	fx_done(s, t, true);
	srv_health_tick(s, 1);
	assert_true(s->deg_pool[1].on);
	assert_int_equal(advertised(s, 30, true), 17);
	fx_free(s);
}

/* The counts per subnet the pool check reads equal a pass over the cache. */
static void assert_tally(const struct srv *s)
{
	for (uint32_t id = 0; id < 5; id++) {
		for (uint8_t type = SRV_NA; type <= SRV_PD; type++) {
			uint64_t n = 0;

			for (size_t b = 0; b < s->cache.n_buckets; b++) {
				for (const struct srv_lease *l = s->cache.by_addr[b]; l;
				     l = l->next_addr)
					n += l->subnet_id == id && l->type == type;
			}
			assert_int_equal(srv_cache_count(&s->cache, id, type), n);
		}
	}
}

static struct srv_txn *request(struct srv *s, uint8_t c, bool pd, int how)
{
	struct fx_req r;

	fx_req_init(&r, D6_MSG_REQUEST, c);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, pd, 1);
	return fx_run(s, &r, how);
}

/* Grants on two subnets, a failed commit (undone), a Release, a lease
 * moved to another subnet id by an extend and back by its undo, a reclaim
 * of leases a new configuration drops, a cache of many leases: the counts
 * stay those of the cache (issue 10 review: no pass per health tick). */
static void test_pool_counts_follow_the_cache(void **state)
{
	struct srv *s = with_health("{\"enabled\": true, \"pool-utilisation\": 90}");
	struct srv_pktinfo none = {0};
	struct srv_lease *l;
	struct srv_txn *t;

	(void)state;
	for (uint8_t c = 1; c < 200; c++) {
		t = request(s, c, c % 3 == 0, c % 5 == 0 ? FX_RELAYED2 : FX_RELAYED);
		fx_done(s, t, c % 7 != 0); /* every 7th commit fails */
	}
	assert_tally(s);
	assert_true(srv_cache_count(&s->cache, 1, SRV_NA) > 50);
	assert_int_equal(srv_cache_count(&s->cache, 2, SRV_NA), 4); /* its pool is full */
	assert_true(srv_cache_count(&s->cache, 1, SRV_PD) > 10);
	l = srv_cache_bind_first(&s->cache, (const uint8_t[]){0, 3, 0, 1, 0, 0, 0, 0, 0, 1}, 10,
	                         SRV_NA, 1);
	assert_non_null(l);
	t = srv_txn_new(s, NULL, 0, &none);
	t->subnet_id = 3;
	assert_int_equal(srv_txn_extend(t, l, 10, 20), 0);
	assert_int_equal(l->subnet_id, 3);
	assert_int_equal(srv_cache_count(&s->cache, 3, SRV_NA), 1);
	assert_tally(s);
	srv_txn_undo(t);
	srv_txn_free(t);
	assert_int_equal(srv_cache_count(&s->cache, 3, SRV_NA), 0);
	assert_tally(s);
	t = srv_txn_new(s, NULL, 0, &none);
	assert_int_equal(srv_txn_release(t, l), 0);
	srv_txn_committed(t);
	srv_txn_free(t);
	assert_tally(s);
	srv_health_tick(s, 1);
	assert_true(s->deg_pool[1].on); /* subnet 2: 4 of 4 */
	assert_false(s->deg_pool[0].on);
	fx_free(s);
}

static void test_database_down(void **state)
{
	struct srv *s = with_health("{\"enabled\": true, \"preference\": 5}");

	(void)state;
	assert_int_equal(advertised(s, 1, false), 200);
	s->db_up = false;
	assert_int_equal(advertised(s, 1, false), 5); /* at once, before the tick */
	srv_health_tick(s, 10);
	assert_int_equal(s->cnt[SRV_CNT_HEALTH_DEGRADED], 1);
	s->db_up = true;
	srv_health_tick(s, 20);
	assert_int_equal(advertised(s, 1, false), 5); /* hold-seconds: 30 by default */
	srv_health_tick(s, 40);
	assert_int_equal(advertised(s, 1, false), 200);
	fx_free(s);
}

static void test_disabled(void **state)
{
	struct srv *s = fx_new(NULL);

	(void)state;
	commits(s, 10, 5000);
	s->db_up = false;
	srv_health_tick(s, 1);
	s->db_up = true;
	assert_int_equal(advertised(s, 1, false), 200);
	assert_int_equal(s->cnt[SRV_CNT_HEALTH_DEGRADED], 0);
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_latency_hysteresis),
	    cmocka_unit_test(test_hold_seconds_and_no_preference),
	    cmocka_unit_test(test_pool_utilisation),
	    cmocka_unit_test(test_pool_counts_follow_the_cache),
	    cmocka_unit_test(test_database_down),
	    cmocka_unit_test(test_disabled),
	};

	return cmocka_run_group_tests_name("srv_health", tests, NULL, NULL);
}
