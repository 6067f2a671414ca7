/*
 * Every message path of chorus-dhcp6d through the real receive path and
 * handlers (server/srv_rx.c, srv_solicit.c ... srv_lq.c), with the real
 * lease cache and allocators; only the socket is fake and the commit is
 * simulated at the sync callback. Checks reply type, options, status codes,
 * lifetimes, T1/T2 and the lease operations waiting for the commit.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "d6_relay.h"
#include "evl.h"
#include "fixture.h"
#include "lq_handoff.h"
#include "srv_link.h"
#include "srv_lq.h"
#include "srv_rx.h"
#include "srv_store.h"

static struct d6_msg rep;

static void test_solicit_advertise(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int na, pd, k;
	struct in6_addr a;
	const struct conf_subnet *sn = &s->conf->dhcp6.subnets[0];

	fx_req_init(&r, D6_MSG_SOLICIT, 1);
	fx_req_ia(&r, false, 1);
	fx_req_ia(&r, true, 2);
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_non_null(t);
	assert_false(t->drop);
	assert_int_equal(t->n_ops, 0); /* an Advertise commits nothing */
	assert_int_equal(s->cache.count, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_ADVERTISE);
	assert_int_equal(rep.xid, 0x123456);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_SERVERID) >= 0);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENTID) >= 0);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_PREFERENCE);
	assert_true(k >= 0);
	assert_int_equal(rep.node[k].v.u8, 200);
	na = fx_ia(&rep, D6_OPT_IA_NA, 0);
	pd = fx_ia(&rep, D6_OPT_IA_PD, 0);
	assert_true(na >= 0 && pd >= 0);
	k = d6_msg_find(&rep, na, D6_OPT_IAADDR);
	memcpy(&a, rep.node[k].v.iaaddr.addr, 16);
	assert_true(srv_link_own_addr(sn, &a));
	assert_int_equal(rep.node[k].v.iaaddr.pref, 1000);
	assert_int_equal(rep.node[k].v.iaaddr.valid, 2000);
	/* one T1/T2 for all IAs: 0.5 and 0.8 of preferred */
	assert_int_equal(rep.node[na].v.ia.t1, 500);
	assert_int_equal(rep.node[na].v.ia.t2, 800);
	assert_int_equal(rep.node[pd].v.ia.t1, 500);
	assert_int_equal(rep.node[pd].v.ia.t2, 800);
	k = d6_msg_find(&rep, pd, D6_OPT_IAPREFIX);
	assert_int_equal(rep.node[k].v.iaprefix.plen, 56);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_DNS_SERVERS) >= 0);
	assert_int_equal(rep.node[d6_msg_find(&rep, D6_ROOT, D6_OPT_DNS_SERVERS)].tail_len, 32);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_SOL_MAX_RT) >= 0);
	assert_int_equal(d6_msg_find(&rep, D6_ROOT, D6_OPT_NTP_SERVER), D6_NONE); /* not asked */
	assert_int_equal(d6_msg_find(&rep, D6_ROOT, D6_OPT_INFO_REFRESH), D6_NONE);
	assert_int_equal(s->cnt[SRV_CNT_ADVERTISE], 1);
	srv_txn_free(t);
}

static void test_solicit_preference_override_and_no_oro(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	struct d6_relay_chain ch;
	int k;

	fx_req_init(&r, D6_MSG_SOLICIT, 2);
	fx_req_oro(&r, NULL, 0);
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED2); /* subnet 2 by INTERFACE_ID eth9 */
	assert_non_null(t);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_ADVERTISE);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_PREFERENCE);
	assert_true(k >= 0);
	assert_int_equal(rep.node[k].v.u8, 17);
	assert_int_equal(d6_msg_find(&rep, D6_ROOT, D6_OPT_DNS_SERVERS), D6_NONE);
	/* the Relay-reply goes back through both hops, INTERFACE_ID echoed */
	assert_int_equal(d6_relay_parse(t->out, t->out_len, 32, 0, &ch), 0);
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.layer[0].type, D6_MSG_RELAY_REPL);
	assert_int_equal(ch.layer[0].hops, 1);
	assert_int_equal(ch.layer[1].hops, 0);
	assert_null(ch.layer[0].ifid);
	assert_int_equal(ch.layer[1].ifid_len, 4);
	assert_memory_equal(ch.layer[1].ifid, "eth9", 4);
	srv_txn_free(t);
}

