/* Unit tests for api/api_lease_row.c: RFC 5952 text exactly as inet_ntop
 * prints it, and a lease row in PostgreSQL's binary forms (a PGresult built
 * with libpq's PQsetvalue) written as the API's Lease JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "addr6.h"
#include "api.h"
#include "api_leases.h"

static void same_as_inet_ntop(const uint8_t *a)
{
	char want[ADDR6_STRLEN], got[ADDR6_STRLEN];
	size_t n = api_ntop6(a, got);

	assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
}

static void test_ntop_edges(void **state)
{
	static const char *const cases[] = {"::",
	                                    "::1",
	                                    "1::",
	                                    "2001:db8::1",
	                                    "2001:db8:0:1:1:1:1:1",
	                                    "1:0:0:2::3",
	                                    "1::2:0:0:3",
	                                    "::ffff:1.2.3.4",
	                                    "::1.2.3.4",
	                                    "fe80::1:0:0:0",
	                                    "0:1::",
	                                    "1:0:1:0:1:0:1:0",
	                                    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	                                    "2001:db8:1::7:a120",
	                                    "::ffff:0:1",
	                                    "0:0:0:0:0:1:0:0"};
	struct in6_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(inet_pton(AF_INET6, cases[i], &a), 1);
		same_as_inet_ntop(a.s6_addr);
	}
}

/* Groups drawn from {0, 1, 0xab, 0xffff}, so runs of zeros of every length and place. */
static void test_ntop_many(void **state)
{
	static const unsigned g[] = {0, 0, 1, 0xab, 0x1000, 0xffff};
	uint64_t x = 88172645463325252ULL;
	uint8_t a[16];

	(void)state;
	for (int n = 0; n < 200000; n++) {
		for (int i = 0; i < 8; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			a[2 * i] = (uint8_t)(g[x % 6] >> 8);
			a[2 * i + 1] = (uint8_t)g[x % 6];
		}
		same_as_inet_ntop(a);
	}
}

/* ---- a row in binary ---- */

static PGresult *res;

static void put(int c, const void *v, int len)
{
	char b[64];

	assert_true(len <= (int)sizeof(b));
	memcpy(b, v, (size_t)len);
	assert_true(PQsetvalue(res, 0, c, b, len));
}

