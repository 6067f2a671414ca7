/*
 * option-data in Advertise and Reply (server/srv_opts.c, issue 10 item 3):
 * instance, subnet, pool, PD pool and reservation levels with the most
 * specific winning, the ORO or always-send deciding, VENDOR_OPTS per
 * enterprise, RFC 5970 boot options chosen by CLIENT_ARCH_TYPE, and
 * option-data replacing a named option of the same code.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "fixture.h"
#include "srv_rx.h"

static const char conf_json[] =
    "{\"instance\": {\"name\": \"ut\", \"database\": {\"conninfo\": \"dbname=none\"}},"
    " \"dhcp6\": {\"hash-key\": \"unit-test-hash-key-0001\", \"preference\": 9,"
    "  \"options\": {\"dns-servers\": [\"2001:db8:53::1\"]},"
    "  \"option-data\": ["
    "   {\"code\": 65001, \"type\": \"uint8\", \"data\": 1},"
    "   {\"code\": 65002, \"type\": \"uint8\", \"data\": 1},"
    "   {\"code\": 65003, \"type\": \"uint8\", \"data\": 1},"
    "   {\"code\": 65004, \"type\": \"uint8\", \"data\": 1},"
    "   {\"code\": 65100, \"type\": \"uint8\", \"data\": 1, \"always-send\": true},"
    "   {\"name\": \"vendor-opts\", \"enterprise\": 4491, \"sub-options\": ["
    "    {\"code\": 1, \"type\": \"string\", \"data\": \"cable\"}]},"
    "   {\"name\": \"vendor-opts\", \"enterprise\": 311, \"sub-options\": []},"
    "   {\"name\": \"bootfile-url\", \"data\": \"http://boot/any.efi\"},"
    "   {\"name\": \"bootfile-url\", \"data\": \"http://boot/x64.efi\","
    "    \"client-arch\": [7, 9]},"
    "   {\"name\": \"bootfile-param\", \"data\": [\"quiet\"]}],"
    "  \"subnets\": ["
    "   {\"id\": 1, \"prefix\": \"2001:db8:1::/64\","
    "    \"option-data\": ["
    "     {\"code\": 65002, \"type\": \"uint8\", \"data\": 2},"
    "     {\"code\": 65003, \"type\": \"uint8\", \"data\": 2},"
    "     {\"code\": 65004, \"type\": \"uint8\", \"data\": 2},"
    "     {\"name\": \"dns-servers\", \"data\": \"2001:db8:53::99\"}],"
    "    \"pools\": [{\"prefix\": \"2001:db8:1::/120\", \"option-data\": ["
    "     {\"code\": 65003, \"type\": \"uint8\", \"data\": 3},"
    "     {\"code\": 65004, \"type\": \"uint8\", \"data\": 3}]}],"
    "    \"pd-pools\": [{\"prefix\": \"2001:db8:100::/40\", \"delegated-length\": 56,"
    "     \"option-data\": [{\"code\": 65005, \"type\": \"uint8\", \"data\": 3}]}],"
    "    \"reservations\": [{\"duid\": \"00:03:00:01:00:00:00:00:00:07\","
    "     \"addresses\": [\"2001:db8:1::7\"],"
    "     \"option-data\": [{\"code\": 65004, \"type\": \"uint8\", \"data\": 4}]}]}]}}";

static struct d6_msg rep;

static int setup(void **state)
{
	*state = fx_new(conf_json);
	return 0;
}

/* A relayed message from client c asking for codes, with IA_NA (and IA_PD),
 * and CLIENT_ARCH_TYPE arch when arch != 0xffff. */
static struct srv_txn *ask(struct srv *s, uint8_t type, uint8_t c, const uint16_t *codes, size_t n,
                           bool pd, uint16_t arch)
{
	static uint8_t ab[2];
	struct fx_req r;

	fx_req_init(&r, type, c);
	if (type == D6_MSG_REQUEST)
		fx_req_serverid(&r, fx_server_duid, sizeof(fx_server_duid));
	fx_req_oro(&r, codes, n);
	fx_req_ia(&r, false, 1);
	if (pd)
		fx_req_ia(&r, true, 2);
	if (arch != 0xffff) {
		ab[0] = (uint8_t)(arch >> 8);
		ab[1] = (uint8_t)arch;
		d6_msg_add_bytes(&r.m, D6_ROOT, D6_OPT_CLIENT_ARCH_TYPE, ab, 2);
	}
	return fx_run(s, &r, FX_RELAYED);
}

/* The body of the n-th top-level option code of rep, NULL if absent. */
static const uint8_t *body(uint16_t code, unsigned n, size_t *len)
{
	for (int i = d6_msg_first(&rep, D6_ROOT); i >= 0; i = d6_msg_next(&rep, i)) {
		if (rep.node[i].code == code && n-- == 0) {
			*len = rep.node[i].tail_len;
			return rep.node[i].tail;
		}
	}
	return NULL;
}

static int u8_of(uint16_t code)
{
	size_t len;
	const uint8_t *b = body(code, 0, &len);

	return b && len == 1 ? b[0] : -1;
}