static void test_solicit_db_down_offers_nothing(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int na, pd;

	s->db_up = false;
	fx_req_init(&r, D6_MSG_SOLICIT, 3);
	fx_req_ia(&r, false, 1);
	fx_req_ia(&r, true, 1);
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_ADVERTISE);
	na = fx_ia(&rep, D6_OPT_IA_NA, 0);
	pd = fx_ia(&rep, D6_OPT_IA_PD, 0);
	assert_int_equal(fx_status(&rep, na), D6_STATUS_NOADDRSAVAIL);
	assert_int_equal(fx_status(&rep, pd), D6_STATUS_NOPREFIXAVAIL);
	assert_int_equal(fx_live(&rep, na) + fx_live(&rep, pd), 0);
	assert_int_equal(rep.node[na].v.ia.t1, 0);
	srv_txn_free(t);
}

static void test_solicit_rapid_commit(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int na;

	fx_req_init(&r, D6_MSG_SOLICIT, 4);
	d6_msg_add(&r.m, D6_ROOT, D6_OPT_RAPID_COMMIT);
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED2);
	assert_false(t->drop);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_REPLY);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_RAPID_COMMIT) >= 0);
	assert_int_equal(d6_msg_find(&rep, D6_ROOT, D6_OPT_PREFERENCE), D6_NONE);
	na = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(rep.node[na].v.ia.t1, 100); /* explicit timers of subnet 2 */
	assert_int_equal(rep.node[na].v.ia.t2, 160);
	fake_sent.count = 0;
	fx_done(s, t, true);
	assert_int_equal(fake_sent.count, 1); /* the Reply left after the commit */
	assert_int_equal(s->cache.count, 1);
}

static void test_solicit_drop_rules(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;

	fx_req_init(&r, D6_MSG_SOLICIT, 5);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_SERVERID], 1);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_SOLICIT, 0); /* no CLIENTID */
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_NO_CLIENTID], 1);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_SOLICIT, 5);
	t = fx_run(s, &r, FX_DIRECT_UNICAST);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_UNICAST], 1);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_ADVERTISE, 5);
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_TYPE], 1);
	srv_txn_free(t);
}

static void test_request_grants_then_extends(void **state)
{
	struct srv *s = *state;
	struct in6_addr a = fx_grant(s, 6, false, FX_RELAYED), b;
	struct srv_lease *l = srv_cache_find(&s->cache, &a, 128);

	assert_non_null(l);
	assert_int_equal(l->state, SRV_LEASE_ACTIVE);
	assert_int_equal(l->valid, 2000);
	assert_int_equal(l->subnet_id, 1);
	assert_int_equal(fake_sent.dst.sin6_port, htons(547)); /* back to the relay's port */
	/* a second Request for the same IA returns the existing binding */
	{
		struct fx_req r;
		struct srv_txn *t;

		fx_req_init(&r, D6_MSG_REQUEST, 6);
		fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
		fx_req_ia(&r, false, 1);
		t = fx_run(s, &r, FX_RELAYED);
		assert_int_equal(t->n_ops, 1);
		assert_int_equal(t->ops[0].kind, SRV_OP_EXTEND);
		assert_int_equal(fx_reply(t, &rep), 0);
		memcpy(&b,
		       rep.node[d6_msg_find(&rep, fx_ia(&rep, D6_OPT_IA_NA, 0), D6_OPT_IAADDR)]
		           .v.iaaddr.addr,
		       16);
		assert_memory_equal(&a, &b, 16);
		fx_done(s, t, true);
	}
	assert_int_equal(s->cache.count, 1);
}

static void test_request_serverid_rules(void **state)
{
	struct srv *s = *state;
	const uint8_t other[] = {0, 3, 0, 1, 9, 9, 9, 9, 9, 9};
	struct fx_req r;
	struct srv_txn *t;

	fx_req_init(&r, D6_MSG_REQUEST, 7);
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_NO_SERVERID], 1);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_REQUEST, 7);
	fx_req_serverid(&r, other, sizeof(other));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_WRONG_SERVERID], 1);
	assert_int_equal(s->cache.count, 0);
	srv_txn_free(t);
}

static void test_request_not_on_link(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int ia;

	fx_req_init(&r, D6_MSG_REQUEST, 8);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, false, 1);
	fx_req_addr(&r, ia, "2001:db8:9::1");
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(fx_status(&rep, ia), D6_STATUS_NOTONLINK);
	assert_int_equal(fx_live(&rep, ia), 0);
	srv_txn_free(t);
}

static void test_request_unicast_use_multicast(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;

	fx_req_init(&r, D6_MSG_REQUEST, 9);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_DIRECT_UNICAST);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_REPLY);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_USEMULTICAST);
	assert_int_equal(fx_ia(&rep, D6_OPT_IA_NA, 0), -1);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENTID) >= 0);
	srv_txn_free(t);
}

