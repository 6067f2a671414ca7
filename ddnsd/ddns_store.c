/*
 * chorus-ddnsd's SQL (see ddns_store.h). The outbox contract is in
 * sql/0001_schema.sql and sql/0004_ddns_outbox.sql; every statement is a
 * probe by key or by the (fqdn, id) and next_attempt_at indexes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr6.h"
#include "config.h"
#include "ddns_store.h"
#include "errors.h"
#include "log.h"
#include "schema.h"

enum {
	ST_DUE,
	ST_DONE,
	ST_RETRY,
	ST_STATS,
	ST_GAUGES,
	ST_BEAT,
	ST_MAX,
};

#define IS_ACTIVE "NOT IN ('declined', 'released', 'expired', 'reclaimed')"

static const struct db_stmt ddns_stmts[ST_MAX] = {
    /* $1 the ids in flight, $2 how many. A row waits while an older row of
     * its name is still there (in flight or backing off). In id order, on
     * the primary key: ordering by next_attempt_at sorted the whole backlog
     * (one statement's rows share its now()) at every refill. */
    [ST_DUE] = {"ddns_due", 2,
                "SELECT q.id, coalesce(q.lease_id, 0), q.action, q.fqdn, host(q.addr), "
                "encode(q.duid, 'hex'), q.fwd, q.rev, q.attempts, coalesce(l.valid_lft, 0), "
                "coalesce(l.state " IS_ACTIVE " AND l.fqdn = q.fqdn, false), "
                "array_to_string(ARRAY(SELECT host(o.addr) FROM leases o WHERE o.duid = q.duid "
                "AND o.fqdn = q.fqdn AND o.lease_type = 'na' AND o.state " IS_ACTIVE
                " AND o.addr <> q.addr ORDER BY o.addr LIMIT 7), ' '), masklen(q.addr) "
                "FROM ddns_queue q LEFT JOIN leases l ON l.id = q.lease_id "
                "WHERE q.next_attempt_at <= now() AND q.id <> ALL ($1::bigint[]) "
                "AND NOT EXISTS (SELECT 1 FROM ddns_queue p WHERE p.fqdn = q.fqdn AND p.id < q.id) "
                "ORDER BY q.id LIMIT $2"},
    /* The rows finished in one loop iteration, as arrays: $1 ids, $2 fwd
     * done, $3 rev done, $4 conflict reasons (NULL for none). An add whose
     * lease ended (or took another name) while DNS was being written gets
     * its removal here: the engine queued none, the flags were off. One
     * lease has one name, and one name one row in flight: no lease is
     * updated twice. */
    [ST_DONE] = {"ddns_done", 4,
                 "WITH a AS (SELECT * FROM unnest($1::bigint[], $2::boolean[], $3::boolean[], "
                 "$4::text[]) AS a(id, f, r, why)), "
                 "d AS (DELETE FROM ddns_queue q USING a WHERE q.id = a.id RETURNING q.*, a.f, "
                 "a.r, a.why), "
                 "u AS (UPDATE leases l SET ddns_fwd = l.ddns_fwd OR d.f, ddns_rev = l.ddns_rev "
                 "OR d.r FROM d WHERE l.id = d.lease_id AND d.action = 'add' AND l.fqdn = d.fqdn "
                 "AND l.state " IS_ACTIVE " RETURNING d.id), "
                 "e AS (INSERT INTO events (kind, addr, duid, detail) SELECT 'ddns-conflict', "
                 "d.addr, d.duid, jsonb_build_object('fqdn', d.fqdn, 'reason', d.why) FROM d "
                 "WHERE d.why IS NOT NULL) "
                 "INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid, fwd, rev) "
                 "SELECT d.lease_id, 'remove', d.fqdn, d.addr, d.duid, d.f, d.r FROM d "
                 "WHERE d.action = 'add' AND (d.f OR d.r) AND NOT EXISTS (SELECT 1 FROM u "
                 "WHERE u.id = d.id)"},
    /* $1 ids, $2 delays in ms, $3 reasons, $4 permanent: one row each */
    [ST_RETRY] = {"ddns_retry", 4,
                  "UPDATE ddns_queue q SET attempts = q.attempts + 1, next_attempt_at = now() + "
                  "make_interval(secs => r.ms / 1000), last_error = r.why, permanent = r.p "
                  "FROM unnest($1::bigint[], $2::double precision[], $3::text[], $4::boolean[]) "
                  "AS r(id, ms, why, p) WHERE q.id = r.id"},
    [ST_STATS] = {"ddns_stats", 2,
                  "INSERT INTO stats (scope, counter, value) SELECT 'ddns', c, v FROM "
                  "unnest($1::text[], $2::bigint[]) AS u(c, v) ON CONFLICT (scope, counter) "
                  "DO UPDATE SET value = stats.value + EXCLUDED.value, updated_at = now()"},
    [ST_GAUGES] = {"ddns_gauges", 0,
                   "INSERT INTO stats (scope, counter, value) SELECT 'ddns', c, v FROM (VALUES "
                   "('backlog', (SELECT count(*) FROM ddns_queue)), "
                   "('oldest-pending-s', (SELECT coalesce(extract(epoch FROM now() - "
                   "min(created_at))::bigint, 0) FROM ddns_queue)), "
                   "('permanent-pending', (SELECT count(*) FROM ddns_queue WHERE permanent))) "
                   "AS g(c, v) ON CONFLICT (scope, counter) DO UPDATE SET value = "
                   "EXCLUDED.value, updated_at = now()"},
    /* liveness for chorus-apid's health (sql/0003_heartbeats.sql) */
    [ST_BEAT] =
        {"ddns_beat", 5,
         "INSERT INTO heartbeats (daemon, pid, hostname, version, started_at, detail, errors) "
         "SELECT 'ddnsd', $1, $2, '" PACKAGE_VERSION "', to_timestamp($3), "
         "$4::jsonb || jsonb_build_object('backlog', (SELECT count(*) FROM ddns_queue), "
         "'oldest_pending_s', (SELECT coalesce(extract(epoch FROM now() - "
         "min(created_at))::bigint, 0) FROM ddns_queue)), $5::jsonb "
         "ON CONFLICT (daemon) DO UPDATE SET pid = EXCLUDED.pid, hostname = "
         "EXCLUDED.hostname, version = EXCLUDED.version, started_at = "
         "EXCLUDED.started_at, beat_at = now(), detail = EXCLUDED.detail, errors = "
         "EXCLUDED.errors"},
};

