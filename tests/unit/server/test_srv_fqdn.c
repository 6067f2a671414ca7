/*
 * server/srv_fqdn.c: RFC 4704 under each fqdn-policy (honour, always,
 * never; per subnet), the Reply's flags (§6.1: O when the server's S differs
 * from the client's), sanitising, qualifying-suffix, generated names, and
 * the option only in answer to an ORO that asks for it (§6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "srv_fqdn.h"
#include "srv_txn.h"

static struct d6_msg rep;
static const uint16_t oro_fqdn[] = {D6_OPT_DNS_SERVERS, D6_OPT_CLIENT_FQDN};

/* fx_conf_json with a ddns section (ddns, JSON members) and, when subnet1
 * is not NULL, members added to subnet 1. */
static struct srv *server(const char *ddns, const char *subnet1)
{
	static const char anchor[] = "{\"id\": 1, \"prefix\": \"2001:db8:1::/64\",";
	char json[8192], body[6144];
	const char *at = strstr(fx_conf_json, anchor);
	size_t pre;

	assert_non_null(at);
	pre = (size_t)(at - fx_conf_json) + strlen(anchor);
	snprintf(body, sizeof(body), "%.*s %s%s%s", (int)pre, fx_conf_json, subnet1 ? subnet1 : "",
	         subnet1 ? "," : "", fx_conf_json + pre);
	snprintf(
	    json, sizeof(json),
	    "%.*s, \"ddns\": {\"enabled\": true, \"qualifying-suffix\": \"example.com.\"%s%s}}",
	    (int)strlen(body) - 1, body, ddns[0] ? ", " : "", ddns);
	return fx_new(json);
}

/* One Request from client c with the FQDN option (name as wire labels,
 * flags), asking for it in the ORO unless no_oro. */
static struct srv_txn *request(struct srv *s, uint8_t c, const uint8_t *name, size_t len,
                               uint8_t flags, bool no_oro)
{
	static struct fx_req r;
	int i;

	fx_req_init(&r, D6_MSG_REQUEST, c);
	if (!no_oro)
		fx_req_oro(&r, oro_fqdn, 2);
	fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_ia(&r, false, 1);
	if (name) {
		i = d6_msg_add_bytes(&r.m, D6_ROOT, D6_OPT_CLIENT_FQDN, name, len);
		assert_true(i >= 0);
		r.m.node[i].v.u8 = flags;
	}
	return fx_run(s, &r, FX_RELAYED);
}

/* The Reply's FQDN flags, or -1 when it carries no FQDN. */
static int reply_flags(const struct srv_txn *t)
{
	int k;

	assert_int_equal(fx_reply(t, &rep), 0);
	k = d6_msg_find(&rep, D6_ROOT, D6_OPT_CLIENT_FQDN);
	return k < 0 ? -1 : rep.node[k].v.u8;
}

static const uint8_t host[] = {4, 'h', 'o', 's', 't'};

static void check(struct srv *s, uint8_t c, uint8_t cflags, int want_reply, bool fwd, bool rev)
{
	struct srv_txn *t = request(s, c, host, sizeof(host), cflags, false);

	assert_string_equal(t->fqdn, "host.example.com.");
	assert_int_equal(reply_flags(t), want_reply);
	assert_int_equal(t->fqdn_fwd, fwd);
	assert_int_equal(t->fqdn_rev, rev);
	fx_done(s, t, true);
}

static void test_honour(void **state)
{
	struct srv *s = server("", NULL);

	(void)state;
	check(s, 10, SRV_FQDN_S, SRV_FQDN_S, true, true);
	check(s, 11, 0, 0, false, true); /* the client does AAAA */
	check(s, 12, SRV_FQDN_N, SRV_FQDN_N, false, false);
	fx_free(s);
	s = server("\"override-client-update\": true", NULL);
	check(s, 13, 0, SRV_FQDN_S | SRV_FQDN_O, true, true);
	fx_free(s);
}

