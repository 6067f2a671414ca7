/*
 * The statement table of chorus-leasequeryd and its row reader (see
 * lq_store.h). The query shapes are the ones sql/0001_schema.sql, 0002
 * and 0008 index: "addr >>= $1" on the no-overlap index, duid on
 * leases_client_idx, relay and remote ids on leases_relay_id_idx and
 * leases_remote_id_idx (first id, DUID). Bulk pages are keyset pages in
 * DUID order, so a client's bindings arrive together and the daemon
 * never holds more than a page. A page is read in index order from the
 * last DUID on (leases_client_idx for a link, the id indexes for a relay
 * or remote id), so each page starts where the last one ended instead of
 * sorting the whole result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr6.h"
#include "log.h"
#include "lq_batch.h"
#include "lq_store.h"
#include "schema.h"
#include "hex.h"

enum {
	ST_PLANS,
	ST_IDENT,
	ST_BY_ADDR,
	ST_BY_ADDRS,
	ST_BY_PREFIXES,
	ST_BY_CLIENT,
	ST_PAGE_LINK,
	ST_PAGE_RELAY,
	ST_PAGE_REMOTE,
	ST_STATS,
	ST_BEAT,
	ST_MAX,
};

/* Results come in binary (no text output of inet, bytea, timestamptz):
 * the columns below, read by lq_store_row. CLT_TIME is now() - cltt,
 * both the database's clock. */
#define COLS                                                                                       \
	"id, lease_type = 'pd', addr, duid, subnet_id, link_addr, preferred_lft, valid_lft, "      \
	"cltt, "                                                                                   \
	"now(), relay_src, relay_chain, hwtype, hwaddr, fqdn, fqdn_flags, client_opts"
enum {
	C_ID,
	C_PD,
	C_ADDR,
	C_DUID,
	C_SUBNET,
	C_LINK,
	C_PREF,
	C_VALID,
	C_CLTT,
	C_NOW,
	C_RELAY_SRC,
	C_CHAIN,
	C_HWTYPE,
	C_HWADDR,
	C_FQDN,
	C_FQDN_FLAGS,
	C_OPTS,
	C_ORD, /* ST_BY_ADDRS: the question's place in the batch, from 1 */
};
#define LIVE "state = 'active' AND expires_at > now()"
/* A client's rows by leases_client_idx alone: OFFSET 0 keeps the other
 * conditions out, so no partial index is read whole to prove its predicate.
 * Only the columns COLS reads (the executor sets up less per lookup), in
 * the index's order (no sort node). */
#define BY_DUID(col)                                                                               \
	"LATERAL (SELECT id, lease_type, addr, duid, subnet_id, link_addr, preferred_lft, "        \
	"valid_lft, cltt, relay_src, relay_chain, hwtype, hwaddr, fqdn, fqdn_flags, client_opts, " \
	"state, expires_at FROM leases WHERE duid = " col " OFFSET 0) l"
/* The live binding of the address a or of the delegated prefix holding it
 * (RFC 5007 §4.4), on the link sub (NULL: any): t_duid, t_subnet. Live
 * bindings do not overlap (leases_no_overlap), so the first match is the
 * only one. An address lease is one probe of the btree leases_addr_idx
 * (fenced, or the planner takes the partial SP-GiST, which reads about
 * ten index pages per probe where the btree reads three); only when no
 * live address lease is there does the SP-GiST look for a prefix. */
#define HOLDER(a, sub)                                                                             \
	"(SELECT duid AS t_duid, subnet_id AS t_subnet FROM (SELECT duid, subnet_id, state, "      \
	"expires_at FROM leases WHERE addr = " a " OFFSET 0) e WHERE " LIVE " AND (" sub           \
	" IS NULL OR subnet_id = " sub ")) UNION ALL (SELECT duid, subnet_id FROM leases WHERE "   \
	"addr >>= " a " AND " LIVE " AND (" sub " IS NULL OR subnet_id = " sub ")) LIMIT 1"
/* The columns of a bulk page, as COLS but only what a stream sends (no
 * row id, no link-address) and what the ORO asks for: the relay data
 * with bit 1 of $3, the name and the stored client options
 * with bit 2, the link-layer address with bit 4. */
