/* Unit tests for the lease filters of api/api_leases.c: every filter's
 * canonical value, the statuses of bad ones, the cursor round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api.h"
#include "api_leases.h"

static struct api_lease_filter f;

static int parse(const char *qs)
{
	struct api_query q;
	int rc;

	assert_int_equal(api_query_parse(qs, &q), 0);
	rc = api_lease_filter_parse(&q, &f);
	api_query_clear(&q);
	return rc;
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(f.limit, 100);
	assert_false(f.set[API_LF_ADDRESS]);
	assert_int_equal(parse("address=2001:DB8:0::1&prefix=2001:db8:100::/56&duid=00:01:AB"
	                       "&iaid=4294967295&type=pd&subnet=0&state=declined&hostname=h.example"
	                       "&expiring-before=2026-12-01T10:00:00Z"
	                       "&expiring-after=2026-12-01T12:00:00.25%2B02:00&limit=1000"),
	                 0);
	assert_string_equal(f.v[API_LF_ADDRESS], "2001:db8::1");
	assert_string_equal(f.v[API_LF_PREFIX], "2001:db8:100::/56");
	assert_string_equal(f.v[API_LF_DUID], "0001ab");
	assert_string_equal(f.v[API_LF_IAID], "4294967295");
	assert_string_equal(f.v[API_LF_HOSTNAME], "h.example.");
	assert_string_equal(f.v[API_LF_EXPIRING_BEFORE], "1796119200");
	assert_string_equal(f.v[API_LF_EXPIRING_AFTER], "1796119200");
	assert_string_equal(f.v[API_LF_LIMIT], "1000");
}

static void refused(const char *qs, unsigned status, const char *code)
{
	if (parse(qs) == 0)
		fail_msg("'%s' accepted", qs);
	assert_int_equal(f.status, status);
	assert_string_equal(f.code, code);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("limit=1001", 422, "bad_parameter");
	refused("limit=0", 422, "bad_parameter");
	refused("limit=x", 400, "bad_parameter");
	refused("iaid=4294967296", 400, "bad_parameter");
	refused("address=2001:db8::/64", 400, "bad_parameter");
	refused("prefix=2001:db8::1/64", 400, "bad_parameter"); /* host bits set */
	refused("type=ta", 400, "bad_parameter");
	refused("state=gone", 400, "bad_parameter");
	refused("duid=0", 400, "bad_parameter");
	refused("expiring-before=2026-13-01T00:00:00Z", 400, "bad_parameter");
	refused("expiring-before=2026-12-01 10:00:00", 400, "bad_parameter");
	refused("cursor=x", 400, "bad_cursor");
	refused("type=na&type=na", 400, "bad_parameter");
	refused("frobnicate=1", 400, "unknown_parameter");
	refused("address=1'%20OR%20'1'%3D'1", 400, "bad_parameter");
}

static void test_cursor_round_trip(void **state)
{
	char cur[256], qs[300];

	(void)state;
	api_lease_cursor_make("2001:db8:100::/56", "42", cur, sizeof(cur));
	snprintf(qs, sizeof(qs), "cursor=%s", cur);
	assert_int_equal(parse(qs), 0);
	assert_string_equal(f.v[API_LF_CURSOR], "2001:db8:100::/56");
	assert_string_equal(f.v[API_LF_CURSOR_ID], "42");
	cur[strlen(cur) - 1] ^= 1; /* the unused low bits of the last character */
	snprintf(qs, sizeof(qs), "cursor=%s", cur);
	refused(qs, 400, "bad_cursor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_cursor_round_trip),
	};

	return cmocka_run_group_tests_name("api_leases", tests, NULL, NULL);
}
