/* Non-blocking libpq connection in pipeline mode; see db.h for the contract. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "errors.h"

#define DB_CONNECT_TIMEOUT_MS 10000

enum db_job_kind {
	DB_JOB_QUERY,
	DB_JOB_SYNC,
};

struct db_job {
	enum db_job_kind kind;
	bool got; /* the query's result was delivered; its NULL is still to come */
	db_result_cb rcb;
	db_sync_cb scb;
	void *arg;
};

struct db {
	struct evl *l;
	struct db_cfg cfg;
	PGconn *conn;
	enum db_state state;
	int fd;
	uint32_t watched;
	struct db_job *q; /* ring of jobs in the order their results arrive */
	size_t q_head, q_len, q_cap;
	bool seg_failed;
	bool polling; /* PQconnectPoll has not said OK yet */
	unsigned backoff_ms;
	uint64_t retry_timer;
	char *conninfo, *schema; /* our copies: a reload frees the config they came from */
	uint64_t connect_timer;
	uint64_t lost_timer;
	char why[512];
};

static void db_connect(struct db *d);
static void db_on_io(struct evl *l, int fd, uint32_t events, void *arg);

int db_new(struct evl *l, const struct db_cfg *cfg, struct db **out)
{
	struct db *d = calloc(1, sizeof(*d));

	if (!d)
		return CH_ENOMEM;
	d->l = l;
	d->cfg = *cfg;
	d->conninfo = cfg->conninfo ? strdup(cfg->conninfo) : NULL;
	d->schema = cfg->schema ? strdup(cfg->schema) : NULL;
	if ((cfg->conninfo && !d->conninfo) || (cfg->schema && !d->schema)) {
		free(d->conninfo);
		free(d->schema);
		free(d);
		return CH_ENOMEM;
	}
	d->cfg.conninfo = d->conninfo;
	d->cfg.schema = d->schema;
	if (!d->cfg.backoff_min_ms)
		d->cfg.backoff_min_ms = 100;
	if (d->cfg.backoff_max_ms < d->cfg.backoff_min_ms)
		d->cfg.backoff_max_ms =
		    d->cfg.backoff_min_ms > 10000 ? d->cfg.backoff_min_ms : 10000;
	d->backoff_ms = d->cfg.backoff_min_ms;
	d->fd = -1;
	d->state = DB_DOWN;
	*out = d;
	return 0;
}

enum db_state db_state(const struct db *d)
{
	return d->state;
}

bool db_ready(const struct db *d)
{
	return d->state == DB_READY;
}

size_t db_pending(const struct db *d)
{
	return d->q_len;
}

static struct db_job *db_job_at(struct db *d, size_t i)
{
	return &d->q[(d->q_head + i) % d->q_cap];
}

static int db_push(struct db *d, struct db_job job)
{
	if (d->q_len == d->q_cap) {
		size_t cap = d->q_cap ? 2 * d->q_cap : 64;
		struct db_job *q = malloc(cap * sizeof(*q));

		if (!q)
			return CH_ENOMEM;
		for (size_t i = 0; i < d->q_len; i++)
			q[i] = *db_job_at(d, i);
		free(d->q);
		d->q = q;
		d->q_cap = cap;
		d->q_head = 0;
	}
	*db_job_at(d, d->q_len++) = job;
	return 0;
}

static struct db_job db_pop(struct db *d)
{
	struct db_job j = d->q[d->q_head];

	d->q_head = (d->q_head + 1) % d->q_cap;
	d->q_len--;
	return j;
}

static void db_set_state(struct db *d, enum db_state s, const char *why)
{
	d->state = s;
	if (d->cfg.on_state)
		d->cfg.on_state(d, s, why, d->cfg.arg);
}

static void db_watch(struct db *d, uint32_t events)
{
	int fd = d->conn ? PQsocket(d->conn) : -1;

	/* libpq may change the socket while connecting: re-arm every time */
	if (fd != d->fd && d->fd >= 0) {
		evl_unwatch(d->l, d->fd);
		d->watched = 0;
	}
	d->fd = fd;
	if (fd >= 0 && events != d->watched) {
		evl_watch(d->l, fd, events, db_on_io, d);
		d->watched = events;
	}
}

