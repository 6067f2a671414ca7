/*
 * Every SQL statement of chorus-apid, as one table prepared on the lib/db
 * connection; parameters are always $n, never spliced. Rows come out as
 * JSON built by PostgreSQL, so a page of leases is copied, not re-encoded.
 * A handler's statement is followed by a sync: one statement, one
 * transaction, and the reply waits for its commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"
#include "schema.h"
#include "api_store.h"

/* RFC 3339 in UTC; NULL for 'infinity' (to_char gives NULL for it). */
#define TS(c) "to_char(" c " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* One lease row as columns 0..26, raw, fetched in binary (the statements
 * below marked binary), which api_lease_row_json (api_lease_row.c) writes as
 * the API's Lease (api/openapi.yaml): no host(), encode(), extract() or text
 * output of inet, timestamptz and bytea[] in the backend. */
#define LEASE_COLS(t) LEASE_COLS_IDS(t, t ".relay_ids", t ".remote_ids")
/* The same with the expressions RELAY and REMOTE in the places of relay_ids and remote_ids:
 * NULL::bytea[] for one that the statement's filter fixes (BY_ID_FIRST), which apid writes
 * from the filter's value instead (api_lease_row_json's known ids): an array the backend
 * need not detoast and send (array_send, and bytea's send within it, per row), 3-5 % of
 * its CPU on such a page (contrib/bench/results/2026-12-02-api-relay-first-ab.log). */
#define LEASE_COLS_IDS(t, relay, remote)                                                           \
	t ".lease_type, " t ".addr, " t ".state, " t ".duid, " t ".iaid, " t ".subnet_id, " t      \
	  ".link_addr, " t ".preferred_lft, " t ".valid_lft, " t ".cltt, " t ".expires_at, " t     \
	  ".state_at, " t ".granted_by, " t ".fqdn, " t ".fqdn_flags, " t ".ddns_fwd, " t          \
	  ".ddns_rev, " t ".hwtype, " t ".hwaddr, " t ".relay_src, " t ".relay_link_addr, " t      \
	  ".relay_peer_addr, " relay ", " remote ", " t ".interface_id, " t ".subscriber_id, " t   \
	  ".created_at"

/* The filters of GET /v1/leases but relay-id and the cursor, each off when
 * its parameter is NULL (see AST_LEASES_LIST). */
#define LEASE_FILTERS                                                                              \
	"($1::inet IS NULL OR l.addr >>= $1::inet) "                                               \
	"AND ($2::inet IS NULL OR l.addr <<= $2::inet) "                                           \
	"AND ($3::text IS NULL OR l.duid = decode($3::text, 'hex')) "                              \
	"AND ($4::bigint IS NULL OR l.iaid = $4::bigint) "                                         \
	"AND ($5::text IS NULL OR l.lease_type = $5::text) "                                       \
	"AND ($6::bigint IS NULL OR l.subnet_id = $6::bigint) "                                    \
	"AND ($7::inet IS NULL OR l.link_addr <<= $7::inet) "                                      \
	"AND ($9::text IS NULL OR l.remote_ids @> ARRAY[decode($9::text, 'hex')]) "                \
	"AND ($10::text IS NULL OR l.state = $10::text) "                                          \
	"AND ($11::text IS NULL OR l.fqdn = $11::text) "                                           \
	"AND ($12::float8 IS NULL OR l.expires_at < to_timestamp($12::float8)) "                   \
	"AND ($13::float8 IS NULL OR l.expires_at > to_timestamp($13::float8))"
/* The rows holding the id ID (an expression) anywhere in the array column C, after the
 * cursor (CUR, CID) in the order of the pages, FILT (" AND ..." or "") tested on each,
 * LIM + 1 of them: the merge of three index ranges, each stopping at the page size:
 * the rows whose first element it is (leases_<c>1_addr_idx), those whose second it is
 * and not the first (leases_<c>2_addr_idx), and the few with more than two elements
 * that hold it further in (leases_<c>3_addr_idx, tested for it). */
