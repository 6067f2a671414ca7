/*
 * Unit tests for lib/d6_opt.c and the option table: the iterator (option,
 * done, malformed), the back-filling writer at its edges, and for EVERY
 * option code of spec/dhcpv6.md and spec/leasequery.md a fixture that is
 * built from the API and compared byte for byte, parsed and checked field
 * by field, and rebuilt identically.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "d6_lq.h"
#include "d6_msg.h"

/* IPv6 addresses used below */
#define A1 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define A2 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
#define MC 0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01
/* DUID-LL, Ethernet 02:00:00:00:00:01 */
#define DUID   0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define U32(v) (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), (uint8_t)(v)

static const uint8_t a1[16] = {A1}, a2[16] = {A2}, mc[16] = {MC}, duid[10] = {DUID};
static struct d6_msg m, m2;

struct opt_case {
	const char *name;
	uint16_t code;
	uint8_t msg_type;
	const uint8_t *opt; /* the option TLV(s) after the message header */
	size_t opt_len;
	void (*build)(struct d6_msg *m);
	void (*check)(const struct d6_msg *m);
};

#define OPT(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static int top(const struct d6_msg *pm, uint16_t code)
{
	int i = d6_msg_find(pm, D6_ROOT, code);

	assert_int_not_equal(i, D6_NONE);
	return i;
}

static void b_clientid(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_CLIENTID, duid, sizeof(duid)) >= 0);
}

static void c_clientid(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_CLIENTID);

	assert_int_equal(pm->node[i].tail_len, 10);
	assert_memory_equal(pm->node[i].tail, duid, 10);
}

static void b_serverid(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_SERVERID, duid, sizeof(duid)) >= 0);
}

static void c_serverid(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_SERVERID)].tail, duid, 10);
}

static void b_ia_na(struct d6_msg *pm)
{
	int ia = d6_ia_add_na(pm, 1, 100, 200);

	assert_true(d6_ia_add_addr(pm, ia, a1, 300, 400) >= 0);
}

static void c_ia_na(const struct d6_msg *pm)
{
	int ia = top(pm, D6_OPT_IA_NA), a = d6_msg_find(pm, ia, D6_OPT_IAADDR);

	assert_int_equal(pm->node[ia].v.ia.iaid, 1);
	assert_int_equal(pm->node[ia].v.ia.t1, 100);
	assert_int_equal(pm->node[ia].v.ia.t2, 200);
	assert_int_not_equal(a, D6_NONE);
	assert_memory_equal(pm->node[a].v.iaaddr.addr, a1, 16);
	assert_int_equal(pm->node[a].v.iaaddr.pref, 300);
	assert_int_equal(pm->node[a].v.iaaddr.valid, 400);
}

static void b_ia_ta(struct d6_msg *pm)
{
	int ia = d6_ia_add_ta(pm, 2);

	assert_true(d6_ia_add_addr(pm, ia, a2, 5, 6) >= 0);
}

static void c_ia_ta(const struct d6_msg *pm)
{
	int ia = top(pm, D6_OPT_IA_TA);

	assert_int_equal(pm->node[ia].v.ia.iaid, 2);
	assert_memory_equal(pm->node[d6_msg_first(pm, ia)].v.iaaddr.addr, a2, 16);
}

static void b_iaaddr(struct d6_msg *pm)
{
	int ia = d6_ia_add_na(pm, 3, 0, 0);
	int a = d6_ia_add_addr(pm, ia, a1, 0xffffffff, 0xffffffff);

	assert_true(d6_ia_add_status(pm, a, D6_STATUS_SUCCESS, "ok", 2) >= 0);
}

static void c_iaaddr(const struct d6_msg *pm)
{
	int a = d6_msg_first(pm, top(pm, D6_OPT_IA_NA));
	const uint8_t *text;
	size_t len;

	assert_int_equal(pm->node[a].code, D6_OPT_IAADDR);
	assert_int_equal(pm->node[a].v.iaaddr.valid, D6_INFINITY);
	assert_int_equal(d6_ia_status(pm, a, &text, &len), D6_STATUS_SUCCESS);
	assert_int_equal(len, 2);
	assert_memory_equal(text, "ok", 2);
}

static void b_oro(struct d6_msg *pm)
{
	static const uint8_t oro[] = {0x00, 0x17, 0x00, 0x18};

	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_ORO, oro, sizeof(oro)) >= 0);
}