static void db_close(struct db *d)
{
	if (d->fd >= 0)
		evl_unwatch(d->l, d->fd);
	d->fd = -1;
	d->watched = 0;
	if (d->conn)
		PQfinish(d->conn);
	d->conn = NULL;
	if (d->connect_timer)
		evl_timer_cancel(d->l, d->connect_timer);
	d->connect_timer = 0;
	d->polling = false;
	if (d->lost_timer)
		evl_timer_cancel(d->l, d->lost_timer);
	d->lost_timer = 0;
}

/* Fails every job in flight with CH_EDB, oldest first. */
static void db_fail_jobs(struct db *d)
{
	while (d->q_len) {
		struct db_job j = db_pop(d);

		if (j.kind == DB_JOB_SYNC && j.scb)
			j.scb(d, CH_EDB, j.arg);
		else if (j.kind == DB_JOB_QUERY && !j.got && j.rcb)
			j.rcb(d, NULL, CH_EDB, j.arg);
	}
	d->seg_failed = false;
}

static void db_on_retry(struct evl *l, uint64_t id, void *arg)
{
	struct db *d = arg;

	(void)l;
	(void)id;
	d->retry_timer = 0;
	db_connect(d);
}

static void db_lost(struct db *d, const char *why)
{
	if (why != d->why)
		snprintf(d->why, sizeof(d->why), "%s", why);
	/* drop a trailing newline libpq leaves in its messages */
	d->why[strcspn(d->why, "\n")] = '\0';
	db_close(d);
	d->state = DB_DOWN;
	db_fail_jobs(d);
	db_set_state(d, DB_DOWN, d->why);
	if (!d->retry_timer)
		d->retry_timer = evl_timer(d->l, d->backoff_ms, db_on_retry, d);
	d->backoff_ms =
	    d->backoff_ms * 2 > d->cfg.backoff_max_ms ? d->cfg.backoff_max_ms : d->backoff_ms * 2;
}

static void db_on_lost_timer(struct evl *l, uint64_t id, void *arg)
{
	struct db *d = arg;

	(void)l;
	(void)id;
	d->lost_timer = 0;
	if (d->why[0])
		db_lost(d, d->why);
	else
		db_lost(d, d->conn ? PQerrorMessage(d->conn) : "connection lost");
}

/* A send failed inside a caller's stack: report the loss from the loop. */
static void db_lost_later(struct db *d)
{
	if (!d->lost_timer)
		d->lost_timer = evl_timer(d->l, 0, db_on_lost_timer, d);
}