#define PAGE_COLS                                                                                  \
	"NULL::bigint, lease_type = 'pd', addr, duid, subnet_id, NULL::inet, preferred_lft, "      \
	"valid_lft, cltt, now(), CASE WHEN $3::integer & 1 = 1 THEN relay_src END, "               \
	"CASE WHEN $3::integer & 1 = 1 THEN relay_chain END, "                                     \
	"CASE WHEN $3::integer & 4 = 4 THEN hwtype END, "                                          \
	"CASE WHEN $3::integer & 4 = 4 THEN hwaddr END, "                                          \
	"CASE WHEN $3::integer & 2 = 2 THEN fqdn END, fqdn_flags, "                                \
	"CASE WHEN $3::integer & 2 = 2 THEN client_opts END"
/* A link's page: rows after the DUID $1 in leases_client_idx order, read
 * only as far as LIMIT $2 needs (the fence keeps the planner from walking
 * a partial index whole and sorting it, which it would on a table whose
 * statistics lag). */
#define PAGE(filter)                                                                               \
	"SELECT " PAGE_COLS " FROM (SELECT * FROM leases WHERE duid > $1::bytea ORDER BY duid "    \
	"OFFSET 0) x WHERE " filter " AND " LIVE " LIMIT $2"
/* A relay-id or remote-id page (sql/0008): the rows whose first id is $5,
 * a range of leases_<col>_idx in DUID order, merged with the rows holding
 * $5 further in (leases_<col>s_more_idx, only rows with several ids), each
 * side read only as far as LIMIT $2 needs. */
#define IDS_LIVE                                                                                   \
	" AND state IN ('active', 'declined') AND duid > $1::bytea AND ($4::bigint IS NULL OR "    \
	"subnet_id = $4) AND " LIVE
#define PAGE_IDS(col)                                                                              \
	"SELECT " PAGE_COLS " FROM ((SELECT * FROM leases WHERE " col "[1] = $5::bytea AND " col   \
	" <> '{}'" IDS_LIVE " ORDER BY " col "[1], duid LIMIT $2) UNION ALL (SELECT * FROM "       \
	"leases WHERE cardinality(" col ") > 1 AND " col "[1] IS DISTINCT FROM $5::bytea AND " col \
	" @> ARRAY[$5::bytea]" IDS_LIVE " ORDER BY duid LIMIT $2)) x ORDER BY duid LIMIT $2"