/* Finished and returned rows of one loop iteration commit together: their
 * statements queue, and the before-sleep hook closes them with one sync. */
static bool unsynced;
static ddns_wake_cb wake; /* the outbox has work: the database is back, or a NOTIFY */

static void done_flush(struct ddns *d);
static void retry_flush(struct ddns *d);

/* ---- reading the due rows ---- */

struct due {
	struct ddns *d;
	ddns_due_cb cb;
	struct ddns_row *rows;
	size_t n;
};

static int nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* encode(..., 'hex') text: lowercase digits in pairs. */
/* The rows of the read in flight (one at a time): kept from one read to the
 * next, a window of rows is a large allocation. */
static struct ddns_row *rows_buf;
static size_t rows_cap;

static int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > cap || n == 0)
		return CH_EMALFORMED;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return CH_EMALFORMED;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

static int row_read(const PGresult *res, int i, struct ddns_row *r)
{
	char others[CONF_MAX_ADDRS * 48];
	const char *fqdn = PQgetvalue(res, i, 3);
	size_t n;

	memset(r, 0, sizeof(*r));
	r->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	r->lease_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
	r->add = strcmp(PQgetvalue(res, i, 2), "add") == 0;
	if (strlen(fqdn) >= sizeof(r->fqdn) || addr6_parse(PQgetvalue(res, i, 4), &r->addr) < 0 ||
	    hex_decode(PQgetvalue(res, i, 5), r->duid, sizeof(r->duid), &r->duid_len) < 0)
		return CH_EMALFORMED;
	memcpy(r->fqdn, fqdn, strlen(fqdn) + 1);
	r->fwd = PQgetvalue(res, i, 6)[0] == 't';
	r->rev = PQgetvalue(res, i, 7)[0] == 't';
	r->attempts = (uint32_t)strtoul(PQgetvalue(res, i, 8), NULL, 10);
	r->valid = (uint32_t)strtoul(PQgetvalue(res, i, 9), NULL, 10);
	r->stale = r->add && PQgetvalue(res, i, 10)[0] != 't';
	r->plen = (unsigned)strtoul(PQgetvalue(res, i, 12), NULL, 10);
	if (r->plen > 128)
		return CH_EMALFORMED;
	if (r->plen < 128) /* a prefix is no address: no AAAA, whatever the row says */
		r->fwd = false;
	r->addrs[0] = r->addr;
	r->n_addrs = 1;
	n = (size_t)PQgetlength(res, i, 11); /* 7 addresses at most: it fits */
	n = n < sizeof(others) ? n : sizeof(others) - 1;
	memcpy(others, PQgetvalue(res, i, 11), n);
	others[n] = '\0';
	for (char *save = NULL, *t = strtok_r(others, " ", &save); t && r->n_addrs < CONF_MAX_ADDRS;
	     t = strtok_r(NULL, " ", &save)) {
		if (addr6_parse(t, &r->addrs[r->n_addrs]) == 0)
			r->n_addrs++;
	}
	return 0;
}

