/*
 * The statement table, startup queries and group commit of chorus-dhcp6d
 * (see srv_store.h). Lease rows are found by their holding address
 * (the exclusion constraint leases_no_overlap makes it unique), so no
 * statement waits for another's RETURNING id. Schema: sql/0001_schema.sql.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "addr6.h"
#include "log.h"
#include "schema.h"
#include "srv_health.h"
#include "srv_history.h"
#include "srv_reclaim.h"
#include "srv_resv.h"
#include "srv_relayinfo.h"
#include "srv_rx.h"
#include "srv_store.h"

#define BATCH_MAX 1024 /* transactions per commit */
/* Longest wait of a queued transaction before newcomers are dropped. A
 * client retransmits after 1 s (RFC 8415 §7.6, REQ_TIMEOUT, REN_TIMEOUT):
 * queueing longer only answers clients that have moved on, while each
 * retransmission adds a transaction; the backlog then never drains. */
#define QUEUE_MAX_MS 1000
/* A commit group this large goes at once, whatever commit-delay-ms says. */
#define GROUP_DUE 256

enum {
	ST_INSERT_BULK,
	ST_INSERT_ONE,
	ST_EXTEND_BULK,
	ST_RELEASE,
	ST_DECLINE,
	ST_EXPIRE,
	ST_PLANS,
	ST_IDENT_PUT,
	ST_IDENT_GET,
	ST_LOAD,
	ST_HISTORY,
	ST_STATS,
	ST_BEAT,
	ST_RESV,
	ST_MAX,
};

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

static const struct db_stmt srv_stmts[ST_MAX] = {
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

/* ---- queues ---- */

static void q_push(struct srv_queue *q, struct srv_txn *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	q->n++;
}

static struct srv_txn *q_pop(struct srv_queue *q)
{
	struct srv_txn *t = q->head;

	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
		t->next = NULL;
	}
	return t;
}

/* Undoes q newest first (later transactions may build on earlier ones). */
static void q_undo(struct srv *s, struct srv_queue *q)
{
	struct srv_txn **v;
	size_t n = 0;

	if (!q->n)
		return;
	v = malloc(q->n * sizeof(*v));
	if (!v) {
		log_err("out of memory undoing a failed commit; the lease cache may be stale");
		while (q->n)
			srv_txn_free(q_pop(q));
		return;
	}
	while (q->n)
		v[n++] = q_pop(q);
	while (n--) {
		srv_txn_undo(v[n]);
		srv_count(s, SRV_CNT_DROP_COMMIT_FAIL);
		srv_txn_free(v[n]);
	}
	free(v);
}

void srv_store_abort(struct srv *s)
{
	q_undo(s, &s->pending);
	q_undo(s, &s->inflight);
}

bool srv_store_idle(const struct srv *s)
{
	return !s->pending.n && !s->inflight.n && !s->stats_busy;
}

static void maybe_stop(struct srv *s)
{
	if (s->stopping && srv_store_idle(s))
		evl_stop(s->l);
}

/* True when the queue is as long as it may get: too many transactions, or
 * the oldest unsent one has waited QUEUE_MAX_MS. */
static bool queue_full(const struct srv *s, uint64_t now)
{
	const struct srv_txn *h = s->pending.head;

	return s->pending.n + s->inflight.n >= s->max_txns ||
	       (h && now - h->queued_ms >= QUEUE_MAX_MS);
}

void srv_store_queue(struct srv *s, struct srv_txn *t)
{
	bool ready = s->db && db_ready(s->db);
	uint64_t now = s->l ? evl_now(s->l) : 0;

	/* t is the newest: undoing it cannot pull a lease from under another */
	if (!ready || queue_full(s, now)) {
		srv_count(s, ready ? SRV_CNT_DROP_OVERLOAD : SRV_CNT_DROP_DB_DOWN);
		srv_txn_undo(t);
		srv_txn_free(t);
		return;
	}
	t->queued_ms = now;
	q_push(&s->pending, t);
}