#define BY_ID_TAIL(cur, cid, lim)                                                                  \
	" AND (l.addr, l.id) > (" cur "::inet, " cid "::bigint) ORDER BY l.addr, l.id LIMIT " lim  \
	"::int + 1"
#define BY_ID(c, id, filt, cur, cid, lim)                                                          \
	"SELECT * FROM ((SELECT " LEASE_COLS(                                                      \
	    "l") ", l.id FROM leases l WHERE l." c " <> '{}' "                                     \
	         "AND l." c "[1] = " id filt                                                       \
	         BY_ID_TAIL(cur, cid, lim) ") UNION ALL (SELECT " LEASE_COLS(                      \
	             "l") ", l.id FROM leases l WHERE cardinality(l." c ") > 1 AND l." c           \
	                  "[2] = " id " AND l." c "[1] IS DISTINCT FROM " id filt                  \
	                  BY_ID_TAIL(cur, cid, lim) ") UNION ALL (SELECT " LEASE_COLS(             \
	                      "l") ", l.id FROM leases l "                                         \
	                           "WHERE cardinality(l." c ") > 2 AND l." c                       \
	                           "[1] IS DISTINCT FROM " id " AND l." c                          \
	                           "[2] IS DISTINCT FROM " id " AND l." c " @> ARRAY[" id "]" filt \
	                           BY_ID_TAIL(cur, cid, lim) ")) p ORDER BY addr, id LIMIT " lim   \
	                                                     "::int + 1"

/* The first of BY_ID's ranges, if no row holds more than one element in C (an index
 * lookup in leases_<c>2_addr_idx, once per statement); else no row. The lookup is in
 * that index's order: as NOT EXISTS, PostgreSQL drops the ORDER BY and, guessing that a
 * third of the rows hold more than one, chose a scan of the table for the first of them,
 * which reads the whole table when there is none (a table not yet vacuumed, where a scan
 * of the index alone would visit the heap). Every row it gives holds exactly the one
 * element ID in C (its first, and no row holds two, in the statement's snapshot), so
 * COLS sends NULL in C's place and apid writes [ID]. */
#define BY_ID_FIRST(cols, c, id, cur, cid, lim)                                                    \
	"SELECT " cols ", l.id FROM leases l WHERE l." c " <> '{}' AND l." c "[1] = " id           \
	" AND (SELECT 1 FROM leases m WHERE cardinality(m." c ") > 1 ORDER BY (m." c               \
	"[2]), m.addr, m.id LIMIT 1) IS NULL" BY_ID_TAIL(cur, cid, lim)

/* One reservation as the API shows it (api/openapi.yaml, Reservation). */
#define RESV_JSON(t)                                                                               \
	"json_build_object('duid', encode(" t ".duid, 'hex'), 'subnet_id', " t ".subnet_id, "      \
	"'addresses', ARRAY(SELECT host(a) FROM unnest(" t ".addresses) a), 'prefixes', "          \
	"ARRAY(SELECT host(p) || '/' || masklen(p) FROM unnest(" t ".prefixes) p), 'hostname', " t \
	".hostname, 'source', 'api', 'created_at', " TS(t ".created_at") ", 'updated_at', " TS(    \
	    t ".updated_at") ")::text"
/* Another DUID's reservation holding one of $3's addresses or $4's prefixes. */
#define RESV_TAKEN                                                                                 \
	"WITH o AS (SELECT encode(duid, 'hex') AS d FROM reservations WHERE duid <> "              \
	"decode($1, 'hex') AND (addresses && $3::inet[] OR prefixes && $4::inet[]) LIMIT 1), "     \
	"i AS (INSERT INTO reservations (duid, subnet_id, addresses, prefixes, hostname) "         \
	"SELECT decode($1, 'hex'), $2::bigint, $3::inet[], $4::inet[], $5 "                        \
	"WHERE NOT EXISTS (SELECT 1 FROM o) ON CONFLICT (duid) "
#define RESV_RESULT                                                                                \
	" RETURNING *, xmax = 0 AS ins) SELECT 'ok', " RESV_JSON(                                  \
	    "i") ", i.ins FROM i "                                                                 \
	         "UNION ALL SELECT 'conflict', o.d, false FROM o"