static void test_request_db_down_and_commit_failure(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;

	s->db_up = false;
	fx_req_init(&r, D6_MSG_REQUEST, 10);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_DB_DOWN], 1);
	assert_int_equal(s->cache.count, 0);
	srv_txn_free(t);

	s->db_up = true;
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(s->cache.count, 1); /* applied to the cache at once */
	fake_sent.count = 0;
	fx_done(s, t, false); /* the sync failed */
	assert_int_equal(s->cache.count, 0);
	assert_int_equal(fake_sent.count, 0); /* and no Reply left */
}

static void test_request_pool_exhausted(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int ia;

	for (uint8_t c = 20; c < 24; c++)
		fx_grant(s, c, false, FX_RELAYED2); /* subnet 2 has four addresses */
	fx_req_init(&r, D6_MSG_REQUEST, 24);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED2);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(fx_status(&rep, ia), D6_STATUS_NOADDRSAVAIL);
	assert_int_equal(rep.node[ia].v.ia.t1, 0);
	srv_txn_free(t);
}

static struct srv_txn *renew_like(struct srv *s, uint8_t type, uint8_t c, const char *addr, int how)
{
	struct fx_req r;
	int ia;

	fx_req_init(&r, type, c);
	if (type == D6_MSG_RENEW)
		fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, false, 1);
	if (addr)
		fx_req_addr(&r, ia, addr);
	return fx_run(s, &r, how);
}

static void test_renew_extends(void **state)
{
	struct srv *s = *state;
	struct in6_addr a = fx_grant(s, 30, false, FX_RELAYED);
	char txt[64];
	struct srv_txn *t;
	int ia, k;

	inet_ntop(AF_INET6, &a, txt, sizeof(txt));
	t = renew_like(s, D6_MSG_RENEW, 30, txt, FX_RELAYED);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_EXTEND);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	k = d6_msg_find(&rep, ia, D6_OPT_IAADDR);
	assert_memory_equal(rep.node[k].v.iaaddr.addr, &a, 16);
	assert_int_equal(rep.node[k].v.iaaddr.valid, 2000);
	assert_int_equal(rep.node[ia].v.ia.t1, 500);
	fx_done(s, t, true);
}

/* An empty IA in Renew (nothing held in it yet): a new lease while the
 * subnet creates bindings in Renew, NoBinding once it does not (§18.3.4). */
static void test_renew_no_binding(void **state)
{
	struct srv *s = *state;
	struct srv_txn *t = renew_like(s, D6_MSG_RENEW, 31, NULL, FX_RELAYED);
	int ia;

	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(fx_live(&rep, ia), 1);
	assert_int_equal(fx_status(&rep, ia), -1);
	fx_done(s, t, true);

	s->conf->dhcp6.subnets[0].renew_creates = false;
	t = renew_like(s, D6_MSG_RENEW, 32, NULL, FX_RELAYED);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, fx_ia(&rep, D6_OPT_IA_NA, 0)), D6_STATUS_NOBINDING);
	srv_txn_free(t);
}

/* A Renew that adds an IA_NA beside the IA_PD the client holds: the PD is
 * extended, the new IA gets an address; the switch off gives NoBinding and
 * no longer adopts an address nobody holds. */
static void test_renew_new_ia_beside_pd(void **state)
{
	struct srv *s = *state;
	struct in6_addr asked = fx_a("2001:db8:1::77");
	struct fx_req r;
	struct srv_txn *t;
	char pfx[64];
	int ia, k;

	fx_req_init(&r, D6_MSG_REQUEST, 36);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, true, 5);
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(fx_reply(t, &rep), 0);
	k = d6_msg_find(&rep, fx_ia(&rep, D6_OPT_IA_PD, 0), D6_OPT_IAPREFIX);
	inet_ntop(AF_INET6, rep.node[k].v.iaprefix.prefix, pfx, sizeof(pfx));
	fx_done(s, t, true);

	fx_req_init(&r, D6_MSG_RENEW, 36);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, true, 5);
	fx_req_prefix(&r, ia, pfx, 56);
	fx_req_ia(&r, false, 6);
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 2);
	assert_int_equal(t->ops[0].kind, SRV_OP_EXTEND);
	assert_int_equal(t->ops[1].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_live(&rep, fx_ia(&rep, D6_OPT_IA_PD, 0)), 1);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(rep.node[ia].v.ia.iaid, 6);
	assert_int_equal(fx_live(&rep, ia), 1);
	fx_done(s, t, true);

	s->conf->dhcp6.subnets[0].renew_creates = false;
	fx_req_init(&r, D6_MSG_RENEW, 36);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, true, 5);
	fx_req_prefix(&r, ia, pfx, 56);
	fx_req_ia(&r, false, 7);
	ia = fx_req_ia(&r, false, 8);
	fx_req_addr(&r, ia, "2001:db8:1::77"); /* in the own pool, nobody holds it */
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 2); /* the PD extended, IA 8's replacement */
	assert_int_equal(t->ops[1].kind, SRV_OP_GRANT);
	assert_memory_not_equal(&t->ops[1].lease->addr, &asked, 16);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, fx_ia(&rep, D6_OPT_IA_NA, 0)), D6_STATUS_NOBINDING);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 1);
	assert_int_equal(fx_live(&rep, ia), 1); /* replaced: zero lifetimes and a new one */
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 2);
	fx_done(s, t, true);
}