/* ---- one batch ---- */

static void count_ops(struct srv *s, const struct srv_txn *t)
{
	static const enum srv_cnt cnt[] = {
	    [SRV_OP_GRANT] = SRV_CNT_LEASE_GRANTED,    [SRV_OP_EXTEND] = SRV_CNT_LEASE_EXTENDED,
	    [SRV_OP_RELEASE] = SRV_CNT_LEASE_RELEASED, [SRV_OP_DECLINE] = SRV_CNT_LEASE_DECLINED,
	    [SRV_OP_EXPIRE] = SRV_CNT_LEASE_EXPIRED,   [SRV_OP_FORGET] = SRV_CNT_LEASE_EXPIRED,
	};

	for (size_t i = 0; i < t->n_ops; i++)
		srv_count(s, cnt[t->ops[i].kind]);
}

static void on_batch(struct db *d, int err, void *arg)
{
	struct srv *s = arg;
	struct srv_txn *t;

	(void)d;
	srv_health_commit_done(s);
	if (err) {
		log_warning("commit of %zu transactions failed, dropping their replies",
		            s->inflight.n);
		/* queued work may build on what failed: undo it too */
		srv_store_abort(s);
	}
	while ((t = q_pop(&s->inflight)) != NULL) {
		if (t->failed) {
			srv_count(s, SRV_CNT_COMMIT_CONFLICT);
			srv_log(t, LOG_WARNING, "lease row in conflict or missing, reply dropped");
			srv_txn_conflicted(t);
		} else {
			count_ops(s, t);
			srv_txn_committed(t);
			srv_rx_send(s, t);
		}
		srv_txn_free(t);
	}
	maybe_stop(s);
}

/* ---- commit groups: one INSERT and one UPDATE for many leases ---- */

/*
 * A batch is cut into groups in which no address appears twice. Inside a
 * group the rows are independent, so its Release, Decline and Expire rows
 * go first, one statement each, then every grant as one INSERT and every
 * extend as one UPDATE. An address seen again (granted then renewed,
 * released then granted to another client...) closes the group, so the
 * statements still meet each address in the order of the transactions.
 */
/* Addresses per group, a power of two: it also bounds the statements'
 * nested-loop joins of the batch with itself. */
#define GROUP_ADDRS 512

struct arr { /* a text[] literal under construction */
	char *p;
	size_t len, cap;
};

struct bulk_row { /* which transaction and lease row i of a statement is */
	struct srv_txn *txn;
	const struct srv_lease *lease;
};

struct one { /* the first row's parameters as scalars (owned copies) */
	char *buf;
	size_t cap;
	const char *v[SRV_LP_N];
	int len[SRV_LP_N], fmt[SRV_LP_N];
	bool ok; /* copied, and fit for ST_INSERT_ONE */
};

struct bulk { /* the rows of one batch statement */
	struct arr col[SRV_LP_N];
	struct bulk_row *row;
	size_t n, cap;
	bool oom;
	struct one one;
};

struct bulk_res { /* what the result callback needs */
	size_t n;
	bool by_addr; /* result rows name addresses, not ordinals */
	struct bulk_row row[];
};

struct aslot {
	struct in6_addr addr;
	uint8_t plen;
	uint32_t gen;
};

static struct group {
	struct bulk grant, extend;
	struct aslot seen[2 * GROUP_ADDRS];
	size_t n_seen;
	uint32_t gen;
} grp;

static bool arr_room(struct arr *a, size_t more)
{
	char *p;
	size_t cap;

	if (a->len + more <= a->cap)
		return true;
	cap = a->cap ? a->cap : 4096;
	while (cap < a->len + more)
		cap *= 2;
	p = realloc(a->p, cap);
	if (!p)
		return false;
	a->p = p;
	a->cap = cap;
	return true;
}