static const struct db_stmt api_stmts[AST_MAX] = {
    /* The session plans each statement once (generic plans): the lease pages
     * run on them with no statement before them (one whole statement a page
     * less in the backend than setting the mode per page). Every other
     * statement runs after AST_CUSTOM (see generic_plan[]). No JIT for
     * one-page queries. */
    [AST_PLANS] = {"api_plans", 0,
                   "SELECT pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', "
                   "false), pg_catalog.set_config('jit', 'off', false)"},
    /* Keyset pagination on (addr, id): a page starts after the cursor's row
     * by the addr index, so the last page costs what the first does.
     * $1 address held (equal, or a delegated prefix containing it), $2
     * within a prefix, $3 DUID hex, $4 IAID, $5 type, $6 subnet, $7 link
     * address within, $8 relay-id hex, $9 remote-id hex, $10 state, $11
     * hostname, $12/$13 expiring before/after (epoch), $14/$15 cursor,
     * $16 limit. One row more than asked says whether a next page exists. */
    [AST_LEASES_LIST] =
        {"api_leases_list", 16,
         "SELECT " LEASE_COLS(
             "l") ", l.id FROM leases l WHERE " LEASE_FILTERS
                  " AND ($8::text IS NULL OR l.relay_ids @> "
                  "ARRAY[decode($8::text, 'hex')]) "
                  "AND ($14::inet IS NULL OR (l.addr, l.id) > ($14::inet, $15::bigint)) "
                  "ORDER BY l.addr, l.id LIMIT $16::int + 1"},
    /* The same with a relay-id ($8, given) or a remote-id ($9, given, no
     * relay-id), which may sit anywhere in a row's array: the index ranges
     * of BY_ID (sql/0010, sql/0011) with the other filters tested on each
     * row. An id that no row holds reads nothing, where the address order
     * tested every row of the table. The cursor is always given (the first
     * page after '::/0', 0), so one generic plan fits every page: they run
     * on the session's generic plans (generic_plan[]). */
    [AST_LEASES_RELAY] = {"api_leases_relay", 16,
                          BY_ID("relay_ids", "decode($8::text, 'hex')", " AND " LEASE_FILTERS,
                                "$14", "$15", "$16")},
    [AST_LEASES_REMOTE] = {"api_leases_remote", 16,
                           BY_ID("remote_ids", "decode($9::text, 'hex')",
                                 " AND " LEASE_FILTERS " AND ($8::text IS NULL OR l.relay_ids @> "
                                 "ARRAY[decode($8::text, 'hex')])",
                                 "$14", "$15", "$16")},
    /* The same with no other filter (the common case, and what a relay's
     * operator pages through): no filter left to test on each row, which
     * was a sixth of the backend's time a page. $1 the id hex, $2/$3 the
     * cursor, $4 the limit. */
    [AST_LEASES_RELAY_PAGE] = {"api_leases_relay_page", 4,
                               BY_ID("relay_ids", "decode($1::text, 'hex')", "", "$2", "$3", "$4")},
    [AST_LEASES_REMOTE_PAGE] = {"api_leases_remote_page", 4,
                                BY_ID("remote_ids", "decode($1::text, 'hex')", "", "$2", "$3",
                                      "$4")},
    /* The first range alone, while no row of the table holds more than one
     * id (BY_ID_FIRST): where one relay layer adds the ids, the other two
     * ranges are always empty, yet opening their scans was a tenth of the
     * page. No row when some row holds more: api_leases.c then runs the
     * merge (and so for every empty page). */
    [AST_LEASES_RELAY_FIRST] = {"api_leases_relay_first", 4,
                                BY_ID_FIRST(LEASE_COLS_IDS("l", "NULL::bytea[]", "l.remote_ids"),
                                            "relay_ids", "decode($1::text, 'hex')", "$2", "$3",
                                            "$4")},
    [AST_LEASES_REMOTE_FIRST] = {"api_leases_remote_first", 4,
                                 BY_ID_FIRST(LEASE_COLS_IDS("l", "l.relay_ids", "NULL::bytea[]"),
                                             "remote_ids", "decode($1::text, 'hex')", "$2", "$3",
                                             "$4")},
    /* The same page with no filter (the whole table in pages, as an export
     * reads it): one plan fits every cursor, so it runs on the session's
     * generic plan (generic_plan[]) instead of being planned per page. $1/$2 the cursor; the first
     * page starts after '::/0', which sorts before every lease (no lease has prefix length 0). $3
     * limit. */
    [AST_LEASES_PAGE] = {"api_leases_page", 3,
                         "SELECT " LEASE_COLS(
                             "l") ", l.id FROM leases l WHERE (l.addr, l.id) > ($1::inet, "
                                  "$2::bigint) ORDER BY l.addr, l.id LIMIT $3::int + 1"},
    /* Until the commit: the next statement is planned per execution, with
     * the values at hand: the list's "$n IS NULL OR ..." filters fold away,
     * leaving the index conditions of the filters actually given. */
    [AST_CUSTOM] = {"api_custom", 0,
                    "SELECT pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', "
                    "true)"},
    /* The lease of an address: the holding row if any, else the latest. */
    [AST_LEASE_GET] =
        {"api_lease_get", 1,
         "SELECT " LEASE_COLS(
             "l") " FROM leases l WHERE l.addr = $1::inet "
                  "ORDER BY l.state IN ('active', 'declined') DESC, l.id DESC LIMIT 1"},
    /* DELETE frees the address and queues its DNS removal in the same
     * transaction (also when the add is still queued: ddnsd may do it
     * before it sees the removal) and tells the engine of the instance on
     * its channel <schema>_dhcp. $2 names the token: as chorus.actor, the
     * lease trigger (sql/0005) records a "deleted" event naming it. */
    [AST_LEASE_DELETE] =
        {"api_lease_delete", 2,
         "WITH a AS MATERIALIZED (SELECT pg_catalog.set_config('chorus.actor', $2, true) AS v), "
         "r AS (UPDATE leases SET state = 'released', state_at = now(), "
         "expires_at = least(expires_at, now()) WHERE addr = $1::inet "
         "AND state IN ('active', 'declined') AND (SELECT v FROM a) IS NOT NULL RETURNING *), "
         "p AS (SELECT r.id, EXISTS (SELECT 1 FROM ddns_queue q WHERE q.lease_id = r.id "
         "AND q.action = 'add') AS queued FROM r), "
         "d AS (INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid, fwd, rev) "
         "SELECT r.id, 'remove', r.fqdn, r.addr, r.duid, r.ddns_fwd OR p.queued, "
         "r.ddns_rev OR p.queued FROM r JOIN p USING (id) WHERE r.fqdn IS NOT NULL "
         "AND (r.ddns_fwd OR r.ddns_rev OR p.queued) RETURNING lease_id) "
         "SELECT " LEASE_COLS("r") ", EXISTS (SELECT 1 FROM d WHERE d.lease_id = r.id), "
                                   "pg_notify(current_schema() || '_dhcp', 'lease-deleted ' || "
                                   "host(r.addr) || '/' || "
                                   "masklen(r.addr)) FROM r"},
    /* Health in one round trip: heartbeat ages by the database's clock,
     * the DDNS backlog and the age of its oldest row. */
    [AST_HEALTH] =
        {"api_health", 0,
         "SELECT coalesce((SELECT json_object_agg(daemon, json_build_object('age', "
         "round(extract(epoch FROM now() - beat_at)::numeric, 1), 'pid', pid, "
         "'hostname', hostname, 'version', version, 'started_at', " TS(
             "started_at") ", 'detail', detail, 'errors', errors)) FROM heartbeats), "
                           "'{}'::json)::text, "
                           "(SELECT count(*) FROM ddns_queue), (SELECT "
                           "coalesce(round(extract(epoch "
                           "FROM now() - min(created_at))::numeric, 1), 0) FROM ddns_queue)"},
    /* Everything /metrics shows that lives in the schema, one row per sample:
     * kind (s stats, h heartbeat age, q backlog, o oldest, l holding leases),
     * two labels and the value. */
    [AST_METRICS] = {"api_metrics", 0,
                     "SELECT 's', scope, counter, value::float8 FROM stats "
                     "UNION ALL SELECT 'h', daemon, '', extract(epoch FROM now() - beat_at) "
                     "FROM heartbeats "
                     "UNION ALL SELECT 'q', '', '', count(*) FROM ddns_queue "
                     "UNION ALL SELECT 'o', '', '', coalesce(extract(epoch FROM now() - "
                     "min(created_at)), 0) FROM ddns_queue "
                     "UNION ALL SELECT 'l', subnet_id::text || ' ' || lease_type, state, "
                     "count(*) FROM leases WHERE state IN ('active', 'declined') "
                     "GROUP BY subnet_id, lease_type, state"},
    [AST_BEAT] =
        {"api_beat", 5,
         "INSERT INTO heartbeats (daemon, pid, hostname, version, started_at, detail, errors) "
         "VALUES ('apid', $1, $2, '" PACKAGE_VERSION "', to_timestamp($3), $4, "
         "$5::jsonb) "
         "ON CONFLICT (daemon) DO UPDATE SET pid = EXCLUDED.pid, hostname = "
         "EXCLUDED.hostname, version = EXCLUDED.version, started_at = "
         "EXCLUDED.started_at, beat_at = now(), detail = EXCLUDED.detail, errors = "
         "EXCLUDED.errors"},
    [AST_STATS_ADD] = {"api_stats_add", 2,
                       "INSERT INTO stats (scope, counter, value) SELECT 'api', c, v FROM "
                       "unnest($1::text[], $2::bigint[]) AS u(c, v) ON CONFLICT (scope, "
                       "counter) DO UPDATE SET value = stats.value + EXCLUDED.value, "
                       "updated_at = now()"},
    [AST_EVENTS_LAST] = {"api_events_last", 0, "SELECT coalesce(max(id), 0) FROM events"},
    /* The events after an id, as id, kind and the JSON of GET /v1/events. */
    [AST_EVENTS_AFTER] = {"api_events_after", 2,
                          "SELECT id, kind, json_build_object('id', id, 'kind', kind, 'at', " TS(
                              "at") ", 'address', CASE WHEN masklen(addr) = 128 THEN host(addr) "
                                    "ELSE host(addr) || '/' || masklen(addr) END, 'duid', "
                                    "encode(duid, 'hex'), 'detail', detail)::text FROM events "
                                    "WHERE id > $1::bigint ORDER BY id LIMIT $2::int"},
    /* GET /v1/stats in one round trip: the daemons' counters (c), then the
     * holding leases per address range (n: $1 index, $2 start, $3 end) and
     * per PD pool (d: $4 index, $5 prefix), each counted by the addr index. */
    [AST_STATS] = {"api_stats", 5,
                   "SELECT 'c', scope, counter, value::text FROM stats "
                   "WHERE scope IN ('dhcp6', 'leasequery', 'ddns', 'api') "
                   "UNION ALL SELECT 'n', p.i::text, count(*) FILTER (WHERE l.state = "
                   "'active')::text, count(*) FILTER (WHERE l.state = 'declined')::text "
                   "FROM unnest($1::int[], $2::inet[], $3::inet[]) AS p(i, lo, hi) "
                   "JOIN leases l ON l.addr >= p.lo AND l.addr <= p.hi AND l.lease_type = "
                   "'na' AND l.state IN ('active', 'declined') GROUP BY p.i "
                   "UNION ALL SELECT 'd', p.i::text, count(*) FILTER (WHERE l.state = "
                   "'active')::text, count(*) FILTER (WHERE l.state = 'declined')::text "
                   "FROM unnest($4::int[], $5::inet[]) AS p(i, pfx) "
                   "JOIN leases l ON l.addr <<= p.pfx AND l.lease_type = 'pd' "
                   "AND l.state IN ('active', 'declined') GROUP BY p.i"},
    /* A keyset page of the schema's reservations after the cursor ($1 DUID
     * hex, $2 its source: 0 the file's, which sort before the schema's of
     * the same DUID), by the primary key; $3 + 1 rows, as the file's may
     * fill the page (api_reservations.c merges both). */
    [AST_RESV_LIST] = {"api_resv_list", 3,
                       "SELECT encode(r.duid, 'hex'), " RESV_JSON(
                           "r") " FROM reservations r WHERE $1::text IS NULL OR "
                                "(r.duid >= decode($1::text, 'hex') AND (r.duid > "
                                "decode($1::text, 'hex') OR $2::int < 1)) "
                                "ORDER BY r.duid LIMIT $3::int + 1"},
    [AST_RESV_GET] = {"api_resv_get", 1,
                      "SELECT " RESV_JSON("r") " FROM reservations r WHERE r.duid = decode($1, "
                                               "'hex')"},
    /* POST: a new DUID only (no row back: it exists); $1 DUID hex, $2 subnet,
     * $3 addresses, $4 prefixes (array literals), $5 hostname */
    [AST_RESV_INSERT] = {"api_resv_insert", 5, RESV_TAKEN "DO NOTHING" RESV_RESULT},
    /* PUT: create or replace */
    [AST_RESV_UPSERT] = {"api_resv_upsert", 5,
                         RESV_TAKEN "DO UPDATE SET subnet_id = EXCLUDED.subnet_id, addresses = "
                                    "EXCLUDED.addresses, prefixes = EXCLUDED.prefixes, hostname = "
                                    "EXCLUDED.hostname, updated_at = now()" RESV_RESULT},
    [AST_RESV_DELETE] = {"api_resv_delete", 1,
                         "DELETE FROM reservations r WHERE r.duid = decode($1, 'hex') "
                         "RETURNING " RESV_JSON("r")},
};