static int db_flush(struct db *d)
{
	int r = PQflush(d->conn);

	if (r < 0) {
		db_lost_later(d);
		return CH_EDB;
	}
	db_watch(d, r ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

static int db_send_internal(struct db *d, const char *sql, int n, const char *const *values,
                            db_result_cb cb)
{
	if (!PQsendQueryParams(d->conn, sql, n, NULL, values, NULL, NULL, 0))
		return CH_EDB;
	return db_push(d, (struct db_job){.kind = DB_JOB_QUERY, .rcb = cb});
}

/* arg: 1 + the index of the statement being prepared, or NULL. The first
 * failure says why: the steps after it in the pipeline only report it aborted. */
static void db_on_setup_step(struct db *d, const PGresult *res, int err, void *arg)
{
	size_t i = (uintptr_t)arg;
	const char *stmt = i ? d->cfg.stmts[i - 1].name : NULL;

	if (!err || d->state != DB_CONNECTING || d->why[0])
		return;
	snprintf(d->why, sizeof(d->why), "setup failed%s%s: %s", stmt ? " preparing " : "",
	         stmt ? stmt : "", res ? PQresultErrorMessage(res) : "connection lost");
}

static void db_on_version(struct db *d, const PGresult *res, int err, void *arg)
{
	int have;

	(void)arg;
	if (err && d->why[0])
		return;
	if (err) {
		snprintf(d->why, sizeof(d->why), "cannot read schema_version in schema %s: %s",
		         d->cfg.schema ? d->cfg.schema : "(default)",
		         res ? PQresultErrorMessage(res) : "connection lost");
		return;
	}
	have = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	if (have != d->cfg.schema_version)
		snprintf(
		    d->why, sizeof(d->why),
		    "schema %s has version %d, this build needs %d (run chorus-admin db-upgrade)",
		    d->cfg.schema ? d->cfg.schema : "(default)", have, d->cfg.schema_version);
}

static void db_on_setup_done(struct db *d, int err, void *arg)
{
	(void)arg;
	if (err || d->why[0]) {
		if (!d->why[0])
			snprintf(d->why, sizeof(d->why), "setup failed");
		db_lost_later(d);
		return;
	}
	d->backoff_ms = d->cfg.backoff_min_ms;
	db_set_state(d, DB_READY, NULL);
}

static int db_send_listen(struct db *d)
{
	for (const char *const *ch = d->cfg.listen; ch && *ch; ch++) {
		char *id = PQescapeIdentifier(d->conn, *ch, strlen(*ch));
		char sql[256];
		int err;

		if (!id)
			return CH_EDB;
		snprintf(sql, sizeof(sql), "LISTEN %s", id);
		PQfreemem(id);
		err = db_send_internal(d, sql, 0, NULL, db_on_setup_step);
		if (err)
			return err;
	}
	return 0;
}

/* Connected: search_path, version check, prepared statements, LISTEN, sync. */
static int db_setup(struct db *d)
{
	int err = 0;

	d->why[0] = '\0';
	if (PQsetnonblocking(d->conn, 1) != 0 || !PQenterPipelineMode(d->conn))
		return CH_EDB;
	if (d->cfg.schema) {
		const char *v[1] = {d->cfg.schema};

		err = db_send_internal(d,
		                       "SELECT pg_catalog.set_config('search_path', "
		                       "pg_catalog.quote_ident($1), false)",
		                       1, v, db_on_setup_step);
	}
	if (!err && d->cfg.schema_version)
		err = db_send_internal(d, "SELECT version FROM schema_version", 0, NULL,
		                       db_on_version);
	for (size_t i = 0; !err && i < d->cfg.n_stmts; i++) {
		const struct db_stmt *s = &d->cfg.stmts[i];

		if (!PQsendPrepare(d->conn, s->name, s->sql, s->nparams, NULL))
			err = CH_EDB;
		else
			err = db_push(d, (struct db_job){.kind = DB_JOB_QUERY,
			                                 .rcb = db_on_setup_step,
			                                 .arg = (void *)(uintptr_t)(i + 1)});
	}
	if (!err)
		err = db_send_listen(d);
	if (!err && !PQpipelineSync(d->conn))
		err = CH_EDB;
	if (!err)
		err = db_push(d, (struct db_job){.kind = DB_JOB_SYNC, .scb = db_on_setup_done});
	return err ? err : db_flush(d);
}

static void db_poll_connect(struct db *d)
{
	switch (PQconnectPoll(d->conn)) {
	case PGRES_POLLING_READING:
		db_watch(d, EPOLLIN);
		break;
	case PGRES_POLLING_WRITING:
		db_watch(d, EPOLLOUT);
		break;
	case PGRES_POLLING_OK:
		d->polling = false;
		evl_timer_cancel(d->l, d->connect_timer);
		d->connect_timer = 0;
		if (db_setup(d) < 0)
			db_lost(d, PQerrorMessage(d->conn));
		break;
	default:
		db_lost(d, PQerrorMessage(d->conn));
		break;
	}
}

static void db_on_connect_timeout(struct evl *l, uint64_t id, void *arg)
{
	struct db *d = arg;

	(void)l;
	(void)id;
	d->connect_timer = 0;
	db_lost(d, "timed out connecting");
}

static void db_connect(struct db *d)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {d->cfg.conninfo ? d->cfg.conninfo : "", "chorus", NULL};

	db_close(d);
	d->why[0] = '\0';
	db_set_state(d, DB_CONNECTING, NULL);
	d->conn = PQconnectStartParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) == CONNECTION_BAD) {
		db_lost(d, d->conn ? PQerrorMessage(d->conn) : "out of memory");
		return;
	}
	d->polling = true;
	d->connect_timer = evl_timer(d->l, DB_CONNECT_TIMEOUT_MS, db_on_connect_timeout, d);
	db_watch(d, EPOLLOUT);
}

void db_start(struct db *d)
{
	if (d->state == DB_DOWN && !d->retry_timer)
		db_connect(d);
}