/* Appends one element: NULL, binary as hex, or quoted text. */
static bool arr_put(struct arr *a, const char *v, int len, bool bin)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = v && !bin ? strlen(v) : (size_t)(len > 0 ? len : 0);

	if (!arr_room(a, 2 * n + 8))
		return false;
	a->p[a->len] = a->len ? ',' : '{';
	a->len++;
	if (!v) {
		memcpy(a->p + a->len, "NULL", 4);
		a->len += 4;
		return true;
	}
	a->p[a->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)v[i];

		if (bin) {
			a->p[a->len++] = hex[c >> 4];
			a->p[a->len++] = hex[c & 15];
			continue;
		}
		if (c == '"' || c == '\\')
			a->p[a->len++] = '\\';
		a->p[a->len++] = (char)c;
	}
	a->p[a->len++] = '"';
	return true;
}

static const char *arr_end(struct arr *a)
{
	if (!arr_room(a, 3))
		return NULL;
	if (!a->len)
		a->p[a->len++] = '{';
	a->p[a->len++] = '}';
	a->p[a->len] = '\0';
	return a->p;
}

static size_t param_len(const struct srv_lease_params *p, int i)
{
	return !p->v[i] ? 0 : p->fmt[i] ? (size_t)p->len[i] : strlen(p->v[i]) + 1;
}

/* Keeps the row's parameters for ST_INSERT_ONE: a grant without an FQDN
 * and without client options. */
static void one_keep(struct one *o, const struct srv_lease_params *p)
{
	size_t need = 0, off = 0;

	o->ok = false;
	if (p->v[20] || p->v[24])
		return;
	for (int i = 0; i < SRV_LP_N; i++)
		need += param_len(p, i);
	if (need > o->cap) {
		char *nb = realloc(o->buf, need);

		if (!nb)
			return;
		o->buf = nb;
		o->cap = need;
	}
	for (int i = 0; i < SRV_LP_N; i++) {
		size_t n = param_len(p, i);

		o->v[i] = p->v[i] ? o->buf + off : NULL;
		o->len[i] = p->len[i];
		o->fmt[i] = p->fmt[i];
		if (n)
			memcpy(o->buf + off, p->v[i], n);
		off += n;
	}
	o->ok = true;
}

static void bulk_add(struct bulk *b, struct srv_txn *t, const struct srv_lease *l,
                     const struct srv_lease_params *p)
{
	if (b->n == 0)
		one_keep(&b->one, p);
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct bulk_row *v = realloc(b->row, cap * sizeof(*v));

		if (!v) {
			b->oom = true;
			return;
		}
		b->row = v;
		b->cap = cap;
	}
	for (int i = 0; i < SRV_LP_N; i++) {
		if (!arr_put(&b->col[i], p->v[i], p->len[i], p->fmt[i]))
			b->oom = true;
	}
	b->row[b->n].txn = t;
	b->row[b->n++].lease = l;
}

static void bulk_reset(struct bulk *b)
{
	for (int i = 0; i < SRV_LP_N; i++)
		b->col[i].len = 0;
	b->n = 0;
	b->oom = false;
}

static void bulk_free(struct bulk *b)
{
	for (int i = 0; i < SRV_LP_N; i++)
		free(b->col[i].p);
	free(b->row);
	free(b->one.buf);
	memset(b, 0, sizeof(*b));
}

/* The row of r holding the address of result row k, NULL if none. Rows
 * come back in the order they went in, less the conflicts, so the search
 * starts after the previous match (*from) and is linear for a batch. */
static struct bulk_row *row_by_addr(struct bulk_res *r, const PGresult *res, int k, size_t *from)
{
	struct in6_addr a;
	int plen = atoi(PQgetvalue(res, k, 1));

	if (addr6_parse(PQgetvalue(res, k, 0), &a) < 0)
		return NULL;
	for (size_t j = 0; j < r->n; j++) {
		struct bulk_row *w = &r->row[(*from + j) % r->n];

		if (w->txn && w->lease->plen == plen && IN6_ARE_ADDR_EQUAL(&w->lease->addr, &a)) {
			*from = (*from + j + 1) % r->n;
			return w;
		}
	}
	return NULL;
}