/* Statements whose rows api_lease_row.c reads in binary format. */
static const bool binary_results[AST_MAX] = {
    [AST_LEASES_LIST] = true,        [AST_LEASES_PAGE] = true,
    [AST_LEASES_RELAY] = true,       [AST_LEASES_REMOTE] = true,
    [AST_LEASES_RELAY_PAGE] = true,  [AST_LEASES_REMOTE_PAGE] = true,
    [AST_LEASES_RELAY_FIRST] = true, [AST_LEASES_REMOTE_FIRST] = true,
    [AST_LEASE_GET] = true,          [AST_LEASE_DELETE] = true,
};

/* Statements whose plan does not depend on their parameters' values: they
 * run on the session's generic plans, planned once per connection; every
 * other statement is sent after AST_CUSTOM in the same transaction, so it
 * is planned per execution. */
static const bool generic_plan[AST_MAX] = {
    [AST_LEASES_PAGE] = true,         [AST_LEASES_RELAY] = true,
    [AST_LEASES_REMOTE] = true,       [AST_LEASES_RELAY_PAGE] = true,
    [AST_LEASES_REMOTE_PAGE] = true,  [AST_LEASES_RELAY_FIRST] = true,
    [AST_LEASES_REMOTE_FIRST] = true,
};

struct api_query_run {
	struct api *a;
	api_query_cb cb;
	void *arg;
};

