/*
 * Unit tests for the config loader (lib/conf*.c): one test per class of
 * error, each asserting the exact "file: /json/path: expectation" text, the
 * resolved defaults, the six example configs of contrib/examples/ (found
 * through $CHORUS_SRCDIR) and that conf_print's output loads back the same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "conf.h"
#include "errors.h"
#include "pg_ident.h"

/* A minimal valid file; tests splice their change in with the %s markers. */
#define HEAD       "{\"instance\": {\"name\": \"t\", \"database\": {\"conninfo\": \"dbname=x\"}}, "
#define D6         "\"dhcp6\": {\"hash-key\": \"0123456789abcdef\", "
#define NET1       "{\"id\": 1, \"prefix\": \"2001:db8:1:1::/64\""
#define NET2       "{\"id\": 2, \"prefix\": \"2001:db8:1:2::/64\""
#define POOL(s, e) "{\"start\": \"" s "\", \"end\": \"" e "\"}"
#define SCHEMA_EXPECT                                                                              \
	"expected a PostgreSQL schema name ([a-z_][a-z0-9_]*, at most 56 bytes, since PostgreSQL " \
	"truncates the derived <schema>_reload at 63; not pg_* or information_schema)"

static struct conf *load_ok(const char *text)
{
	char err[CONF_ERR_LEN];
	struct conf *c = NULL;
	int rc = conf_load_string("chorus.json", text, strlen(text), &c, err, sizeof(err));

	if (rc != 0)
		fail_msg("rejected: %s", err);
	assert_non_null(c);
	return c;
}

static void expect_err(const char *text, const char *want)
{
	char err[CONF_ERR_LEN];
	struct conf *c = (struct conf *)(uintptr_t)1; /* must stay untouched */
	int rc = conf_load_string("chorus.json", text, strlen(text), &c, err, sizeof(err));

	assert_int_equal(rc, CH_ECONF);
	assert_ptr_equal(c, (struct conf *)(uintptr_t)1);
	assert_string_equal(err, want);
}

static void test_minimal_defaults(void **state)
{
	struct conf *c = load_ok(HEAD D6 "\"subnets\": [" NET1 "}]}}");
	const struct conf_subnet *s;

	(void)state;
	assert_string_equal(c->instance.schema, "chorus");
	assert_int_equal(c->instance.server_duid_len, 0);
	assert_int_equal(c->logging.level, 6 /* LOG_INFO */);
	assert_int_equal(c->dhcp6.preference, 0);
	assert_int_equal(c->dhcp6.allocator, CONF_ALLOC_STABLE_HASH);
	assert_int_equal(c->dhcp6.rebind_policy, CONF_REBIND_REPLACE);
	assert_int_equal(c->dhcp6.hash_key_len, 16);
	assert_int_equal(c->dhcp6.timers.preferred, 3600);
	assert_int_equal(c->dhcp6.timers.valid, 7200);
	assert_int_equal(c->dhcp6.timers.t1, 1800); /* 0.5 x preferred */
	assert_int_equal(c->dhcp6.timers.t2, 2880); /* 0.8 x preferred */
	assert_int_equal(c->leasequery.max_connections, 10);
	assert_int_equal(c->leasequery.idle_timeout, 300);
	assert_false(c->leasequery.enabled);
	assert_int_equal(c->leasequery.max_per_requestor, 4);
	assert_int_equal(c->leasequery.rate_limit, 0);
	assert_int_equal(c->leasequery.rate_burst, 0);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&c->leasequery.bulk_address));
	assert_int_equal(c->leasequery.bulk_port, 547);
	assert_false(c->leasequery.has_address);
	assert_int_equal(c->ddns.conflict_policy, CONF_DDNS_CHECK_WITH_DHCID);
	assert_int_equal(c->ddns.window, 512);
	assert_int_equal(c->ddns.batch, 128);
	assert_int_equal(c->ddns.timeout_ms, 2000);
	assert_int_equal(c->ddns.retry_min, 1);
	assert_int_equal(c->ddns.retry_max, 300);
	assert_int_equal(c->ddns.permanent_retry, 3600);
	assert_int_equal(c->ddns.sweep, 30);
	assert_true(c->ddns.prefix_ptr);
	assert_false(c->ddns.remove_stale_ptr);
	assert_int_equal(c->api.n_listen, 1);
	assert_int_equal(c->api.listen[0].port, 8547);
	assert_int_equal(c->dhcp6.n_subnets, 1);
	s = &c->dhcp6.subnets[0];
	assert_int_equal(s->timers.t1, 1800);
	assert_int_equal(s->n_pools, 0);
	conf_free(c);
}

static void test_subnet_overrides(void **state)
{
	struct conf *c = load_ok(HEAD D6 "\"preference\": 7, \"options\": {\"dns-servers\": "
	                                 "[\"2001:db8::53\"], \"sol-max-rt\": 600}, "
	                                 "\"subnets\": [" NET1 ", \"preference\": 9, "
	                                 "\"preferred-lifetime\": 1000, \"valid-lifetime\": 2000, "
	                                 "\"options\": {\"sol-max-rt\": 120}}, " NET2 "}]}}");

	(void)state;
	assert_int_equal(c->dhcp6.subnets[0].preference, 9);
	assert_int_equal(c->dhcp6.subnets[1].preference, 7);
	assert_int_equal(c->dhcp6.subnets[0].timers.t1, 500);
	assert_int_equal(c->dhcp6.subnets[0].timers.t2, 800);
	assert_int_equal(c->dhcp6.subnets[1].timers.t1, 1800);
	assert_int_equal(c->dhcp6.subnets[0].options.sol_max_rt, 120);
	assert_int_equal(c->dhcp6.subnets[0].options.n_dns_servers, 1); /* inherited */
	assert_int_equal(c->dhcp6.subnets[1].options.sol_max_rt, 600);
	conf_free(c);
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnts\": []}}", "chorus.json: /dhcp6/subnts: unknown key");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pool\": []}]}}",
	           "chorus.json: /dhcp6/subnets/0/pool: unknown key");
	expect_err(HEAD D6 "\"x\": 1}, \"extra\": {}}", "chorus.json: /extra: unknown key");
}

static void test_wrong_type(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"rapid-commit\": \"yes\"}}",
	           "chorus.json: /dhcp6/rapid-commit: expected true or false");
	expect_err(HEAD D6 "\"subnets\": {}}}",
	           "chorus.json: /dhcp6/subnets: expected an array of at most 4096 entries");
	expect_err(HEAD "\"dhcp6\": []}", "chorus.json: /dhcp6: expected an object");
	expect_err(HEAD D6 "\"valid-lifetime\": 7200.5}}",
	           "chorus.json: /dhcp6/valid-lifetime: expected an integer 1..4294967295");
}

