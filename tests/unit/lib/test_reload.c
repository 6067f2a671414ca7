/*
 * Unit tests for lib/reload.c: reload_run on real files (a changed pool is
 * applied and named, a restart key is flagged, a bad file and a refusing
 * daemon keep the running configuration with the error), and the payloads
 * of <schema>_reload (answers cut to fit a NOTIFY, parsing refuses what is
 * not ours).
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

#include "errors.h"
#include "log.h"
#include "reload.h"

#define CONF_FMT                                                                                   \
	"{\"instance\": {\"name\": \"t\", \"schema\": \"%s\", \"database\": {\"conninfo\": "       \
	"\"dbname=x\"}}, \"dhcp6\": {\"hash-key\": \"0123456789abcdef\", \"subnets\": [{\"id\": "  \
	"1, \"prefix\": \"2001:db8:1:1::/64\", \"pools\": [{\"start\": \"2001:db8:1:1::10\", "     \
	"\"end\": \"2001:db8:1:1::%s\"}]}]}}"

static const char *const restart_keys[] = {"/instance/schema", "/dhcp6/interfaces", NULL};

struct daemon {
	struct conf *conf;
	int applied;
	int refuse; /* apply returns this when < 0 */
};

static int apply(void *arg, struct conf *c, char *err, size_t errlen)
{
	struct daemon *d = arg;

	if (d->refuse < 0) {
		snprintf(err, errlen, "out of pool memory");
		return d->refuse;
	}
	conf_free(d->conf);
	d->conf = c;
	d->applied++;
	return 0;
}

static const struct reload_ops ops = {"dhcp6d", restart_keys, NULL, apply};