/* Rows that came back took; the transactions of the others failed. On an
 * error the whole segment rolls back and on_batch handles it. */
static void on_bulk(struct db *d, const PGresult *res, int err, void *arg)
{
	struct bulk_res *r = arg;
	size_t from = 0;

	(void)d;
	if (!err) {
		for (int k = 0; k < PQntuples(res); k++) {
			struct bulk_row *w = NULL;
			long i;

			if (r->by_addr) {
				w = row_by_addr(r, res, k, &from);
			} else {
				i = atol(PQgetvalue(res, k, 0));
				if (i >= 1 && (size_t)i <= r->n)
					w = &r->row[i - 1];
			}
			if (w)
				w->txn = NULL;
		}
		for (size_t i = 0; i < r->n; i++) {
			if (r->row[i].txn)
				r->row[i].txn->failed = true;
		}
	}
	free(r);
}

static int bulk_send(struct srv *s, struct bulk *b, size_t stmt)
{
	const char *v[SRV_LP_N];
	struct bulk_res *r;
	int err;

	if (!b->n)
		return 0;
	r = b->oom ? NULL : malloc(sizeof(*r) + b->n * sizeof(r->row[0]));
	for (int i = 0; r && i < SRV_LP_N; i++) {
		v[i] = arr_end(&b->col[i]);
		if (!v[i]) {
			free(r);
			r = NULL;
		}
	}
	if (!r) {
		bulk_reset(b);
		return CH_ENOMEM;
	}
	r->n = b->n;
	r->by_addr = stmt == ST_INSERT_BULK;
	memcpy(r->row, b->row, b->n * sizeof(r->row[0]));
	if (stmt == ST_INSERT_BULK && b->n == 1 && b->one.ok)
		err = db_query(s->db, ST_INSERT_ONE, b->one.v, b->one.len, b->one.fmt, on_bulk, r);
	else
		err = db_query(s->db, stmt, v, NULL, NULL, on_bulk, r);
	if (err)
		free(r);
	bulk_reset(b);
	return err;
}

static void group_reset(void)
{
	bulk_reset(&grp.grant);
	bulk_reset(&grp.extend);
	grp.n_seen = 0;
	if (++grp.gen == 0) { /* wrapped: forget every slot */
		memset(grp.seen, 0, sizeof(grp.seen));
		grp.gen = 1;
	}
}

/* Sends the group's grants and extends and starts a new group. */
static int group_close(struct srv *s)
{
	int err = bulk_send(s, &grp.grant, ST_INSERT_BULK);

	if (!err)
		err = bulk_send(s, &grp.extend, ST_EXTEND_BULK);
	group_reset();
	return err;
}

/* Adds l's address to the group; false when it is there already (or the
 * group is full). */
static bool group_take(const struct srv_lease *l)
{
	uint32_t h = 2166136261u;
	size_t i, mask = 2 * GROUP_ADDRS - 1;

	if (!grp.gen)
		grp.gen = 1;
	if (grp.n_seen >= GROUP_ADDRS)
		return false;
	for (size_t k = 0; k < sizeof(l->addr); k++)
		h = (h ^ l->addr.s6_addr[k]) * 16777619u;
	h = (h ^ l->plen) * 16777619u;
	for (i = h & mask; grp.seen[i].gen == grp.gen; i = (i + 1) & mask) {
		if (grp.seen[i].plen == l->plen && IN6_ARE_ADDR_EQUAL(&grp.seen[i].addr, &l->addr))
			return false;
	}
	grp.seen[i].addr = l->addr;
	grp.seen[i].plen = l->plen;
	grp.seen[i].gen = grp.gen;
	grp.n_seen++;
	return true;
}