static void on_query(struct db *d, const PGresult *res, int err, void *arg)
{
	struct api_query_run *q = arg;

	(void)d;
	if (err && res)
		log_err("statement failed: %s", PQresultErrorMessage(res));
	q->cb(q->a, err ? NULL : res, err, q->arg);
	free(q);
}

int api_store_query(struct api *a, enum api_stmt st, const char *const *vals, api_query_cb cb,
                    void *arg)
{
	struct api_query_run *q;

	if (!a->db || !db_ready(a->db) || !(q = malloc(sizeof(*q))))
		return CH_EDB;
	*q = (struct api_query_run){a, cb, arg};
	if ((!generic_plan[st] && db_query(a->db, AST_CUSTOM, NULL, NULL, NULL, NULL, NULL) < 0) ||
	    db_query(a->db, st, vals, NULL, NULL, on_query, q) < 0) {
		free(q);
		return CH_EDB;
	}
	db_sync(a->db, NULL, NULL); /* a failed sync fails the query too: cb gets CH_EDB */
	return 0;
}

struct api_run {
	struct api_req *r;
	api_rows_cb cb;
};

int api_store_nparams(enum api_stmt st)
{
	return api_stmts[st].nparams;
}

static void on_rows(struct db *d, const PGresult *res, int err, void *arg)
{
	struct api_run *run = arg;
	struct api_req *r = run->r;

	(void)d;
	if (!r) { /* its sync never went out (see api_store_run) */
		free(run);
		return;
	}
	if (r->sent || r->orphan)
		return;
	if (err) {
		if (res)
			log_err("%s %s: statement failed: %s",
			        r->method == API_DELETE ? "DELETE" : "request", r->path,
			        PQresultErrorMessage(res));
		api_error(r, res ? 500 : 503, res ? "internal" : "database_unavailable",
		          res ? "the statement failed; the log says why"
		              : "the database connection was lost");
		return;
	}
	run->cb(r, res);
}