static void test_bad_address(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnets\": [" NET1 "}, " NET2 ", \"pools\": [{\"start\": "
	                   "\"2001:db8:1:2::zz\", \"end\": \"2001:db8:1:2::ff\"}]}]}}",
	           "chorus.json: /dhcp6/subnets/1/pools/0/start: expected an IPv6 address");
	expect_err(HEAD D6 "\"subnets\": [{\"id\": 1, \"prefix\": \"2001:db8:1:1::1/64\"}]}}",
	           "chorus.json: /dhcp6/subnets/0/prefix: expected an IPv6 prefix with zero host "
	           "bits, such as 2001:db8::/64");
}

static void test_out_of_bounds(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"decline-quarantine\": -1}}",
	           "chorus.json: /dhcp6/decline-quarantine: expected an integer 0..4294967295");
	expect_err(HEAD D6 "\"options\": {\"sol-max-rt\": 59}}}",
	           "chorus.json: /dhcp6/options/sol-max-rt: expected an integer 60..86400");
	expect_err(HEAD D6 "\"x\": 0}, \"leasequery\": {\"max-connections\": 0}}",
	           "chorus.json: /dhcp6/x: unknown key");
	expect_err(HEAD D6 "\"subnets\": []}, \"leasequery\": {\"max-connections\": 0}}",
	           "chorus.json: /leasequery/max-connections: expected an integer 1..1000");
	expect_err(HEAD D6 "\"subnets\": []}, \"leasequery\": {\"rate-limit\": -1}}",
	           "chorus.json: /leasequery/rate-limit: expected an integer 0..1000000");
	expect_err(HEAD D6 "\"subnets\": []}, \"leasequery\": {\"bulk-address\": \"x\"}}",
	           "chorus.json: /leasequery/bulk-address: expected an IPv6 address");
	expect_err(HEAD D6 "\"subnets\": []}, \"leasequery\": {\"bulk-port\": 0}}",
	           "chorus.json: /leasequery/bulk-port: expected an integer 1..65535");
	expect_err(
	    HEAD D6 "\"subnets\": []}, \"leasequery\": {\"address\": \"[::1]:0\"}}",
	    "chorus.json: /leasequery/address: expected an IPv6 address or \"[address]:port\"");
	expect_err(
	    HEAD D6 "\"subnets\": []}, \"leasequery\": {\"address\": \"::1]:547\"}}",
	    "chorus.json: /leasequery/address: expected an IPv6 address or \"[address]:port\"");
	expect_err(
	    HEAD D6 "\"subnets\": []}, \"leasequery\": {\"address\": 547}}",
	    "chorus.json: /leasequery/address: expected an IPv6 address or \"[address]:port\"");
	expect_err(HEAD D6 "\"valid-lifetime\": 99999999999999999999999}}",
	           "chorus.json: /dhcp6/valid-lifetime: expected an integer 1..4294967295");
}

static void test_preference_bounds(void **state)
{
	struct conf *c;

	(void)state;
	expect_err(HEAD D6 "\"preference\": 256}}",
	           "chorus.json: /dhcp6/preference: expected an integer 0..255");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"preference\": -1}]}}",
	           "chorus.json: /dhcp6/subnets/0/preference: expected an integer 0..255");
	c = load_ok(HEAD D6 "\"preference\": 255}}");
	assert_int_equal(c->dhcp6.preference, 255);
	conf_free(c);
}

static void test_pool_outside_subnet(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnets\": [" NET1
	                   ", \"pools\": [" POOL("2001:db8:1:1::1", "2001:db8:1:2::1") "]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pools/0: expected a range inside the link "
	           "prefix 2001:db8:1:1::/64");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"reservations\": [{\"duid\": "
	                   "\"00:03:00:01:02:03\", \"addresses\": [\"2001:db8:9::1\"]}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/reservations/0/addresses/0: expected an address "
	           "inside the link prefix 2001:db8:1:1::/64 and outside the foreign ranges");
}

/* Issue 10 item 6: a PD pool inside the link prefix is accepted (as Kea
 * does) unless it overlaps an address pool or a foreign range. */
static void test_pd_pool_inside_link(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(HEAD D6 "\"subnets\": [" NET1 ", \"pools\": [{\"prefix\": "
	                    "\"2001:db8:1:1::/65\"}], \"pd-pools\": [{\"prefix\": "
	                    "\"2001:db8:1:1:c000::/66\", \"delegated-length\": 80}]}]}}");
	assert_int_equal(c->dhcp6.subnets[0].n_pd_pools, 1);
	conf_free(c);
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pools\": [{\"prefix\": "
	                   "\"2001:db8:1:1::/65\"}], \"pd-pools\": [{\"prefix\": "
	                   "\"2001:db8:1:1:4000::/66\", \"delegated-length\": 80}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pd-pools/0: expected a range that overlaps no "
	           "other, but it overlaps /dhcp6/subnets/0/pools/0");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"foreign-ranges\": [{\"prefix\": "
	                   "\"2001:db8:1:1:8000::/65\"}], \"pd-pools\": [{\"prefix\": "
	                   "\"2001:db8:1:1:c000::/66\", \"delegated-length\": 80}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pd-pools/0: expected a range that overlaps no "
	           "other, but it overlaps /dhcp6/subnets/0/foreign-ranges/0");
}

/* The body option-data entry i of list l encodes to, as hex without colons. */
static void assert_body(const struct conf_optlist *l, size_t i, uint16_t code, const char *hex)
{
	char buf[2 * CONF_OPTDATA_MAX + 1] = "";

	assert_true(i < l->n);
	assert_int_equal(l->v[i].code, code);
	for (size_t k = 0; k < l->v[i].len; k++)
		snprintf(buf + 2 * k, 3, "%02x", l->v[i].data[k]);
	assert_string_equal(buf, hex);
}

#define OD(x) HEAD D6 "\"option-data\": [" x "]}}"