static const struct db_stmt stmts[ST_MAX] = {
    [ST_IDENT] = {"lq_ident", 0, "SELECT server_duid FROM server_identity"},
    /* Plans that only probe by key, whatever the statistics say: they lag
     * a table that grew fast from empty (autovacuum's ANALYZE comes later),
     * and plans made on them rescanned an index per client or sorted the
     * whole result per page (the engine's ST_PLANS in server/srv_store_sql.c
     * says the same). Bitmap scans go too: a page never sorts every match
     * after its DUID again (relay and remote ids have btree indexes in DUID
     * order, sql/0008). Plans stay
     * cached (planning a lookup cost more than running it), and with these
     * nodes gone a generic plan has the same shape as a custom one, so it
     * is forced: "auto" went on planning each bulk page anew (a tenth of
     * the backend's CPU in a stream). */
    [ST_PLANS] = {"lq_plans", 0,
                  "SELECT pg_catalog.set_config('enable_seqscan', 'off', false), "
                  "pg_catalog.set_config('enable_bitmapscan', 'off', false), "
                  "pg_catalog.set_config('enable_hashjoin', 'off', false), "
                  "pg_catalog.set_config('enable_mergejoin', 'off', false), "
                  "pg_catalog.set_config('enable_material', 'off', false), "
                  "pg_catalog.set_config('enable_memoize', 'off', false), "
                  "pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', false), "
                  "pg_catalog.set_config('jit', 'off', false)"},
    /* RFC 5007 §4.4: the client leasing the address or delegated a prefix
     * holding it, then all its bindings on that link */
    [ST_BY_ADDR] =
        {"lq_by_addr", 2,
         "WITH t AS (" HOLDER("$1::inet", "$2::bigint") ") SELECT " COLS " FROM t, " BY_DUID(
             "t_duid") " WHERE subnet_id = t_subnet AND " LIVE " LIMIT 32"},
    /* the same for a batch of address leases: $1 the addresses, $2 their
     * subnets (NULL: any link), each row tagged with its question's place in
     * the arrays. Two index probes per question and no per-question LIMIT
     * or fallback node: the plan has six nodes for the executor to set up
     * per statement where HOLDER's has eleven, and with a few questions per
     * statement that setup cost as much as the probes. A question this
     * finds nothing for is asked again with lq_by_prefixes (lq_batch.c). */
    [ST_BY_ADDRS] = {"lq_by_addrs", 2,
                     "SELECT " COLS ", q.ord FROM unnest($1::inet[], $2::bigint[]) WITH "
                     "ORDINALITY AS q(a, sub, ord), LATERAL (SELECT duid AS t_duid, subnet_id "
                     "AS t_subnet, state AS t_state, expires_at AS t_expires FROM leases WHERE "
                     "addr = q.a OFFSET 0) t, leases WHERE t_state = 'active' AND t_expires > "
                     "now() AND (q.sub IS NULL OR t_subnet = q.sub) AND duid = t_duid AND "
                     "subnet_id = t_subnet AND " LIVE},
    /* the questions lq_by_addrs found no address lease for: the delegated
     * prefix holding the address (leases_no_overlap), then as lq_by_addr */
    [ST_BY_PREFIXES] = {"lq_by_prefixes", 2,
                        "SELECT " COLS ", q.ord FROM unnest($1::inet[], $2::bigint[]) WITH "
                        "ORDINALITY AS q(a, sub, ord), LATERAL (SELECT duid AS t_duid, "
                        "subnet_id AS t_subnet FROM leases WHERE addr >>= q.a AND " LIVE
                        " AND (q.sub IS NULL OR subnet_id = q.sub) LIMIT 1) t, LATERAL (SELECT "
                        "* FROM " BY_DUID("t_duid") " WHERE subnet_id = t_subnet AND " LIVE
                                                    " LIMIT 32) l2"},
    [ST_BY_CLIENT] = {"lq_by_client", 2,
                      "SELECT " COLS " FROM leases WHERE duid = $1::bytea AND " LIVE
                      " AND ($2::bigint IS NULL OR subnet_id = $2) ORDER BY subnet_id, id "
                      "LIMIT 256"},
    /* keyset pages: the next LQ_PAGE_ROWS rows after a DUID */
    [ST_PAGE_LINK] = {"lq_page_link", 4, PAGE("subnet_id = $4")},
    [ST_PAGE_RELAY] = {"lq_page_relay", 5, PAGE_IDS("relay_ids")},
    [ST_PAGE_REMOTE] = {"lq_page_remote", 5, PAGE_IDS("remote_ids")},
    [ST_STATS] = {"lq_stats", 2,
                  "INSERT INTO stats (scope, counter, value) SELECT 'leasequery', c, v FROM "
                  "unnest($1::text[], $2::bigint[]) AS u(c, v) ON CONFLICT (scope, counter) "
                  "DO UPDATE SET value = stats.value + EXCLUDED.value, updated_at = now()"},
    /* liveness for chorus-apid's health (sql/0003_heartbeats.sql) */
    [ST_BEAT] =
        {"lq_beat", 5,
         "INSERT INTO heartbeats (daemon, pid, hostname, version, started_at, detail, errors) "
         "VALUES ('leasequeryd', $1, $2, '" PACKAGE_VERSION "', to_timestamp($3), $4, "
         "$5::jsonb) "
         "ON CONFLICT (daemon) DO UPDATE SET pid = EXCLUDED.pid, hostname = "
         "EXCLUDED.hostname, version = EXCLUDED.version, started_at = "
         "EXCLUDED.started_at, beat_at = now(), detail = EXCLUDED.detail, errors = "
         "EXCLUDED.errors"},
};

/* Statements whose rows this file reads in binary format (be_get, inet_get). */
static const bool binary_results[ST_MAX] = {
    [ST_BY_ADDR] = true,   [ST_BY_ADDRS] = true,   [ST_BY_PREFIXES] = true, [ST_BY_CLIENT] = true,
    [ST_PAGE_LINK] = true, [ST_PAGE_RELAY] = true, [ST_PAGE_REMOTE] = true,
};

/* ---- values ---- */

/* bytea as a text parameter. out needs 2 * n + 3 octets. */
static void bytea_put(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = hx[p[i] >> 4];
		out[3 + 2 * i] = hx[p[i] & 15];
	}
	out[2 + 2 * n] = '\0';
}

