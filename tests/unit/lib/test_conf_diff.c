/*
 * Unit tests for lib/conf_diff.c: the JSON paths between two loaded
 * configurations (a changed pool, an added subnet, a secret, a key of one
 * side only, nothing at all) and the restart-key matching.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "conf_diff.h"
#include "errors.h"

#define HEAD "{\"instance\": {\"name\": \"t\", \"database\": {\"conninfo\": \"dbname=x\"}}, "
#define D6   "\"dhcp6\": {\"hash-key\": \"0123456789abcdef\", "
#define NET1                                                                                       \
	"{\"id\": 1, \"prefix\": \"2001:db8:1:1::/64\", \"pools\": [{\"start\": "                  \
	"\"2001:db8:1:1::10\", \"end\": \"2001:db8:1:1::%s\"}]}"
#define NET2 ", {\"id\": 2, \"prefix\": \"2001:db8:1:2::/64\"}"

static struct conf *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static struct conf *load(const char *fmt, ...)
{
	char text[2048], err[CONF_ERR_LEN];
	struct conf *c = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (conf_load_string("chorus.json", text, strlen(text), &c, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
	return c;
}

/* Diffs a and b, frees both, checks the paths (NULL-terminated). */
static void expect(struct conf *a, struct conf *b, ...)
{
	struct conf_diff d;
	va_list ap;
	size_t i = 0;
	const char *want;

	assert_int_equal(conf_diff(a, b, &d), 0);
	va_start(ap, b);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i >= d.n)
			fail_msg("missing path %s (got %zu paths)", want, d.n);
		assert_string_equal(d.paths[i], want);
		i++;
	}
	va_end(ap);
	if (i != d.n)
		fail_msg("unexpected path %s", d.paths[i]);
	conf_diff_clear(&d);
	conf_free(a);
	conf_free(b);
}

static void test_same(void **state)
{
	(void)state;
	expect(load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"),
	       load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"), NULL);
}

static void test_pool_end(void **state)
{
	(void)state;
	expect(load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"),
	       load(HEAD D6 "\"subnets\": [" NET1 "]}}", "1ff"), "/dhcp6/subnets/0/pools/0/end",
	       NULL);
}

static void test_subnet_added_and_removed(void **state)
{
	(void)state;
	expect(load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"),
	       load(HEAD D6 "\"subnets\": [" NET1 NET2 "]}}", "ff"), "/dhcp6/subnets/1", NULL);
	expect(load(HEAD D6 "\"subnets\": [" NET1 NET2 "]}}", "ff"),
	       load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"), "/dhcp6/subnets/1", NULL);
}

/* A resolved value changes everywhere it is inherited; a secret shows as
 * its path only; a key that only one side prints is a difference. */
static void test_inherited_secret_one_side(void **state)
{
	(void)state;
	expect(load(HEAD D6 "\"subnets\": [" NET1 "]}}", "ff"),
	       load(HEAD D6 "\"preference\": 7, \"subnets\": [" NET1 "]}}", "ff"),
	       "/dhcp6/preference", "/dhcp6/subnets/0/preference", NULL);
	expect(load(HEAD D6 "\"subnets\": []}}"),
	       load(HEAD "\"dhcp6\": {\"hash-key\": \"0123456789abcdeF\", \"subnets\": []}}"),
	       "/dhcp6/hash-key", NULL);
	expect(load(HEAD D6 "\"subnets\": []}}"),
	       load("{\"instance\": {\"name\": \"t\", \"database\": {\"conninfo\": \"dbname=x\", "
	            "\"ddns-conninfo\": \"dbname=y\"}}, " D6 "\"subnets\": []}}"),
	       "/instance/database/ddns-conninfo", NULL);
}

static void test_path_under(void **state)
{
	(void)state;
	assert_true(conf_path_under("/api/listen", "/api/listen"));
	assert_true(conf_path_under("/api/listen/0", "/api/listen"));
	assert_false(conf_path_under("/api/listener", "/api/listen"));
	assert_false(conf_path_under("/api", "/api/listen"));
	assert_true(conf_path_under("/dhcp6/subnets/3/interface", "/dhcp6/subnets/*/interface"));
	assert_false(conf_path_under("/dhcp6/subnets/3/pools", "/dhcp6/subnets/*/interface"));
	assert_true(conf_path_under("/dhcp6/subnets/3", "/dhcp6/subnets/*"));
	assert_true(conf_path_under("/x", ""));
}

static void test_filter(void **state)
{
	static const char *const restart[] = {"/instance/schema", "/dhcp6/interfaces", NULL};
	char *paths[] = {"/dhcp6/interfaces/0", "/dhcp6/preference", "/instance/schema"};
	struct conf_diff d = {paths, 3, 3}, f;

	(void)state;
	assert_int_equal(conf_diff_filter(&d, restart, &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.paths[0], "/dhcp6/interfaces/0");
	assert_string_equal(f.paths[1], "/instance/schema");
	conf_diff_clear(&f);
	assert_int_equal(conf_diff_filter(&d, NULL, &f), 0);
	assert_int_equal(f.n, 0);
	conf_diff_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same),
	    cmocka_unit_test(test_pool_end),
	    cmocka_unit_test(test_subnet_added_and_removed),
	    cmocka_unit_test(test_inherited_secret_one_side),
	    cmocka_unit_test(test_path_under),
	    cmocka_unit_test(test_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