static void c_oro(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_ORO);

	assert_int_equal(pm->node[i].tail_len, 4);
	assert_int_equal(pm->node[i].tail[1], 0x17);
}

static void b_preference(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u8(pm, D6_ROOT, D6_OPT_PREFERENCE, 255) >= 0);
}

static void c_preference(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_PREFERENCE)].v.u8, 255);
}

static void b_elapsed(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u16(pm, D6_ROOT, D6_OPT_ELAPSED_TIME, 300) >= 0);
}

static void c_elapsed(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_ELAPSED_TIME)].v.u16, 300);
}

static const uint8_t inner_solicit[] = {0x01, 0x00, 0x00, 0x01};

static void b_relay_msg(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_RELAY_MSG, inner_solicit, 4) >= 0);
}

static void c_relay_msg(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_RELAY_MSG)].tail, inner_solicit, 4);
}

static const uint8_t auth_info[17] = {1,    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                      0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00};

static void b_auth(struct d6_msg *pm)
{
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_AUTH, auth_info, sizeof(auth_info));

	assert_true(i >= 0);
	pm->node[i].v.auth.proto = 3;
	pm->node[i].v.auth.alg = 1;
	pm->node[i].v.auth.rdm = 0;
	pm->node[i].v.auth.replay = 0x0102030405060708ULL;
}

static void c_auth(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_AUTH);

	assert_int_equal(pm->node[i].v.auth.proto, 3);
	assert_int_equal(pm->node[i].v.auth.alg, 1);
	assert_true(pm->node[i].v.auth.replay == 0x0102030405060708ULL);
	assert_memory_equal(pm->node[i].tail, auth_info, 17);
}

static void b_unicast(struct d6_msg *pm)
{
	int i = d6_msg_add(pm, D6_ROOT, D6_OPT_UNICAST);

	assert_true(i >= 0);
	memcpy(pm->node[i].v.addr, a1, 16);
}

static void c_unicast(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_UNICAST)].v.addr, a1, 16);
}

static void b_status(struct d6_msg *pm)
{
	assert_true(d6_ia_add_status(pm, D6_ROOT, D6_STATUS_NOADDRSAVAIL, "none", 4) >= 0);
}

static void c_status(const struct d6_msg *pm)
{
	assert_int_equal(d6_ia_status(pm, D6_ROOT, NULL, NULL), D6_STATUS_NOADDRSAVAIL);
}

static void b_empty(struct d6_msg *pm, uint16_t code)
{
	assert_true(d6_msg_add(pm, D6_ROOT, code) >= 0);
}

static void b_rapid(struct d6_msg *pm)
{
	b_empty(pm, D6_OPT_RAPID_COMMIT);
}

static void c_rapid(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_RAPID_COMMIT)].len, 0);
}

static void b_user_class(struct d6_msg *pm)
{
	static const uint8_t uc[] = {0, 2, 'a', 'b', 0, 2, 'c', 'd'};

	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_USER_CLASS, uc, sizeof(uc)) >= 0);
}

static void c_user_class(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_USER_CLASS)].tail_len, 8);
}

static void b_vendor_class(struct d6_msg *pm)
{
	static const uint8_t vc[] = {0, 4, 't', 'e', 's', 't'};
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_VENDOR_CLASS, vc, sizeof(vc));

	assert_true(i >= 0);
	pm->node[i].v.u32 = 2495;
}

static void c_vendor_class(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_VENDOR_CLASS);

	assert_int_equal(pm->node[i].v.u32, 2495);
	assert_memory_equal(pm->node[i].tail + 2, "test", 4);
}

static void b_vendor_opts(struct d6_msg *pm)
{
	static const uint8_t vo[] = {0, 1, 0, 2, 'h', 'i'};
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_VENDOR_OPTS, vo, sizeof(vo));

	assert_true(i >= 0);
	pm->node[i].v.u32 = 2495;
}

static void c_vendor_opts(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_VENDOR_OPTS);

	assert_int_equal(pm->node[i].v.u32, 2495);
	assert_int_equal(pm->node[i].tail_len, 6);
}

static void b_ifid(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_INTERFACE_ID, "eth0", 4) >= 0);
}

static void c_ifid(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_INTERFACE_ID)].tail, "eth0", 4);
}