static void on_sync(struct db *d, int err, void *arg)
{
	struct api_run *run = arg;
	struct api_req *r = run->r;

	(void)d;
	free(run);
	r->db_pending--;
	if (err && !r->sent && !r->orphan && (!r->ready || r->status < 300))
		api_error(r, 503, "database_unavailable", "the transaction did not commit");
	if (r->orphan && !r->db_pending) {
		api_req_free(r);
		return;
	}
	api_req_kick(r);
}

/* The ready connection with the least work queued: one connection runs one
 * statement at a time, so requests spread over the pool run side by side. */
static struct db *pick(struct api *a)
{
	struct db *best = a->db && db_ready(a->db) ? a->db : NULL;

	for (size_t i = 0; i < a->n_pool; i++)
		if (db_ready(a->pool[i]) && (!best || db_pending(a->pool[i]) < db_pending(best)))
			best = a->pool[i];
	return best;
}

int api_store_run(struct api_req *r, enum api_stmt st, const char *const *vals, api_rows_cb cb)
{
	struct api *a = r->a;
	struct api_run *run;
	struct db *d = pick(a);

	if (!d) {
		api_error(r, 503, "database_unavailable", "the database is not reachable");
		return CH_EDB;
	}
	run = calloc(1, sizeof(*run));
	if (!run) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return CH_ENOMEM;
	}
	run->r = r;
	run->cb = cb;
	if ((!generic_plan[st] && db_query(d, AST_CUSTOM, NULL, NULL, NULL, NULL, NULL) < 0) ||
	    db_query(d, st, vals, NULL, NULL, on_rows, run) < 0) {
		free(run);
		api_error(r, 503, "database_unavailable", "the database is not reachable");
		return CH_EDB;
	}
	if (db_sync(d, on_sync, run) < 0) {
		/* the query's callback still comes, with CH_EDB, and frees run */
		run->r = NULL;
		api_error(r, 503, "database_unavailable", "the database is not reachable");
		return CH_EDB;
	}
	r->db_pending++;
	api_req_wait(r);
	return 0;
}