static void on_due(struct db *db, const PGresult *res, int err, void *arg)
{
	struct due *q = arg;
	int n;

	(void)db;
	if (err)
		return;
	n = PQntuples(res);
	if ((size_t)n + 1 > rows_cap) {
		struct ddns_row *r = realloc(rows_buf, ((size_t)n + 1) * sizeof(*r));

		if (!r)
			return;
		rows_buf = r;
		rows_cap = (size_t)n + 1;
	}
	q->rows = rows_buf;
	for (int i = 0; i < n; i++) {
		if (row_read(res, i, &q->rows[q->n]) == 0)
			q->n++;
		else
			log_warning("outbox row %s unreadable, skipped", PQgetvalue(res, i, 0));
	}
}

static void on_due_sync(struct db *db, int err, void *arg)
{
	struct due *q = arg;

	(void)db;
	q->cb(q->d, q->rows, q->n, err ? err : (q->rows ? 0 : CH_ENOMEM));
	free(q);
}

/* Writes the ids as the array text "{1,2,3}" into buf (cap >= 3 + 21 a
 * row); returns the length. Digits from the end: no printf per id, the
 * window may be large. */
static size_t ids_text(const int64_t *ids, size_t n, char *buf)
{
	size_t o = 0;

	buf[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		char t[24];
		size_t k = sizeof(t);
		uint64_t v = ids[i] < 0 ? 0 : (uint64_t)ids[i];

		do
			t[--k] = (char)('0' + v % 10);
		while ((v /= 10) && k > 1);
		if (i)
			t[--k] = ',';
		memcpy(buf + o, t + k, sizeof(t) - k);
		o += sizeof(t) - k;
	}
	buf[o++] = '}';
	buf[o] = '\0';
	return o;
}

int ddns_store_due(struct ddns *d, size_t max, const int64_t *busy, size_t n_busy, ddns_due_cb cb)
{
	char *ids = malloc(3 + n_busy * 21), lim[24];
	const char *v[2] = {ids, lim};
	struct due *q = calloc(1, sizeof(*q));
	int err = CH_ENOMEM;

	if (!ids || !q)
		goto fail;
	ids_text(busy, n_busy, ids);
	snprintf(lim, sizeof(lim), "%zu", max);
	q->d = d;
	q->cb = cb;
	done_flush(d);  /* before the read: a finished row must not come back, */
	retry_flush(d); /* nor a returned one before its backoff */
	err = db_query(d->db, ST_DUE, v, NULL, NULL, on_due, q);
	if (!err)
		err = db_sync(d->db, on_due_sync, q); /* commits the finished rows before it too */
	if (!err)
		unsynced = false;
	if (err)
		goto fail;
	free(ids);
	return 0;
fail:
	free(ids);
	free(q);
	return err ? err : CH_EDB;
}