static void b_reconf_msg(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u8(pm, D6_ROOT, D6_OPT_RECONF_MSG, D6_MSG_RENEW) >= 0);
}

static void c_reconf_msg(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_RECONF_MSG)].v.u8, D6_MSG_RENEW);
}

static void b_reconf_accept(struct d6_msg *pm)
{
	b_empty(pm, D6_OPT_RECONF_ACCEPT);
}

static void c_reconf_accept(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_RECONF_ACCEPT)].len, 0);
}

static const uint8_t two_addrs[32] = {A1, A2};

static void b_dns(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_DNS_SERVERS, two_addrs, 32) >= 0);
}

static void c_dns(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_DNS_SERVERS);

	assert_int_equal(pm->node[i].tail_len, 32);
	assert_memory_equal(pm->node[i].tail + 16, a2, 16);
}

static const uint8_t domains[] = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
                                  'c', 'o', 'm', 0,   3,   'o', 'r', 'g', 0};

static void b_domains(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_DOMAIN_LIST, domains, sizeof(domains)) >=
	            0);
}

static void c_domains(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_DOMAIN_LIST)].tail_len, sizeof(domains));
}

static void b_ia_pd(struct d6_msg *pm)
{
	int ia = d6_ia_add_pd(pm, 4, 1000, 1600);

	assert_true(d6_ia_add_prefix(pm, ia, a1, 56, 2000, 3000) >= 0);
}

static void c_ia_pd(const struct d6_msg *pm)
{
	int ia = top(pm, D6_OPT_IA_PD), p = d6_msg_find(pm, ia, D6_OPT_IAPREFIX);

	assert_int_equal(pm->node[ia].v.ia.iaid, 4);
	assert_int_equal(pm->node[ia].v.ia.t2, 1600);
	assert_int_equal(pm->node[p].v.iaprefix.plen, 56);
	assert_int_equal(pm->node[p].v.iaprefix.pref, 2000);
	assert_int_equal(pm->node[p].v.iaprefix.valid, 3000);
	assert_memory_equal(pm->node[p].v.iaprefix.prefix, a1, 16);
}

static const uint8_t dead_bee0[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xe0};
static const uint8_t dead_beef[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xef};
/* 2001:db8:dead:beef::/63 in canonical form: bit 63 lies outside the prefix */
static const uint8_t dead_beee[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xee};

static void b_iaprefix(struct d6_msg *pm)
{
	int ia = d6_ia_add_pd(pm, 5, 0, 0);
	int p = d6_ia_add_prefix(pm, ia, dead_bee0, 59, 10, 20);

	assert_true(d6_ia_add_pd_exclude(pm, p, dead_beef, 63) >= 0);
}

static void c_iaprefix(const struct d6_msg *pm)
{
	int p = d6_msg_first(pm, top(pm, D6_OPT_IA_PD));
	int x = d6_msg_find(pm, p, D6_OPT_PD_EXCLUDE);
	uint8_t out[16];

	assert_int_equal(pm->node[p].v.iaprefix.plen, 59);
	assert_int_not_equal(x, D6_NONE);
	assert_int_equal(d6_ia_pdx_decode(pm->node[p].v.iaprefix.prefix, 59, &pm->node[x].v, out),
	                 63);
	assert_memory_equal(out, dead_beee, 16);
}

static void b_irt(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u32(pm, D6_ROOT, D6_OPT_INFO_REFRESH, 86400) >= 0);
}

static void c_irt(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_INFO_REFRESH)].v.u32, 86400);
}

static void b_remote_id(struct d6_msg *pm)
{
	static const uint8_t rid[] = {1, 2, 3};
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_REMOTE_ID, rid, 3);

	assert_true(i >= 0);
	pm->node[i].v.u32 = 3561;
}

static void c_remote_id(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_REMOTE_ID);

	assert_int_equal(pm->node[i].v.u32, 3561);
	assert_int_equal(pm->node[i].tail_len, 3);
}

static void b_subscriber(struct d6_msg *pm)
{
	assert_true(d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_SUBSCRIBER_ID, "sub-1", 5) >= 0);
}

static void c_subscriber(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_SUBSCRIBER_ID)].tail, "sub-1", 5);
}

static const uint8_t host_com[] = {4, 'h', 'o', 's', 't', 3, 'c', 'o', 'm', 0};

