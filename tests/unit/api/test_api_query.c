/* Unit tests for api/api_query.c: splitting, percent-decoding, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "errors.h"
#include "api.h"

static void test_split_and_decode(void **state)
{
	struct api_query q;
	bool dup = false;

	(void)state;
	assert_int_equal(api_query_parse("a=1&b=%2F%20x+y&&c&d=", &q), 0);
	assert_int_equal(q.n, 4);
	assert_string_equal(api_query_get(&q, "a", &dup), "1");
	assert_string_equal(api_query_get(&q, "b", &dup), "/ x y");
	assert_string_equal(api_query_get(&q, "c", &dup), "");
	assert_string_equal(api_query_get(&q, "d", &dup), "");
	assert_null(api_query_get(&q, "e", &dup));
	assert_false(dup);
	api_query_clear(&q);
	assert_int_equal(api_query_parse("", &q), 0);
	assert_int_equal(q.n, 0);
	api_query_clear(&q);
	assert_int_equal(api_query_parse("k=1&k=2", &q), 0);
	assert_string_equal(api_query_get(&q, "k", &dup), "2");
	assert_true(dup);
	api_query_clear(&q);
}

static void test_malformed(void **state)
{
	struct api_query q = {0};

	(void)state;
	assert_int_equal(api_query_parse("a=%zz", &q), CH_EMALFORMED);
	assert_int_equal(api_query_parse("a=%2", &q), CH_EMALFORMED); /* one byte short */
	assert_int_equal(api_query_parse("a=%", &q), CH_EMALFORMED);
	assert_int_equal(api_query_parse("a=%00", &q), CH_EMALFORMED);
	assert_int_equal(api_query_parse("=1", &q), CH_EMALFORMED);
	assert_null(q.p); /* untouched on failure */
}

static void test_limits(void **state)
{
	char s[API_QUERY_MAX_LEN + 2];
	struct api_query q;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < API_QUERY_MAX; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sk%d=1", i ? "&" : "", i);
	assert_int_equal(api_query_parse(s, &q), 0); /* exactly full */
	assert_int_equal(q.n, API_QUERY_MAX);
	api_query_clear(&q);
	snprintf(s + n, sizeof(s) - n, "&x=1");
	assert_int_equal(api_query_parse(s, &q), CH_ELIMIT); /* one past */
	memset(s, 'a', API_QUERY_MAX_LEN + 1);
	s[API_QUERY_MAX_LEN + 1] = '\0';
	assert_int_equal(api_query_parse(s, &q), CH_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_and_decode),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("api_query", tests, NULL, NULL);
}
