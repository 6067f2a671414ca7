/*
 * lib/db.c against a real PostgreSQL (PGHOST etc. from test_db.sh): group
 * commit through pipeline syncs, rollback of a failed segment, schema
 * version refusal, reconnect after the backend is killed, NOTIFY, and an
 * unreachable server. No libpq mock: every test talks to the server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "db.h"
#include "errors.h"

enum { ST_INSERT, ST_COUNT, ST_PID };

static const struct db_stmt test_stmts[] = {
    [ST_INSERT] = {"t_insert", 1, "INSERT INTO t (k) VALUES ($1::int)"},
    [ST_COUNT] = {"t_count", 0, "SELECT count(*) FROM t"},
    [ST_PID] = {"t_pid", 0, "SELECT pg_backend_pid()"},
};

static const char *const test_channels[] = {"chorus_test", NULL};

struct probe {
	struct evl *l;
	struct db *d;
	int ready, down, syncs, sync_err, results, result_err;
	long count;
	int pid;
	char sqlstate[6];
	char why[512];
	char notify[64];
	int stop_on_ready, stop_on_down_n;
};

/* Blocking side connection for setup and for acting on the server. */
static void side_exec(const char *sql)
{
	PGconn *c = PQconnectdb("");
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static void on_state(struct db *d, enum db_state s, const char *why, void *arg)
{
	struct probe *p = arg;

	(void)d;
	if (s == DB_READY) {
		p->ready++;
		if (p->stop_on_ready)
			evl_stop(p->l);
	}
	if (s == DB_DOWN) {
		p->down++;
		snprintf(p->why, sizeof(p->why), "%s", why ? why : "");
		if (p->stop_on_down_n && p->down >= p->stop_on_down_n)
			evl_stop(p->l);
	}
}

static void on_notify(struct db *d, const char *ch, const char *payload, void *arg)
{
	struct probe *p = arg;

	(void)d;
	snprintf(p->notify, sizeof(p->notify), "%s:%s", ch, payload);
	evl_stop(p->l);
}

static void on_timeout(struct evl *l, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	evl_stop(l);
}

static void run_until_stopped(struct probe *p, unsigned ms)
{
	uint64_t t = evl_timer(p->l, ms, on_timeout, NULL);

	evl_run(p->l);
	evl_timer_cancel(p->l, t);
}

static void probe_open_stmts(struct probe *p, const char *schema, int version,
                             const struct db_stmt *stmts, size_t n)
{
	struct db_cfg cfg = {
	    .conninfo = getenv("CHORUS_TEST_CONNINFO"),
	    .schema = schema,
	    .schema_version = version,
	    .stmts = stmts,
	    .n_stmts = n,
	    .listen = test_channels,
	    .backoff_min_ms = 20,
	    .backoff_max_ms = 100,
	    .on_state = on_state,
	    .on_notify = on_notify,
	    .arg = p,
	};

	memset(p, 0, sizeof(*p));
	assert_int_equal(evl_new(&p->l), 0);
	assert_int_equal(db_new(p->l, &cfg, &p->d), 0);
}

static void probe_open(struct probe *p, const char *schema, int version)
{
	probe_open_stmts(p, schema, version, test_stmts, 3);
}

static void probe_close(struct probe *p)
{
	db_free(p->d);
	evl_free(p->l);
}

static void on_result(struct db *d, const PGresult *res, int err, void *arg)
{
	struct probe *p = arg;

	(void)d;
	p->results++;
	if (err) {
		p->result_err++;
		if (res && PQresultErrorField(res, PG_DIAG_SQLSTATE))
			snprintf(p->sqlstate, sizeof(p->sqlstate), "%s",
			         PQresultErrorField(res, PG_DIAG_SQLSTATE));
	}
}

static void on_count(struct db *d, const PGresult *res, int err, void *arg)
{
	struct probe *p = arg;

	(void)d;
	assert_int_equal(err, 0);
	p->count = atol(PQgetvalue(res, 0, 0));
}

static void on_pid(struct db *d, const PGresult *res, int err, void *arg)
{
	struct probe *p = arg;

	(void)d;
	assert_int_equal(err, 0);
	p->pid = atoi(PQgetvalue(res, 0, 0));
}

static void on_sync(struct db *d, int err, void *arg)
{
	struct probe *p = arg;

	(void)d;
	p->syncs++;
	if (err)
		p->sync_err++;
	evl_stop(p->l);
}

static void connect_ready(struct probe *p)
{
	p->stop_on_ready = 1;
	db_start(p->d);
	run_until_stopped(p, 5000);
	assert_true(db_ready(p->d));
	p->stop_on_ready = 0;
}

static long count_rows(struct probe *p)
{
	assert_int_equal(db_query(p->d, ST_COUNT, NULL, NULL, NULL, on_count, p), 0);
	assert_int_equal(db_sync(p->d, on_sync, p), 0);
	run_until_stopped(p, 5000);
	return p->count;
}

static int setup_schema(void **state)
{
	(void)state;
	side_exec("SET client_min_messages TO warning; DROP SCHEMA IF EXISTS dbt CASCADE; "
	          "CREATE SCHEMA dbt;"
	          "CREATE TABLE dbt.schema_version (version int);"
	          "INSERT INTO dbt.schema_version VALUES (7);"
	          "CREATE TABLE dbt.t (k int PRIMARY KEY);");
	return 0;
}

static void test_segment_commits_together(void **state)
{
	struct probe p;
	char key[16];
	const char *v[1] = {key};

	(void)state;
	side_exec("TRUNCATE dbt.t");
	probe_open(&p, "dbt", 7);
	connect_ready(&p);
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "%d", i);
		assert_int_equal(db_query(p.d, ST_INSERT, v, NULL, NULL, on_result, &p), 0);
	}
	assert_int_equal(db_pending(p.d), 500);
	assert_int_equal(db_sync(p.d, on_sync, &p), 0);
	run_until_stopped(&p, 10000);
	assert_int_equal(p.syncs, 1);
	assert_int_equal(p.sync_err, 0);
	assert_int_equal(p.results, 500);
	assert_int_equal(count_rows(&p), 500);
	probe_close(&p);
}

