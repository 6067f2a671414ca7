/*
 * All of chorus-dhcp6d's SQL (see srv_store_sql.h). Lease rows are found by
 * their holding address (the exclusion constraint leases_no_overlap makes
 * it unique), so no statement waits for another's RETURNING id. Schema:
 * sql/0001_schema.sql and the migrations after it.
 */
#include "srv_history.h"
#include "srv_store_sql.h"

#define DDNS_REMOVE                                                                                \
	" INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid, fwd, rev) "                  \
	"SELECT id, 'remove', fqdn, addr, duid, ddns_fwd, ddns_rev FROM r "                        \
	"WHERE fqdn IS NOT NULL AND (ddns_fwd OR ddns_rev)"
#define RETURNING_R " RETURNING id, fqdn, addr, duid, ddns_fwd, ddns_rev, valid_lft)"

/* Grants and extends go one statement per commit group (srv_store_flush):
 * $1..$25 are the lease-row parameters of srv_relayinfo_params as arrays
 * (text; bytea as hex), one element per lease. The INSERT returns the
 * address of every row that took, the UPDATE its ordinal; a lease missing
 * from the result fails its transaction only, as ON CONFLICT DO NOTHING or
 * a vanished row should. v is the batch with the address and DUID converted
 * once. Joins run as nested loops (see ST_PLANS): a join of the batch with
 * itself costs n^2, so only rows with an FQDN take part in one. */
#define BULK_V                                                                                     \
	"WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], "       \
	"$5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], "        \
	"$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], "           \
	"$17::text[], $18::text[], $19::integer[], $20::text[], $21::text[], $22::smallint[], "    \
	"$23::boolean[], $24::boolean[], $25::text[]) WITH ORDINALITY AS u(typ, addr, duid, "      \
	"iaid, "                                                                                   \
	"subnet, link, pref, valid, cltt, gby, rsrc, rlink, rpeer, rids, remids, ifid, sub, "      \
	"chain, "                                                                                  \
	"hwt, hwa, fqdn, ff, fwd, rev, copts, i)), "                                               \
	"v AS (SELECT u.*, u.addr::inet AS a, decode(u.duid, 'hex') AS d FROM u)"
#define BULK_EXPIRES                                                                               \
	"CASE WHEN v.valid = 4294967295 THEN 'infinity'::timestamptz "                             \
	"ELSE to_timestamp(v.cltt) + make_interval(secs => v.valid) END"
#define BULK_HEX_ARRAY(c)                                                                          \
	"ARRAY(SELECT decode(x, 'hex') FROM unnest(" c "::text[]) WITH ORDINALITY AS h(x, k) "     \
	"ORDER BY k)"
#define BULK_DDNS_ADD(cond)                                                                        \
	", q AS (INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid, fwd, rev) "           \
	"SELECT l.id, 'add', l.fqdn, l.addr, l.duid, l.fwd, l.rev FROM l WHERE "                   \
	"l.fqdn IS NOT NULL AND " cond "(l.fwd OR l.rev))"

/* SRV_HISTORY_MAX as SQL text */
#define HISTORY_LIMIT_(n)  #n
#define HISTORY_LIMIT_S(n) HISTORY_LIMIT_(n)
#define HISTORY_LIMIT      HISTORY_LIMIT_S(SRV_HISTORY_MAX)

/* The holding states, spelled as "none of the others" (the CHECK on state
 * makes it the same set): from "state = 'active'" the planner can prove the
 * predicate of the partial indexes and may then read a whole one instead of
 * probing, which looks cheap while the statistics think the table is near
 * empty. Written this way, every path into leases is a probe by key. */
#define IS_ACTIVE  "NOT IN ('declined', 'released', 'expired', 'reclaimed')"
#define IS_HOLDING "NOT IN ('released', 'expired', 'reclaimed')"

/* A renewal under another name removes what DNS holds for the old one. */
#define BULK_DDNS_OLD                                                                              \
	", r AS (INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid, fwd, rev) "           \
	"SELECT l.id, 'remove', l.old, l.addr, l.duid, l.ofwd, l.orev FROM l WHERE "               \
	"l.old IS NOT NULL AND l.fqdn IS DISTINCT FROM l.old AND (l.ofwd OR l.orev))"