/* ---- finishing ---- */

/* Rows finished since the last statement: they go as one (ST_DONE) before
 * the loop sleeps, and before any read of the outbox, which must not find
 * them again. */
struct fin {
	int64_t id;
	bool fwd, rev;
	const char *conflict; /* a literal of ddns_outbox.c, or NULL */
};
static struct fin *fins;
static size_t n_fins, cap_fins;

/* Appends v to the array text in *buf: {a,b,...} */
static int arr_add(char **buf, size_t *len, size_t *cap, const char *v)
{
	size_t n = strlen(v) + 2;
	char sep = *len ? ',' : '{';

	if (*len + n + 2 > *cap) {
		size_t c = (*len + n + 2) * 2;
		char *b = realloc(*buf, c);

		if (!b)
			return CH_ENOMEM;
		*buf = b;
		*cap = c;
	}
	(*buf)[(*len)++] = sep;
	memcpy(*buf + *len, v, n - 1); /* with its NUL */
	*len += n - 2;
	return 0;
}

/* Closes the four array texts a[] (arr_add) and queues stmt with them. */
static int arrays_send(struct ddns *d, size_t stmt, char *a[4], const size_t len[4])
{
	int err;

	for (int k = 0; k < 4; k++) {
		char *b = realloc(a[k], len[k] + 2); /* never empty: one row at least */

		if (!b)
			return CH_ENOMEM;
		a[k] = b;
		memcpy(a[k] + len[k], "}", 2);
	}
	err = db_query(d->db, stmt, (const char *const *)a, NULL, NULL, NULL, NULL);
	unsynced |= err == 0;
	return err;
}

static void done_flush(struct ddns *d)
{
	char *a[4] = {NULL};
	size_t len[4] = {0}, cap[4] = {0};
	int err = 0;

	if (!n_fins)
		return;
	for (size_t i = 0; i < n_fins && !err; i++) {
		char id[24], why[320];

		snprintf(id, sizeof(id), "%" PRId64, fins[i].id);
		/* the reasons are our own literals: no quote or backslash in them */
		if (fins[i].conflict)
			snprintf(why, sizeof(why), "\"%s\"", fins[i].conflict);
		err = arr_add(&a[0], &len[0], &cap[0], id) |
		      arr_add(&a[1], &len[1], &cap[1], fins[i].fwd ? "t" : "f") |
		      arr_add(&a[2], &len[2], &cap[2], fins[i].rev ? "t" : "f") |
		      arr_add(&a[3], &len[3], &cap[3], fins[i].conflict ? why : "NULL");
	}
	if (!err)
		err = arrays_send(d, ST_DONE, a, len);
	if (err)
		log_warning("%zu finished rows not recorded (%s): they are done again later",
		            n_fins, ch_strerror(err));
	n_fins = 0;
	for (int k = 0; k < 4; k++)
		free(a[k]);
}

void ddns_store_flush(struct ddns *d)
{
	if (d->db && db_ready(d->db)) {
		done_flush(d);
		retry_flush(d);
	}
	if (unsynced && d->db && db_ready(d->db))
		db_sync(d->db, NULL, NULL);
	unsynced = false;
}

int ddns_store_done(struct ddns *d, const struct ddns_row *r, bool fwd, bool rev,
                    const char *conflict)
{
	if (!d->db || !db_ready(d->db))
		return CH_EDB;
	if (n_fins == cap_fins) {
		size_t c = cap_fins ? 2 * cap_fins : 64;
		struct fin *f = realloc(fins, c * sizeof(*f));

		if (!f)
			return CH_ENOMEM;
		fins = f;
		cap_fins = c;
	}
	fins[n_fins++] = (struct fin){.id = r->id, .fwd = fwd, .rev = rev, .conflict = conflict};
	return 0;
}

/* Rows returned since the last statement: like the finished ones, one
 * statement (ST_RETRY) before the loop sleeps or the outbox is read. */
struct back {
	int64_t id;
	uint64_t ms;
	bool permanent;
	char *why; /* owned */
};
static struct back *backs;
static size_t n_backs, cap_backs;