static void test_failed_statement_rolls_back_its_segment(void **state)
{
	struct probe p;
	const char *v1[1] = {"1"}, *v2[1] = {"2"};

	(void)state;
	side_exec("TRUNCATE dbt.t");
	probe_open(&p, "dbt", 7);
	connect_ready(&p);
	assert_int_equal(db_query(p.d, ST_INSERT, v1, NULL, NULL, on_result, &p), 0);
	assert_int_equal(db_query(p.d, ST_INSERT, v1, NULL, NULL, on_result, &p), 0);
	assert_int_equal(db_query(p.d, ST_INSERT, v2, NULL, NULL, on_result, &p), 0);
	assert_int_equal(db_sync(p.d, on_sync, &p), 0);
	run_until_stopped(&p, 5000);
	assert_int_equal(p.sync_err, 1);
	/* the duplicate fails with unique_violation, the statement after it is aborted */
	assert_string_equal(p.sqlstate, "23505");
	assert_int_equal(p.result_err, 2);
	/* nothing of the segment committed, and the next segment works */
	assert_int_equal(count_rows(&p), 0);
	assert_int_equal(db_query(p.d, ST_INSERT, v2, NULL, NULL, on_result, &p), 0);
	assert_int_equal(db_sync(p.d, on_sync, &p), 0);
	run_until_stopped(&p, 5000);
	assert_int_equal(count_rows(&p), 1);
	probe_close(&p);
}

static void test_wrong_schema_version_is_refused(void **state)
{
	struct probe p;

	(void)state;
	probe_open(&p, "dbt", 8);
	p.stop_on_down_n = 2;
	db_start(p.d);
	run_until_stopped(&p, 5000);
	assert_int_equal(p.ready, 0);
	assert_true(p.down >= 2); /* and it keeps retrying with backoff */
	assert_non_null(strstr(p.why, "version 7"));
	assert_non_null(strstr(p.why, "needs 8"));
	assert_int_equal(db_query(p.d, ST_COUNT, NULL, NULL, NULL, on_count, &p), CH_EDB);
	probe_close(&p);
}