static void on_notify(struct db *d, const char *channel, const char *payload, void *arg)
{
	(void)d;
	struct api *a = arg;

	if (strcmp(channel, "chorus_events") == 0 && a->on_notify)
		a->on_notify(a, payload);
}

static const char *const listen_channels[] = {"chorus_events", NULL};

/* A connection of the pool: custom plans, nothing else to do. */
static void on_pool_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	(void)arg;
	(void)why;
	if (st == DB_READY) {
		db_query(d, AST_PLANS, NULL, NULL, NULL, NULL, NULL);
		db_sync(d, NULL, NULL);
	}
}

static void on_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	struct api *a = arg;

	if (st == DB_READY) {
		log_notice("database ready");
		db_query(d, AST_PLANS, NULL, NULL, NULL, NULL, NULL);
		db_sync(d, NULL, NULL);
		if (a->on_db_ready)
			a->on_db_ready(a);
	} else if (st == DB_DOWN) {
		log_notice("database lost, reconnecting: %s", why ? why : "");
	}
}

int api_store_open(struct api *a)
{
	const struct conf_instance *in = &a->conf->instance;
	struct db_cfg cfg = {
	    .conninfo = in->conninfo,
	    .schema = in->schema,
	    .schema_version = CHORUS_SCHEMA_VERSION,
	    .stmts = api_stmts,
	    .n_stmts = AST_MAX,
	    .binary = binary_results,
	    .listen = listen_channels,
	    .on_state = on_state,
	    .on_notify = on_notify,
	    .arg = a,
	};
	int err = db_new(a->l, &cfg, &a->db);
	size_t n = a->conf->api.db_connections - 1;

	if (err)
		return err;
	db_start(a->db);
	a->pool = calloc(n ? n : 1, sizeof(*a->pool));
	if (!a->pool)
		return CH_ENOMEM;
	cfg.listen = NULL;
	cfg.on_state = on_pool_state;
	cfg.on_notify = NULL;
	for (size_t i = 0; i < n; i++) {
		if ((err = db_new(a->l, &cfg, &a->pool[i])) < 0)
			return err;
		a->n_pool++;
		db_start(a->pool[i]);
	}
	return 0;
}