/* Binary values (network order). */
static uint64_t be_get(const PGresult *res, int i, int c, int n)
{
	const uint8_t *p = (const uint8_t *)PQgetvalue(res, i, c);
	uint64_t v = 0;

	if (PQgetlength(res, i, c) != n)
		return 0;
	for (int k = 0; k < n; k++)
		v = v << 8 | p[k];
	return v;
}

/* inet: family (3, PGSQL_AF_INET6), bits, is_cidr, 16, the address. */
static int inet_get(const PGresult *res, int i, int c, uint8_t out[16], uint8_t *bits)
{
	const uint8_t *p = (const uint8_t *)PQgetvalue(res, i, c);

	if (PQgetisnull(res, i, c) || PQgetlength(res, i, c) != 20 || p[0] != 3 || p[3] != 16)
		return CH_EMALFORMED;
	memcpy(out, p + 4, 16);
	if (bits)
		*bits = p[1];
	return 0;
}

/* A bytea (or text) column into a new buffer; *out stays NULL when the
 * value is NULL or empty. 0 or CH_ENOMEM. */
static int dup_get(const PGresult *res, int i, int c, uint8_t **out, size_t *len)
{
	int n = PQgetlength(res, i, c);

	*out = NULL;
	*len = 0;
	if (PQgetisnull(res, i, c) || n <= 0)
		return 0;
	if (!(*out = malloc((size_t)n)))
		return CH_ENOMEM;
	memcpy(*out, PQgetvalue(res, i, c), (size_t)n);
	*len = (size_t)n;
	return 0;
}

static uint32_t remaining(long long lft, uint32_t age)
{
	if (lft >= (long long)D6_INFINITY)
		return D6_INFINITY;
	return lft > (long long)age ? (uint32_t)(lft - age) : 0;
}

void lq_bind_clear(struct lq_bind *b)
{
	free(b->chain);
	free(b->opts);
	b->chain = b->opts = NULL;
	b->chain_len = b->opts_len = 0;
}

void lq_bind_move(struct lq_bind *to, struct lq_bind *from)
{
	*to = *from;
	from->chain = from->opts = NULL;
	from->chain_len = from->opts_len = 0;
}

static int relay_get(const PGresult *res, int i, struct lq_bind *b)
{
	int err;

	if (PQgetisnull(res, i, C_RELAY_SRC) || PQgetisnull(res, i, C_CHAIN) ||
	    PQgetlength(res, i, C_CHAIN) == 0)
		return 0;
	if (inet_get(res, i, C_RELAY_SRC, b->relay_src, NULL) < 0)
		return CH_EMALFORMED;
	if ((err = dup_get(res, i, C_CHAIN, &b->chain, &b->chain_len)) < 0)
		return err;
	b->relayed = true;
	return 0;
}

/* Link-layer address, name, stored client options. 0 or CH_ENOMEM. */
static int extras_get(const PGresult *res, int i, struct lq_bind *b)
{
	int n = PQgetlength(res, i, C_HWADDR), f = PQgetlength(res, i, C_FQDN);

	b->hwtype = -1;
	if (!PQgetisnull(res, i, C_HWTYPE) && !PQgetisnull(res, i, C_HWADDR) &&
	    (size_t)n <= sizeof(b->hwaddr)) {
		b->hwtype = (int)be_get(res, i, C_HWTYPE, 4);
		memcpy(b->hwaddr, PQgetvalue(res, i, C_HWADDR), (size_t)n);
		b->hwaddr_len = (size_t)n;
	}
	if (!PQgetisnull(res, i, C_FQDN) && (size_t)f < sizeof(b->fqdn)) {
		memcpy(b->fqdn, PQgetvalue(res, i, C_FQDN), (size_t)f);
		b->fqdn[f] = '\0';
		b->fqdn_flags = (uint8_t)be_get(res, i, C_FQDN_FLAGS, 2);
	}
	return dup_get(res, i, C_OPTS, &b->opts, &b->opts_len);
}

int lq_store_row_duid(const PGresult *res, int i, uint8_t *out, size_t cap)
{
	int n = PQgetlength(res, i, C_DUID);

	if (n <= 0 || (size_t)n > cap)
		return CH_EMALFORMED;
	memcpy(out, PQgetvalue(res, i, C_DUID), (size_t)n);
	return n;
}