static void test_rebind_replace(void **state)
{
	struct srv *s = *state;
	struct srv_txn *t = renew_like(s, D6_MSG_REBIND, 32, "2001:db8:1:0:8000::5", FX_RELAYED);
	struct in6_addr gone = fx_a("2001:db8:1:0:8000::5"), fresh;
	int ia, k;

	assert_false(t->drop);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	k = d6_msg_find(&rep, ia, D6_OPT_IAADDR);
	assert_memory_equal(rep.node[k].v.iaaddr.addr, &gone, 16);
	assert_int_equal(rep.node[k].v.iaaddr.pref, 0);
	assert_int_equal(rep.node[k].v.iaaddr.valid, 0);
	k = d6_msg_find_next(&rep, k, D6_OPT_IAADDR);
	assert_true(k >= 0);
	memcpy(&fresh, rep.node[k].v.iaaddr.addr, 16);
	assert_true(srv_link_own_addr(&s->conf->dhcp6.subnets[0], &fresh));
	assert_int_equal(rep.node[k].v.iaaddr.valid, 2000);
	assert_int_equal(rep.node[ia].v.ia.t1, 500);
	assert_int_equal(s->cnt[SRV_CNT_REBIND_REPLACED], 1);
	fx_done(s, t, true);
}

static void test_rebind_refuse(void **state)
{
	struct srv *s = *state;
	struct srv_txn *t;
	int ia;

	s->conf->dhcp6.subnets[0].rebind_policy = CONF_REBIND_REFUSE;
	t = renew_like(s, D6_MSG_REBIND, 33, "2001:db8:1:0:8000::6", FX_RELAYED);
	assert_int_equal(t->n_ops, 0);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 1);
	assert_int_equal(fx_live(&rep, ia), 0);
	assert_int_equal(rep.node[ia].v.ia.t1, 0);
	assert_int_equal(s->cnt[SRV_CNT_REBIND_REFUSED], 1);
	srv_txn_free(t);
}

static void test_rebind_adopt(void **state)
{
	struct srv *s = *state;
	struct in6_addr want = fx_a("2001:db8:2::11"), got;
	struct srv_txn *t = renew_like(s, D6_MSG_REBIND, 34, "2001:db8:2::11", FX_RELAYED2);
	int ia, k;

	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 1);
	k = d6_msg_find(&rep, ia, D6_OPT_IAADDR);
	memcpy(&got, rep.node[k].v.iaaddr.addr, 16);
	assert_memory_equal(&want, &got, 16); /* the client keeps its address */
	assert_int_equal(s->cnt[SRV_CNT_REBIND_ADOPTED], 1);
	fx_done(s, t, true);

	/* another client claiming the same address: conflict, zero + a new one */
	t = renew_like(s, D6_MSG_REBIND, 35, "2001:db8:2::11", FX_RELAYED2);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(d6_msg_count(&rep, ia, D6_OPT_IAADDR), 2);
	assert_int_equal(fx_live(&rep, ia), 1);
	assert_int_equal(s->cnt[SRV_CNT_REBIND_ADOPT_CONFLICT], 1);
	fx_done(s, t, true);
}

static void test_release(void **state)
{
	struct srv *s = *state;
	struct in6_addr a = fx_grant(s, 40, false, FX_RELAYED);
	char txt[64];
	struct fx_req r;
	struct srv_txn *t;
	int ia;

	inet_ntop(AF_INET6, &a, txt, sizeof(txt));
	fx_req_init(&r, D6_MSG_RELEASE, 40);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, false, 1);
	fx_req_addr(&r, ia, txt);
	fx_req_ia(&r, false, 99); /* no such binding */
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_RELEASE);
	assert_null(srv_cache_find(&s->cache, &a, 128));
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_SUCCESS);
	ia = fx_ia(&rep, D6_OPT_IA_NA, 0);
	assert_int_equal(rep.node[ia].v.ia.iaid, 99);
	assert_int_equal(fx_status(&rep, ia), D6_STATUS_NOBINDING);
	fx_done(s, t, false); /* undo puts the lease back */
	assert_non_null(srv_cache_find(&s->cache, &a, 128));
}