/* Release, Decline, Expire: the holding row by address and DUID. */
static int send_state(struct srv *s, const struct srv_lease *l, size_t stmt)
{
	char addr[ADDR6_PREFIX_STRLEN], exp[24];
	struct addr6_prefix pf = {.addr = l->addr, .len = l->plen};
	const char *v[3] = {addr, (const char *)l->duid, exp};
	int len[3] = {0, l->duid_len, 0}, fmt[3] = {0, 1, 0};

	addr6_prefix_ntop(&pf, addr, sizeof(addr));
	snprintf(exp, sizeof(exp), "%lld", (long long)l->expires);
	return db_query(s->db, stmt, v, len, fmt, NULL, NULL);
}

static int send_txn(struct srv *s, struct srv_txn *t)
{
	struct srv_relayinfo ri;
	bool have_ri = false;
	int err = 0;

	for (size_t i = 0; i < t->n_ops && !err; i++) {
		const struct srv_op *op = &t->ops[i];
		struct srv_lease_params p;

		if (op->kind == SRV_OP_FORGET)
			continue;
		if (!group_take(op->lease)) {
			err = group_close(s);
			if (err || !group_take(op->lease))
				return err ? err : CH_ELIMIT;
		}
		switch (op->kind) {
		case SRV_OP_GRANT:
		case SRV_OP_EXTEND:
			if (!have_ri)
				srv_relayinfo_get(t, &ri);
			have_ri = true;
			srv_relayinfo_params(s, t, &ri, op->lease, &p);
			bulk_add(op->kind == SRV_OP_GRANT ? &grp.grant : &grp.extend, t, op->lease,
			         &p);
			break;
		case SRV_OP_RELEASE:
			err = send_state(s, op->lease, ST_RELEASE);
			break;
		case SRV_OP_DECLINE:
			err = send_state(s, op->lease, ST_DECLINE);
			break;
		default:
			err = send_state(s, op->lease, ST_EXPIRE);
			break;
		}
	}
	return err;
}

static void on_flush_timer(struct evl *l, uint64_t id, void *arg)
{
	struct srv *s = arg;

	(void)id;
	s->flush_timer = 0;
	srv_store_flush(l, s);
}

/* True when the queued transactions should go now. The flush runs only
 * when no commit is in flight (a group-commit leader): what arrives while
 * one is in flight forms the next group, so groups grow with the load and
 * a lone client waits for nothing but its own commit. commit-delay-ms > 0
 * also lets a group wait that long at most for company (a timer fires). */
static bool group_due(struct srv *s)
{
	uint64_t delay = s->conf->instance.commit_delay_ms, waited;

	if (!delay || s->stopping || s->pending.n >= GROUP_DUE || !s->l)
		return true;
	waited = evl_now(s->l) - s->pending.head->queued_ms;
	if (waited >= delay)
		return true;
	if (!s->flush_timer)
		s->flush_timer = evl_timer(s->l, delay - waited, on_flush_timer, s);
	return !s->flush_timer; /* no timer (out of memory): do not wait */
}

void srv_store_flush(struct evl *l, void *arg)
{
	struct srv *s = arg;
	struct srv_txn *t;
	int err = 0;

	(void)l;
	if (s->inflight.n || !s->pending.n || !db_ready(s->db) || !group_due(s))
		return;
	if (s->flush_timer) {
		evl_timer_cancel(s->l, s->flush_timer);
		s->flush_timer = 0;
	}
	while (!err && s->inflight.n < BATCH_MAX && (t = q_pop(&s->pending)) != NULL) {
		q_push(&s->inflight, t);
		err = send_txn(s, t);
	}
	if (!err)
		err = group_close(s);
	else
		group_reset();
	if (!err)
		err = db_sync(s->db, on_batch, s);
	if (err) {
		log_warning("cannot send a commit batch: %s", ch_strerror(err));
		srv_store_abort(s);
		return;
	}
	srv_health_commit_sent(s);
	srv_count(s, SRV_CNT_COMMIT_BATCHES);
}

/* ---- startup: server DUID and the lease cache ---- */