bool lq_store_same_client(const PGresult *res, int i, int k)
{
	int n = PQgetlength(res, i, C_DUID);

	return n == PQgetlength(res, k, C_DUID) &&
	       memcmp(PQgetvalue(res, i, C_DUID), PQgetvalue(res, k, C_DUID), (size_t)n) == 0;
}

int64_t lq_store_row_ord(const PGresult *res, int i)
{
	if (PQnfields(res) <= C_ORD || PQgetisnull(res, i, C_ORD) ||
	    PQgetlength(res, i, C_ORD) != 8)
		return -1;
	return (int64_t)be_get(res, i, C_ORD, 8);
}

int lq_store_row(const PGresult *res, int i, struct lq_bind *out)
{
	struct lq_bind b;
	int64_t now, cltt;
	int n, err;

	memset(&b, 0, sizeof(b));
	b.id = (int64_t)be_get(res, i, C_ID, 8);
	b.pd = PQgetvalue(res, i, C_PD)[0] == 1;
	b.subnet = (uint32_t)be_get(res, i, C_SUBNET, 8);
	/* timestamptz: microseconds since 2000-01-01 */
	now = (int64_t)be_get(res, i, C_NOW, 8);
	cltt = (int64_t)be_get(res, i, C_CLTT, 8);
	b.age = now > cltt ? (uint32_t)((now - cltt) / 1000000) : 0;
	b.pref = remaining((long long)be_get(res, i, C_PREF, 8), b.age);
	b.valid = remaining((long long)be_get(res, i, C_VALID, 8), b.age);
	if (inet_get(res, i, C_ADDR, b.addr, &b.plen) < 0 ||
	    (!PQgetisnull(res, i, C_LINK) && inet_get(res, i, C_LINK, b.link, NULL) < 0) ||
	    (n = lq_store_row_duid(res, i, b.duid, sizeof(b.duid))) <= 0)
		return CH_EMALFORMED;
	b.duid_len = (size_t)n;
	if ((err = relay_get(res, i, &b)) < 0 || (err = extras_get(res, i, &b)) < 0) {
		lq_bind_clear(&b);
		return err;
	}
	*out = b;
	return 0;
}

/* ---- queries ---- */

static char *subnet_param(const struct lq_req *q, char *buf, size_t cap)
{
	if (!q->subnet)
		return NULL;
	snprintf(buf, cap, "%u", q->subnet);
	return buf;
}

/* The reads of one loop iteration go in one pipeline segment, synced by
 * lq_store_flush before the loop sleeps: one round of the protocol and one
 * implicit read-only transaction for all of them. */
static int send_synced(struct lq *lq, int st, const char *const *v, db_result_cb cb, void *arg)
{
	if (!lq->db || !db_ready(lq->db) ||
	    db_query(lq->db, (size_t)st, v, NULL, NULL, cb, arg) < 0)
		return CH_EDB;
	lq->sync_due = true;
	return 0;
}

void lq_store_flush(struct lq *lq)
{
	if (lq->sync_due && lq->db && db_ready(lq->db))
		db_sync(lq->db, NULL, NULL);
	lq->sync_due = false;
}

int lq_store_lookup(struct lq *lq, const struct lq_req *q, db_result_cb cb, void *arg)
{
	static char key[2 * sizeof(q->target) + 3], sub[16];
	const char *v[2] = {key, subnet_param(q, sub, sizeof(sub))};

	if (q->qtype == LQ_QUERY_BY_ADDRESS) {
		struct in6_addr a;

		memcpy(&a, q->target, 16);
		addr6_ntop(&a, key, sizeof(key));
		return send_synced(lq, ST_BY_ADDR, v, cb, arg);
	}
	bytea_put(q->target, q->target_len, key);
	return send_synced(lq, ST_BY_CLIENT, v, cb, arg);
}