static void test_decline_quarantines(void **state)
{
	struct srv *s = *state;
	struct in6_addr a = fx_grant(s, 41, false, FX_RELAYED);
	struct srv_lease *l;
	char txt[64];
	struct fx_req r;
	struct srv_txn *t;
	int ia;

	inet_ntop(AF_INET6, &a, txt, sizeof(txt));
	fx_req_init(&r, D6_MSG_DECLINE, 41);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	ia = fx_req_ia(&r, false, 1);
	fx_req_addr(&r, ia, txt);
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_DECLINE);
	l = srv_cache_find(&s->cache, &a, 128);
	assert_non_null(l);
	assert_int_equal(l->state, SRV_LEASE_DECLINED);
	assert_int_equal(l->expires, t->now + 100);
	fx_done(s, t, true);
	/* the same client's next Request gets another address */
	assert_memory_not_equal(&a, &(struct in6_addr){0}, 16);
	{
		struct in6_addr b = fx_grant(s, 41, false, FX_RELAYED);

		assert_memory_not_equal(&a, &b, 16);
	}
}

static void test_confirm(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int ia;

	fx_req_init(&r, D6_MSG_CONFIRM, 50);
	ia = fx_req_ia(&r, false, 1);
	fx_req_addr(&r, ia, "2001:db8:1::5");
	fx_req_addr(&r, ia, "2001:db8:1:0:8000::5"); /* a sibling's range */
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_SUCCESS);
	assert_int_equal(s->cnt[SRV_CNT_CONFIRM_FOREIGN], 1);
	srv_txn_free(t);

	fx_req_addr(&r, ia, "2001:db8:77::5");
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_NOTONLINK);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_CONFIRM, 50); /* no addresses: no reply */
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_true(t->drop);
	srv_txn_free(t);
}

static void test_inforeq(void **state)
{
	static const uint16_t oro[] = {D6_OPT_DNS_SERVERS, D6_OPT_DOMAIN_LIST, D6_OPT_NTP_SERVER,
	                               D6_OPT_INFO_REFRESH, D6_OPT_INF_MAX_RT};
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;
	int k;

	s->db_up = false; /* answered without a database, before the leases are loaded */
	s->loaded = false;
	fx_req_init(&r, D6_MSG_INFO_REQUEST, 60);
	fx_req_oro(&r, oro, 5);
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_false(t->drop);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_REPLY);
	assert_int_equal(rep.n_ias, 0);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_DNS_SERVERS) >= 0);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_DOMAIN_LIST) >= 0);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_NTP_SERVER) >= 0);
	assert_true(d6_msg_find(&rep, D6_ROOT, D6_OPT_INF_MAX_RT) >= 0);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_INFO_REFRESH);
	assert_true(k >= 0);
	assert_int_equal(rep.node[k].v.u32, 900);
	srv_txn_free(t);

	fx_req_ia(&r, false, 1); /* an IA in an Information-request: drop */
	t = fx_run(s, &r, FX_DIRECT_MCAST);
	assert_true(t->drop);
	assert_int_equal(s->cnt[SRV_CNT_DROP_IA_IN_INFOREQ], 1);
	srv_txn_free(t);

	fx_req_init(&r, D6_MSG_INFO_REQUEST, 60);
	t = fx_run(s, &r, FX_DIRECT_UNICAST); /* §16: discard unicast */
	assert_true(t->drop);
	srv_txn_free(t);
}

static void test_no_server_duid_no_answer(void **state)
{
	struct srv *s = *state;
	struct fx_req r;

	s->duid_len = 0; /* configured none, schema not read yet */
	fx_req_init(&r, D6_MSG_INFO_REQUEST, 62);
	assert_null(fx_run(s, &r, FX_DIRECT_MCAST));
	assert_int_equal(s->cnt[SRV_CNT_DROP_NOT_READY], 1);
}

static void test_leasequery_not_configured(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;

	fx_req_init(&r, D6_MSG_LEASEQUERY, 61);
	t = fx_run(s, &r, FX_DIRECT_UNICAST);
	assert_false(t->drop);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.type, D6_MSG_LQ_REPLY);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_NOTCONFIGURED);
	srv_txn_free(t);
}