static void put_be(int c, uint64_t v, int len)
{
	uint8_t b[8];

	for (int i = 0; i < len; i++)
		b[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	put(c, b, len);
}

static void put_inet(int c, const char *s, unsigned bits)
{
	uint8_t b[20] = {3, (uint8_t)bits, 0, 16};

	assert_int_equal(inet_pton(AF_INET6, s, b + 4), 1);
	put(c, b, 20);
}

/* Seconds since 1970 as a timestamptz: microseconds since 2000-01-01. */
static void put_time(int c, int64_t unix_s)
{
	put_be(c, (uint64_t)((unix_s - 946684800LL) * 1000000 + 123456), 8);
}

static struct json_object *row_json_known(const char *const *known)
{
	struct api_buf b = {0};
	struct json_object *o;

	api_lease_row_json(res, 0, known, &b);
	assert_false(b.oom);
	o = json_tokener_parse(b.b);
	assert_non_null(o);
	free(b.b);
	return o;
}

static struct json_object *row_json(void)
{
	return row_json_known(NULL);
}

static const char *str(struct json_object *o, const char *path)
{
	struct json_object *v = o;
	char key[64];

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		assert_true(json_object_object_get_ex(v, key, &v));
		p += n + (p[n] == '.');
	}
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	                                             JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void fill_row(void)
{
	PGresAttDesc att[API_LEASE_NCOLS + 1];
	static char name[] = "c";
	/* bytea[] {0a0b, NULL, ff}: ndim 1, has nulls, oid 17, dim 3, lbound 1 */
	static const uint8_t ids[] = {0,  0,  0,   1,   0,   0,   0, 1, 0, 0, 0,  17,
	                              0,  0,  0,   3,   0,   0,   0, 1, 0, 0, 0,  2,
	                              10, 11, 255, 255, 255, 255, 0, 0, 0, 1, 255};
	static const uint8_t empty[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17};

	memset(att, 0, sizeof(att));
	for (int i = 0; i <= API_LEASE_NCOLS; i++) {
		att[i].name = name;
		att[i].format = 1;
	}
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_true(PQsetResultAttrs(res, API_LEASE_NCOLS + 1, att));
	put(0, "pd", 2);
	put_inet(1, "2001:db8:100:1200::", 56);
	put(2, "active", 6);
	put(3, "\x00\x01\xab", 3);
	put_be(4, 4294967295u, 8);
	put_be(5, 7, 8);
	put_inet(6, "2001:db8:1::1", 128);
	put_be(7, 3000, 8);
	put_be(8, 6000, 8);
	put_time(9, 951782400);               /* 2000-02-29T00:00:00Z */
	put_be(10, 0x7fffffffffffffffULL, 8); /* infinity */
	put_time(11, 4102444799);             /* 2099-12-31T23:59:59Z */
	put(12, "s1", 2);
	put(13, "h\"1.example.", 12);
	put_be(14, 5, 2);
	put(15, "\x01", 1);
	put(16, "\x00", 1);
	put_be(17, 1, 4);
	put(18, "\x0a\x0b", 2);
	put_inet(20, "fe80::1", 128);
	put(22, ids, sizeof(ids));
	put(23, empty, sizeof(empty));
	put_time(26, -1); /* 1969-12-31T23:59:59Z */
	put_be(API_LEASE_NCOLS, 42, 8);
	/* 19, 21, 24, 25: NULL (never set) */
}

static void test_row(void **state)
{
	struct json_object *o;
	char addr[ADDR6_PREFIX_STRLEN], id[24];

	(void)state;
	fill_row();
	o = row_json();
	assert_string_equal(str(o, "address"), "\"2001:db8:100:1200::/56\"");
	assert_string_equal(str(o, "type"), "\"pd\"");
	assert_string_equal(str(o, "duid"), "\"0001ab\"");
	assert_string_equal(str(o, "iaid"), "4294967295");
	assert_string_equal(str(o, "link_address"), "\"2001:db8:1::1\"");
	assert_string_equal(str(o, "cltt"), "\"2000-02-29T00:00:00Z\"");
	assert_string_equal(str(o, "expires_at"), "null");
	assert_string_equal(str(o, "state_at"), "\"2099-12-31T23:59:59Z\"");
	assert_string_equal(str(o, "created_at"), "\"1969-12-31T23:59:59Z\"");
	assert_string_equal(str(o, "hostname"), "\"h\\\"1.example.\"");
	assert_string_equal(str(o, "fqdn_flags"), "5");
	assert_string_equal(str(o, "dns"), "{\"forward\":true,\"reverse\":false}");
	assert_string_equal(str(o, "hwtype"), "1");
	assert_string_equal(str(o, "hwaddr"), "\"0a0b\"");
	assert_string_equal(str(o, "relay.source"), "null");
	assert_string_equal(str(o, "relay.link_address"), "\"fe80::1\"");
	assert_string_equal(str(o, "relay.relay_ids"), "[\"0a0b\",\"ff\"]");
	assert_string_equal(str(o, "relay.remote_ids"), "[]");
	assert_string_equal(str(o, "relay.interface_id"), "null");
	json_object_put(o);
	api_lease_row_key(res, 0, addr, sizeof(addr), id, sizeof(id));
	assert_string_equal(addr, "2001:db8:100:1200::/56");
	assert_string_equal(id, "42");
	/* an address lease shows without its /128 */
	PQclear(res);
	fill_row();
	put(0, "na", 2);
	put_inet(1, "2001:db8:1::5", 128);
	o = row_json();
	assert_string_equal(str(o, "address"), "\"2001:db8:1::5\"");
	json_object_put(o);
	PQclear(res);
}

/* A page by one id's first range alone sends NULL for that id's array
 * (BY_ID_FIRST in api_store.c): the row shows the filter's id as its one
 * element; an array the statement did send is shown as sent. */
static void test_known_ids(void **state)
{
	const char *relay[2] = {"000300010a0b0c0d0e07", NULL};
	const char *remote[2] = {NULL, "0000118b706f727430"};
	struct json_object *o;

	(void)state;
	fill_row();
	assert_true(PQsetvalue(res, 0, 22, NULL, -1));
	o = row_json_known(relay);
	assert_string_equal(str(o, "relay.relay_ids"), "[\"000300010a0b0c0d0e07\"]");
	assert_string_equal(str(o, "relay.remote_ids"), "[]");
	json_object_put(o);
	o = row_json();
	assert_string_equal(str(o, "relay.relay_ids"), "[]");
	json_object_put(o);
	PQclear(res);
	fill_row();
	assert_true(PQsetvalue(res, 0, 23, NULL, -1));
	o = row_json_known(remote);
	assert_string_equal(str(o, "relay.relay_ids"), "[\"0a0b\",\"ff\"]");
	assert_string_equal(str(o, "relay.remote_ids"), "[\"0000118b706f727430\"]");
	json_object_put(o);
	o = row_json_known(relay);
	assert_string_equal(str(o, "relay.relay_ids"), "[\"0a0b\",\"ff\"]");
	assert_string_equal(str(o, "relay.remote_ids"), "[]");
	json_object_put(o);
	PQclear(res);
}

/* Row after row with addresses and times that repeat and change (api_lease_row.c
 * remembers the text of the last few of each): every row shows its own. An empty
 * value is not a NULL. */
static void test_rows_in_turn(void **state)
{
	static const char *const links[] = {
	    "2001:db8:1::1", "2001:db8:1::2", "fe80::1", "2001:db8:1::3",
	    "2001:db8:1::4", "2001:db8:1::1", "::1"};
	static const char *const times[] = {"\"2000-02-29T00:00:00Z\"", "\"2000-02-29T00:00:01Z\"",
	                                    "\"2000-03-01T00:00:00Z\""};
	static const int64_t secs[] = {951782400, 951782401, 951868800};
	struct json_object *o;
	char want[ADDR6_STRLEN + 2];

	(void)state;
	fill_row();
	put(12, "", 0);
	for (int n = 0; n < 60; n++) {
		put_inet(6, links[n % 7], 128);
		put_inet(20, links[(n * 3) % 7], 128);
		put_time(9, secs[n % 3]);
		put_time(11, secs[(n / 2) % 3]);
		o = row_json();
		snprintf(want, sizeof(want), "\"%s\"", links[n % 7]);
		assert_string_equal(str(o, "link_address"), want);
		snprintf(want, sizeof(want), "\"%s\"", links[(n * 3) % 7]);
		assert_string_equal(str(o, "relay.link_address"), want);
		assert_string_equal(str(o, "cltt"), times[n % 3]);
		assert_string_equal(str(o, "state_at"), times[(n / 2) % 3]);
		assert_string_equal(str(o, "expires_at"), "null");
		assert_string_equal(str(o, "granted_by"), "\"\"");
		assert_string_equal(str(o, "relay.source"), "null");
		json_object_put(o);
	}
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ntop_edges), cmocka_unit_test(test_ntop_many),
	    cmocka_unit_test(test_row),        cmocka_unit_test(test_rows_in_turn),
	    cmocka_unit_test(test_known_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