int lq_store_lookup_addrs(struct lq *lq, const struct lq_req *const *qs, size_t n, bool prefixes,
                          db_result_cb cb, void *arg)
{
	/* "{a,b,...}" and "{NULL,7,...}": at most LQ_BATCH_MAX of each */
	static char addrs[LQ_BATCH_MAX * (ADDR6_STRLEN + 1) + 3], subs[LQ_BATCH_MAX * 12 + 3];
	const char *v[2] = {addrs, subs};
	size_t a = 0, b = 0;

	if (n == 0 || n > LQ_BATCH_MAX)
		return CH_EDB;
	for (size_t i = 0; i < n; i++) {
		struct in6_addr t;
		char s[ADDR6_STRLEN];

		memcpy(&t, qs[i]->target, 16);
		a += (size_t)snprintf(addrs + a, sizeof(addrs) - a, "%c%s", i ? ',' : '{',
		                      addr6_ntop(&t, s, sizeof(s)));
		if (qs[i]->subnet)
			b += (size_t)snprintf(subs + b, sizeof(subs) - b, "%c%u", i ? ',' : '{',
			                      qs[i]->subnet);
		else
			b += (size_t)snprintf(subs + b, sizeof(subs) - b, "%cNULL", i ? ',' : '{');
	}
	snprintf(addrs + a, sizeof(addrs) - a, "}");
	snprintf(subs + b, sizeof(subs) - b, "}");
	return send_synced(lq, prefixes ? ST_BY_PREFIXES : ST_BY_ADDRS, v, cb, arg);
}

int lq_store_page(struct lq *lq, const struct lq_req *q, const uint8_t *after_duid,
                  size_t after_len, db_result_cb cb, void *arg)
{
	static char key[2 * sizeof(q->target) + 3], sub[16], duid[2 * D6_DUID_MAX_LEN + 3], lim[16];
	static const char *const cols[8] = {"0", "1", "2", "3", "4", "5", "6", "7"};
	const char *v[5] = {
	    duid, lim,
	    cols[(q->want.relay_data ? 1 : 0) | (q->want.fqdn || q->want.n_codes ? 2 : 0)],
	    subnet_param(q, sub, 16), key};

	bytea_put(after_duid, after_len, duid);
	snprintf(lim, sizeof(lim), "%d", LQ_PAGE_ROWS);
	bytea_put(q->target, q->target_len, key);
	return send_synced(lq,
	                   q->qtype == LQ_QUERY_BY_LINK_ADDRESS ? ST_PAGE_LINK
	                   : q->qtype == LQ_QUERY_BY_RELAY_ID   ? ST_PAGE_RELAY
	                                                        : ST_PAGE_REMOTE,
	                   v, cb, arg);
}

/* ---- identity, counters, heartbeat ---- */

/* The engine writes its identity when it first starts, maybe after this
 * daemon: ask again this often while it is missing, not only at the next
 * heartbeat (every UDP answer waits for it). */
#define IDENT_RETRY_MS 500

static void ident_fetch(struct lq *lq);

static void on_ident_retry(struct evl *l, uint64_t id, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	(void)id;
	lq->ident_timer = 0;
	ident_fetch(lq);
	lq_store_flush(lq);
}

static void on_ident(struct db *d, const PGresult *res, int err, void *arg)
{
	struct lq *lq = arg;
	int n;

	(void)d;
	lq->ident_busy = false;
	if (err || PQntuples(res) != 1) {
		if (!lq->ident_warned)
			log_warning(
			    "no Server Identifier in the schema yet (chorus-dhcp6d writes it); "
			    "leasequery answers wait for it");
		lq->ident_warned = true;
		if (!lq->ident_timer && !lq->stopping)
			lq->ident_timer = evl_timer(lq->l, IDENT_RETRY_MS, on_ident_retry, lq);
		return;
	}
	n = hex_bytea_parse(PQgetvalue(res, 0, 0), lq->duid, sizeof(lq->duid));
	if (n >= D6_DUID_MIN_LEN) {
		lq->duid_len = (size_t)n;
		if (lq->ident_warned)
			log_notice("the engine's Server Identifier is in the schema: answering "
			           "leasequery");
	}
}

static void ident_fetch(struct lq *lq)
{
	if (lq->conf->instance.server_duid_len || lq->duid_len || lq->ident_busy)
		return;
	if (send_synced(lq, ST_IDENT, NULL, on_ident, lq) == 0)
		lq->ident_busy = true;
}

