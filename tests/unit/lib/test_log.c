/*
 * Unit tests for lib/log.c's ring of the last error lines (what the
 * heartbeat carries to /v1/health): only LOG_ERR and worse, the newest
 * LOG_ERRORS_N kept, repeats counted, JSON escaped and cut to fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "log.h"

static int setup(void **state)
{
	(void)state;
	log_init("test_log", false, LOG_EMERG); /* nothing reaches stderr */
	log_errors_clear();
	return 0;
}

static void test_only_errors(void **state)
{
	struct log_error e[LOG_ERRORS_N];

	(void)state;
	log_warning("a warning");
	log_notice("a notice");
	assert_int_equal(log_errors(e, LOG_ERRORS_N), 0);
	log_err("reload refused: %s", "bad.json: /x: expected y");
	log_msg(LOG_CRIT, "critical");
	assert_int_equal(log_errors(e, LOG_ERRORS_N), 2);
	assert_string_equal(e[0].msg, "reload refused: bad.json: /x: expected y");
	assert_string_equal(e[1].msg, "critical");
	assert_int_equal(e[0].count, 1);
	assert_true(e[0].at > 1000000000);
}

static void test_ring_keeps_newest(void **state)
{
	struct log_error e[LOG_ERRORS_N];
	char want[32];

	(void)state;
	for (int i = 0; i < LOG_ERRORS_N + 3; i++)
		log_err("error %d", i);
	assert_int_equal(log_errors(e, LOG_ERRORS_N), LOG_ERRORS_N);
	for (int i = 0; i < LOG_ERRORS_N; i++) {
		snprintf(want, sizeof(want), "error %d", i + 3);
		assert_string_equal(e[i].msg, want);
	}
	/* fewer asked: the newest ones */
	assert_int_equal(log_errors(e, 2), 2);
	snprintf(want, sizeof(want), "error %d", LOG_ERRORS_N + 2);
	assert_string_equal(e[1].msg, want);
}

static void test_repeat_counts(void **state)
{
	struct log_error e[LOG_ERRORS_N];

	(void)state;
	log_err("database lost");
	log_err("database lost");
	log_err("database lost");
	log_err("other");
	log_err("database lost");
	assert_int_equal(log_errors(e, LOG_ERRORS_N), 3);
	assert_int_equal(e[0].count, 3);
	assert_int_equal(e[1].count, 1);
	assert_int_equal(e[2].count, 1);
}

static void test_json(void **state)
{
	char buf[2048];
	struct json_object *j, *m;

	(void)state;
	assert_string_equal(log_errors_json(buf, sizeof(buf)), "[]");
	log_err("quote \" backslash \\ tab \t byte \xc3\xa9");
	j = json_tokener_parse(log_errors_json(buf, sizeof(buf)));
	assert_non_null(j);
	assert_int_equal(json_object_array_length(j), 1);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(j, 0), "message", &m));
	assert_string_equal(json_object_get_string(m), "quote \" backslash \\ tab \t byte ??");
	json_object_put(j);
}

/* A buffer too small for every line keeps the lines that fit, still JSON. */
static void test_json_cut(void **state)
{
	char buf[160];
	struct json_object *j;

	(void)state;
	log_err("first line that is long enough to matter here, forty more bytes");
	log_err("second line that is long enough to matter here, forty more bytes");
	j = json_tokener_parse(log_errors_json(buf, sizeof(buf)));
	assert_non_null(j);
	assert_int_equal(json_object_array_length(j), 1);
	json_object_put(j);
	assert_string_equal(log_errors_json(buf, 3), "[]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_only_errors, setup),
	    cmocka_unit_test_setup(test_ring_keeps_newest, setup),
	    cmocka_unit_test_setup(test_repeat_counts, setup),
	    cmocka_unit_test_setup(test_json, setup),
	    cmocka_unit_test_setup(test_json_cut, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