static void test_levels_most_specific_wins(void **state)
{
	static const uint16_t oro[] = {65001, 65002, 65003, 65004, 65005};
	struct srv *s = *state;
	struct srv_txn *t = ask(s, D6_MSG_SOLICIT, 1, oro, 5, true, 0xffff);

	assert_int_equal(fx_reply(t, &rep), 0);
	/* client 1 gets an address of the /120 pool and a prefix of the PD pool */
	assert_int_equal(u8_of(65001), 1); /* instance */
	assert_int_equal(u8_of(65002), 2); /* subnet over instance */
	assert_int_equal(u8_of(65003), 3); /* pool over subnet */
	assert_int_equal(u8_of(65004), 3);
	assert_int_equal(u8_of(65005), 3); /* the PD pool's */
	assert_int_equal(u8_of(65100), 1); /* always-send, not in the ORO */
	srv_txn_free(t);

	t = ask(s, D6_MSG_SOLICIT, 7, oro, 5, false, 0xffff); /* the reserved client */
	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(u8_of(65004), 4);  /* reservation over pool */
	assert_int_equal(u8_of(65005), -1); /* no prefix, no PD pool's option */
	srv_txn_free(t);
}

static void test_oro_decides(void **state)
{
	static const uint16_t oro[] = {65002};
	struct srv *s = *state;
	struct srv_txn *t = ask(s, D6_MSG_SOLICIT, 2, oro, 1, false, 0xffff);

	assert_int_equal(fx_reply(t, &rep), 0);
	assert_int_equal(u8_of(65002), 2);
	assert_int_equal(u8_of(65001), -1);
	assert_int_equal(u8_of(65003), -1);
	assert_int_equal(u8_of(65100), 1);
	srv_txn_free(t);
}

static void test_vendor_per_enterprise(void **state)
{
	static const uint16_t oro[] = {D6_OPT_VENDOR_OPTS};
	struct srv *s = *state;
	struct srv_txn *t = ask(s, D6_MSG_SOLICIT, 3, oro, 1, false, 0xffff);
	uint8_t wire[1024];
	struct wire_wr w = wire_wr_init(wire, sizeof(wire));
	int v;

	assert_int_equal(fx_reply(t, &rep), 0);
	v = d6_msg_find(&rep, D6_ROOT, D6_OPT_VENDOR_OPTS);
	assert_true(v >= 0);
	assert_int_equal(rep.node[v].v.u32, 4491);
	v = d6_msg_find_next(&rep, v, D6_OPT_VENDOR_OPTS);
	assert_true(v >= 0);
	assert_int_equal(rep.node[v].v.u32, 311);
	/* and on the wire: enterprise, then the sub-option */
	assert_int_equal(d6_msg_build(&rep, &w), 0);
	assert_non_null(memmem(wire, w.len,
	                       "\x00\x11\x00\x0d\x00\x00\x11\x8b\x00\x01\x00\x05"
	                       "cable",
	                       17));
	srv_txn_free(t);
}

static void test_boot_options_by_arch(void **state)
{
	static const uint16_t oro[] = {D6_OPT_BOOTFILE_URL, D6_OPT_BOOTFILE_PARAM};
	struct srv *s = *state;
	struct srv_txn *t;
	const uint8_t *b;
	size_t len;

	t = ask(s, D6_MSG_SOLICIT, 4, oro, 2, false, 7); /* EFI x64 */
	assert_int_equal(fx_reply(t, &rep), 0);
	b = body(D6_OPT_BOOTFILE_URL, 0, &len);
	assert_non_null(b);
	assert_int_equal(len, strlen("http://boot/x64.efi"));
	assert_memory_equal(b, "http://boot/x64.efi", len);
	assert_null(body(D6_OPT_BOOTFILE_URL, 1, &len)); /* one URL only */
	b = body(D6_OPT_BOOTFILE_PARAM, 0, &len);
	assert_int_equal(len, 7);
	assert_memory_equal(b, "\x00\x05quiet", 7);
	srv_txn_free(t);

	t = ask(s, D6_MSG_SOLICIT, 4, oro, 2, false, 0); /* x86 BIOS: the general one */
	assert_int_equal(fx_reply(t, &rep), 0);
	b = body(D6_OPT_BOOTFILE_URL, 0, &len);
	assert_int_equal(len, strlen("http://boot/any.efi"));
	assert_memory_equal(b, "http://boot/any.efi", len);
	srv_txn_free(t);
}

static void test_replaces_named_option(void **state)
{
	static const uint16_t oro[] = {D6_OPT_DNS_SERVERS};
	struct in6_addr want;
	struct srv *s = *state;
	struct srv_txn *t = ask(s, D6_MSG_REQUEST, 5, oro, 1, false, 0xffff);
	const uint8_t *b;
	size_t len;

	assert_int_equal(fx_reply(t, &rep), 0);
	b = body(D6_OPT_DNS_SERVERS, 0, &len);
	assert_int_equal(len, 16);
	inet_pton(AF_INET6, "2001:db8:53::99", &want);
	assert_memory_equal(b, &want, 16);
	assert_null(body(D6_OPT_DNS_SERVERS, 1, &len));
	fx_done(s, t, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_levels_most_specific_wins, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_oro_decides, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_vendor_per_enterprise, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_boot_options_by_arch, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replaces_named_option, setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("srv_opts", tests, NULL, NULL);
}
