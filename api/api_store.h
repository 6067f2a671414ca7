/*
 * All SQL of chorus-apid: one statement table, prepared on the instance's
 * lib/db connection (as <schema>_api). A handler sends one statement per
 * request and waits (api_req_wait); the reply leaves after the sync, so a
 * change is committed before the client hears of it.
 */
#ifndef CHORUS_API_STORE_H
#define CHORUS_API_STORE_H

#include <libpq-fe.h>

#include "api.h"

enum api_stmt {
	AST_PLANS,
	AST_LEASES_LIST,
	AST_LEASES_PAGE,
	AST_LEASES_RELAY,
	AST_LEASES_REMOTE,
	AST_LEASES_RELAY_PAGE,
	AST_LEASES_REMOTE_PAGE,
	AST_LEASES_RELAY_FIRST,
	AST_LEASES_REMOTE_FIRST,
	AST_CUSTOM,
	AST_LEASE_GET,
	AST_LEASE_DELETE,
	AST_HEALTH,
	AST_METRICS,
	AST_BEAT,
	AST_STATS_ADD,
	AST_EVENTS_LAST,
	AST_EVENTS_AFTER,
	AST_STATS,
	AST_RESV_LIST,
	AST_RESV_GET,
	AST_RESV_INSERT,
	AST_RESV_UPSERT,
	AST_RESV_DELETE,
	AST_MAX,
};

/* The number of parameters of a statement. */
int api_store_nparams(enum api_stmt st);

/* Called with the statement's rows (never on failure: the store answers
 * 503 itself when the database is down or the statement failed). */
typedef void (*api_rows_cb)(struct api_req *r, const PGresult *res);

/*
 * Sends st with text parameters vals (NULL entries are SQL NULL) for r and
 * suspends r until the commit. Returns 0, or CH_EDB when the database is not
 * ready (r then has a 503 reply).
 */
int api_store_run(struct api_req *r, enum api_stmt st, const char *const *vals, api_rows_cb cb);

/* A statement of the daemon's own (events, no request): cb gets the rows or
 * err (CH_EDB, res NULL when the connection was lost). 0 or CH_EDB. */
typedef void (*api_query_cb)(struct api *a, const PGresult *res, int err, void *arg);
int api_store_query(struct api *a, enum api_stmt st, const char *const *vals, api_query_cb cb,
                    void *arg);

int api_store_open(struct api *a);
void api_store_close(struct api *a);
/* Heartbeat row and counters (every API_BEAT_MS). */
void api_store_beat(struct api *a);

#endif