const struct db_stmt srv_store_stmts[ST_MAX] = {
    [ST_INSERT_BULK] =
        {"srv_insert_bulk", 25,
         BULK_V ", n AS (INSERT INTO leases (lease_type, addr, duid, iaid, "
                "subnet_id, link_addr, preferred_lft, valid_lft, cltt, "
                "expires_at, granted_by, relay_src, relay_link_addr, "
                "relay_peer_addr, relay_ids, remote_ids, interface_id, "
                "subscriber_id, relay_chain, hwtype, hwaddr, fqdn, fqdn_flags, "
                "client_opts) SELECT v.typ, v.a, v.d, v.iaid, v.subnet, v.link::inet, v.pref, "
                "v.valid, to_timestamp(v.cltt), " BULK_EXPIRES
                ", v.gby, v.rsrc::inet, v.rlink::inet, "
                "v.rpeer::inet, " BULK_HEX_ARRAY("v.rids") ", " BULK_HEX_ARRAY(
                    "v.remids") ", decode(v.ifid, 'hex'), decode(v.sub, 'hex'), "
                                "decode(v.chain, 'hex'), v.hwt, decode(v.hwa, "
                                "'hex'), v.fqdn, "
                                "v.ff, decode(v.copts, 'hex') FROM v ORDER BY v.i "
                                "ON CONFLICT DO NOTHING "
                                "RETURNING id, addr, duid, fqdn), "
                                "l AS (SELECT n.*, v.fwd, v.rev FROM n JOIN v ON "
                                "v.a = n.addr WHERE n.fqdn IS NOT NULL)" BULK_DDNS_ADD(
                                    "") " SELECT host(addr), masklen(addr) FROM n"},
    /* A group of one grant without an FQDN, the common case under light
     * load: the same row as ST_INSERT_BULK from scalars. Planning the
     * batch statement for one row took as long as running it. $23, $24
     * (DNS updates to queue) have nothing to do here; a grant with client
     * options ($25) goes as a batch. */
    [ST_INSERT_ONE] = {"srv_insert_one", 22,
                       "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, "
                       "preferred_lft, valid_lft, cltt, expires_at, granted_by, relay_src, "
                       "relay_link_addr, relay_peer_addr, relay_ids, remote_ids, interface_id, "
                       "subscriber_id, relay_chain, hwtype, hwaddr, fqdn, fqdn_flags) VALUES "
                       "($1, $2::inet, $3::bytea, $4::bigint, $5::bigint, $6::inet, $7::bigint, "
                       "$8::bigint, to_timestamp($9::bigint), CASE WHEN $8::bigint = 4294967295 "
                       "THEN 'infinity'::timestamptz ELSE to_timestamp($9::bigint) + "
                       "make_interval(secs => $8::bigint) END, $10, $11::inet, $12::inet, "
                       "$13::inet, " BULK_HEX_ARRAY("$14") ", " BULK_HEX_ARRAY(
                           "$15") ", $16::bytea, $17::bytea, $18::bytea, $19::integer, "
                                  "$20::bytea, $21, $22::smallint) ON CONFLICT DO NOTHING "
                                  "RETURNING host(addr), masklen(addr)"},
    /* o is the row before the statement: its FQDN says whether DNS must change. */
    [ST_EXTEND_BULK] =
        {"srv_extend_bulk", 25,
         BULK_V
         ", l AS (UPDATE leases le SET subnet_id = v.subnet, link_addr = "
         "v.link::inet, preferred_lft = v.pref, valid_lft = v.valid, "
         "cltt = to_timestamp(v.cltt), expires_at = " BULK_EXPIRES
         ", granted_by = v.gby, relay_src = v.rsrc::inet, "
         "relay_link_addr = v.rlink::inet, relay_peer_addr = "
         "v.rpeer::inet, relay_ids = " BULK_HEX_ARRAY("v.rids") ", remote_ids = " BULK_HEX_ARRAY(
             "v.remids") ", interface_id = decode(v.ifid, 'hex'), subscriber_id = "
                         "decode(v.sub, 'hex'), relay_chain = decode(v.chain, 'hex'), "
                         "hwtype = v.hwt, hwaddr = decode(v.hwa, 'hex'), fqdn = v.fqdn, "
                         "ddns_fwd = le.ddns_fwd AND le.fqdn IS NOT DISTINCT FROM v.fqdn, "
                         "ddns_rev = le.ddns_rev AND le.fqdn IS NOT DISTINCT FROM v.fqdn, "
                         "fqdn_flags = v.ff, client_opts = coalesce(decode(v.copts, 'hex'), "
                         "le.client_opts) FROM v JOIN leases o ON o.addr = v.a AND "
                         "o.state " IS_ACTIVE " AND o.duid = v.d WHERE le.id = o.id AND "
                         "le.lease_type = v.typ AND le.iaid = v.iaid RETURNING le.id, "
                         "le.addr, le.duid, le.fqdn, o.fqdn AS old, o.ddns_fwd AS ofwd, "
                         "o.ddns_rev AS orev, v.i, v.fwd, v.rev)" BULK_DDNS_ADD(
                             "l.fqdn IS DISTINCT FROM l.old AND ") BULK_DDNS_OLD
         " SELECT i FROM l"},
    [ST_RELEASE] = {"srv_release", 2,
                    "WITH r AS (UPDATE leases SET state = 'released', state_at = now() "
                    "WHERE addr = $1::inet AND state " IS_ACTIVE
                    " AND duid = $2" RETURNING_R DDNS_REMOVE},
    [ST_DECLINE] = {"srv_decline", 3,
                    "WITH r AS (UPDATE leases SET state = 'declined', state_at = now(), "
                    "preferred_lft = 0, valid_lft = 0, expires_at = to_timestamp($3::bigint) "
                    "WHERE addr = $1::inet AND state " IS_ACTIVE
                    " AND duid = $2" RETURNING_R DDNS_REMOVE},
    [ST_EXPIRE] = {"srv_expire", 2,
                   "WITH r AS (UPDATE leases SET state = 'expired', state_at = now() "
                   "WHERE addr = $1::inet AND state " IS_HOLDING
                   " AND duid = $2" RETURNING_R DDNS_REMOVE " AND valid_lft > 0"},
    /* Every statement here finds its rows by key: it should never scan the
     * lease table, whatever the statistics say. They lag a table that grew
     * fast from empty (autovacuum's ANALYZE comes later), and plans made on
     * them hash-joined a batch against every holding row, or walked a whole
     * partial index, so the cost per lease grew with the table until
     * commits fell behind the clients. Without scans, hash and merge joins
     * the planner is left with nested loops over the batch and index probes,
     * right at any table size. Without Materialize: a whole-index scan read
     * once and kept for the loop looked cheaper than a probe per row while
     * the statistics said the table was near empty. Plans are made per execution: a generic plan
     * made on a near-empty table still chose among probes badly. No JIT:
     * a plan that has to keep a disabled node costs over jit_above_cost,
     * and compiling it took 100 ms for a one-row query. */
    [ST_PLANS] = {"srv_plans", 0,
                  "SELECT pg_catalog.set_config('enable_seqscan', 'off', false), "
                  "pg_catalog.set_config('enable_bitmapscan', 'off', false), "
                  "pg_catalog.set_config('enable_hashjoin', 'off', false), "
                  "pg_catalog.set_config('enable_mergejoin', 'off', false), "
                  "pg_catalog.set_config('enable_material', 'off', false), "
                  "pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', false), "
                  "pg_catalog.set_config('jit', 'off', false)"},
    [ST_IDENT_PUT] = {"srv_ident_put", 2,
                      "INSERT INTO server_identity (instance_name, server_duid) VALUES ($1, $2) "
                      "ON CONFLICT DO NOTHING"},
    [ST_IDENT_GET] = {"srv_ident_get", 0, "SELECT server_duid FROM server_identity"},
    [ST_LOAD] = {"srv_load", 0,
                 "SELECT lease_type, host(addr), masklen(addr), duid, iaid, subnet_id, "
                 "preferred_lft, valid_lft, extract(epoch FROM cltt)::bigint, CASE WHEN "
                 "expires_at = 'infinity' THEN -1 ELSE extract(epoch FROM expires_at)::bigint "
                 "END, state FROM leases WHERE state IN ('active', 'declined')"},
    /* leases ended before their time (srv_history.h): one pass at connect */
    [ST_HISTORY] = {"srv_history", 0,
                    "SELECT lease_type, host(addr), masklen(addr), duid, iaid, subnet_id, "
                    "preferred_lft, valid_lft, extract(epoch FROM cltt)::bigint, CASE WHEN "
                    "expires_at = 'infinity' THEN -1 ELSE extract(epoch FROM expires_at)::bigint "
                    "END, 'active' FROM leases WHERE state = 'expired' AND expires_at > now() "
                    "ORDER BY state_at DESC LIMIT " HISTORY_LIMIT},
    [ST_STATS] = {"srv_stats", 2,
                  "INSERT INTO stats (scope, counter, value) SELECT 'dhcp6', c, v FROM "
                  "unnest($1::text[], $2::bigint[]) AS u(c, v) ON CONFLICT (scope, counter) "
                  "DO UPDATE SET value = stats.value + EXCLUDED.value, updated_at = now()"},
    /* liveness for chorus-apid's health (sql/0003_heartbeats.sql) */
    [ST_BEAT] =
        {"srv_beat", 5,
         "INSERT INTO heartbeats (daemon, pid, hostname, version, started_at, detail, errors) "
         "VALUES ('dhcp6d', $1, $2, '" PACKAGE_VERSION "', to_timestamp($3), $4, "
         "$5::jsonb) "
         "ON CONFLICT (daemon) DO UPDATE SET pid = EXCLUDED.pid, hostname = "
         "EXCLUDED.hostname, version = EXCLUDED.version, started_at = "
         "EXCLUDED.started_at, beat_at = now(), detail = EXCLUDED.detail, errors = "
         "EXCLUDED.errors"},
    /* reservations made through chorus-apid (sql/0006, srv_resv.c) */
    [ST_RESV] = {"srv_resv", 0,
                 "SELECT encode(duid, 'hex'), subnet_id, array_to_string(ARRAY(SELECT host(a) "
                 "FROM unnest(addresses) a), ' '), array_to_string(ARRAY(SELECT host(p) || '/' "
                 "|| masklen(p) FROM unnest(prefixes) p), ' '), coalesce(hostname, '') "
                 "FROM reservations"},
};
