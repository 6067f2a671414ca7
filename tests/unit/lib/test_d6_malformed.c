/*
 * Walks tests/unit/lib/fixtures/malformed/ (found through CHORUS_SRCDIR):
 * each <error>-<what>.bin must give exactly CH_<ERROR>, e.g.
 * edup-two-serverids.bin -> CH_EDUP. Relay messages go through
 * d6_relay_parse (default hop limit), the rest through d6_msg_parse.
 * gen.py in that directory writes the corpus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "d6_msg.h"
#include "d6_relay.h"

static struct d6_msg m;
static struct d6_relay_chain chain;

/* "edup-two-serverids.bin" -> CH_EDUP, through ch_errname. */
static int expected_error(const char *file)
{
	char want[32] = "CH_";
	size_t i;

	for (i = 0; file[i] && file[i] != '-' && i < 20; i++)
		want[3 + i] = (char)toupper((unsigned char)file[i]);
	want[3 + i] = '\0';
	for (int e = CH_EBASE - 1; e > CH_ELAST; e--)
		if (strcmp(ch_errname(e), want) == 0)
			return e;
	fail_msg("%s: no error named %s", file, want);
	return 0;
}

static int parse_file(const char *path)
{
	static uint8_t buf[70000];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > 0 && d6_msg_is_relay(buf[0]))
		return d6_relay_parse(buf, n, HOP_COUNT_LIMIT, 0, &chain);
	return d6_msg_parse(buf, n, &m);
}

static bool is_fixture(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".bin") == 0;
}

static void test_malformed_corpus(void **state)
{
	const char *src = getenv("CHORUS_SRCDIR");
	char dir[4096], path[4096 + 300];
	struct dirent *e;
	int count = 0, bad = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/unit/lib/fixtures/malformed", src ? src : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		int want, got;

		if (!is_fixture(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		want = expected_error(e->d_name);
		got = parse_file(path);
		if (got != want) {
			print_error("%s: got %s, want %s\n", e->d_name, ch_errname(got),
			            ch_errname(want));
			bad++;
		}
		count++;
	}
	closedir(d);
	assert_int_equal(bad, 0);
	assert_true(count >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_corpus),
	};

	return cmocka_run_group_tests_name("d6_malformed", tests, NULL, NULL);
}