/* A responder's socket bound at at (what leasequeryd binds). */
static int lq_responder_bind(const struct sockaddr_un *at)
{
	int fd;

	unlink(at->sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (const struct sockaddr *)at, sizeof(*at)), 0);
	return fd;
}

/* An engine whose leasequery hand-off goes to the socket at path. */
static struct srv *lq_srv_new(const char *path)
{
	char json[4096];
	struct srv *s;

	snprintf(json, sizeof(json),
	         "%.*s, \"leasequery\": {\"enabled\": true, \"local-socket\": \"%s\"}}",
	         (int)strlen(fx_conf_json) - 1, fx_conf_json, path);
	s = fx_new(json);
	assert_int_equal(evl_new(&s->l), 0);
	s->lq_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(s->lq_fd >= 0);
	return s;
}

static void lq_srv_free(struct srv *s, const char *path)
{
	unlink(path);
	close(s->lq_fd);
	s->lq_fd = -1;
	evl_free(s->l);
	s->l = NULL;
	fx_free(s);
}

/* A responder that is there but behind (its datagram queue full) costs the
 * query a drop the requestor retransmits, not a NotConfigured that sends it
 * elsewhere; one that is gone still gets NotConfigured. */
static void test_leasequery_busy_responder(void **state)
{
	struct sockaddr_un at = {.sun_family = AF_UNIX};
	struct srv *s;
	struct fx_req r;
	struct srv_txn *t;
	int resp, n = 0;

	(void)state;
	snprintf(at.sun_path, sizeof(at.sun_path), "/tmp/chlq-ut-%d.sock", (int)getpid());
	resp = lq_responder_bind(&at);
	s = lq_srv_new(at.sun_path);
	fx_req_init(&r, D6_MSG_LEASEQUERY, 64);
	while (s->cnt[SRV_CNT_LQ_BUSY] == 0 && n++ < 10000) {
		t = fx_run(s, &r, FX_DIRECT_UNICAST);
		assert_true(t->drop);
		srv_txn_free(t);
	}
	assert_int_equal(s->cnt[SRV_CNT_LQ_BUSY], 1);
	assert_true(s->cnt[SRV_CNT_LQ_PASSED] > 0);
	assert_int_equal(s->cnt[SRV_CNT_LQ_NOT_CONFIGURED], 0);

	close(resp); /* gone: nobody reads the path any more */
	t = fx_run(s, &r, FX_DIRECT_UNICAST);
	assert_false(t->drop);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(fx_status(&rep, D6_ROOT), D6_STATUS_NOTCONFIGURED);
	assert_int_equal(s->cnt[SRV_CNT_LQ_NOT_CONFIGURED], 1);
	srv_txn_free(t);
	lq_srv_free(s, at.sun_path);
}

/* The hand-off socket connects to the responder once; a responder that
 * restarts (a new socket at the same path) gets the next query, with no
 * NotConfigured in between. */
static void test_leasequery_responder_restarts(void **state)
{
	struct sockaddr_un at = {.sun_family = AF_UNIX};
	char got[512];
	struct srv *s;
	struct fx_req r;
	struct srv_txn *t;
	int resp;

	(void)state;
	snprintf(at.sun_path, sizeof(at.sun_path), "/tmp/chlq-ut-r%d.sock", (int)getpid());
	resp = lq_responder_bind(&at);
	s = lq_srv_new(at.sun_path);
	fx_req_init(&r, D6_MSG_LEASEQUERY, 65);
	for (int round = 0; round < 2; round++) {
		t = fx_run(s, &r, FX_DIRECT_UNICAST);
		assert_true(t->drop);
		srv_txn_free(t);
		assert_int_equal(s->cnt[SRV_CNT_LQ_PASSED], round + 1);
		assert_true(recv(resp, got, sizeof(got), MSG_DONTWAIT) > LQ_HANDOFF_HDR_LEN);
		assert_memory_equal(got, LQ_HANDOFF_MAGIC, 4);
		/* the responder restarts: its old socket closes, a new one binds */
		close(resp);
		resp = lq_responder_bind(&at);
	}
	assert_int_equal(s->cnt[SRV_CNT_LQ_NOT_CONFIGURED], 0);
	close(resp);
	lq_srv_free(s, at.sun_path);
}

/* The next hand-off datagram at resp, its descriptors into fds[0..8),
 * *n of them. Returns its kind. */
static int lq_recv_fds(int resp, uint8_t *buf, size_t cap, int *fds, size_t *n)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(int) * 8)];
	} cb;
	struct iovec iov = {buf, cap};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof(cb.b)};
	ssize_t r = recvmsg(resp, &mh, MSG_DONTWAIT);

	assert_true(r > LQ_HANDOFF_HDR_LEN);
	assert_memory_equal(buf, LQ_HANDOFF_MAGIC, 4);
	*n = lq_handoff_take_fds(&mh, fds, 8);
	return buf[5];
}