void api_store_close(struct api *a)
{
	for (size_t i = 0; i < a->n_pool; i++)
		db_free(a->pool[i]);
	free(a->pool);
	a->pool = NULL;
	a->n_pool = 0;
	db_free(a->db);
	a->db = NULL;
}

/* The API's own counter names (the stats table's counter column for scope
 * 'api', and chorus_api_*_total in /metrics): never rename one. */
static const char *const cnt_names[API_CNT_MAX] = {
    [API_CNT_REQUESTS] = "requests",           [API_CNT_2XX] = "responses-2xx",
    [API_CNT_4XX] = "responses-4xx",           [API_CNT_5XX] = "responses-5xx",
    [API_CNT_AUTH_FAILED] = "auth-failed",     [API_CNT_RATE_LIMITED] = "rate-limited",
    [API_CNT_DB_TIMEOUT] = "database-timeout", [API_CNT_LEASES_DELETED] = "leases-deleted",
};

const char *api_cnt_name(enum api_cnt c)
{
	return c < API_CNT_MAX && cnt_names[c] ? cnt_names[c] : "unknown";
}

static void on_beat(struct db *d, int err, void *arg)
{
	struct api *a = arg;

	(void)d;
	(void)err;
	a->beat_busy = false;
}

void api_store_beat(struct api *a)
{
	static uint64_t flushed[API_CNT_MAX];
	char pid[24], started[24], host[256] = "", detail[128], names[API_CNT_MAX * 32],
	                           vals[API_CNT_MAX * 24], errors[2048];
	const char *bv[5] = {pid, host, started, detail, log_errors_json(errors, sizeof(errors))};
	const char *sv[2] = {names, vals};
	size_t n = 0, m = 0;

	if (!a->db || !db_ready(a->db) || a->beat_busy)
		return;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(started, sizeof(started), "%lld", (long long)a->started_at);
	gethostname(host, sizeof(host) - 1);
	snprintf(detail, sizeof(detail), "{\"requests\": %llu}",
	         (unsigned long long)a->cnt[API_CNT_REQUESTS]);
	for (int i = 0; i < API_CNT_MAX; i++) {
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? "," : "{",
		                      api_cnt_name((enum api_cnt)i));
		m += (size_t)snprintf(vals + m, sizeof(vals) - m, "%s%llu", i ? "," : "{",
		                      (unsigned long long)(a->cnt[i] - flushed[i]));
	}
	snprintf(names + n, sizeof(names) - n, "}");
	snprintf(vals + m, sizeof(vals) - m, "}");
	if (db_query(a->db, AST_CUSTOM, NULL, NULL, NULL, NULL, NULL) == 0 &&
	    db_query(a->db, AST_BEAT, bv, NULL, NULL, NULL, NULL) == 0 &&
	    db_query(a->db, AST_STATS_ADD, sv, NULL, NULL, NULL, NULL) == 0 &&
	    db_sync(a->db, on_beat, a) == 0) {
		/* a lost commit loses these few counts: they are not worth a retry */
		memcpy(flushed, a->cnt, sizeof(flushed));
		a->beat_busy = true;
	}
}