static void b_fqdn(struct d6_msg *pm)
{
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_CLIENT_FQDN, host_com, sizeof(host_com));

	assert_true(i >= 0);
	pm->node[i].v.u8 = 0x01; /* S */
}

static void c_fqdn(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_CLIENT_FQDN);

	assert_int_equal(pm->node[i].v.u8, 1);
	assert_memory_equal(pm->node[i].tail, host_com, sizeof(host_com));
}

static void b_lq_query(struct d6_msg *pm)
{
	int q = d6_lq_add_query(pm, LQ_QUERY_BY_ADDRESS, a2);

	assert_true(d6_ia_add_addr(pm, q, a1, 0, 0) >= 0);
}

static void c_lq_query(const struct d6_msg *pm)
{
	struct d6_lq_query q;

	assert_int_equal(d6_lq_query_get(pm, &q), 0);
	assert_int_equal(q.qtype, LQ_QUERY_BY_ADDRESS);
	assert_memory_equal(q.link, a2, 16);
	assert_memory_equal(pm->node[q.target].v.iaaddr.addr, a1, 16);
}

static void b_client_data(struct d6_msg *pm)
{
	int cd = d6_lq_add_client_data(pm);

	assert_true(d6_msg_add_bytes(pm, cd, D6_OPT_CLIENTID, duid, sizeof(duid)) >= 0);
	assert_true(d6_ia_add_addr(pm, cd, a1, 10, 20) >= 0);
	assert_true(d6_lq_add_clt_time(pm, cd, 60) >= 0);
}

static void c_client_data(const struct d6_msg *pm)
{
	int cd = top(pm, D6_OPT_CLIENT_DATA);

	assert_int_equal(d6_msg_count(pm, cd, D6_OPT_IAADDR), 1);
	assert_int_not_equal(d6_msg_find(pm, cd, D6_OPT_CLIENTID), D6_NONE);
	assert_int_not_equal(d6_msg_find(pm, cd, D6_OPT_CLT_TIME), D6_NONE);
}

static void b_clt_time(struct d6_msg *pm)
{
	assert_true(d6_lq_add_clt_time(pm, d6_lq_add_client_data(pm), 60) >= 0);
}

static void c_clt_time(const struct d6_msg *pm)
{
	int t = d6_msg_find(pm, top(pm, D6_OPT_CLIENT_DATA), D6_OPT_CLT_TIME);

	assert_int_equal(pm->node[t].v.u32, 60);
}

/* RELAY-FORW hop 0, link a1, peer a2, INTERFACE_ID "eth0" (no RELAY_MSG) */
#define STRIPPED_CHAIN 0x0c, 0x00, A1, A2, 0x00, 0x12, 0x00, 0x04, 'e', 't', 'h', '0'
static const uint8_t stripped_chain[] = {STRIPPED_CHAIN};

static void b_relay_data(struct d6_msg *pm)
{
	assert_true(d6_lq_add_relay_data(pm, D6_ROOT, mc, stripped_chain, sizeof(stripped_chain)) >=
	            0);
}

static void c_relay_data(const struct d6_msg *pm)
{
	static struct d6_relay_chain c;
	uint8_t peer[16];

	assert_int_equal(d6_lq_relay_data_parse(pm, top(pm, D6_OPT_LQ_RELAY_DATA), peer, &c), 0);
	assert_memory_equal(peer, mc, 16);
	assert_int_equal(c.n, 1);
	assert_null(c.inner);
	assert_memory_equal(c.layer[0].ifid, "eth0", 4);
}

static void b_client_link(struct d6_msg *pm)
{
	assert_true(d6_lq_add_client_link(pm, two_addrs, 2) >= 0);
}

static void c_client_link(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_LQ_CLIENT_LINK)].tail_len, 32);
}

static void b_relay_id(struct d6_msg *pm)
{
	assert_true(d6_lq_add_relay_id(pm, D6_ROOT, duid, sizeof(duid)) >= 0);
}

static void c_relay_id(const struct d6_msg *pm)
{
	assert_memory_equal(pm->node[top(pm, D6_OPT_RELAY_ID)].tail, duid, 10);
}

static const uint8_t ntp_name[] = {3, 'n', 't', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};