/* The query at the head got a result (or its terminating NULL). */
static void db_query_result(struct db *d, PGresult *res)
{
	struct db_job *j = db_job_at(d, 0);
	ExecStatusType st;
	db_result_cb cb;
	void *arg;
	int err;

	if (!res) {
		db_pop(d);
		return;
	}
	if (j->got)
		return;
	j->got = true;
	st = PQresultStatus(res);
	err = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : CH_EDB;
	if (err)
		d->seg_failed = true;
	cb = j->rcb;
	arg = j->arg;
	if (cb)
		cb(d, res, err, arg);
}

static void db_sync_result(struct db *d, PGresult *res)
{
	struct db_job j;
	int err;

	if (PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		d->seg_failed = true;
		return;
	}
	j = db_pop(d);
	err = d->seg_failed ? CH_EDB : 0;
	d->seg_failed = false;
	if (j.scb)
		j.scb(d, err, j.arg);
}

static void db_read_results(struct db *d)
{
	while (d->conn && d->q_len && !PQisBusy(d->conn)) {
		PGresult *res = PQgetResult(d->conn);

		if (db_job_at(d, 0)->kind == DB_JOB_SYNC) {
			if (!res)
				break;
			db_sync_result(d, res);
		} else {
			db_query_result(d, res);
		}
		PQclear(res);
	}
}

static void db_read_notifies(struct db *d)
{
	PGnotify *n;

	while (d->conn && (n = PQnotifies(d->conn)) != NULL) {
		if (d->cfg.on_notify)
			d->cfg.on_notify(d, n->relname, n->extra, d->cfg.arg);
		PQfreemem(n);
	}
}

static void db_on_io(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct db *d = arg;

	(void)l;
	(void)fd;
	if (d->polling) {
		db_poll_connect(d);
		return;
	}
	if ((events & EPOLLOUT) && db_flush(d) < 0)
		return;
	if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	if (!PQconsumeInput(d->conn)) {
		db_lost(d, PQerrorMessage(d->conn));
		return;
	}
	db_read_results(d);
	db_read_notifies(d);
	if (d->conn && PQstatus(d->conn) == CONNECTION_BAD)
		db_lost(d, PQerrorMessage(d->conn));
}

int db_query(struct db *d, size_t stmt, const char *const *values, const int *lengths,
             const int *formats, db_result_cb cb, void *arg)
{
	const struct db_stmt *s;
	int binary;

	if (d->state != DB_READY || stmt >= d->cfg.n_stmts)
		return CH_EDB;
	s = &d->cfg.stmts[stmt];
	binary = d->cfg.binary && d->cfg.binary[stmt];
	if (!PQsendQueryPrepared(d->conn, s->name, s->nparams, values, lengths, formats, binary)) {
		db_lost_later(d);
		return CH_EDB;
	}
	return db_push(d, (struct db_job){.kind = DB_JOB_QUERY, .rcb = cb, .arg = arg});
}

int db_sync(struct db *d, db_sync_cb cb, void *arg)
{
	int err;

	if (d->state != DB_READY)
		return CH_EDB;
	if (!PQpipelineSync(d->conn)) {
		db_lost_later(d);
		return CH_EDB;
	}
	err = db_push(d, (struct db_job){.kind = DB_JOB_SYNC, .scb = cb, .arg = arg});
	return err ? err : db_flush(d);
}

void db_free(struct db *d)
{
	if (!d)
		return;
	if (d->retry_timer)
		evl_timer_cancel(d->l, d->retry_timer);
	db_close(d);
	d->state = DB_DOWN;
	db_fail_jobs(d);
	free(d->q);
	free(d->conninfo);
	free(d->schema);
	free(d);
}

void db_conninfo_redact(const char *conninfo, char *out, size_t cap)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
	size_t used = 0;

	if (cap)
		out[0] = '\0';
	if (!opts)
		return;
	for (PQconninfoOption *o = opts; o->keyword && used < cap; o++) {
		int n;

		if (!o->val)
			continue;
		n = snprintf(out + used, cap - used, "%s%s=%s", used ? " " : "", o->keyword,
		             strcmp(o->keyword, "password") == 0 ? "***" : o->val);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	PQconninfoFree(opts);
}
