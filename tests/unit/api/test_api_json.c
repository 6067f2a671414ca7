/* Unit tests for api/api_json.c: request bodies (depth, trailing bytes, control
 * characters, bare values) and hex. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "api.h"

static void parses(const char *body, enum json_type want)
{
	char err[256] = "";
	struct json_object *v = api_json_parse(body, strlen(body), err, sizeof(err));

	if (!v)
		fail_msg("'%s' refused: %s", body, err);
	assert_int_equal(json_object_get_type(v), want);
	json_object_put(v);
}

static void refused(const char *body, size_t len, const char *why)
{
	char err[256] = "";
	struct json_object *v = api_json_parse(body, len, err, sizeof(err));

	assert_null(v);
	if (!strstr(err, why))
		fail_msg("'%s': '%s' does not say '%s'", body, err, why);
}

static void test_values(void **state)
{
	(void)state;
	parses("{\"a\": [1, 2]}", json_type_object);
	parses("  [] \n", json_type_array);
	parses("\"x\"", json_type_string);
	parses("true", json_type_boolean);
}

/* fuzz_api_json crash-5465c367...: "2 " was accepted but "2" was not */
static void test_fuzz_bare_number(void **state)
{
	(void)state;
	parses("2", json_type_int);
	parses("2 ", json_type_int);
	parses("-1.5e3", json_type_double);
}

/* fuzz_api_json crash-f7fd9c68...: json-c took "NaN", which prints as NaN and never equals itself
 */
static void test_fuzz_nonfinite(void **state)
{
	(void)state;
	refused("NaN", 3, "not finite");
	refused("[1, -Infinity]", 14, "not finite");
	refused("{\"a\": {\"b\": 1e999}}", 19, "not finite");
	parses("[1e300, -0.0]", json_type_array);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("", 0, "empty");
	refused("{\"instance\": ", 13, "at byte 13: unexpected end of data");
	refused("{\"a\": 1} x", 10, "malformed JSON at byte 9");
	refused("{\"a\": \"\x01\"}", 10, "control character");
	refused("{\"a\": 1}\0", 9, "NUL");
	refused("[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]", 41, "malformed JSON at byte");
	refused("{'a': 1}", 8, "malformed JSON at byte 1");
}

static void test_hex(void **state)
{
	uint8_t b[4];
	char s[9];

	(void)state;
	assert_int_equal(api_unhex("00:01:aB:ff", b, sizeof(b)), 4);
	api_hex(b, 4, s);
	assert_string_equal(s, "0001abff");
	assert_int_equal(api_unhex("0001abff", b, sizeof(b)), 4);
	assert_int_equal(api_unhex("0001abff00", b, sizeof(b)), -1); /* one past the end */
	assert_int_equal(api_unhex("000", b, sizeof(b)), -1);
	assert_int_equal(api_unhex("00:01:", b, sizeof(b)), -1);
	assert_int_equal(api_unhex("00:0102", b, sizeof(b)), -1);
	assert_int_equal(api_unhex("zz", b, sizeof(b)), -1);
	assert_int_equal(api_unhex("", b, sizeof(b)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_fuzz_bare_number),
	    cmocka_unit_test(test_fuzz_nonfinite),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("api_json", tests, NULL, NULL);
}