static char path[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void write_conf(const char *schema, const char *end)
{
	char text[1024];

	snprintf(text, sizeof(text), CONF_FMT, schema, end);
	write_file(text);
}

static int setup(void **state)
{
	static struct daemon d;
	char err[CONF_ERR_LEN];

	log_init("test_reload", false, LOG_EMERG);
	snprintf(path, sizeof(path), "/tmp/test_reload.%ld.json", (long)getpid());
	write_conf("s1", "ff");
	memset(&d, 0, sizeof(d));
	assert_int_equal(conf_load(path, &d.conf, err, sizeof(err)), 0);
	*state = &d;
	return 0;
}

static int teardown(void **state)
{
	struct daemon *d = *state;

	conf_free(d->conf);
	unlink(path);
	return 0;
}

static void test_changed_pool(void **state)
{
	struct daemon *d = *state;
	struct reload_result r;

	write_conf("s1", "1ff");
	assert_int_equal(reload_run(&ops, d, path, d->conf, &r), 0);
	assert_true(r.reloaded);
	assert_int_equal(d->applied, 1);
	assert_int_equal(r.changed.n, 1);
	assert_string_equal(r.changed.paths[0], "/dhcp6/subnets/0/pools/0/end");
	assert_int_equal(r.restart.n, 0);
	reload_result_clear(&r);
	/* the same file again: reloaded, nothing changed */
	assert_int_equal(reload_run(&ops, d, path, d->conf, &r), 0);
	assert_int_equal(r.changed.n, 0);
	reload_result_clear(&r);
}

static void test_restart_key(void **state)
{
	struct daemon *d = *state;
	struct reload_result r;

	write_conf("s2", "ff");
	assert_int_equal(reload_run(&ops, d, path, d->conf, &r), 0);
	assert_int_equal(r.restart.n, 1);
	assert_string_equal(r.restart.paths[0], "/instance/schema");
	reload_result_clear(&r);
}

static void test_bad_file_refused(void **state)
{
	struct daemon *d = *state;
	struct conf *before = d->conf;
	struct reload_result r;
	char want[128];
	struct log_error e[LOG_ERRORS_N];
	size_t n;

	write_file("{\"instance\": {\"name\": \"t\", \"database\": {\"conninfo\": \"x\"}}, "
	           "\"dhcp6\": {\"preference\": 300}}");
	assert_int_equal(reload_run(&ops, d, path, d->conf, &r), CH_ECONF);
	assert_false(r.reloaded);
	snprintf(want, sizeof(want), "%s: /dhcp6/preference: ", path);
	assert_memory_equal(r.error, want, strlen(want));
	assert_ptr_equal(d->conf, before);
	assert_int_equal(d->applied, 0);
	assert_int_equal(r.changed.n, 0);
	reload_result_clear(&r);
	/* the refusal is an error line, which the heartbeat carries */
	n = log_errors(e, LOG_ERRORS_N);
	assert_true(n > 0);
	assert_non_null(strstr(e[n - 1].msg, "reload refused"));
}

static void test_daemon_refuses(void **state)
{
	struct daemon *d = *state;
	struct conf *before = d->conf;
	struct reload_result r;

	d->refuse = CH_ENOMEM;
	write_conf("s1", "1ff");
	assert_int_equal(reload_run(&ops, d, path, d->conf, &r), CH_ENOMEM);
	assert_false(r.reloaded);
	assert_string_equal(r.error, "out of pool memory");
	assert_ptr_equal(d->conf, before);
	reload_result_clear(&r);
}

static void test_answer_round_trip(void **state)
{
	static char buf[RELOAD_PAYLOAD_MAX + 1];
	char *paths[] = {"/dhcp6/subnets/0/pools/0/end", "/instance/schema"};
	struct reload_result r = {
	    .reloaded = true, .changed = {paths, 2, 2}, .restart = {paths + 1, 1, 1}};
	struct reload_msg m;
	struct json_object *v;

	(void)state;
	assert_true(reload_answer_json("7-1-ab", "ddnsd", 42, &r, buf, sizeof(buf)) > 0);
	assert_int_equal(reload_msg_parse(buf, &m), 0);
	assert_false(m.is_request);
	assert_string_equal(m.id, "7-1-ab");
	assert_string_equal(m.daemon, "ddnsd");
	assert_true(json_object_object_get_ex(m.payload, "changed", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), paths[0]);
	assert_true(json_object_object_get_ex(m.payload, "restart", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), paths[1]);
	reload_msg_clear(&m);
	assert_true(reload_request_json("7-1-ab", buf, sizeof(buf)) > 0);
	assert_int_equal(reload_msg_parse(buf, &m), 0);
	assert_true(m.is_request);
	assert_string_equal(m.id, "7-1-ab");
	reload_msg_clear(&m);
}

/* Thousands of changed keys (a new file of 4096 subnets) still fit one NOTIFY. */
static void test_answer_cut_to_fit(void **state)
{
	static char buf[65536], names[3000][48];
	static char *paths[3000];
	struct reload_result r = {.reloaded = true, .changed = {paths, 3000, 3000}};
	struct json_object *o, *v, *more;
	int n;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		snprintf(names[i], sizeof(names[i]), "/dhcp6/subnets/%d/pools/0/end", i);
		paths[i] = names[i];
	}
	n = reload_answer_json("id", "dhcp6d", 1, &r, buf, sizeof(buf));
	assert_true(n > 0 && n <= RELOAD_PAYLOAD_MAX);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "changed", &v));
	assert_true(json_object_object_get_ex(o, "more", &more));
	assert_int_equal(json_object_array_length(v) + (size_t)json_object_get_int64(more), 3000);
	assert_true(json_object_array_length(v) > 100);
	json_object_put(o);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
	    "",
	    "reservations",
	    "[]",
	    "{}",
	    "{\"request\": 1}",
	    "{\"request\": \"\"}",
	    "{\"request\": \"a b\"}",
	    "{\"request\": \"0123456789012345678901234567890123456789012345678\"}",
	    "{\"answer\": \"x\"}",
	    "{\"answer\": \"x\", \"daemon\": \"nobody\"}",
	    "{\"request\": \"a\"} x",
	    "{\"request\": \"a\", \"x\": [[[[[[1]]]]]]}",
	};
	struct reload_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (reload_msg_parse(bad[i], &m) != CH_EMALFORMED)
			fail_msg("accepted: %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_changed_pool, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_file_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_refuses, setup, teardown),
	    cmocka_unit_test(test_answer_round_trip),
	    cmocka_unit_test(test_answer_cut_to_fit),
	    cmocka_unit_test(test_parse_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