/* Issue 10 item 3: every type, names, Kea's comma lists, vendor options. */
static void test_option_data_types(void **state)
{
	struct conf *c;
	const struct conf_optlist *l;

	(void)state;
	c = load_ok(
	    OD("{\"code\": 65001, \"type\": \"address\", \"data\": \"2001:db8::1\"},"
	       "{\"code\": 65002, \"type\": \"addresses\", \"data\": \"2001:db8::1, ::2\"},"
	       "{\"code\": 65003, \"type\": \"string\", \"data\": \"hi\"},"
	       "{\"code\": 65004, \"type\": \"fqdn\", \"data\": \"a.example.\"},"
	       "{\"code\": 65005, \"type\": \"fqdns\", \"data\": [\"a.b\", \"c\"]},"
	       "{\"code\": 65006, \"type\": \"uint8\", \"data\": 255},"
	       "{\"code\": 65007, \"type\": \"uint16\", \"data\": \"513\"},"
	       "{\"code\": 65008, \"type\": \"uint32\", \"data\": 4294967295},"
	       "{\"code\": 65009, \"type\": \"binary\", \"data\": \"01:0a:ff\", "
	       "\"always-send\": true},"
	       "{\"name\": \"bootfile-url\", \"data\": \"http://[2001:db8::9]/b.efi\"},"
	       "{\"name\": \"bootfile-param\", \"data\": [\"a\", \"bc\"]},"
	       "{\"name\": \"vendor-opts\", \"enterprise\": 4491, \"sub-options\": ["
	       " {\"code\": 1, \"type\": \"string\", \"data\": \"x\"},"
	       " {\"code\": 2, \"type\": \"uint16\", \"data\": 7}]},"
	       "{\"name\": \"bootfile-url\", \"data\": \"tftp://x/y\", \"client-arch\": [7, 16]}"));
	l = &c->dhcp6.option_data;
	assert_int_equal(l->n, 13);
	assert_body(l, 0, 65001, "20010db8000000000000000000000001");
	assert_body(l, 1, 65002,
	            "20010db8000000000000000000000001"
	            "00000000000000000000000000000002");
	assert_body(l, 2, 65003, "6869");
	assert_body(l, 3, 65004, "0161076578616d706c6500");
	assert_body(l, 4, 65005,
	            "0161016200"
	            "016300");
	assert_body(l, 5, 65006, "ff");
	assert_body(l, 6, 65007, "0201");
	assert_body(l, 7, 65008, "ffffffff");
	assert_body(l, 8, 65009, "010aff");
	assert_true(l->v[8].always_send);
	assert_false(l->v[0].always_send);
	assert_int_equal(l->v[9].code, 59);
	assert_int_equal(l->v[9].len, strlen("http://[2001:db8::9]/b.efi"));
	assert_body(l, 10, 60,
	            "000161"
	            "00026263");
	assert_body(l, 11, 17,
	            "0000118b"
	            "000100"
	            "0178"
	            "00020002"
	            "0007");
	assert_int_equal(l->v[11].enterprise, 4491);
	assert_int_equal(l->v[12].n_arch, 2);
	assert_int_equal(l->v[12].arch[1], 16);
	conf_free(c);
}

static void test_option_data_levels_and_print(void **state)
{
	const char *text = HEAD D6
	    "\"subnets\": [" NET1 ", \"option-data\": [{\"code\": 65001, \"type\": "
	    "\"uint8\", \"data\": 1}], \"pools\": [{\"prefix\": \"2001:db8:1:1::/120\", "
	    "\"option-data\": [{\"code\": 65001, \"type\": \"uint8\", \"data\": 2}]}], "
	    "\"pd-pools\": [{\"prefix\": \"2001:db8:100::/40\", \"delegated-length\": 56, "
	    "\"option-data\": [{\"code\": 65001, \"type\": \"uint8\", \"data\": 3}]}], "
	    "\"reservations\": [{\"duid\": \"00:03:00:01:02:03\", \"option-data\": [{\"code\": "
	    "65001, \"type\": \"uint8\", \"data\": 4, \"always-send\": true, "
	    "\"client-arch\": [7]}]}]}]}}";
	struct conf *a = load_ok(text), *b;
	char *t = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_body(&a->dhcp6.subnets[0].option_data, 0, 65001, "01");
	assert_body(&a->dhcp6.subnets[0].pools[0].option_data, 0, 65001, "02");
	assert_body(&a->dhcp6.subnets[0].pd_pools[0].option_data, 0, 65001, "03");
	assert_body(&a->dhcp6.subnets[0].reservations[0].option_data, 0, 65001, "04");
	f = open_memstream(&t, &n);
	assert_int_equal(conf_print(a, f, CONF_PRINT_SECRETS), 0);
	fclose(f);
	b = load_ok(t);
	assert_body(&b->dhcp6.subnets[0].pools[0].option_data, 0, 65001, "02");
	assert_body(&b->dhcp6.subnets[0].pd_pools[0].option_data, 0, 65001, "03");
	assert_true(b->dhcp6.subnets[0].reservations[0].option_data.v[0].always_send);
	assert_int_equal(b->dhcp6.subnets[0].reservations[0].option_data.v[0].arch[0], 7);
	free(t);
	conf_free(a);
	conf_free(b);
}

/* -t prints option-data as the config said it: name or code and type, the
 * value in that type; it loads back to the same octets. */
static void test_option_data_print_as_configured(void **state)
{
	static const char *const want[] = {
	    "{\"code\":65001,\"type\":\"address\",\"data\":\"2001:db8::1\"}",
	    "{\"code\":65002,\"type\":\"addresses\",\"data\":[\"2001:db8::1\",\"::2\"]}",
	    "{\"code\":65003,\"type\":\"string\",\"data\":\"hi\"}",
	    "{\"code\":65004,\"type\":\"fqdn\",\"data\":\"a.example.\"}",
	    "{\"code\":65005,\"type\":\"fqdns\",\"data\":[\"a.b.\",\"c.\"]}",
	    "{\"code\":65006,\"type\":\"uint8\",\"data\":255}",
	    "{\"code\":65007,\"type\":\"uint16\",\"data\":513}",
	    "{\"code\":65008,\"type\":\"uint32\",\"data\":4294967295}",
	    "{\"code\":65009,\"type\":\"binary\",\"data\":\"01:0a:ff\",\"always-send\":true}",
	    "{\"name\":\"bootfile-url\",\"data\":\"http:\\/\\/[2001:db8::9]\\/b.efi\"}",
	    "{\"name\":\"bootfile-param\",\"data\":[\"a\",\"bc\"]}",
	    ("{\"name\":\"vendor-opts\",\"enterprise\":4491,\"sub-options\":[{\"code\":1,\"type\":"
	     "\"string\",\"data\":\"x\"},{\"code\":2,\"type\":\"uint16\",\"data\":7}]}"),
	    "{\"name\":\"bootfile-url\",\"data\":\"tftp:\\/\\/x\\/y\",\"client-arch\":[7,16]}",
	    "{\"code\":17,\"type\":\"binary\",\"data\":\"00:00:11:8b\"}",
	};
	struct conf *a, *b;
	struct json_object *root, *l;
	char *t = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	a = load_ok(
	    OD("{\"code\": 65001, \"type\": \"address\", \"data\": \"2001:db8::1\"},"
	       "{\"code\": 65002, \"type\": \"addresses\", \"data\": \"2001:db8::1, ::2\"},"
	       "{\"code\": 65003, \"type\": \"string\", \"data\": \"hi\"},"
	       "{\"code\": 65004, \"type\": \"fqdn\", \"data\": \"a.example.\"},"
	       "{\"code\": 65005, \"type\": \"fqdns\", \"data\": [\"a.b\", \"c\"]},"
	       "{\"code\": 65006, \"type\": \"uint8\", \"data\": 255},"
	       "{\"code\": 65007, \"type\": \"uint16\", \"data\": \"513\"},"
	       "{\"code\": 65008, \"type\": \"uint32\", \"data\": 4294967295},"
	       "{\"code\": 65009, \"type\": \"binary\", \"data\": \"01:0a:ff\", "
	       "\"always-send\": true},"
	       "{\"name\": \"bootfile-url\", \"data\": \"http://[2001:db8::9]/b.efi\"},"
	       "{\"code\": 60, \"name\": \"bootfile-param\", \"data\": [\"a\", \"bc\"]},"
	       "{\"name\": \"vendor-opts\", \"enterprise\": 4491, \"sub-options\": ["
	       " {\"code\": 1, \"type\": \"string\", \"data\": \"x\"},"
	       " {\"code\": 2, \"type\": \"uint16\", \"data\": 7}]},"
	       "{\"name\": \"bootfile-url\", \"data\": \"tftp://x/y\", \"client-arch\": [7, 16]},"
	       "{\"code\": 17, \"type\": \"binary\", \"data\": \"00:00:11:8b\"}"));
	f = open_memstream(&t, &n);
	assert_int_equal(conf_print(a, f, CONF_PRINT_SECRETS), 0);
	fclose(f);
	root = json_tokener_parse(t);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "dhcp6", &l));
	assert_true(json_object_object_get_ex(l, "option-data", &l));
	assert_int_equal(json_object_array_length(l), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(json_object_to_json_string_ext(json_object_array_get_idx(l, i),
		                                                   JSON_C_TO_STRING_PLAIN),
		                    want[i]);
	json_object_put(root);
	b = load_ok(t);
	assert_int_equal(b->dhcp6.option_data.n, a->dhcp6.option_data.n);
	for (size_t i = 0; i < a->dhcp6.option_data.n; i++) {
		const struct conf_optdata *x = &a->dhcp6.option_data.v[i];
		const struct conf_optdata *y = &b->dhcp6.option_data.v[i];

		assert_int_equal(x->code, y->code);
		assert_int_equal(x->len, y->len);
		assert_memory_equal(x->data, y->data, x->len);
	}
	free(t);
	conf_free(a);
	conf_free(b);
}