static uint16_t sock_port(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t l = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	return ntohs(sa.sin6_port);
}

/* Expects the engine's sockets at resp (kind 3): the very socket udp (same
 * port, ifindex 0) and a lifeline, which is returned (the socket is closed). */
static int lq_expect_socks(int resp, int udp)
{
	uint8_t got[512];
	int fds[8];
	size_t n;

	assert_int_equal(lq_recv_fds(resp, got, sizeof(got), fds, &n), LQ_HANDOFF_SOCKETS);
	assert_int_equal(n, 2);
	assert_int_equal(sock_port(fds[0]), sock_port(udp));
	assert_memory_equal(got + LQ_HANDOFF_HDR_LEN, "\0\0\0\0", 4); /* ifindex 0 */
	close(fds[0]);
	return fds[1];
}

static void lq_expect_query(int resp)
{
	uint8_t got[512];
	int fds[8];
	size_t n;

	assert_int_equal(lq_recv_fds(resp, got, sizeof(got), fds, &n), LQ_HANDOFF_QUERY);
	assert_int_equal(n, 0);
}

/* An engine with UDP sockets passes them, with a lifeline, before the first
 * query of each connection to the responder (again after the responder
 * restarted, and after a reload), not with every query; the lifeline hangs
 * up when the engine lets go of it. */
static void test_leasequery_passes_sockets(void **state)
{
	struct sockaddr_un at = {.sun_family = AF_UNIX};
	struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct pollfd pfd = {.events = POLLIN};
	struct srv *s;
	struct fx_req r;
	struct srv_txn *t;
	int resp, udp, life = -1;

	(void)state;
	snprintf(at.sun_path, sizeof(at.sun_path), "/tmp/chlq-ut-s%d.sock", (int)getpid());
	resp = lq_responder_bind(&at);
	s = lq_srv_new(at.sun_path);
	udp = socket(AF_INET6, SOCK_DGRAM, 0);
	assert_int_equal(bind(udp, (struct sockaddr *)&lo, sizeof(lo)), 0);
	s->sock.fd[0] = udp;
	s->sock.ifindex[0] = 0;
	s->sock.n = 1;
	assert_int_equal(pipe2(s->lq_life, O_CLOEXEC), 0);
	fx_req_init(&r, D6_MSG_LEASEQUERY, 66);
	for (int round = 0; round < 5; round++) {
		if (round == 2) { /* the responder restarts */
			close(resp);
			resp = lq_responder_bind(&at);
		}
		if (round == 4)
			srv_lq_reloaded(s);
		t = fx_run(s, &r, FX_DIRECT_UNICAST);
		assert_true(t->drop);
		srv_txn_free(t);
		if (round == 0 || round == 2 || round == 4) {
			life = lq_expect_socks(resp, udp);
			if (round < 4)
				close(life);
		}
		lq_expect_query(resp);
		assert_true(recv(resp, &(char){0}, 1, MSG_DONTWAIT) < 0); /* nothing more */
	}
	assert_int_equal(s->cnt[SRV_CNT_LQ_SOCKETS], 3);
	assert_int_equal(s->cnt[SRV_CNT_LQ_PASSED], 5);
	pfd.fd = life;
	assert_int_equal(poll(&pfd, 1, 0), 0); /* the engine holds it */
	close(s->lq_life[1]);
	s->lq_life[1] = -1;
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(pfd.revents & POLLHUP);
	close(life);
	close(s->lq_life[0]);
	s->sock.n = 0;
	close(udp);
	close(resp);
	lq_srv_free(s, at.sun_path);
}