static void b_ntp(struct d6_msg *pm)
{
	int n = d6_msg_add(pm, D6_ROOT, D6_OPT_NTP_SERVER);
	int s = d6_msg_add(pm, n, D6_NTP_SRV_ADDR), c = d6_msg_add(pm, n, D6_NTP_MC_ADDR);

	assert_true(s >= 0 && c >= 0);
	memcpy(pm->node[s].v.addr, a1, 16);
	memcpy(pm->node[c].v.addr, mc, 16);
	assert_true(d6_msg_add_bytes(pm, n, D6_NTP_SRV_FQDN, ntp_name, sizeof(ntp_name)) >= 0);
}

static void c_ntp(const struct d6_msg *pm)
{
	int n = top(pm, D6_OPT_NTP_SERVER), s = d6_msg_first(pm, n);

	assert_int_equal(pm->node[s].space, D6_SPACE_NTP);
	assert_int_equal(pm->node[s].code, D6_NTP_SRV_ADDR);
	assert_memory_equal(pm->node[s].v.addr, a1, 16);
	s = d6_msg_next(pm, d6_msg_next(pm, s));
	assert_int_equal(pm->node[s].code, D6_NTP_SRV_FQDN);
	assert_int_equal(pm->node[s].tail_len, sizeof(ntp_name));
}

static const uint8_t net48[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};
static const uint8_t net64[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0xff};

static void b_pd_exclude(struct d6_msg *pm)
{
	int ia = d6_ia_add_pd(pm, 6, 0, 0);
	int p = d6_ia_add_prefix(pm, ia, net48, 48, 0, 0);

	assert_true(d6_ia_add_pd_exclude(pm, p, net64, 64) >= 0);
}

static void c_pd_exclude(const struct d6_msg *pm)
{
	int p = d6_msg_first(pm, top(pm, D6_OPT_IA_PD)), x = d6_msg_first(pm, p);

	assert_int_equal(pm->node[x].code, D6_OPT_PD_EXCLUDE);
	assert_int_equal(pm->node[x].v.pdx.plen, 64);
	assert_int_equal(pm->node[x].v.pdx.id_len, 2);
	assert_int_equal(pm->node[x].v.pdx.id[1], 0xff);
}

static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};

static void b_lladdr(struct d6_msg *pm)
{
	int i = d6_msg_add_bytes(pm, D6_ROOT, D6_OPT_CLIENT_LLADDR, mac, sizeof(mac));

	assert_true(i >= 0);
	pm->node[i].v.u16 = 1;
}

static void c_lladdr(const struct d6_msg *pm)
{
	int i = top(pm, D6_OPT_CLIENT_LLADDR);

	assert_int_equal(pm->node[i].v.u16, 1);
	assert_memory_equal(pm->node[i].tail, mac, 6);
}

static void b_sol_max_rt(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u32(pm, D6_ROOT, D6_OPT_SOL_MAX_RT, 3600) >= 0);
}

static void c_sol_max_rt(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_SOL_MAX_RT)].v.u32, 3600);
}

static void b_inf_max_rt(struct d6_msg *pm)
{
	assert_true(d6_msg_add_u32(pm, D6_ROOT, D6_OPT_INF_MAX_RT, 3600) >= 0);
}

static void c_inf_max_rt(const struct d6_msg *pm)
{
	assert_int_equal(pm->node[top(pm, D6_OPT_INF_MAX_RT)].v.u32, 3600);
}