static void test_option_data_errors(void **state)
{
	(void)state;
	expect_err(OD("{\"code\": 65001, \"type\": \"address\", \"data\": \"nope\"}"),
	           "chorus.json: /dhcp6/option-data/0/data: expected an IPv6 address");
	expect_err(OD("{\"code\": 65001, \"type\": \"addresses\", \"data\": [\"::1\", 3]}"),
	           "chorus.json: /dhcp6/option-data/0/data/1: expected a string");
	expect_err(OD("{\"code\": 65001, \"type\": \"uint8\", \"data\": 256}"),
	           "chorus.json: /dhcp6/option-data/0/data: expected an integer 0..255");
	expect_err(OD("{\"code\": 65001, \"type\": \"fqdn\", \"data\": \"a..b\"}"),
	           "chorus.json: /dhcp6/option-data/0/data: expected a domain name");
	expect_err(OD("{\"code\": 65001, \"type\": \"binary\", \"data\": \"0g\"}"),
	           "chorus.json: /dhcp6/option-data/0/data: expected hex octets such as "
	           "\"0a:0b:0c\" (at most 512)");
	expect_err(OD("{\"code\": 65001, \"type\": \"float\", \"data\": 1}"),
	           "chorus.json: /dhcp6/option-data/0/type: expected one of \"address\", "
	           "\"addresses\", \"string\", \"fqdn\", \"fqdns\", \"uint8\", \"uint16\", "
	           "\"uint32\", \"binary\", \"tuples\", \"vendor\"");
	expect_err(OD("{\"name\": \"boot-url\", \"data\": \"x\"}"),
	           "chorus.json: /dhcp6/option-data/0/name: expected a known option name such as "
	           "\"bootfile-url\" (or give \"code\" and \"type\")");
	expect_err(OD("{\"code\": 7, \"type\": \"uint8\", \"data\": 1}"),
	           "chorus.json: /dhcp6/option-data/0/code: expected an option the server does "
	           "not build itself (not 7)");
	expect_err(OD("{\"code\": 65001, \"data\": 1}"),
	           "chorus.json: /dhcp6/option-data/0: expected \"code\" and \"type\", or a known "
	           "\"name\"");
	expect_err(OD("{\"name\": \"vendor-opts\", \"sub-options\": []}"),
	           "chorus.json: /dhcp6/option-data/0: required key missing, expected "
	           "\"enterprise\" (a number)");
	expect_err(OD("{\"name\": \"vendor-opts\", \"enterprise\": 9, \"sub-options\": [{\"code\": "
	              "1, \"type\": \"uint8\", \"data\": -1}]}"),
	           "chorus.json: /dhcp6/option-data/0/sub-options/0/data: expected an integer "
	           "0..255");
	expect_err(OD("{\"code\": 65001, \"type\": \"uint8\", \"data\": 1, \"colour\": 1}"),
	           "chorus.json: /dhcp6/option-data/0/colour: unknown key");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"foreign-ranges\": [{\"prefix\": "
	                   "\"2001:db8:1:1::/120\", \"option-data\": []}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/foreign-ranges/0/option-data: unknown key");
}

/* dhcp6.health: defaults without it, each key, bounds named by path. */
static void test_health(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(HEAD D6 "\"subnets\": []}}");
	assert_false(c->dhcp6.health.enabled);
	assert_true(c->dhcp6.health.database && c->dhcp6.health.send_preference);
	assert_int_equal(c->dhcp6.health.recover_percent, 80);
	assert_int_equal(c->dhcp6.health.hold_seconds, 30);
	conf_free(c);
	c = load_ok(HEAD D6 "\"health\": {\"enabled\": true, \"commit-latency-ms\": 40, "
	                    "\"pool-utilisation\": 90, \"database\": false, \"preference\": 7, "
	                    "\"send-preference\": false, \"recover-percent\": 50, "
	                    "\"hold-seconds\": 5}}}");
	assert_true(c->dhcp6.health.enabled);
	assert_int_equal(c->dhcp6.health.commit_latency_ms, 40);
	assert_int_equal(c->dhcp6.health.pool_utilisation, 90);
	assert_false(c->dhcp6.health.database);
	assert_int_equal(c->dhcp6.health.preference, 7);
	assert_false(c->dhcp6.health.send_preference);
	assert_int_equal(c->dhcp6.health.recover_percent, 50);
	assert_int_equal(c->dhcp6.health.hold_seconds, 5);
	conf_free(c);
	expect_err(HEAD D6 "\"health\": {\"pool-utilisation\": 101}}}",
	           "chorus.json: /dhcp6/health/pool-utilisation: expected an integer 0..100");
	expect_err(HEAD D6 "\"health\": {\"recover-percent\": 0}}}",
	           "chorus.json: /dhcp6/health/recover-percent: expected an integer 1..100");
	expect_err(HEAD D6 "\"health\": {\"degraded\": 1}}}",
	           "chorus.json: /dhcp6/health/degraded: unknown key");
}