/* DUID-LLT (RFC 8415 §11.2) with a random locally administered link-layer
 * address, so instances sharing a host and a start second still differ. */
static size_t duid_generate(uint8_t *out)
{
	uint32_t t = (uint32_t)(time(NULL) - 946684800);
	uint8_t mac[6] = {0};

	if (getrandom(mac, sizeof(mac), GRND_NONBLOCK) != sizeof(mac))
		mac[5] = (uint8_t)getpid();
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	out[0] = 0;
	out[1] = 1; /* DUID-LLT */
	out[2] = 0;
	out[3] = 1; /* Ethernet */
	out[4] = (uint8_t)(t >> 24);
	out[5] = (uint8_t)(t >> 16);
	out[6] = (uint8_t)(t >> 8);
	out[7] = (uint8_t)t;
	memcpy(out + 8, mac, 6);
	return 14;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads a bytea in PostgreSQL's hex text form ("\x0001..."). Returns the length or -1. */
static int bytea_text(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (s[0] != '\\' || s[1] != 'x')
		return -1;
	for (s += 2; s[0] && s[1]; s += 2) {
		int hi = hexval(s[0]), lo = hexval(s[1]);

		if (hi < 0 || lo < 0 || n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return s[0] ? -1 : (int)n;
}

struct boot {
	struct srv *s;
	struct srv_cache cache;
	struct srv_cache history;
	bool cache_ok;
	size_t bad;
};

static void on_ident(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;
	struct srv *s = b->s;
	uint8_t duid[D6_DUID_MAX_LEN];
	int n;

	(void)d;
	if (err || PQntuples(res) != 1)
		return;
	n = bytea_text(PQgetvalue(res, 0, 0), duid, sizeof(duid));
	if (n < D6_DUID_MIN_LEN)
		return;
	if (s->conf->instance.server_duid_len) {
		if ((size_t)n != s->duid_len || memcmp(duid, s->duid, s->duid_len) != 0)
			log_warning(
			    "configured server-duid differs from the one stored in the schema; "
			    "using the configured one");
		return;
	}
	memcpy(s->duid, duid, (size_t)n);
	s->duid_len = (size_t)n;
}

static bool load_row(const PGresult *res, int i, struct srv_lease *l)
{
	const char *state = PQgetvalue(res, i, 10);
	long long exp = atoll(PQgetvalue(res, i, 9));
	int n;

	l->type = strcmp(PQgetvalue(res, i, 0), "pd") == 0 ? SRV_PD : SRV_NA;
	if (addr6_parse(PQgetvalue(res, i, 1), &l->addr) < 0)
		return false;
	l->plen = (uint8_t)atoi(PQgetvalue(res, i, 2));
	n = bytea_text(PQgetvalue(res, i, 3), l->duid, sizeof(l->duid));
	if (n < 1)
		return false;
	l->duid_len = (uint8_t)n;
	l->iaid = (uint32_t)strtoul(PQgetvalue(res, i, 4), NULL, 10);
	l->subnet_id = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
	l->pref = (uint32_t)strtoul(PQgetvalue(res, i, 6), NULL, 10);
	l->valid = (uint32_t)strtoul(PQgetvalue(res, i, 7), NULL, 10);
	l->cltt = atoll(PQgetvalue(res, i, 8));
	l->expires = exp < 0 ? SRV_NEVER : exp;
	l->state = strcmp(state, "declined") == 0 ? SRV_LEASE_DECLINED : SRV_LEASE_ACTIVE;
	return true;
}

/* Adds the rows of res to c; returns how many could not be read. */
static size_t load_rows(const PGresult *res, struct srv_cache *c)
{
	size_t bad = 0;

	for (int i = 0; i < PQntuples(res); i++) {
		struct srv_lease *l = srv_lease_new();

		if (!l || !load_row(res, i, l)) {
			free(l);
			bad++;
			continue;
		}
		srv_cache_add(c, l);
	}
	return bad;
}

static void on_load(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;

	(void)d;
	if (err || srv_cache_init(&b->cache) < 0)
		return;
	b->cache_ok = true;
	b->bad += load_rows(res, &b->cache);
}

/* Without it the engine still serves; a Rebind of a lease ended before
 * the restart then follows the rebind-policy. */
static void on_history(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;

	(void)d;
	if (!err && srv_cache_init(&b->history) == 0)
		load_rows(res, &b->history);
}

static void on_boot(struct db *d, int err, void *arg)
{
	struct boot *b = arg;
	struct srv *s = b->s;

	(void)d;
	if (err || !b->cache_ok || !s->duid_len) {
		srv_cache_clear(&b->history);
		if (b->cache_ok)
			srv_cache_clear(&b->cache);
		log_err("cannot read the server identity or the leases; will retry on reconnect");
		free(b);
		return;
	}
	srv_store_abort(s);
	srv_cache_clear(&s->cache);
	s->cache = b->cache;
	s->reclaim_bucket = 0;
	srv_history_replace(s, &b->history);
	if (b->bad)
		log_warning("%zu lease rows could not be read and are not mirrored", b->bad);
	log_notice("database ready: %zu holding leases loaded", s->cache.count);
	s->loaded = true;
	s->db_up = true;
	free(b);
}

static int boot_send(struct srv *s, struct boot *b)
{
	uint8_t cand[D6_DUID_MAX_LEN];
	size_t n = s->duid_len;
	const char *v[2];
	int len[2], fmt[2] = {0, 1}, err;

	if (!n)
		n = duid_generate(cand);
	else
		memcpy(cand, s->duid, n);
	v[0] = s->conf->instance.name;
	v[1] = (const char *)cand;
	len[0] = 0;
	len[1] = (int)n;
	err = db_query(s->db, ST_PLANS, NULL, NULL, NULL, NULL, NULL);
	if (!err)
		err = db_query(s->db, ST_IDENT_PUT, v, len, fmt, NULL, NULL);
	if (!err)
		err = db_query(s->db, ST_IDENT_GET, NULL, NULL, NULL, on_ident, b);
	if (!err)
		err = db_query(s->db, ST_LOAD, NULL, NULL, NULL, on_load, b);
	if (!err)
		err = db_query(s->db, ST_HISTORY, NULL, NULL, NULL, on_history, b);
	if (!err)
		err = db_sync(s->db, on_boot, b);
	return err;
}

static void resv_load(struct srv *s);

static void on_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	struct srv *s = arg;
	struct boot *b;

	(void)d;
	if (st == DB_DOWN) {
		if (s->db_up)
			log_notice("database lost (%s): granting nothing until it is back", why);
		else
			log_warning("database unreachable: %s", why ? why : "");
		s->db_up = false;
		s->lat.sent_us = 0;
		srv_store_abort(s);
		return;
	}
	if (st != DB_READY)
		return;
	b = calloc(1, sizeof(*b));
	if (!b) {
		log_err("out of memory at database start");
		return;
	}
	b->s = s;
	s->resv_ready = false;
	/* the schema is the truth: reload the cache on every (re)connect */
	if (boot_send(s, b) < 0) {
		free(b);
		return;
	}
	resv_load(s);
}

static void on_resv(struct db *d, const PGresult *res, int err, void *arg)
{
	struct srv *s = arg;

	(void)d;
	s->resv_ready = true; /* read, or kept: the reclaim may judge leases again */
	if (err)
		log_warning("cannot read the reservations table; keeping what was loaded");
	else
		srv_resv_loaded(arg, res);
}

static void resv_load(struct srv *s)
{
	if (db_query(s->db, ST_RESV, NULL, NULL, NULL, on_resv, s) == 0)
		db_sync(s->db, NULL, NULL);
}

/* chorus-apid speaks to the engine on the channel <schema>_dhcp. */
static void on_notify(struct db *d, const char *channel, const char *payload, void *arg)
{
	struct srv *s = arg;

	(void)d;
	(void)channel;
	if (strcmp(payload, "reservations") == 0)
		resv_load(s);
	else
		srv_reclaim_deleted(s, payload, (int64_t)time(NULL));
}

int srv_store_open(struct srv *s)
{
	static char channel[80];
	static const char *listen[2] = {channel, NULL};
	const struct conf_instance *in = &s->conf->instance;
	struct db_cfg cfg = {
	    .conninfo = in->conninfo,
	    .schema = in->schema,
	    .schema_version = CHORUS_SCHEMA_VERSION,
	    .stmts = srv_stmts,
	    .n_stmts = ST_MAX,
	    .backoff_min_ms = 100,
	    .backoff_max_ms = 5000,
	    .on_state = on_state,
	    .listen = listen,
	    .on_notify = on_notify,
	    .arg = s,
	};
	int err;

	snprintf(channel, sizeof(channel), "%s_dhcp", in->schema);
	if (in->server_duid_len) {
		memcpy(s->duid, in->server_duid, in->server_duid_len);
		s->duid_len = in->server_duid_len;
	}
	s->started_at = (int64_t)time(NULL);
	err = db_new(s->l, &cfg, &s->db);
	if (err)
		return err;
	evl_before_sleep(s->l, srv_store_flush, s);
	db_start(s->db);
	return 0;
}

void srv_store_close(struct srv *s)
{
	if (s->flush_timer && s->l)
		evl_timer_cancel(s->l, s->flush_timer);
	s->flush_timer = 0;
	srv_store_abort(s);
	db_free(s->db);
	s->db = NULL;
	bulk_free(&grp.grant);
	bulk_free(&grp.extend);
}

/* ---- counters ---- */

static void on_stats(struct db *d, int err, void *arg)
{
	struct srv *s = arg;

	(void)d;
	s->stats_busy = false;
	if (!err)
		memcpy(s->cnt_flushed, s->cnt_sending, sizeof(s->cnt_flushed));
	maybe_stop(s);
}

/* The heartbeat rides in the counters' commit, so its age says when the
 * engine last managed to write anything. */
static int beat_send(struct srv *s)
{
	char pid[16], started[24], host[256] = "", detail[512], errors[2048];
	const char *v[5] = {pid, host, started, detail, log_errors_json(errors, sizeof(errors))};

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(started, sizeof(started), "%lld", (long long)s->started_at);
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	srv_health_detail(s, detail, sizeof(detail));
	return db_query(s->db, ST_BEAT, v, NULL, NULL, NULL, NULL);
}

/* Adds what was counted since the last flush: the table keeps totals
 * across restarts, and a failed flush is simply carried to the next. */
void srv_store_stats(struct srv *s)
{
	static char names[SRV_CNT_MAX * 40], vals[SRV_CNT_MAX * 24];
	size_t a = 0, b = 0;
	const char *v[2] = {names, vals};

	if (!s->db || !db_ready(s->db) || s->stats_busy)
		return;
	memcpy(s->cnt_sending, s->cnt, sizeof(s->cnt_sending));
	for (int i = 0; i < SRV_CNT_MAX; i++) {
		a += (size_t)snprintf(names + a, sizeof(names) - a, "%s%s", i ? "," : "{",
		                      srv_cnt_name((enum srv_cnt)i));
		b += (size_t)snprintf(vals + b, sizeof(vals) - b, "%s%llu", i ? "," : "{",
		                      (unsigned long long)(s->cnt_sending[i] - s->cnt_flushed[i]));
	}
	snprintf(names + a, sizeof(names) - a, "}");
	snprintf(vals + b, sizeof(vals) - b, "}");
	if (db_query(s->db, ST_STATS, v, NULL, NULL, NULL, NULL) == 0 && beat_send(s) == 0 &&
	    db_sync(s->db, on_stats, s) == 0)
		s->stats_busy = true;
}
