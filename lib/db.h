/*
 * One non-blocking libpq connection driven by the event loop, in pipeline
 * mode: connect with PQconnectStartParams/PQconnectPoll, set the schema's
 * search_path, check schema_version against what we were built for, prepare
 * the caller's statement table, then run queries whose results arrive in
 * order. Statements between two db_sync() calls form one implicit
 * transaction, committed at the sync: that is the group commit, and the sync
 * callback is the only proof that the work is durable. On loss the work in
 * flight fails with CH_EDB and the connection comes back with backoff.
 */
#ifndef CHORUS_DB_H
#define CHORUS_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "evl.h"

struct db;

enum db_state {
	DB_DOWN,       /* not connected; a reconnect is scheduled */
	DB_CONNECTING, /* connecting, checking the schema, preparing */
	DB_READY,      /* queries may be sent */
};

/* One row of a statement table (see tagged_statements[] in Kea's PgSQL backend). */
struct db_stmt {
	const char *name;
	int nparams;
	const char *sql;
};

/* Result of one query: res is NULL when err != 0. res is cleared after the
 * callback returns; copy what must outlive it. */
typedef void (*db_result_cb)(struct db *d, const PGresult *res, int err, void *arg);
/* End of a pipeline segment: err is 0 when everything since the previous
 * sync committed, CH_EDB when it rolled back or the connection was lost. */
typedef void (*db_sync_cb)(struct db *d, int err, void *arg);
typedef void (*db_state_cb)(struct db *d, enum db_state state, const char *why, void *arg);
typedef void (*db_notify_cb)(struct db *d, const char *channel, const char *payload, void *arg);

struct db_cfg {
	const char *conninfo; /* libpq conninfo; the PG* environment fills gaps */
	const char *schema;   /* search_path; NULL keeps the server default */
	int schema_version;   /* required schema_version.version; 0: no check */
	const struct db_stmt *stmts;
	size_t n_stmts;
	/* binary[i]: stmts[i] returns binary results (PQexecParams resultFormat 1);
	 * NULL: all text. A table of its own, because a flag in every stmts row
	 * would be a positional initializer that most rows leave out. */
	const bool *binary;
	const char *const *listen; /* NULL-terminated channels to LISTEN on, or NULL */
	unsigned backoff_min_ms;   /* first reconnect delay (default 100) */
	unsigned backoff_max_ms;   /* cap of the doubling delay (default 10000) */
	db_state_cb on_state;
	db_notify_cb on_notify;
	void *arg;
};

/* Creates a connection object; nothing happens until db_start. conninfo and
 * schema are copied; the statement table and listen list must outlive d.
 * Returns 0 or CH_ENOMEM. */
int db_new(struct evl *l, const struct db_cfg *cfg, struct db **out);
/* Closes the connection; pending callbacks get CH_EDB first. */
void db_free(struct db *d);
/* Starts connecting now (and reconnecting after every loss). */
void db_start(struct db *d);

enum db_state db_state(const struct db *d);
bool db_ready(const struct db *d);
/* Queries sent and not yet answered. */
size_t db_pending(const struct db *d);

/*
 * Sends prepared statement stmt (an index into cfg->stmts) with text or
 * binary parameters (formats NULL: all text). Returns 0, or CH_EDB when the
 * connection is not ready or the send failed (cb is then not called).
 */
int db_query(struct db *d, size_t stmt, const char *const *values, const int *lengths,
             const int *formats, db_result_cb cb, void *arg);
/* Ends the current pipeline segment: its statements commit together.
 * Returns 0 or CH_EDB (cb not called). */
int db_sync(struct db *d, db_sync_cb cb, void *arg);

/* Escapes a libpq conninfo for logs: the password value becomes "***". */
void db_conninfo_redact(const char *conninfo, char *out, size_t cap);

#endif