/* renew-creates-bindings: on by default, inherited, overridden per subnet. */
static void test_renew_creates_bindings(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(HEAD D6 "\"subnets\": [" NET1 "}, " NET2 ", \"renew-creates-bindings\": "
	                    "false}]}}");
	assert_true(c->dhcp6.renew_creates);
	assert_true(c->dhcp6.subnets[0].renew_creates);
	assert_false(c->dhcp6.subnets[1].renew_creates);
	conf_free(c);
	c = load_ok(HEAD D6 "\"renew-creates-bindings\": false, \"subnets\": [" NET1 "}]}}");
	assert_false(c->dhcp6.subnets[0].renew_creates);
	conf_free(c);
	expect_err(HEAD D6 "\"renew-creates-bindings\": 1}}",
	           "chorus.json: /dhcp6/renew-creates-bindings: expected true or false");
}

static void test_start_above_end(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnets\": [" NET1
	                   ", \"pools\": [" POOL("2001:db8:1:1::9", "2001:db8:1:1::8") "]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pools/0/end: expected an address not below "
	           "\"start\"");
	expect_err(HEAD D6 "\"subnets\": [" NET1
	                   ", \"pools\": [{\"start\": \"2001:db8:1:1::9\"}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pools/0: expected {\"start\", \"end\"} or "
	           "{\"prefix\"}");
}

static void test_overlapping_pools(void **state)
{
	(void)state;
	/* within one subnet */
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pools\": [" POOL(
	               "2001:db8:1:1::100", "2001:db8:1:1::1ff") ", {\"prefix\": "
	                                                         "\"2001:db8:1:1::/119\"}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pools/0: expected a range that overlaps no "
	           "other, but it overlaps /dhcp6/subnets/0/pools/1");
	/* a pool against a foreign range */
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pools\": [{\"prefix\": "
	                   "\"2001:db8:1:1::/65\"}], \"foreign-ranges\": [{\"prefix\": "
	                   "\"2001:db8:1:1:4000::/66\"}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/foreign-ranges/0: expected a range that "
	           "overlaps no other, but it overlaps /dhcp6/subnets/0/pools/0");
	/* PD pools of two subnets */
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pd-pools\": [{\"prefix\": "
	                   "\"2001:db8:100::/40\", \"delegated-length\": 56}]}, " NET2
	                   ", \"pd-pools\": [{\"prefix\": \"2001:db8:180::/41\", "
	                   "\"delegated-length\": 60}]}]}}",
	           "chorus.json: /dhcp6/subnets/1/pd-pools/0: expected a range that overlaps no "
	           "other, but it overlaps /dhcp6/subnets/0/pd-pools/0");
}

static void test_subnet_ids_and_prefixes(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnets\": [" NET1 "}, {\"id\": 1, \"prefix\": "
	                   "\"2001:db8:1:2::/64\"}]}}",
	           "chorus.json: /dhcp6/subnets/1/id: expected an id unique among subnets, but 1 "
	           "is also /dhcp6/subnets/0/id");
	expect_err(HEAD D6 "\"subnets\": [" NET1 "}, {\"id\": 2, \"prefix\": "
	                   "\"2001:db8:1::/48\"}]}}",
	           "chorus.json: /dhcp6/subnets/0/prefix: expected a prefix that overlaps no "
	           "other, but it overlaps /dhcp6/subnets/1/prefix");
	expect_err(HEAD D6 "\"subnets\": [{\"id\": 0, \"prefix\": \"2001:db8:1:1::/64\"}]}}",
	           "chorus.json: /dhcp6/subnets/0/id: expected an integer 1..4294967295");
}

static void test_timer_order(void **state)
{
	struct conf *c;

	(void)state;
	expect_err(HEAD D6 "\"renew-timer\": 900, \"rebind-timer\": 800}}",
	           "chorus.json: /dhcp6/renew-timer: expected at most rebind-timer (800)");
	expect_err(HEAD D6 "\"rebind-timer\": 4000}}",
	           "chorus.json: /dhcp6/rebind-timer: expected at most preferred-lifetime (3600)");
	expect_err(HEAD D6 "\"preferred-lifetime\": 8000}}",
	           "chorus.json: /dhcp6/preferred-lifetime: expected at most valid-lifetime "
	           "(7200)");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"valid-lifetime\": 100}]}}",
	           "chorus.json: /dhcp6/subnets/0/valid-lifetime: expected at least "
	           "preferred-lifetime (3600)");
	c = load_ok(HEAD D6 "\"preferred-lifetime\": 4294967295, \"valid-lifetime\": "
	                    "4294967295}}");
	assert_true(c->dhcp6.timers.t1 == CONF_INFINITY && c->dhcp6.timers.t2 == CONF_INFINITY);
	conf_free(c);
	/* an explicit rebind-timer below half the preferred lifetime pulls the
	 * derived renew-timer down with it (found by fuzz_conf: the printed
	 * config, with both timers explicit, was refused) */
	c = load_ok(HEAD D6 "\"rebind-timer\": 800}}");
	assert_int_equal(c->dhcp6.timers.t1, 800);
	assert_int_equal(c->dhcp6.timers.t2, 800);
	conf_free(c);
	c = load_ok(HEAD D6 "\"subnets\": [" NET1 ", \"rebind-timer\": 600}]}}");
	assert_int_equal(c->dhcp6.subnets[0].timers.t1, 600);
	assert_int_equal(c->dhcp6.subnets[0].timers.t2, 600);
	conf_free(c);
}

static void test_missing_database(void **state)
{
	(void)state;
	expect_err("{\"instance\": {\"name\": \"t\"}, " D6 "\"x\": 1}}",
	           "chorus.json: /instance/database: required key missing, expected an object with "
	           "\"conninfo\"");
	expect_err("{\"instance\": {\"name\": \"t\", \"database\": {}}, " D6 "\"x\": 1}}",
	           "chorus.json: /instance/database/conninfo: required key missing, expected a "
	           "libpq conninfo string");
	expect_err("{" D6 "\"x\": 1}}",
	           "chorus.json: /instance: required key missing, expected an object with "
	           "\"name\" and \"database\"");
	expect_err("{\"instance\": {\"name\": \"t\", \"schema\": \"Bad-Name\", \"database\": "
	           "{\"conninfo\": \"x\"}}, " D6 "\"x\": 1}}",
	           "chorus.json: /instance/schema: " SCHEMA_EXPECT);
}

/* Loads a file whose schema is name; returns the loader's code, err its message. */
static int load_schema(const char *name, char *err, size_t n)
{
	char text[512];
	struct conf *c = NULL;
	int rc;

	snprintf(text, sizeof(text),
	         "{\"instance\": {\"name\": \"t\", \"schema\": \"%s\", \"database\": "
	         "{\"conninfo\": \"x\"}}, " D6 "\"subnets\": [" NET1 "}]}}",
	         name);
	rc = conf_load_string("chorus.json", text, strlen(text), &c, err, n);
	conf_free(c);
	return rc;
}