int ddns_store_retry(struct ddns *d, const struct ddns_row *r, uint64_t delay_ms, const char *why,
                     bool permanent)
{
	char *w;

	if (!d->db || !db_ready(d->db))
		return CH_EDB;
	if (n_backs == cap_backs) {
		size_t c = cap_backs ? 2 * cap_backs : 64;
		struct back *b = realloc(backs, c * sizeof(*b));

		if (!b)
			return CH_ENOMEM;
		backs = b;
		cap_backs = c;
	}
	if (!(w = strdup(why)))
		return CH_ENOMEM;
	backs[n_backs++] =
	    (struct back){.id = r->id, .ms = delay_ms, .permanent = permanent, .why = w};
	return 0;
}

/* why as an element of an array text: quoted, with " and \ escaped. */
static char *arr_quote(const char *why)
{
	char *q = malloc(2 * strlen(why) + 3), *o = q;

	if (!q)
		return NULL;
	*o++ = '"';
	for (const char *c = why; *c; c++) {
		if (*c == '"' || *c == '\\')
			*o++ = '\\';
		*o++ = *c;
	}
	memcpy(o, "\"", 2);
	return q;
}

static void backs_clear(void)
{
	for (size_t i = 0; i < n_backs; i++)
		free(backs[i].why);
	n_backs = 0;
}

static void retry_flush(struct ddns *d)
{
	char *a[4] = {NULL};
	size_t len[4] = {0}, cap[4] = {0};
	int err = 0;

	if (!n_backs)
		return;
	for (size_t i = 0; i < n_backs && !err; i++) {
		char id[24], ms[24], *why = arr_quote(backs[i].why);

		snprintf(id, sizeof(id), "%" PRId64, backs[i].id);
		snprintf(ms, sizeof(ms), "%" PRIu64, backs[i].ms);
		err = !why ? CH_ENOMEM
		           : arr_add(&a[0], &len[0], &cap[0], id) |
		                 arr_add(&a[1], &len[1], &cap[1], ms) |
		                 arr_add(&a[2], &len[2], &cap[2], why) |
		                 arr_add(&a[3], &len[3], &cap[3], backs[i].permanent ? "t" : "f");
		free(why);
	}
	if (!err)
		err = arrays_send(d, ST_RETRY, a, len);
	if (err)
		log_warning("%zu returned rows not recorded (%s): they are tried again without "
		            "their backoff",
		            n_backs, ch_strerror(err));
	backs_clear();
	for (int k = 0; k < 4; k++)
		free(a[k]);
}

/* ---- counters ---- */

static struct ddns_stats flushed, sending;
static bool stats_busy;

static void on_stats(struct db *db, int err, void *arg)
{
	struct ddns *d = arg;

	(void)db;
	stats_busy = false;
	if (!err)
		flushed = sending;
	if (d->stopping && !d->n_jobs)
		evl_stop(d->l); /* SIGTERM waited for this commit */
}

bool ddns_store_busy(const struct ddns *d)
{
	(void)d;
	return stats_busy;
}

#define CNT(name, field)                                                                           \
	{                                                                                          \
		name, offsetof(struct ddns_stats, field)                                           \
	}
static const struct {
	const char *name;
	size_t off;
} cnt[] = {
    CNT("updates-sent", sent),        CNT("updates-tcp", tcp),
    CNT("rows-done", done),           CNT("conflicts", conflicts),
    CNT("retries", retries),          CNT("permanent-failures", permanent),
    CNT("timeouts", timeouts),        CNT("untrusted-answers", untrusted),
    CNT("prefixes-skipped", skipped), CNT("batches-split", splits),
};