/* Each fixture: option header (code, len), then the fields in wire order. */
static const struct opt_case cases[] = {
    {"CLIENTID", 1, 1, OPT(0, 1, 0, 10, DUID), b_clientid, c_clientid},
    {"SERVERID", 2, 7, OPT(0, 2, 0, 10, DUID), b_serverid, c_serverid},
    {"IA_NA", 3, 7,
     OPT(0, 3, 0, 40, U32(1), U32(100), U32(200), /* iaid t1 t2 */
         0, 5, 0, 24, A1, U32(300), U32(400)),    /* IAADDR */
     b_ia_na, c_ia_na},
    {"IA_TA", 4, 7, OPT(0, 4, 0, 32, U32(2), 0, 5, 0, 24, A2, U32(5), U32(6)), b_ia_ta, c_ia_ta},
    {"IAADDR", 5, 7,
     OPT(0, 3, 0, 48, U32(3), U32(0), U32(0),                             /* IA_NA */
         0, 5, 0, 32, A1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* IAADDR */
         0, 13, 0, 4, 0, 0, 'o', 'k'),                                    /* STATUS Success */
     b_iaaddr, c_iaaddr},
    {"ORO", 6, 1, OPT(0, 6, 0, 4, 0, 23, 0, 24), b_oro, c_oro},
    {"PREFERENCE", 7, 2, OPT(0, 7, 0, 1, 255), b_preference, c_preference},
    {"ELAPSED_TIME", 8, 1, OPT(0, 8, 0, 2, 0x01, 0x2c), b_elapsed, c_elapsed},
    {"RELAY_MSG", 9, 12, OPT(0, 9, 0, 4, 0x01, 0, 0, 1), b_relay_msg, c_relay_msg},
    {"AUTH", 11, 7,
     OPT(0, 11, 0, 28, 3, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, /* RKAP, replay counter */
         1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
         0xff, 0x00), /* auth-info: type 1, key */
     b_auth, c_auth},
    {"UNICAST", 12, 7, OPT(0, 12, 0, 16, A1), b_unicast, c_unicast},
    {"STATUS_CODE", 13, 7, OPT(0, 13, 0, 6, 0, 2, 'n', 'o', 'n', 'e'), b_status, c_status},
    {"RAPID_COMMIT", 14, 1, OPT(0, 14, 0, 0), b_rapid, c_rapid},
    {"USER_CLASS", 15, 1, OPT(0, 15, 0, 8, 0, 2, 'a', 'b', 0, 2, 'c', 'd'), b_user_class,
     c_user_class},
    {"VENDOR_CLASS", 16, 1, OPT(0, 16, 0, 10, U32(2495), 0, 4, 't', 'e', 's', 't'), b_vendor_class,
     c_vendor_class},
    {"VENDOR_OPTS", 17, 7, OPT(0, 17, 0, 10, U32(2495), 0, 1, 0, 2, 'h', 'i'), b_vendor_opts,
     c_vendor_opts},
    {"INTERFACE_ID", 18, 12, OPT(0, 18, 0, 4, 'e', 't', 'h', '0'), b_ifid, c_ifid},
    {"RECONF_MSG", 19, 10, OPT(0, 19, 0, 1, 5), b_reconf_msg, c_reconf_msg},
    {"RECONF_ACCEPT", 20, 1, OPT(0, 20, 0, 0), b_reconf_accept, c_reconf_accept},
    {"DNS_SERVERS", 23, 7, OPT(0, 23, 0, 32, A1, A2), b_dns, c_dns},
    {"DOMAIN_LIST", 24, 7,
     OPT(0, 24, 0, 18, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 3, 'o', 'r', 'g',
         0),
     b_domains, c_domains},
    {"IA_PD", 25, 7,
     OPT(0, 25, 0, 41, U32(4), U32(1000), U32(1600),  /* iaid t1 t2 */
         0, 26, 0, 25, U32(2000), U32(3000), 56, A1), /* IAPREFIX: lifetimes first */
     b_ia_pd, c_ia_pd},
    {"IAPREFIX", 26, 7,
     OPT(0, 25, 0, 47, U32(5), U32(0), U32(0), 0, 26, 0, 31, U32(10), U32(20), 59, 0x20, 0x01, 0x0d,
         0xb8, 0xde, 0xad, 0xbe, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, /* 2001:db8:dead:bee0::/59 */
         0x00, 0x43, 0x00, 0x02, 0x3f, 0x70),                  /* RFC 6603 vector */
     b_iaprefix, c_iaprefix},
    {"INFORMATION_REFRESH_TIME", 32, 7, OPT(0, 32, 0, 4, U32(86400)), b_irt, c_irt},
    {"REMOTE_ID", 37, 12, OPT(0, 37, 0, 7, U32(3561), 1, 2, 3), b_remote_id, c_remote_id},
    {"SUBSCRIBER_ID", 38, 12, OPT(0, 38, 0, 5, 's', 'u', 'b', '-', '1'), b_subscriber,
     c_subscriber},
    {"CLIENT_FQDN", 39, 3, OPT(0, 39, 0, 11, 0x01, 4, 'h', 'o', 's', 't', 3, 'c', 'o', 'm', 0),
     b_fqdn, c_fqdn},
    {"LQ_QUERY", 44, 14,
     OPT(0, 44, 0, 45, 1, A2,              /* BY_ADDRESS, link-address */
         0, 5, 0, 24, A1, U32(0), U32(0)), /* IAADDR query-option */
     b_lq_query, c_lq_query},
    {"CLIENT_DATA", 45, 15,
     OPT(0, 45, 0, 50, 0, 1, 0, 10, DUID, 0, 5, 0, 24, A1, U32(10), U32(20), 0, 46, 0, 4, U32(60)),
     b_client_data, c_client_data},
    {"CLT_TIME", 46, 17, OPT(0, 45, 0, 8, 0, 46, 0, 4, U32(60)), b_clt_time, c_clt_time},
    {"LQ_RELAY_DATA", 47, 15, OPT(0, 47, 0, 58, MC, STRIPPED_CHAIN), b_relay_data, c_relay_data},
    {"LQ_CLIENT_LINK", 48, 15, OPT(0, 48, 0, 32, A1, A2), b_client_link, c_client_link},
    {"RELAY_ID", 53, 12, OPT(0, 53, 0, 10, DUID), b_relay_id, c_relay_id},
    {"NTP_SERVER", 56, 7,
     OPT(0, 56, 0, 57, 0, 1, 0, 16, A1,                                           /* SRV_ADDR */
         0, 2, 0, 16, MC,                                                         /* MC_ADDR */
         0, 3, 0, 13, 3, 'n', 't', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0), /* SRV_FQDN */
     b_ntp, c_ntp},
    {"PD_EXCLUDE", 67, 7,
     OPT(0, 25, 0, 48, U32(6), U32(0), U32(0), 0, 26, 0, 32, U32(0), U32(0), 48, 0x20, 0x01, 0x0d,
         0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 67, 0, 3, 64, 0x00, 0xff),
     b_pd_exclude, c_pd_exclude},
    {"CLIENT_LINKLAYER_ADDR", 79, 12, OPT(0, 79, 0, 8, 0, 1, 0x02, 0, 0, 0, 0, 0x01), b_lladdr,
     c_lladdr},
    {"SOL_MAX_RT", 82, 7, OPT(0, 82, 0, 4, U32(3600)), b_sol_max_rt, c_sol_max_rt},
    {"INF_MAX_RT", 83, 7, OPT(0, 83, 0, 4, U32(3600)), b_inf_max_rt, c_inf_max_rt},
};