/* PostgreSQL truncates names at 63 bytes; <schema>_reload adds 7. */
static void test_schema_name_limits(void **state)
{
	static const char *const bad[] = {
	    "Upper", "1digit",      "a-b", "a b", "x\\\";drop", "pg_catalog", "information_schema",
	    "",      "caf\xc3\xa9",
	};
	char name[64], err[CONF_ERR_LEN];

	(void)state;
	memset(name, 'a', sizeof(name));
	name[CONF_SCHEMA_MAX] = '\0';
	assert_int_equal(strlen(name), 56);
	assert_int_equal(load_schema(name, err, sizeof(err)), 0);
	memset(name, 'a', sizeof(name));
	name[CONF_SCHEMA_MAX + 1] = '\0';
	assert_int_equal(load_schema(name, err, sizeof(err)), CH_ECONF);
	assert_string_equal(err, "chorus.json: /instance/schema: " SCHEMA_EXPECT);
	memset(name, 'a', sizeof(name));
	name[63] = '\0';
	assert_int_equal(load_schema(name, err, sizeof(err)), CH_ECONF);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_schema(bad[i], err, sizeof(err)), CH_ECONF);
		assert_string_equal(err, "chorus.json: /instance/schema: " SCHEMA_EXPECT);
	}
	assert_int_equal(load_schema("_x9", err, sizeof(err)), 0);
}

/* Reserved words fail unquoted as a schema ("CREATE SCHEMA left"); the
 * unreserved and column-name keywords, and names that only start with a
 * reserved word, do not. */
static void test_schema_reserved_word(void **state)
{
	static const char *const reserved[] = {
	    "all", "user", "select", "order", "table", "with", "left", "authorization", "verbose",
	};
	static const char *const fine[] = {
	    "users", "select_", "_order", "a",       "current",
	    "zone",  "schema",  "int",    "between", "values",
	};
	char err[CONF_ERR_LEN], want[CONF_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		assert_int_equal(load_schema(reserved[i], err, sizeof(err)), CH_ECONF);
		snprintf(want, sizeof(want),
		         "chorus.json: /instance/schema: \"%s\" is an SQL reserved word; pick "
		         "another name",
		         reserved[i]);
		assert_string_equal(err, want);
	}
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		assert_int_equal(load_schema(fine[i], err, sizeof(err)), 0);
	/* the default is no reserved word */
	assert_false(pg_ident_reserved("chorus"));
	assert_true(pg_ident_reserved("current_schema"));
	assert_false(pg_ident_reserved("SELECT")); /* not a valid schema name anyway */
	assert_false(pg_ident_reserved(""));
}

static void test_delegated_length(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pd-pools\": [{\"prefix\": "
	                   "\"2001:db8:100::/40\", \"delegated-length\": 39}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pd-pools/0/delegated-length: expected an "
	           "integer 40..128 (not shorter than the pool prefix)");
	expect_err(HEAD D6 "\"subnets\": [" NET1 ", \"pd-pools\": [{\"prefix\": "
	                   "\"2001:db8:100::/40\", \"delegated-length\": 129}]}]}}",
	           "chorus.json: /dhcp6/subnets/0/pd-pools/0/delegated-length: expected an "
	           "integer 1..128");
}

static void test_bad_names(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"rebind-policy\": \"keep\"}}",
	           "chorus.json: /dhcp6/rebind-policy: expected one of \"replace\", \"refuse\" or "
	           "\"adopt\"");
	expect_err(HEAD D6 "\"allocator\": \"hash\"}}",
	           "chorus.json: /dhcp6/allocator: expected one of \"stable-hash\", \"iterative\" "
	           "or \"random\"");
	expect_err(HEAD "\"dhcp6\": {}}",
	           "chorus.json: /dhcp6/hash-key: required by allocator \"stable-hash\", expected "
	           "a key of 16..128 octets");
}

#define DDNS(keys, rest)                                                                           \
	HEAD D6 "\"x\": 1}, \"ddns\": {\"keys\": [" keys "], \"servers\": [{\"address\": "         \
	        "\"2001:db8::53\"}]" rest "}}"

static void test_ddns_refs_and_base64(void **state)
{
	struct conf *c;

	(void)state;
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"forward-zones\": [{\"name\": "
	                   "\"example.com.\", \"server\": \"2001:db8::53\", \"key\": \"k\"}]}}",
	           "chorus.json: /ddns/forward-zones/0/server: expected the address of a server "
	           "listed in /ddns/servers");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"servers\": [{\"address\": "
	                   "\"2001:db8::53\"}], \"forward-zones\": [{\"name\": \"example.com.\", "
	                   "\"server\": \"2001:db8::53\", \"key\": \"k\"}]}}",
	           "chorus.json: /ddns/forward-zones/0/key: expected the name of a key defined in "
	           "/ddns/keys");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"keys\": [{\"name\": \"k\", "
	                   "\"secret\": \"not base64!\"}]}}",
	           "chorus.json: /ddns/keys/0/secret: expected a base64 secret of 1..128 octets");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"keys\": [{\"name\": \"k\", "
	                   "\"secret\": \"YWJj=\"}]}}",
	           "chorus.json: /ddns/keys/0/secret: expected a base64 secret of 1..128 octets");
	c = load_ok(HEAD D6
	            "\"subnets\": []}, \"ddns\": {\"keys\": [{\"name\": \"k\", \"secret\": "
	            "\"YWJjZA==\"}], \"servers\": [{\"address\": \"2001:db8::53\", \"key\": "
	            "\"k\"}], \"reverse-zones\": [{\"name\": \"8.b.d.0.1.0.0.2.ip6.arpa.\", "
	            "\"servers\": [\"2001:db8::53\"]}]}}");
	assert_int_equal(c->ddns.keys[0].secret_len, 4);
	assert_memory_equal(c->ddns.keys[0].secret, "abcd", 4);
	assert_int_equal(c->ddns.servers[0].key, 0);
	assert_int_equal(c->ddns.servers[0].port, 53);
	assert_int_equal(c->ddns.reverse_zones[0].key, -1);
	conf_free(c);
	c = load_ok(HEAD D6 "\"subnets\": []}, \"ddns\": {\"conflict-policy\": "
	                    "\"check-exists-with-dhcid\", \"window\": 4096, \"timeout-ms\": 50, "
	                    "\"prefix-ptr\": false, \"batch\": 1}}");
	assert_int_equal(c->ddns.batch, 1);
	assert_false(c->ddns.prefix_ptr);
	assert_int_equal(c->ddns.conflict_policy, CONF_DDNS_CHECK_EXISTS_WITH_DHCID);
	assert_string_equal(conf_ddns_conflict_name(c->ddns.conflict_policy),
	                    "check-exists-with-dhcid");
	assert_int_equal(c->ddns.window, 4096);
	conf_free(c);
	c = load_ok(HEAD D6 "\"subnets\": []}, \"ddns\": {\"servers\": [{\"address\": "
	                    "\"2001:db8::53\"}], \"forward-zones\": [{\"name\": \"a.example.\", "
	                    "\"server\": \"2001:db8::53\", \"conflict-policy\": "
	                    "\"no-check-with-dhcid\"}, {\"name\": \"b.example.\", \"server\": "
	                    "\"2001:db8::53\"}]}}");
	assert_int_equal(c->ddns.forward_zones[0].conflict_policy, CONF_DDNS_NO_CHECK_WITH_DHCID);
	assert_int_equal(c->ddns.forward_zones[1].conflict_policy, -1);
	conf_free(c);
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"servers\": [{\"address\": "
	                   "\"2001:db8::53\"}], \"forward-zones\": [{\"name\": \"a.example.\", "
	                   "\"server\": \"2001:db8::53\", \"conflict-policy\": \"whatever\"}]}}",
	           "chorus.json: /ddns/forward-zones/0/conflict-policy: expected one of "
	           "\"check-with-dhcid\", \"check-exists-with-dhcid\", \"no-check-with-dhcid\" or "
	           "\"no-check-without-dhcid\"");
	c = load_ok(HEAD D6
	            "\"subnets\": [{\"id\": 1, \"prefix\": \"2001:db8:1::/64\", "
	            "\"fqdn-policy\": \"never\"}, {\"id\": 2, \"prefix\": "
	            "\"2001:db8:2::/64\"}]}, \"ddns\": {\"fqdn-policy\": \"always\", "
	            "\"hostname-char-replacement\": \"-\", \"generated-prefix\": \"dyn\"}}");
	assert_int_equal(c->ddns.fqdn_policy, CONF_FQDN_ALWAYS);
	assert_int_equal(c->dhcp6.subnets[0].fqdn_policy, CONF_FQDN_NEVER);
	assert_int_equal(c->dhcp6.subnets[1].fqdn_policy, CONF_FQDN_ALWAYS); /* inherited */
	assert_string_equal(c->ddns.hostname_char_replacement, "-");
	assert_string_equal(c->ddns.generated_prefix, "dyn");
	assert_string_equal(conf_fqdn_policy_name(CONF_FQDN_HONOUR), "honour");
	conf_free(c);
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"hostname-char-replacement\": \"_\"}}",
	           "chorus.json: /ddns/hostname-char-replacement: expected one character of a-z, "
	           "0-9 or '-'");
	expect_err(
	    HEAD D6 "\"subnets\": []}, \"ddns\": {\"generated-prefix\": \"a.b\"}}",
	    "chorus.json: /ddns/generated-prefix: expected a DNS label (letters, digits, '-')");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"fqdn-policy\": \"sometimes\"}}",
	           "chorus.json: /ddns/fqdn-policy: expected one of \"honour\", \"always\" or "
	           "\"never\"");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"window\": 0}}",
	           "chorus.json: /ddns/window: expected an integer 1..4096");
	expect_err(HEAD D6 "\"subnets\": []}, \"ddns\": {\"batch\": 257}}",
	           "chorus.json: /ddns/batch: expected an integer 1..256");
}

