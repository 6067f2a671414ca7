/*
 * The group commit of chorus-dhcp6d (see srv_store.h): the queues, the
 * flush before the loop sleeps, the sync that answers a batch, and the
 * counters' own segment. The commit groups are srv_store_group.c, the
 * connection and its startup reads srv_store_conn.c, the SQL
 * srv_store_sql.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "srv_health.h"
#include "srv_store.h"
#include "srv_store_group.h"
#include "srv_store_sql.h"

#define BATCH_MAX 1024 /* transactions per commit */
/* Longest wait of a queued transaction before newcomers are dropped. A
 * client retransmits after 1 s (RFC 8415 §7.6, REQ_TIMEOUT, REN_TIMEOUT):
 * queueing longer only answers clients that have moved on, while each
 * retransmission adds a transaction; the backlog then never drains. */
#define QUEUE_MAX_MS 1000
/* A commit group this large goes at once, whatever commit-delay-ms says. */
#define GROUP_DUE 256

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
			s->store_hooks->committed(s, t);
		}
		srv_txn_free(t);
	}
	maybe_stop(s);
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
		err = srv_store_group_txn(s, t);
	}
	if (!err)
		err = srv_store_group_close(s);
	else
		srv_store_group_reset();
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