static void msg_start(struct d6_msg *pm, uint8_t type)
{
	static const uint8_t zero[16];

	if (d6_msg_is_relay(type))
		d6_msg_init_relay(pm, type, 0, zero, zero);
	else
		d6_msg_init(pm, type, 0x010203);
}

/* Expected datagram: message header, then the option fixture. */
static size_t expected(const struct opt_case *c, uint8_t *buf)
{
	size_t hdr = d6_msg_is_relay(c->msg_type) ? D6_RELAY_HDR_LEN : D6_HDR_LEN;

	memset(buf, 0, hdr);
	buf[0] = c->msg_type;
	if (hdr == D6_HDR_LEN) {
		buf[1] = 1;
		buf[2] = 2;
		buf[3] = 3;
	}
	memcpy(buf + hdr, c->opt, c->opt_len);
	return hdr + c->opt_len;
}

static void run_case(const struct opt_case *c)
{
	uint8_t want[512], got[512];
	size_t n = expected(c, want);
	struct wire_wr w = wire_wr_init(got, sizeof(got));

	print_message("# option %u %s\n", c->code, c->name);
	/* build -> bytes */
	msg_start(&m, c->msg_type);
	c->build(&m);
	assert_int_equal(d6_msg_build(&m, &w), 0);
	assert_int_equal(w.len, n);
	assert_memory_equal(got, want, n);
	/* bytes -> parse -> fields */
	assert_int_equal(d6_msg_parse(want, n, &m2), 0);
	c->check(&m2);
	/* parse -> build -> identical bytes, also into an exactly full buffer */
	w = wire_wr_init(got, n);
	assert_int_equal(d6_msg_build(&m2, &w), 0);
	assert_memory_equal(got, want, n);
	w = wire_wr_init(got, n - 1);
	assert_int_equal(d6_msg_build(&m2, &w), CH_ENOSPACE);
	assert_string_not_equal(d6_opt_name(c->code), "unknown");
}

