/* Server unit-test fixture (see fixture.h). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "d6_ia.h"
#include "d6_relay.h"
#include "fixture.h"
#include "srv_health.h"
#include "srv_history.h"
#include "srv_alloc.h"
#include "srv_rx.h"

const uint8_t fx_server_duid[14] = {0, 1, 0, 1, 0x11, 0x22, 0x33, 0x44, 2, 0, 0, 0, 0, 9};

const char fx_conf_json[] =
    "{\"instance\": {\"name\": \"ut\", \"schema\": \"ut\","
    " \"database\": {\"conninfo\": \"dbname=none\"}, \"pid-file\": \"/tmp/ut.pid\"},"
    " \"dhcp6\": {\"preference\": 200, \"hash-key\": \"unit-test-hash-key-0001\","
    "  \"decline-quarantine\": 100, \"preferred-lifetime\": 1000, \"valid-lifetime\": 2000,"
    "  \"options\": {\"dns-servers\": [\"2001:db8:53::1\", \"2001:db8:53::2\"],"
    "   \"domain-search\": [\"example.com\"], \"ntp-servers\": [\"2001:db8:123::1\","
    "   \"ntp.example.com\"], \"sol-max-rt\": 3600, \"inf-max-rt\": 3600,"
    "   \"information-refresh-time\": 900},"
    "  \"subnets\": ["
    "   {\"id\": 1, \"prefix\": \"2001:db8:1::/64\","
    "    \"pools\": [{\"prefix\": \"2001:db8:1::/65\"}],"
    "    \"foreign-ranges\": [{\"prefix\": \"2001:db8:1:0:8000::/65\"}],"
    "    \"pd-pools\": [{\"prefix\": \"2001:db8:100::/40\", \"delegated-length\": 56}],"
    "    \"reservations\": [{\"duid\": \"00:03:00:01:00:00:00:00:00:63\","
    "     \"addresses\": [\"2001:db8:1::63\"]}]},"
    "   {\"id\": 2, \"prefix\": \"2001:db8:2::/64\", \"interface-id\": \"eth9\","
    "    \"preference\": 17, \"rapid-commit\": true, \"rebind-policy\": \"adopt\","
    "    \"renew-timer\": 100, \"rebind-timer\": 160,"
    "    \"pools\": [{\"start\": \"2001:db8:2::10\", \"end\": \"2001:db8:2::13\"}]},"
    "   {\"id\": 3, \"prefix\": \"2001:db8:3::/64\", \"rebind-policy\": \"refuse\","
    "    \"pools\": [{\"prefix\": \"2001:db8:3::/120\"}]}"
    "  ]}}";

struct srv *fx_new(const char *json)
{
	struct srv *s = calloc(1, sizeof(*s));
	char err[CONF_ERR_LEN] = "";

	assert_non_null(s);
	if (!json)
		json = fx_conf_json;
	if (conf_load_string("ut.json", json, strlen(json), &s->conf, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	assert_int_equal(srv_cache_init(&s->cache), 0);
	assert_int_equal(srv_alloc_setup(s, s->conf), 0);
	memcpy(s->duid, fx_server_duid, sizeof(fx_server_duid));
	s->duid_len = sizeof(fx_server_duid);
	s->loaded = true;
	s->db_up = true;
	s->resv_ready = true;
	s->lq_fd = -1;
	s->lq_life[0] = s->lq_life[1] = -1;
	s->max_txns = 64;
	return s;
}

void fx_reconf(struct srv *s, const char *json)
{
	char err[CONF_ERR_LEN] = "";
	struct conf *c = NULL;

	if (conf_load_string("ut.json", json, strlen(json), &c, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	assert_int_equal(srv_alloc_setup(s, c), 0);
	conf_free(s->conf);
	s->conf = c;
}

void fx_free(struct srv *s)
{
	srv_cache_clear(&s->cache);
	srv_history_clear(s);
	srv_health_clear(s);
	free(s->iter_cursor);
	conf_free(s->conf);
	free(s);
}

int fx_setup(void **state)
{
	*state = fx_new(NULL);
	return 0;
}

int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

void fx_req_init(struct fx_req *r, uint8_t type, uint8_t client)
{
	static const uint16_t oro[] = {D6_OPT_DNS_SERVERS, D6_OPT_SOL_MAX_RT};
	const uint8_t duid[10] = {0, 3, 0, 1, 0, 0, 0, 0, 0, client};

	memcpy(r->duid, duid, sizeof(duid));
	r->duid_len = sizeof(duid);
	d6_msg_init(&r->m, type, 0x123456);
	if (client)
		d6_msg_add_bytes(&r->m, D6_ROOT, D6_OPT_CLIENTID, r->duid, r->duid_len);
	d6_msg_add_u16(&r->m, D6_ROOT, D6_OPT_ELAPSED_TIME, 0);
	fx_req_oro(r, oro, 2);
}

void fx_req_serverid(struct fx_req *r, const uint8_t *duid, size_t len)
{
	assert_true(d6_msg_add_bytes(&r->m, D6_ROOT, D6_OPT_SERVERID, duid, len) >= 0);
}

void fx_req_oro(struct fx_req *r, const uint16_t *codes, size_t n)
{
	static uint8_t buf[8][64];
	static unsigned k;
	uint8_t *b = buf[k++ % 8];
	int i = d6_msg_find(&r->m, D6_ROOT, D6_OPT_ORO);

	for (size_t j = 0; j < n; j++) {
		b[2 * j] = (uint8_t)(codes[j] >> 8);
		b[2 * j + 1] = (uint8_t)codes[j];
	}
	if (i >= 0) {
		r->m.node[i].tail = b;
		r->m.node[i].tail_len = 2 * n;
		return;
	}
	assert_true(d6_msg_add_bytes(&r->m, D6_ROOT, D6_OPT_ORO, b, 2 * n) >= 0);
}

int fx_req_ia(struct fx_req *r, bool pd, uint32_t iaid)
{
	int i = pd ? d6_ia_add_pd(&r->m, iaid, 0, 0) : d6_ia_add_na(&r->m, iaid, 0, 0);

	assert_true(i >= 0);
	return i;
}

struct in6_addr fx_a(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

void fx_req_addr(struct fx_req *r, int ia, const char *addr)
{
	struct in6_addr a = fx_a(addr);

	assert_true(d6_ia_add_addr(&r->m, ia, a.s6_addr, 0, 0) >= 0);
}

void fx_req_prefix(struct fx_req *r, int ia, const char *prefix, uint8_t plen)
{
	struct in6_addr a = fx_a(prefix);

	assert_true(d6_ia_add_prefix(&r->m, ia, a.s6_addr, plen, 0, 0) >= 0);
}

static size_t wrap(uint8_t *out, size_t cap, const uint8_t *in, size_t len, uint8_t hops,
                   const char *link, const char *ifid)
{
	static struct d6_msg rl;
	struct in6_addr lk = fx_a(link), peer = fx_a("fe80::99");
	struct wire_wr w = wire_wr_init(out, cap);

	d6_msg_init_relay(&rl, D6_MSG_RELAY_FORW, hops, lk.s6_addr, peer.s6_addr);
	if (ifid)
		d6_msg_add_bytes(&rl, D6_ROOT, D6_OPT_INTERFACE_ID, ifid, strlen(ifid));
	d6_msg_add_bytes(&rl, D6_ROOT, D6_OPT_RELAY_MSG, in, len);
	assert_int_equal(d6_msg_build(&rl, &w), 0);
	return w.len;
}

struct srv_txn *fx_run(struct srv *s, struct fx_req *r, int how)
{
	static uint8_t a[4096], b[4096], c[4096];
	struct wire_wr w = wire_wr_init(a, sizeof(a));
	struct srv_pktinfo pi;
	const uint8_t *pkt = a;
	size_t len;

	assert_int_equal(d6_msg_build(&r->m, &w), 0);
	len = w.len;
	memset(&pi, 0, sizeof(pi));
	pi.src.sin6_family = AF_INET6;
	pi.src.sin6_port = htons(how >= FX_RELAYED ? 547 : 546);
	pi.src.sin6_addr = fx_a(how >= FX_RELAYED ? "2001:db8:1::fe" : "2001:db8:1::77");
	pi.dst = fx_a(how == FX_DIRECT_MCAST ? "ff02::1:2" : "2001:db8:1::2");
	pi.dst_multicast = how == FX_DIRECT_MCAST;
	if (how >= FX_RELAYED) {
		len = wrap(b, sizeof(b), a, len, 0, how == FX_RELAYED2 ? "::" : "2001:db8:1::1",
		           how == FX_RELAYED2 ? "eth9" : NULL);
		pkt = b;
	}
	if (how == FX_RELAYED2) {
		len = wrap(c, sizeof(c), b, len, 1, "::", NULL);
		pkt = c;
	}
	return srv_rx_handle(s, pkt, len, &pi);
}

void fx_done(struct srv *s, struct srv_txn *t, bool ok)
{
	if (ok) {
		srv_txn_committed(t);
		srv_rx_send(s, t);
	} else {
		srv_txn_undo(t);
	}
	srv_txn_free(t);
}

struct in6_addr fx_grant(struct srv *s, uint8_t c, bool pd, int how)
{
	static struct d6_msg rep;
	struct fx_req r;
	struct srv_txn *t;
	struct in6_addr a;
	int ia, k;

	fx_req_init(&r, D6_MSG_REQUEST, c);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, pd, pd ? 2 : 1);
	t = fx_run(s, &r, how);
	assert_non_null(t);
	assert_false(t->drop);
	assert_int_equal(t->n_ops, 1);
	assert_int_equal(t->ops[0].kind, SRV_OP_GRANT);
	assert_int_equal(fx_reply(t, &rep), 0);
	ia = fx_ia(&rep, pd ? D6_OPT_IA_PD : D6_OPT_IA_NA, 0);
	assert_true(ia >= 0);
	k = d6_msg_find(&rep, ia, pd ? D6_OPT_IAPREFIX : D6_OPT_IAADDR);
	assert_true(k >= 0);
	memcpy(&a, pd ? rep.node[k].v.iaprefix.prefix : rep.node[k].v.iaaddr.addr, 16);
	fx_done(s, t, true);
	return a;
}

int fx_reply(const struct srv_txn *t, struct d6_msg *out)
{
	static struct d6_relay_chain ch;

	if (!t->out_len)
		return CH_ENOENT;
	if (t->out[0] == D6_MSG_RELAY_REPL) {
		int err = d6_relay_parse(t->out, t->out_len, 32, 0, &ch);

		return err ? err : d6_msg_parse(ch.inner, ch.inner_len, out);
	}
	return d6_msg_parse(t->out, t->out_len, out);
}

int fx_ia(const struct d6_msg *m, uint16_t code, unsigned n)
{
	for (int i = d6_msg_find(m, D6_ROOT, code); i >= 0; i = d6_msg_find_next(m, i, code)) {
		if (n-- == 0)
			return i;
	}
	return -1;
}

int fx_status(const struct d6_msg *m, int parent)
{
	if (d6_msg_find(m, parent, D6_OPT_STATUS_CODE) < 0)
		return -1;
	return d6_ia_status(m, parent, NULL, NULL);
}

size_t fx_live(const struct d6_msg *m, int ia)
{
	size_t n = 0;

	for (int k = d6_msg_first(m, ia); k >= 0; k = d6_msg_next(m, k)) {
		if (m->node[k].code == D6_OPT_IAADDR && m->node[k].v.iaaddr.valid)
			n++;
		if (m->node[k].code == D6_OPT_IAPREFIX && m->node[k].v.iaprefix.valid)
			n++;
	}
	return n;
}