static void test_info_refresh_time(void **state)
{
	(void)state;
	expect_err(HEAD D6 "\"options\": {\"information-refresh-time\": 599}}}",
	           "chorus.json: /dhcp6/options/information-refresh-time: expected an integer "
	           "600..4294967295");
}

static void test_malformed_json(void **state)
{
	(void)state;
	expect_err("{\n  \"instance\": {\n    \"name\": \"t\",,\n",
	           "chorus.json: /: expected JSON: quoted object property name expected at line 3, "
	           "column 17");
	expect_err("{\"instance\": {}", "chorus.json: /: expected JSON: unexpected end of data at "
	                                "line 1, column 16");
	expect_err("{} x",
	           "chorus.json: /: expected JSON: unexpected character at line 1, column 4");
	expect_err("", "chorus.json: /: expected JSON: unexpected end of data at line 1, column 1");
	expect_err("[]", "chorus.json: /: expected an object");
}

static void test_nesting_too_deep(void **state)
{
	char text[256];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		text[n++] = '[';
	text[n] = '\0';
	expect_err(text,
	           "chorus.json: /: expected JSON nested at most 16 deep (line 1, column 17)");
}

static void test_file_errors(void **state)
{
	char err[CONF_ERR_LEN], path[] = "/tmp/chorus-test-conf-XXXXXX";
	struct conf *c = NULL;
	int fd;
	FILE *f;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/chorus.json", &c, err, sizeof(err)), CH_EIO);
	assert_string_equal(err, "/nonexistent/chorus.json: cannot open for reading");
	assert_int_equal(conf_load("/tmp", &c, err, sizeof(err)), CH_EIO);
	assert_string_equal(err, "/tmp: expected a regular file");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, CONF_MAX_FILE, SEEK_SET), 0); /* one byte over, sparse */
	fputc(' ', f);
	fclose(f);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), CH_EIO);
	assert_true(strstr(err, ": expected a file of at most 4194304 bytes") != NULL);
	unlink(path);
	assert_null(c);
}

static const char *const examples[] = {
    "split-prefixes-s1.json",  "split-prefixes-s2.json",     "unique-prefixes-s1.json",
    "unique-prefixes-s2.json", "identical-prefixes-s1.json", "identical-prefixes-s2.json",
};

static struct conf *load_example(const char *name)
{
	char path[1024], err[CONF_ERR_LEN];
	const char *src = getenv("CHORUS_SRCDIR");
	struct conf *c = NULL;