static void test_every_option_round_trip(void **state)
{
	static const uint16_t spec_codes[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  11, 12, 13, 14,
	                                      15, 16, 17, 18, 19, 20, 23, 24, 25, 26, 32, 37, 38,
	                                      39, 44, 45, 46, 47, 48, 53, 56, 67, 79, 82, 83};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	/* every code of the spec has its case and its table rule */
	for (size_t k = 0; k < sizeof(spec_codes) / sizeof(spec_codes[0]); k++) {
		bool found = false;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			found = found || cases[i].code == spec_codes[k];
		assert_true(found);
		assert_non_null(d6_opt_rule(D6_SPACE_MAIN, spec_codes[k]));
	}
}

static void test_iterator_tells_option_done_malformed(void **state)
{
	static const uint8_t two[] = {0, 8, 0, 2, 0, 0, 0, 14, 0, 0};
	struct wire_rd r = wire_rd_init(two, sizeof(two));
	struct d6_opt o = {0, 0, NULL};

	(void)state;
	assert_int_equal(d6_opt_next(&r, &o), 1);
	assert_int_equal(o.code, 8);
	assert_int_equal(o.len, 2);
	assert_int_equal(d6_opt_next(&r, &o), 1);
	assert_int_equal(o.code, 14);
	assert_int_equal(o.len, 0);
	assert_int_equal(d6_opt_next(&r, &o), 0);
	/* zero length window: done at once */
	r = wire_rd_init(NULL, 0);
	assert_int_equal(d6_opt_next(&r, &o), 0);
	/* one octet short of the body, and of the header */
	r = wire_rd_init(two, 5);
	assert_int_equal(d6_opt_next(&r, &o), CH_ETRUNC);
	assert_int_equal(d6_opt_next(&r, &o), CH_ETRUNC); /* sticky */
	r = wire_rd_init(two, 3);
	assert_int_equal(d6_opt_next(&r, &o), CH_ETRUNC);
	/* a declared length far past the window */
	r = wire_rd_init((const uint8_t[]){0, 1, 0xff, 0xff, 0}, 5);
	assert_int_equal(d6_opt_next(&r, &o), CH_ETRUNC);
}

static void test_writer_back_fills_length(void **state)
{
	uint8_t buf[8];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	size_t s;

	(void)state;
	s = d6_put_begin(&w, D6_OPT_ELAPSED_TIME);
	wire_put_u16(&w, 0x1234);
	d6_put_end(&w, s);
	assert_int_equal(w.err, 0);
	assert_memory_equal(buf, "\x00\x08\x00\x02\x12\x34", 6);
	/* exactly full */
	w = wire_wr_init(buf, 6);
	d6_put_opt(&w, 8, "\x12\x34", 2);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, 6);
	/* one past */
	w = wire_wr_init(buf, 5);
	d6_put_opt(&w, 8, "\x12\x34", 2);
	assert_int_equal(w.err, CH_ENOSPACE);
}

static void test_writer_rejects_body_over_64k(void **state)
{
	static uint8_t big[70000];
	struct wire_wr w = wire_wr_init(big, sizeof(big));
	size_t s;

	(void)state;
	s = d6_put_begin(&w, 0x7777);
	wire_put_reserve(&w, 65536);
	d6_put_end(&w, s);
	assert_int_equal(w.err, CH_EBADLEN);
}

static void test_length_table_bounds(void **state)
{
	(void)state;
	/* one short, exact, one past, and step */
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_PREFERENCE), 0),
	                 CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_PREFERENCE), 1), 0);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_PREFERENCE), 2),
	                 CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_IAADDR), 23),
	                 CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_DNS_SERVERS), 17),
	                 CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_ORO), 3), CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_CLIENTID), 130), 0);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_CLIENTID), 131),
	                 CH_EBADLEN);
	assert_int_equal(d6_opt_check_len(d6_opt_rule(D6_SPACE_MAIN, D6_OPT_PD_EXCLUDE), 18),
	                 CH_EBADLEN);
	assert_null(d6_opt_rule(D6_SPACE_MAIN, 10));
	assert_non_null(d6_opt_rule(D6_SPACE_NTP, D6_NTP_SRV_FQDN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_option_round_trip),
	    cmocka_unit_test(test_iterator_tells_option_done_malformed),
	    cmocka_unit_test(test_writer_back_fills_length),
	    cmocka_unit_test(test_writer_rejects_body_over_64k),
	    cmocka_unit_test(test_length_table_bounds),
	};

	return cmocka_run_group_tests_name("d6_opt", tests, NULL, NULL);
}
