/*
 * Unit tests for lib/daemon.c: the options every daemon shares (-c is
 * required, -p and -P only where the daemon takes them, a port in
 * 1..65535, no stray arguments) and the pid file.
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

#include "daemon.h"
#include "log.h"

/* Parses a NULL-terminated list of arguments after the program name. */
static int parse(unsigned accept, struct daemon_opts *o, ...)
{
	char *argv[16] = {"chorus-test"};
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, o);
	while ((a = va_arg(ap, char *)) != NULL && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	optind = 1;
	opterr = 0;
	return daemon_opts_parse(argc, argv, accept, o);
}

static void test_opts(void **state)
{
	struct daemon_opts o;

	(void)state;
	assert_int_equal(parse(DAEMON_OPT_PORT, &o, "-c", "x.json", "-d", "-p", "30547", NULL), 0);
	assert_string_equal(o.conf, "x.json");
	assert_true(o.foreground);
	assert_false(o.check);
	assert_int_equal(o.port, 30547);
	assert_null(o.pid_file);
	assert_int_equal(parse(DAEMON_OPT_PIDFILE, &o, "-t", "-c", "y", "-P", "/run/d.pid", NULL),
	                 0);
	assert_true(o.check);
	assert_string_equal(o.pid_file, "/run/d.pid");
	assert_int_equal(o.port, 0);
}

static void test_opts_refused(void **state)
{
	struct daemon_opts o = {.conf = "untouched"};

	(void)state;
	assert_int_equal(parse(0, &o, "-d", NULL), -1);                 /* no -c */
	assert_int_equal(parse(0, &o, "-c", "x", "-p", "1", NULL), -1); /* no -p here */
	assert_int_equal(parse(DAEMON_OPT_PORT, &o, "-c", "x", "-P", "f", NULL), -1);
	assert_int_equal(parse(DAEMON_OPT_PORT, &o, "-c", "x", "-p", "0", NULL), -1);
	assert_int_equal(parse(DAEMON_OPT_PORT, &o, "-c", "x", "-p", "65536", NULL), -1);
	assert_int_equal(parse(DAEMON_OPT_PORT, &o, "-c", "x", "-p", "54x", NULL), -1);
	assert_int_equal(parse(0, &o, "-c", "x", "stray", NULL), -1);
	assert_string_equal(o.conf, "untouched");
}

static void test_pid_file(void **state)
{
	char path[64], buf[32];
	FILE *f;

	(void)state;
	log_init("test_daemon", false, LOG_EMERG);
	snprintf(path, sizeof(path), "/tmp/test_daemon.%ld.pid", (long)getpid());
	assert_int_equal(daemon_pid_write(path), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	assert_int_equal(atol(buf), (long)getpid());
	assert_true(daemon_pid_write("/nonexistent-dir/x.pid") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts),
	    cmocka_unit_test(test_opts_refused),
	    cmocka_unit_test(test_pid_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