	snprintf(path, sizeof(path), "%s/contrib/examples/%s", src ? src : ".", name);
	if (conf_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

static void assert_prefix_is(const struct addr6_prefix *p, const char *want)
{
	char buf[ADDR6_PREFIX_STRLEN];

	assert_string_equal(addr6_prefix_ntop(p, buf, sizeof(buf)), want);
}

static void test_examples(void **state)
{
	struct conf *c[6];

	(void)state;
	for (int i = 0; i < 6; i++)
		c[i] = load_example(examples[i]);
	/* split: one /64, two /65, each the other's foreign range */
	assert_int_equal(c[0]->dhcp6.subnets[0].preference, 255);
	assert_int_equal(c[1]->dhcp6.subnets[0].preference, 0);
	assert_prefix_is(&c[0]->dhcp6.subnets[0].pools[0].prefix, "2001:db8:1:1::/65");
	assert_prefix_is(&c[0]->dhcp6.subnets[0].foreign_ranges[0].prefix,
	                 "2001:db8:1:1:8000::/65");
	assert_prefix_is(&c[1]->dhcp6.subnets[0].pools[0].prefix, "2001:db8:1:1:8000::/65");
	assert_prefix_is(&c[1]->dhcp6.subnets[0].foreign_ranges[0].prefix, "2001:db8:1:1::/65");
	assert_int_equal(c[0]->dhcp6.rebind_policy, CONF_REBIND_REPLACE);
	assert_int_equal(c[0]->dhcp6.subnets[0].pd_pools[0].delegated_len, 56);
	/* unique: each its own /64, the sibling's as foreign range */
	assert_prefix_is(&c[2]->dhcp6.subnets[0].prefix, "2001:db8:2:1::/64");
	assert_prefix_is(&c[2]->dhcp6.subnets[0].foreign_ranges[0].prefix, "2001:db8:2:2::/64");
	assert_prefix_is(&c[3]->dhcp6.subnets[0].prefix, "2001:db8:2:2::/64");
	/* split and unique: each instance its own hash-key (their pools differ) */
	assert_true(c[0]->dhcp6.hash_key_len != c[1]->dhcp6.hash_key_len ||
	            memcmp(c[0]->dhcp6.hash_key, c[1]->dhcp6.hash_key, c[0]->dhcp6.hash_key_len));
	assert_true(c[2]->dhcp6.hash_key_len != c[3]->dhcp6.hash_key_len ||
	            memcmp(c[2]->dhcp6.hash_key, c[3]->dhcp6.hash_key, c[2]->dhcp6.hash_key_len));
	/* identical: same range, same key, adopt */
	assert_int_equal(c[4]->dhcp6.rebind_policy, CONF_REBIND_ADOPT);
	assert_int_equal(c[5]->dhcp6.subnets[0].rebind_policy, CONF_REBIND_ADOPT);
	assert_int_equal(c[4]->dhcp6.allocator, CONF_ALLOC_STABLE_HASH);
	assert_int_equal(c[4]->dhcp6.hash_key_len, 16);
	assert_memory_equal(c[4]->dhcp6.hash_key, c[5]->dhcp6.hash_key, 16);
	assert_memory_equal(&c[4]->dhcp6.subnets[0].pools[0].range,
	                    &c[5]->dhcp6.subnets[0].pools[0].range, sizeof(struct addr6_range));
	for (int i = 0; i < 6; i++) {
		assert_true(c[i]->ddns.enabled && c[i]->leasequery.enabled);
		assert_int_equal(c[i]->api.n_tokens, 2);
		assert_int_equal(c[i]->dhcp6.timers.t1, 600);
		conf_free(c[i]);
	}
}

/* API tokens are stored as hashes: a plaintext token is refused, naming the key. */
static void test_api_token_hash(void **state)
{
	struct conf *c;

	(void)state;
	expect_err(HEAD D6 "\"subnets\": []}, \"api\": {\"tokens\": [{\"name\": \"ops\", "
	                   "\"token\": \"0123456789abcdef0123\"}]}}",
	           "chorus.json: /api/tokens/0/token: expected a token hash \"sha256:\" + 64 hex "
	           "digits (chorus-admin token-hash prints one), not a plaintext token");
	expect_err(HEAD D6 "\"subnets\": []}, \"api\": {\"tokens\": [{\"name\": \"ops\", "
	                   "\"token\": \"sha256:1BD8FD47297046F993E608E398D5905B00A33E163C6B1172DD"
	                   "38887FED05ED6A\"}]}}",
	           "chorus.json: /api/tokens/0/token: expected a token hash \"sha256:\" + 64 hex "
	           "digits (chorus-admin token-hash prints one), not a plaintext token");
	c = load_ok(HEAD D6 "\"subnets\": []}, \"api\": {\"tokens\": [{\"name\": \"ops\", "
	                    "\"role\": \"admin\", \"token\": \"sha256:1bd8fd47297046f993e608e398"
	                    "d5905b00a33e163c6b1172dd38887fed05ed6a\"}], \"rate-limit\": 0}}");
	assert_int_equal(c->api.n_tokens, 1);
	assert_int_equal(c->api.tokens[0].role, CONF_ROLE_ADMIN);
	assert_int_equal(c->api.rate_limit, 0);
	assert_int_equal(c->api.max_connections, 64);
	assert_int_equal(c->api.max_body, 1024 * 1024);
	assert_int_equal(c->api.db_connections, 4);
	conf_free(c);
}

/* conf_print's output is a config that loads to the same values and prints the same. */
/* Where requestors reach the instance: "ADDR" (port 547) or "[ADDR]:PORT". */
static void test_leasequery_address(void **state)
{
	struct conf *c = load_ok(HEAD D6 "\"subnets\": []}, \"leasequery\": {\"address\": "
	                                 "\"[::1]:30010\", \"bulk-port\": 30011}}");
	struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

	(void)state;
	assert_true(c->leasequery.has_address);
	assert_memory_equal(&c->leasequery.address, &lo, 16);
	assert_int_equal(c->leasequery.address_port, 30010);
	assert_int_equal(c->leasequery.bulk_port, 30011);
	conf_free(c);
	c = load_example("split-prefixes-s2.json");
	assert_true(c->leasequery.has_address);
	assert_int_equal(c->leasequery.address_port, 547);
	conf_free(c);
}

static void test_print_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < 6; i++) {
		struct conf *a = load_example(examples[i]), *b;
		char *t1 = NULL, *t2 = NULL;
		size_t n1 = 0, n2 = 0;
		FILE *f = open_memstream(&t1, &n1);

		assert_int_equal(conf_print(a, f, CONF_PRINT_SECRETS), 0);
		fclose(f);
		b = load_ok(t1);
		f = open_memstream(&t2, &n2);
		assert_int_equal(conf_print(b, f, CONF_PRINT_SECRETS), 0);
		fclose(f);
		assert_string_equal(t1, t2);
		free(t2);
		f = open_memstream(&t2, &n2);
		assert_int_equal(conf_print(b, f, 0), 0);
		fclose(f);
		assert_null(strstr(t2, "change-me"));
		free(t1);
		free(t2);
		conf_free(a);
		conf_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal_defaults),
	    cmocka_unit_test(test_subnet_overrides),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_wrong_type),
	    cmocka_unit_test(test_bad_address),
	    cmocka_unit_test(test_out_of_bounds),
	    cmocka_unit_test(test_preference_bounds),
	    cmocka_unit_test(test_pool_outside_subnet),
	    cmocka_unit_test(test_pd_pool_inside_link),
	    cmocka_unit_test(test_renew_creates_bindings),
	    cmocka_unit_test(test_health),
	    cmocka_unit_test(test_option_data_types),
	    cmocka_unit_test(test_option_data_levels_and_print),
	    cmocka_unit_test(test_option_data_print_as_configured),
	    cmocka_unit_test(test_option_data_errors),
	    cmocka_unit_test(test_start_above_end),
	    cmocka_unit_test(test_overlapping_pools),
	    cmocka_unit_test(test_subnet_ids_and_prefixes),
	    cmocka_unit_test(test_timer_order),
	    cmocka_unit_test(test_missing_database),
	    cmocka_unit_test(test_schema_name_limits),
	    cmocka_unit_test(test_schema_reserved_word),
	    cmocka_unit_test(test_delegated_length),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_ddns_refs_and_base64),
	    cmocka_unit_test(test_info_refresh_time),
	    cmocka_unit_test(test_malformed_json),
	    cmocka_unit_test(test_nesting_too_deep),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_api_token_hash),
	    cmocka_unit_test(test_leasequery_address),
	    cmocka_unit_test(test_print_round_trip),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