static uint64_t cnt_get(const struct ddns_stats *s, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

static void stats_arrays(char *names, size_t nc, char *vals, size_t vc)
{
	size_t a = 0, b = 0, k = 0;

	for (size_t i = 0; i < sizeof(cnt) / sizeof(cnt[0]); i++, k++) {
		a += (size_t)snprintf(names + a, nc - a, "%s%s", k ? "," : "{", cnt[i].name);
		b +=
		    (size_t)snprintf(vals + b, vc - b, "%s%" PRIu64, k ? "," : "{",
		                     cnt_get(&sending, cnt[i].off) - cnt_get(&flushed, cnt[i].off));
	}
	for (int i = 0; i < 16; i++, k++) {
		a += (size_t)snprintf(names + a, nc - a, ",rcode-%d", i);
		b += (size_t)snprintf(vals + b, vc - b, ",%" PRIu64,
		                      sending.rcode[i] - flushed.rcode[i]);
	}
	snprintf(names + a, nc - a, "}");
	snprintf(vals + b, vc - b, "}");
}

void ddns_store_stats(struct ddns *d)
{
	char names[1024], vals[1024], pid[16], started[24], host[256] = "", detail[64],
	                                                    errors[2048];
	const char *v[2] = {names, vals},
	           *bv[5] = {pid, host, started, detail, log_errors_json(errors, sizeof(errors))};

	if (!d->db || !db_ready(d->db) || stats_busy)
		return;
	sending = d->st;
	stats_arrays(names, sizeof(names), vals, sizeof(vals));
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(started, sizeof(started), "%" PRId64, d->started_at);
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	snprintf(detail, sizeof(detail), "{\"in_flight\": %zu}", d->n_jobs);
	done_flush(d);
	retry_flush(d);
	if (db_query(d->db, ST_STATS, v, NULL, NULL, NULL, NULL) == 0 &&
	    db_query(d->db, ST_GAUGES, NULL, NULL, NULL, NULL, NULL) == 0 &&
	    db_query(d->db, ST_BEAT, bv, NULL, NULL, NULL, NULL) == 0 &&
	    db_sync(d->db, on_stats, d) == 0)
		stats_busy = true;
}

/* ---- the connection ---- */

static void on_state(struct db *db, enum db_state st, const char *why, void *arg)
{
	struct ddns *d = arg;

	(void)db;
	if (st == DB_DOWN) {
		if (d->db_up)
			log_notice("database lost (%s): updates wait until it is back", why);
		else
			log_warning("database unreachable: %s", why ? why : "");
		d->db_up = false;
		d->due_busy = false;
		n_fins = 0; /* not recorded: done again once it is back */
		backs_clear();
		return;
	}
	if (st != DB_READY)
		return;
	d->db_up = true;
	log_notice("database ready: working the outbox of schema %s", d->conf->instance.schema);
	wake(d);
}

static void on_notify(struct db *db, const char *channel, const char *payload, void *arg)
{
	struct ddns *d = arg;

	(void)db;
	(void)channel;
	/* instances in one database share the channel; the payload is the schema */
	if (payload && strcmp(payload, d->conf->instance.schema) == 0)
		wake(d);
}

int ddns_store_open(struct ddns *d, ddns_wake_cb on_work)
{
	static const char *const channels[] = {"chorus_ddns", NULL};
	const struct conf_instance *in = &d->conf->instance;
	struct db_cfg cfg = {
	    .conninfo = in->ddns_conninfo[0] ? in->ddns_conninfo : in->conninfo,
	    .schema = in->schema,
	    .schema_version = CHORUS_SCHEMA_VERSION,
	    .stmts = ddns_stmts,
	    .n_stmts = ST_MAX,
	    .listen = channels,
	    .backoff_min_ms = 100,
	    .backoff_max_ms = 5000,
	    .on_state = on_state,
	    .on_notify = on_notify,
	    .arg = d,
	};
	int err;

	wake = on_work;
	d->started_at = (int64_t)time(NULL);
	err = db_new(d->l, &cfg, &d->db);
	if (err)
		return err;
	db_start(d->db);
	return 0;
}

void ddns_store_close(struct ddns *d)
{
	free(fins);
	fins = NULL;
	free(rows_buf);
	rows_buf = NULL;
	rows_cap = 0;
	n_fins = cap_fins = 0;
	backs_clear();
	free(backs);
	backs = NULL;
	cap_backs = 0;
	db_free(d->db);
	d->db = NULL;
}