/* The statement that failed to prepare is named with the server's reason,
 * not hidden behind the aborted steps after it. */
static void test_failed_prepare_names_the_statement(void **state)
{
	static const struct db_stmt bad[] = {
	    {"t_count", 0, "SELECT count(*) FROM t"},
	    {"t_bad", 0, "SELECT nothing FROM no_such_table"},
	    {"t_pid", 0, "SELECT pg_backend_pid()"},
	};
	struct probe p;

	(void)state;
	probe_open_stmts(&p, "dbt", 7, bad, 3);
	p.stop_on_down_n = 1;
	db_start(p.d);
	run_until_stopped(&p, 5000);
	assert_int_equal(p.ready, 0);
	assert_non_null(strstr(p.why, "preparing t_bad"));
	assert_non_null(strstr(p.why, "no_such_table"));
	probe_close(&p);
}

static void test_reconnects_after_backend_is_killed(void **state)
{
	struct probe p;
	char sql[128];

	(void)state;
	probe_open(&p, "dbt", 7);
	connect_ready(&p);
	assert_int_equal(db_query(p.d, ST_PID, NULL, NULL, NULL, on_pid, &p), 0);
	assert_int_equal(db_sync(p.d, on_sync, &p), 0);
	run_until_stopped(&p, 5000);
	assert_true(p.pid > 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", p.pid);
	side_exec(sql);
	/* work sent to the dead backend fails instead of hanging */
	p.syncs = p.sync_err = 0;
	if (db_query(p.d, ST_COUNT, NULL, NULL, NULL, on_result, &p) == 0 &&
	    db_sync(p.d, on_sync, &p) == 0)
		run_until_stopped(&p, 5000);
	assert_int_equal(p.sync_err, p.syncs);
	p.stop_on_ready = 1;
	run_until_stopped(&p, 5000);
	assert_true(p.down >= 1);
	assert_int_equal(p.ready, 2);
	assert_true(db_ready(p.d));
	probe_close(&p);
}

static void test_notify_reaches_the_listener(void **state)
{
	struct probe p;

	(void)state;
	probe_open(&p, "dbt", 7);
	connect_ready(&p);
	side_exec("NOTIFY chorus_test, 'hello'");
	run_until_stopped(&p, 5000);
	assert_string_equal(p.notify, "chorus_test:hello");
	probe_close(&p);
}

static void test_unreachable_server_reports_and_retries(void **state)
{
	struct probe p;
	struct db_cfg cfg = {
	    .conninfo = "host=/nonexistent-chorus-dir port=1",
	    .backoff_min_ms = 10,
	    .backoff_max_ms = 20,
	    .on_state = on_state,
	};

	(void)state;
	memset(&p, 0, sizeof(p));
	cfg.arg = &p;
	assert_int_equal(evl_new(&p.l), 0);
	assert_int_equal(db_new(p.l, &cfg, &p.d), 0);
	p.stop_on_down_n = 3;
	db_start(p.d);
	run_until_stopped(&p, 5000);
	assert_int_equal(p.down, 3);
	assert_non_null(strstr(p.why, "nonexistent-chorus-dir"));
	probe_close(&p);
}

static void test_conninfo_redaction_hides_password(void **state)
{
	char out[256];

	(void)state;
	db_conninfo_redact("host=/tmp dbname=x password=secret user=u", out, sizeof(out));
	assert_null(strstr(out, "secret"));
	assert_non_null(strstr(out, "password=***"));
	assert_non_null(strstr(out, "dbname=x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_segment_commits_together),
	    cmocka_unit_test(test_failed_statement_rolls_back_its_segment),
	    cmocka_unit_test(test_wrong_schema_version_is_refused),
	    cmocka_unit_test(test_failed_prepare_names_the_statement),
	    cmocka_unit_test(test_reconnects_after_backend_is_killed),
	    cmocka_unit_test(test_notify_reaches_the_listener),
	    cmocka_unit_test(test_unreachable_server_reports_and_retries),
	    cmocka_unit_test(test_conninfo_redaction_hides_password),
	};

	return cmocka_run_group_tests(tests, setup_schema, NULL);
}