static void test_reservation_and_several_ias(void **state)
{
	struct srv *s = *state;
	struct in6_addr want = fx_a("2001:db8:1::63");
	struct fx_req r;
	struct srv_txn *t;
	int a, b;

	fx_req_init(&r, D6_MSG_REQUEST, 0x63);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	fx_req_ia(&r, false, 2);
	fx_req_ia(&r, true, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(t->n_ops, 3);
	assert_int_equal(fx_reply(t, &rep), 0);
	a = fx_ia(&rep, D6_OPT_IA_NA, 0);
	b = fx_ia(&rep, D6_OPT_IA_NA, 1);
	assert_memory_equal(rep.node[d6_msg_find(&rep, a, D6_OPT_IAADDR)].v.iaaddr.addr, &want, 16);
	assert_memory_not_equal(rep.node[d6_msg_find(&rep, b, D6_OPT_IAADDR)].v.iaaddr.addr, &want,
	                        16);
	assert_int_equal(rep.node[a].v.ia.t1, rep.node[b].v.ia.t1);
	assert_int_equal(rep.node[fx_ia(&rep, D6_OPT_IA_PD, 0)].v.ia.t2, rep.node[b].v.ia.t2);
	fx_done(s, t, true);
	assert_int_equal(s->cache.count, 3);
}

static void test_overload_cap(void **state)
{
	struct srv *s = *state;
	struct fx_req r;
	struct srv_txn *t;

	fx_req_init(&r, D6_MSG_REQUEST, 70);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	t = fx_run(s, &r, FX_RELAYED);
	assert_int_equal(s->cache.count, 1);
	srv_store_queue(s, t); /* no database connection: undone and dropped */
	assert_int_equal(s->cache.count, 0);
	assert_int_equal(s->cnt[SRV_CNT_DROP_DB_DOWN], 1);
}

/* RFC 4704 with ddns enabled: a partial name is qualified, the flags say who
 * updates what, and the transaction carries what the outbox row needs. */
static void test_client_fqdn(void **state)
{
	static const uint8_t host[] = {4, 'h', 'o', 's', 't'}; /* partial name */
	static const uint16_t oro[] = {D6_OPT_DNS_SERVERS, D6_OPT_CLIENT_FQDN};
	char json[4096];
	struct srv *s;
	struct fx_req r;
	struct srv_txn *t;
	int k, i;

	(void)state;
	assert_true(strlen(fx_conf_json) + 100 < sizeof(json));
	snprintf(json, sizeof(json),
	         "%.*s, \"ddns\": {\"enabled\": true, "
	         "\"qualifying-suffix\": \"example.com\"}}",
	         (int)strlen(fx_conf_json) - 1, fx_conf_json);
	s = fx_new(json);
	fx_req_init(&r, D6_MSG_REQUEST, 80);
	fx_req_oro(&r, oro, 2); /* RFC 4704 §6: the Reply carries it when asked for */
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	i = d6_msg_add_bytes(&r.m, D6_ROOT, D6_OPT_CLIENT_FQDN, host, sizeof(host));
	r.m.node[i].v.u8 = 0; /* S=0: the client updates AAAA itself */
	t = fx_run(s, &r, FX_RELAYED);
	assert_string_equal(t->fqdn, "host.example.com.");
	assert_false(t->fqdn_fwd);
	assert_true(t->fqdn_rev);
	assert_int_equal(fx_reply(t, &rep), 0);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENT_FQDN);
	assert_true(k >= 0);
	assert_int_equal(rep.node[k].v.u8, 0);
	assert_int_equal(rep.node[k].tail_len, 18); /* 4host7example3com0 */
	fx_done(s, t, true);

	r.m.node[i].v.u8 = 4; /* N: no updates at all */
	t = fx_run(s, &r, FX_RELAYED);
	assert_false(t->fqdn_fwd || t->fqdn_rev);
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(rep.node[d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENT_FQDN)].v.u8, 4);
	fx_done(s, t, true);
	fx_free(s);

	s = fx_new(NULL); /* ddns off: the option is ignored */
	t = fx_run(s, &r, FX_RELAYED);
	assert_string_equal(t->fqdn, "");
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENT_FQDN), D6_NONE);
	fx_done(s, t, true);
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_solicit_advertise, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_solicit_preference_override_and_no_oro, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_solicit_db_down_offers_nothing, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_solicit_rapid_commit, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_solicit_drop_rules, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_grants_then_extends, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_serverid_rules, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_not_on_link, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_unicast_use_multicast, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_db_down_and_commit_failure, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_request_pool_exhausted, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_renew_extends, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_renew_no_binding, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_renew_new_ia_beside_pd, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rebind_replace, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rebind_refuse, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rebind_adopt, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_release, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_decline_quarantines, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_confirm, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_inforeq, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_server_duid_no_answer, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_leasequery_not_configured, fx_setup, fx_teardown),
	    cmocka_unit_test(test_leasequery_busy_responder),
	    cmocka_unit_test(test_leasequery_responder_restarts),
	    cmocka_unit_test(test_leasequery_passes_sockets),
	    cmocka_unit_test_setup_teardown(test_reservation_and_several_ias, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_overload_cap, fx_setup, fx_teardown),
	    cmocka_unit_test(test_client_fqdn),
	};

	return cmocka_run_group_tests_name("srv_handlers", tests, NULL, NULL);
}