static void test_always_and_never(void **state)
{
	struct srv *s = server("\"fqdn-policy\": \"always\"", NULL);

	(void)state;
	check(s, 20, SRV_FQDN_S, SRV_FQDN_S, true, true);
	check(s, 21, 0, SRV_FQDN_S | SRV_FQDN_O, true, true);
	check(s, 22, SRV_FQDN_N, SRV_FQDN_S | SRV_FQDN_O, true, true);
	fx_free(s);
	s = server("\"fqdn-policy\": \"never\"", NULL);
	check(s, 23, SRV_FQDN_S, SRV_FQDN_N | SRV_FQDN_O, false, false);
	check(s, 24, 0, SRV_FQDN_N, false, false);
	fx_free(s);
}

static void test_subnet_override(void **state)
{
	struct srv *s = server("\"fqdn-policy\": \"always\"", "\"fqdn-policy\": \"never\"");

	(void)state;
	assert_int_equal(s->conf->dhcp6.subnets[0].fqdn_policy, CONF_FQDN_NEVER);
	assert_int_equal(s->conf->dhcp6.subnets[1].fqdn_policy, CONF_FQDN_ALWAYS);
	check(s, 30, SRV_FQDN_S, SRV_FQDN_N | SRV_FQDN_O, false, false);
	fx_free(s);
}

static void test_sanitise(void **state)
{
	static const uint8_t mixed[] = {10,  'M', 'y', '_', 'H', 'o', 's', 't', '!', '-',
	                                '-', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
	static const uint8_t junk[] = {3, '_', '*', '!'};
	struct srv *s = server("\"hostname-char-replacement\": \"x\"", NULL);
	struct srv_txn *t;

	(void)state;
	t = request(s, 40, mixed, sizeof(mixed), SRV_FQDN_S, false);
	assert_string_equal(t->fqdn, "myxhostx.example."); /* full name: not qualified */
	fx_done(s, t, true);
	fx_free(s);
	s = server("", NULL); /* no replacement: dropped */
	t = request(s, 41, mixed, sizeof(mixed), SRV_FQDN_S, false);
	assert_string_equal(t->fqdn, "myhost.example.");
	fx_done(s, t, true);
	t = request(s, 42, junk, sizeof(junk), SRV_FQDN_S, false);
	assert_string_equal(t->fqdn, ""); /* nothing left of the label: no name, no update */
	assert_false(t->fqdn_fwd || t->fqdn_rev);
	fx_done(s, t, true);
	fx_free(s);
}

static void test_generated_name(void **state)
{
	static const uint8_t empty[] = {0};
	struct srv *s = server("\"generated-prefix\": \"dyn\"", NULL);
	struct srv_txn *t;

	(void)state;
	t = request(s, 50, empty, 0, SRV_FQDN_S, false);
	assert_int_equal(reply_flags(t), SRV_FQDN_S);
	assert_true(strncmp(t->fqdn, "dyn-2001-db8-1-", 15) == 0);
	assert_non_null(strstr(t->fqdn, ".example.com."));
	assert_true(t->fqdn_fwd && t->fqdn_rev);
	fx_done(s, t, true);
	t = request(s, 51, NULL, 0, 0, false); /* no option at all: a name, no option back */
	assert_true(strncmp(t->fqdn, "dyn-2001-db8-1-", 15) == 0);
	assert_int_equal(reply_flags(t), -1);
	assert_true(t->fqdn_fwd && t->fqdn_rev);
	fx_done(s, t, true);
	fx_free(s);
	s = server("", NULL); /* no generated-prefix: an empty name gets nothing */
	t = request(s, 52, empty, sizeof(empty), SRV_FQDN_S, false);
	assert_string_equal(t->fqdn, "");
	assert_false(t->fqdn_fwd || t->fqdn_rev);
	fx_done(s, t, true);
	fx_free(s);
}

static void test_reply_only_when_asked(void **state)
{
	struct srv *s = server("", NULL);
	struct srv_txn *t = request(s, 60, host, sizeof(host), SRV_FQDN_S, true);

	(void)state;
	assert_int_equal(reply_flags(t), -1);    /* §6: not in the ORO, not in the Reply */
	assert_true(t->fqdn_fwd && t->fqdn_rev); /* and the updates still happen */
	fx_done(s, t, true);
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_honour),          cmocka_unit_test(test_always_and_never),
	    cmocka_unit_test(test_subnet_override), cmocka_unit_test(test_sanitise),
	    cmocka_unit_test(test_generated_name),  cmocka_unit_test(test_reply_only_when_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