static void on_stats(struct db *d, int err, void *arg)
{
	struct lq *lq = arg;

	lq->stats_busy = false;
	if (err && !db_ready(d))
		return; /* the connection went: carried to the next flush */
	if (!err) {
		memcpy(lq->cnt_flushed, lq->cnt_sending, sizeof(lq->cnt_flushed));
		if (lq->stats_refused)
			log_notice("counters and heartbeat are written again");
		lq->stats_refused = false;
		return;
	}
	/* a hot standby refuses writes: keep serving, say so once */
	if (!lq->stats_refused)
		log_notice("the database refuses our counters and heartbeat (a hot standby?); "
		           "serving leasequery without them");
	lq->stats_refused = true;
}

static int beat_send(struct lq *lq)
{
	char pid[16], started[24], host[256] = "", detail[96], errors[2048];
	const char *v[5] = {pid, host, started, detail, log_errors_json(errors, sizeof(errors))};

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(started, sizeof(started), "%lld", (long long)lq->started_at);
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	snprintf(detail, sizeof(detail), "{\"connections\": %zu, \"udp_inflight\": %zu}",
	         lq->n_conns, lq->udp_inflight);
	return db_query(lq->db, ST_BEAT, v, NULL, NULL, NULL, NULL);
}

void lq_store_stats(struct lq *lq)
{
	static char names[LQ_CNT_MAX * 40], vals[LQ_CNT_MAX * 24];
	size_t a = 0, b = 0;
	const char *v[2] = {names, vals};

	if (!lq->db || !db_ready(lq->db) || lq->stats_busy)
		return;
	ident_fetch(lq);
	/* the writes a standby refuses go in a segment of their own */
	lq_store_flush(lq);
	memcpy(lq->cnt_sending, lq->cnt, sizeof(lq->cnt_sending));
	for (int i = 0; i < LQ_CNT_MAX; i++) {
		a += (size_t)snprintf(names + a, sizeof(names) - a, "%s%s", i ? "," : "{",
		                      lq_cnt_name((enum lq_cnt)i));
		b +=
		    (size_t)snprintf(vals + b, sizeof(vals) - b, "%s%llu", i ? "," : "{",
		                     (unsigned long long)(lq->cnt_sending[i] - lq->cnt_flushed[i]));
	}
	snprintf(names + a, sizeof(names) - a, "}");
	snprintf(vals + b, sizeof(vals) - b, "}");
	if (db_query(lq->db, ST_STATS, v, NULL, NULL, NULL, NULL) == 0 && beat_send(lq) == 0 &&
	    db_sync(lq->db, on_stats, lq) == 0)
		lq->stats_busy = true;
}

/* ---- connection ---- */

static void on_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	struct lq *lq = arg;

	(void)d;
	if (st == DB_READY) {
		send_synced(lq, ST_PLANS, NULL, NULL, NULL);
		log_notice("database ready");
		lq->db_was_lost = false;
		ident_fetch(lq);
		lq_store_stats(lq);
	} else if (st == DB_DOWN && !lq->db_was_lost) {
		log_notice("database lost (%s); queries get UnspecFail until it is back",
		           why ? why : "?");
		lq->db_was_lost = true;
	}
	if (st == DB_DOWN)
		lq->stats_busy = false;
}

int lq_store_open(struct lq *lq)
{
	const struct conf_instance *in = &lq->conf->instance;
	struct db_cfg cfg = {
	    .conninfo = in->lq_conninfo[0] ? in->lq_conninfo : in->conninfo,
	    .schema = in->schema,
	    .schema_version = CHORUS_SCHEMA_VERSION,
	    .stmts = stmts,
	    .n_stmts = ST_MAX,
	    .binary = binary_results,
	    .on_state = on_state,
	    .arg = lq,
	};
	int err;

	if (in->server_duid_len) {
		memcpy(lq->duid, in->server_duid, in->server_duid_len);
		lq->duid_len = in->server_duid_len;
	}
	lq->started_at = (int64_t)time(NULL);
	if ((err = db_new(lq->l, &cfg, &lq->db)) < 0)
		return err;
	db_start(lq->db);
	return 0;
}

void lq_store_close(struct lq *lq)
{
	if (lq->ident_timer)
		evl_timer_cancel(lq->l, lq->ident_timer);
	lq->ident_timer = 0;
	db_free(lq->db);
	lq->db = NULL;
}

bool lq_store_ready(const struct lq *lq)
{
	return lq->db && db_ready(lq->db);
}
