/*
 * Bulk leasequery connections (RFC 5460 §5, §6). Frames are u16 msg-size
 * then the message (lib/d6_lq.c); a frame is consumed only when whole and
 * when the previous query is done, so queries are answered in order and
 * the input buffer bounds what a requestor can make us hold. Output grows
 * by at most one page of bindings past OUT_HIGH: above it the stream asks
 * for no further page until the socket drains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "d6_lq.h"
#include "log.h"
#include "lq_net.h"
#include "lq_query.h"
#include "lq_reply.h"
#include "lq_store.h"
#include "lq_tcp.h"

#define IN_CAP   (2 + LQ_MAX_QUERY)
#define OUT_HIGH (64 * 1024)
#define SWEEP_MS 250

struct lq_stream {
	struct lq_req q;
	bool active;
	bool db_busy;
	bool terminated; /* QueryTerminated sent: ignore what the database says */
	bool sent_reply;
	bool paged;
	bool paused; /* a page is due but the socket is full */
	uint8_t after_duid[D6_DUID_MAX_LEN];
	size_t after_len;
	struct lq_client acc; /* the client being gathered */
	uint64_t n_clients;
};

struct lq_conn {
	struct lq_conn *next;
	struct lq *lq;
	int fd;
	struct in6_addr peer;
	uint16_t port;
	char name[ADDR6_STRLEN + 8];
	uint8_t in[IN_CAP];
	size_t in_len;
	bool in_eof;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	uint32_t watched;
	uint64_t last_io;
	uint64_t rate_timer;
	bool closing; /* close once the output is written */
	bool dead;    /* closed; freed when the database answers */
	struct lq_stream st;
};

static uint64_t sweep_timer;
static struct lq_conn *reap; /* closed connections, freed before the loop sleeps */

static void conn_advance(struct lq_conn *c);
static void conn_flush(struct lq_conn *c);
static void stream_next_page(struct lq_conn *c);

static void on_conn(struct evl *l, int fd, uint32_t events, void *arg);
static void conn_log(const struct lq_conn *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void conn_log(const struct lq_conn *c, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(level, "bulk leasequery %s: %s", c->name, line);
}

/* ---- lifetime ---- */

static void acc_clear(struct lq_stream *s)
{
	for (size_t i = 0; i < s->acc.n; i++)
		lq_bind_clear(&s->acc.row[i]);
	s->acc.n = 0;
}

static void conn_free(struct lq_conn *c)
{
	acc_clear(&c->st);
	free(c->out);
	free(c);
}

static void conn_unlink(struct lq_conn *c)
{
	struct lq_conn **p = &c->lq->conns;

	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
	c->lq->n_conns--;
}

static void conn_close(struct lq_conn *c)
{
	if (c->dead)
		return;
	evl_unwatch(c->lq->l, c->fd);
	lq_net_close(c->fd);
	if (c->rate_timer)
		evl_timer_cancel(c->lq->l, c->rate_timer);
	conn_unlink(c);
	conn_log(c, LOG_DEBUG, "closed");
	/* never freed inside a callback that may still hold it (STYLE.md §6) */
	c->dead = true;
	c->next = reap;
	reap = c;
}

void lq_tcp_reap(struct lq *lq)
{
	struct lq_conn **p = &reap;

	(void)lq;
	while (*p) {
		struct lq_conn *c = *p;

		if (c->st.db_busy) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		conn_free(c);
	}
}

static void conn_watch(struct lq_conn *c)
{
	uint32_t ev = 0;

	if (c->dead)
		return;
	if (c->in_len < IN_CAP && !c->in_eof && !c->closing)
		ev |= EPOLLIN;
	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (ev != c->watched) {
		evl_watch(c->lq->l, c->fd, ev, on_conn, c);
		c->watched = ev;
	}
}

/* ---- output ---- */

static int out_room(struct lq_conn *c, size_t need)
{
	uint8_t *p;
	size_t cap;

	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_cap - c->out_len >= need)
		return 0;
	cap = c->out_cap ? c->out_cap : 65536;
	while (cap - c->out_len < need)
		cap *= 2;
	if (!(p = realloc(c->out, cap)))
		return CH_ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* Opens a frame: the message is written into *w; frame_end closes it. */
static int frame_begin(struct lq_conn *c, struct wire_wr *w)
{
	if (out_room(c, 2 + 65535) < 0)
		return CH_ENOMEM;
	*w = wire_wr_init(c->out + c->out_len + 2, 65535);
	return 0;
}

static void frame_end(struct lq_conn *c, const struct wire_wr *w)
{
	if (w->err) {
		conn_log(c, LOG_WARNING, "a message of query %06x does not fit a frame, left out",
		         c->st.q.xid);
		return;
	}
	c->out[c->out_len] = (uint8_t)(w->len >> 8);
	c->out[c->out_len + 1] = (uint8_t)w->len;
	c->out_len += 2 + w->len;
}

/* A LEASEQUERY-REPLY (first message) or -DONE (after data) with a status. */
static void send_status(struct lq_conn *c, uint8_t type, uint16_t code, const char *text)
{
	struct wire_wr w;

	if (frame_begin(c, &w) < 0)
		return;
	lq_reply_head(&w, type, c->st.q.xid);
	if (type == D6_MSG_LQ_REPLY)
		lq_reply_ids(&w, c->lq->duid, c->lq->duid_len, &c->st.q);
	if (code != D6_STATUS_SUCCESS || text)
		lq_reply_status(&w, code, text ? text : d6_status_name(code));
	frame_end(c, &w);
}

/* One CLIENT_DATA message: the first rides in the REPLY, the others in
 * DATA (RFC 5460 §6.2). */
static void emit_one(struct lq_conn *c, const struct lq_client *one)
{
	struct lq_stream *s = &c->st;
	struct wire_wr w;

	if (frame_begin(c, &w) < 0)
		return;
	lq_reply_head(&w, s->sent_reply ? D6_MSG_LQ_DATA : D6_MSG_LQ_REPLY, s->q.xid);
	if (!s->sent_reply)
		lq_reply_ids(&w, c->lq->duid, c->lq->duid_len, &s->q);
	lq_reply_client_data(&w, one, &s->q.want, true);
	frame_end(c, &w);
	s->sent_reply = true;
	s->n_clients++;
	lq_count(c->lq, LQ_CNT_BINDINGS);
}

/* The gathered client: one CLIENT_DATA per link it has bindings on
 * (CLIENT_DATA is one client on one link, RFC 5007 §4.1.2.2). */
static void emit_client(struct lq_conn *c)
{
	static struct lq_client one;
	struct lq_client *a = &c->st.acc;
	bool done[LQ_CLIENT_ROWS] = {false};

	for (size_t i = 0; i < a->n; i++) {
		if (done[i])
			continue;
		one.n = 0;
		for (size_t k = i; k < a->n; k++) {
			if (!done[k] && a->row[k].subnet == a->row[i].subnet) {
				one.row[one.n++] = a->row[k]; /* a view: acc keeps ownership */
				done[k] = true;
			}
		}
		emit_one(c, &one);
	}
	acc_clear(&c->st);
}

static void conn_flush(struct lq_conn *c)
{
	while (!c->dead && c->out_len > c->out_off) {
		ssize_t n = lq_net_write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n < 0) {
			conn_log(c, LOG_INFO, "write failed: %s", strerror((int)-n));
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
		c->last_io = evl_now(c->lq->l);
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->closing && !c->out_len && !c->st.active) {
		conn_close(c);
		return;
	}
	if (c->st.paused && !c->st.db_busy && c->out_len - c->out_off < OUT_HIGH) {
		c->st.paused = false;
		stream_next_page(c);
	}
	conn_watch(c);
}

/* ---- streams ---- */

static void stream_done(struct lq_conn *c)
{
	struct lq_stream *s = &c->st;

	emit_client(c);
	if (s->sent_reply) {
		/* RFC 5460 §6.2: a successful DONE SHOULD NOT carry options, but
		 * Wireshark 4.0 calls an option-less DONE on TCP malformed (its bulk
		 * dissector wants an option; over UDP the same message decodes); a
		 * Success status is what Dibbler sends (Kea sends none) */
		send_status(c, D6_MSG_LQ_DONE, D6_STATUS_SUCCESS, "done");
		lq_count(c->lq, LQ_CNT_REPLY_DATA);
	} else {
		/* RFC 5460 §6.2: no binding: a REPLY without status or data */
		send_status(c, D6_MSG_LQ_REPLY, D6_STATUS_SUCCESS, NULL);
		lq_count(c->lq, LQ_CNT_REPLY_EMPTY);
	}
	conn_log(c, LOG_DEBUG, "query %06x (%s): %llu clients", s->q.xid,
	         d6_lq_query_name(s->q.qtype), (unsigned long long)s->n_clients);
	s->active = false;
	c->last_io = evl_now(c->lq->l);
}

/* The database failed the query (or went away). */
static void stream_failed(struct lq_conn *c)
{
	struct lq_stream *s = &c->st;

	lq_count(c->lq, LQ_CNT_DB_FAILED);
	acc_clear(s);
	if (s->sent_reply)
		send_status(c, D6_MSG_LQ_DONE, D6_STATUS_QUERYTERMINATED,
		            "the lease database failed");
	else
		send_status(c, D6_MSG_LQ_REPLY, D6_STATUS_UNSPECFAIL,
		            "the lease database is unavailable");
	s->active = false;
}

/* One row into the client being gathered; a new client emits the last. */
static void stream_feed(struct lq_conn *c, struct lq_bind *b)
{
	struct lq_client *a = &c->st.acc;

	if (a->n && (a->row[0].duid_len != b->duid_len ||
	             memcmp(a->row[0].duid, b->duid, b->duid_len) != 0))
		emit_client(c);
	if (a->n < LQ_CLIENT_ROWS)
		lq_bind_move(&a->row[a->n++], b);
	else
		lq_bind_clear(b);
}

/* The database answered for c. Returns false when c must not be touched. */
static bool stream_db_back(struct lq_conn *c)
{
	c->st.db_busy = false;
	return !c->dead && !c->st.terminated;
}

static void on_lookup(struct db *d, const PGresult *res, int err, void *arg)
{
	struct lq_conn *c = arg;

	(void)d;
	if (!stream_db_back(c))
		return;
	if (err) {
		stream_failed(c);
	} else {
		/* BY_CLIENTID over TCP: a CLIENT_DATA per link, in REPLY then DATA */
		for (int i = 0; i < PQntuples(res); i++) {
			struct lq_bind b;

			if (lq_store_row(res, i, &b) == 0)
				stream_feed(c, &b);
		}
		stream_done(c);
	}
	conn_flush(c);
	conn_advance(c);
}

/* Where a full page's rows stop: before its last client, which the page
 * may have cut short and the next page reads again whole (unless that
 * client fills the page alone). Sets the key of the next page. */
static int page_cut(struct lq_stream *s, const PGresult *res, int n)
{
	int cut = n - 1, len;

	while (cut > 0 && lq_store_same_client(res, cut - 1, n - 1))
		cut--;
	if (cut == 0)
		cut = n;
	len = lq_store_row_duid(res, cut - 1, s->after_duid, sizeof(s->after_duid));
	if (len <= 0)
		return -1;
	s->after_len = (size_t)len;
	return cut;
}

/* A page of a bulk stream. The next page is asked for before this one is
 * turned into frames, so the database and we work at the same time; it
 * waits while the output is above OUT_HIGH (the socket is full). */
static void on_page(struct db *d, const PGresult *res, int err, void *arg)
{
	struct lq_conn *c = arg;
	struct lq_stream *s = &c->st;
	int n, cut;

	(void)d;
	if (!stream_db_back(c))
		return;
	if (err) {
		stream_failed(c);
		conn_flush(c);
		conn_advance(c);
		return;
	}
	n = PQntuples(res);
	cut = n == LQ_PAGE_ROWS ? page_cut(s, res, n) : n;
	if (cut < 0) {
		stream_failed(c);
		conn_flush(c);
		return;
	}
	if (n == LQ_PAGE_ROWS) {
		if (c->out_len - c->out_off < OUT_HIGH) {
			stream_next_page(c);
			/* on its way now, not when the loop sleeps after this page */
			lq_store_flush(c->lq);
		} else {
			s->paused = true;
		}
	}
	for (int i = 0; i < cut; i++) {
		struct lq_bind b;

		if (lq_store_row(res, i, &b) == 0)
			stream_feed(c, &b);
	}
	if (n < LQ_PAGE_ROWS) {
		stream_done(c);
		conn_flush(c);
		conn_advance(c);
		return;
	}
	conn_flush(c); /* resumes a paused stream once the socket takes it */
}

static void stream_next_page(struct lq_conn *c)
{
	struct lq_stream *s = &c->st;

	if (lq_store_page(c->lq, &s->q, s->after_duid, s->after_len, on_page, c) < 0) {
		stream_failed(c);
		return;
	}
	s->db_busy = true;
}

/* Starts the query in the frame msg. Returns false to close the connection. */
static bool stream_start(struct lq_conn *c, const uint8_t *msg, size_t len)
{
	struct lq *lq = c->lq;
	struct lq_stream *s = &c->st;
	int st;

	memset(s, 0, offsetof(struct lq_stream, acc));
	s->acc.n = 0;
	st = lq_query_parse(msg, len, true, lq->conf, lq->duid, lq->duid_len, &s->q);
	lq_count(lq, LQ_CNT_TCP_QUERIES);
	if (st == LQ_Q_DROP) {
		conn_log(c, LOG_INFO, "a message that is no valid LEASEQUERY, closing");
		lq_count(lq, LQ_CNT_DROPPED);
		return false;
	}
	lq_count_qtype(lq, s->q.qtype);
	s->active = true;
	if (st != LQ_Q_STORE) {
		send_status(c, D6_MSG_LQ_REPLY, (uint16_t)st, NULL);
		lq_count(lq, st == D6_STATUS_UNKNOWNQUERYTYPE ? LQ_CNT_UNKNOWN_QTYPE
		             : st == D6_STATUS_MALFORMEDQUERY ? LQ_CNT_MALFORMED
		             : st == D6_STATUS_NOTCONFIGURED  ? LQ_CNT_NOT_CONFIGURED
		                                              : LQ_CNT_NOT_ALLOWED);
		s->active = false;
		return true;
	}
	s->paged = d6_lq_is_bulk_query(s->q.qtype);
	if (s->paged) {
		stream_next_page(c);
	} else if (lq_store_lookup(lq, &s->q, on_lookup, c) == 0) {
		s->db_busy = true;
	} else {
		stream_failed(c);
	}
	return true;
}

static void on_rate(struct evl *l, uint64_t id, void *arg)
{
	struct lq_conn *c = arg;

	(void)l;
	(void)id;
	c->rate_timer = 0;
	conn_advance(c);
}

/* Starts the next whole frame if no query runs; closes on broken framing. */
static void conn_advance(struct lq_conn *c)
{
	struct lq *lq = c->lq;

	while (!c->dead && !c->st.active && !c->closing && !c->rate_timer) {
		int f = d6_lq_frame(c->in, c->in_len);
		uint64_t wait;

		if (f >= 0 && c->in_len >= 2 && ((size_t)c->in[0] << 8 | c->in[1]) > LQ_MAX_QUERY)
			f = CH_EMALFORMED;
		if (f < 0) {
			conn_log(c, LOG_INFO, "broken framing (msg-size %u), closing",
			         (unsigned)(c->in[0] << 8 | c->in[1]));
			lq_count(lq, LQ_CNT_CONN_BAD);
			conn_close(c);
			return;
		}
		if (f == D6_LQ_FRAME_NEED) {
			if (c->in_eof)
				c->closing = true;
			break;
		}
		wait = lq_rate_wait(lq->rate, &lq->conf->leasequery, &c->peer, evl_now(lq->l));
		if (wait) {
			lq_count(lq, LQ_CNT_RATE_LIMITED);
			c->rate_timer = evl_timer(lq->l, wait, on_rate, c);
			break;
		}
		lq_rate_take(lq->rate, &lq->conf->leasequery, &c->peer, evl_now(lq->l));
		if (!stream_start(c, c->in + 2, (size_t)f - 2)) {
			conn_close(c);
			return;
		}
		memmove(c->in, c->in + f, c->in_len - (size_t)f);
		c->in_len -= (size_t)f;
	}
	if (!c->dead)
		conn_flush(c);
}

static void conn_read(struct lq_conn *c)
{
	while (c->in_len < IN_CAP && !c->in_eof) {
		ssize_t n = lq_net_read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n < 0) {
			conn_close(c);
			return;
		}
		if (n == 0) {
			c->in_eof = true;
			break;
		}
		c->in_len += (size_t)n;
		c->last_io = evl_now(c->lq->l);
	}
	conn_advance(c);
}

static void on_conn(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct lq_conn *c = arg;

	(void)l;
	(void)fd;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		conn_close(c);
		return;
	}
	if (events & EPOLLOUT)
		conn_flush(c);
	if (!c->dead && (events & EPOLLIN))
		conn_read(c);
}

/* ---- listener ---- */

static size_t per_requestor(const struct lq *lq, const struct in6_addr *a)
{
	size_t n = 0;

	for (const struct lq_conn *c = lq->conns; c; c = c->next)
		n += addr6_eq(&c->peer, a);
	return n;
}

/* RFC 5460 §5: limit connections; only authorised requestors. */
static bool admit(struct lq *lq, const struct in6_addr *peer, const char *name)
{
	const struct conf_leasequery *cf = &lq->conf->leasequery;

	if (!lq_acl_allowed(cf, peer)) {
		log_info("bulk leasequery from %s: not in leasequery.requesters, closed", name);
		lq_count(lq, LQ_CNT_CONN_DENIED);
		return false;
	}
	if (lq->n_conns >= cf->max_connections ||
	    per_requestor(lq, peer) >= cf->max_per_requestor) {
		log_info("bulk leasequery from %s: over the connection limit, closed", name);
		lq_count(lq, LQ_CNT_CONN_REFUSED);
		return false;
	}
	return true;
}

static void conn_new(struct lq *lq, int fd, const struct in6_addr *peer, uint16_t port)
{
	struct lq_conn *c = calloc(1, sizeof(*c));
	char a[ADDR6_STRLEN];

	addr6_ntop(peer, a, sizeof(a));
	if (!c) {
		lq_net_close(fd);
		return;
	}
	c->lq = lq;
	c->fd = fd;
	c->peer = *peer;
	c->port = port;
	snprintf(c->name, sizeof(c->name), "[%s]:%u", a, port);
	if (lq->stopping || !admit(lq, peer, c->name)) {
		lq_net_close(fd);
		free(c);
		return;
	}
	c->last_io = evl_now(lq->l);
	c->next = lq->conns;
	lq->conns = c;
	lq->n_conns++;
	lq_count(lq, LQ_CNT_CONN_ACCEPTED);
	c->watched = EPOLLIN;
	evl_watch(lq->l, fd, EPOLLIN, on_conn, c);
	conn_log(c, LOG_DEBUG, "connected");
}

static void on_accept(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct in6_addr peer;
		uint16_t port;
		int c = lq_net_tcp_accept(fd, &peer, &port);

		if (c < 0)
			return;
		conn_new(lq, c, &peer, port);
	}
}

/* Closes idle connections and those whose reader stopped reading. */
static void on_sweep(struct evl *l, uint64_t id, void *arg)
{
	struct lq *lq = arg;
	uint64_t now = evl_now(l), idle = (uint64_t)lq->conf->leasequery.idle_timeout * 1000;
	struct lq_conn *c = lq->conns, *next;

	(void)id;
	for (; c; c = next) {
		next = c->next;
		if (now - c->last_io < idle || (c->st.db_busy && c->out_len == c->out_off))
			continue;
		if (c->out_len > c->out_off) {
			conn_log(c, LOG_INFO, "the requestor stopped reading, dropped");
			lq_count(lq, LQ_CNT_CONN_STALLED);
		} else {
			conn_log(c, LOG_DEBUG, "idle for %u s, closed",
			         lq->conf->leasequery.idle_timeout);
			lq_count(lq, LQ_CNT_CONN_IDLE);
		}
		conn_close(c);
	}
	sweep_timer = evl_timer(l, SWEEP_MS, on_sweep, lq);
}

int lq_tcp_open(struct lq *lq)
{
	int fd = lq_net_tcp_listen(&lq->conf->leasequery.bulk_address, lq->port);

	lq->tcp_fd = fd;
	if (fd < 0)
		return fd;
	sweep_timer = evl_timer(lq->l, SWEEP_MS, on_sweep, lq);
	return evl_watch(lq->l, fd, EPOLLIN, on_accept, lq);
}

bool lq_tcp_flushed(const struct lq *lq)
{
	for (const struct lq_conn *c = lq->conns; c; c = c->next) {
		if (c->out_len > c->out_off)
			return false;
	}
	return true;
}

bool lq_tcp_stop(struct lq *lq)
{
	struct lq_conn *c = lq->conns, *next;

	if (lq->tcp_fd >= 0) {
		evl_unwatch(lq->l, lq->tcp_fd);
		lq_net_close(lq->tcp_fd);
		lq->tcp_fd = -1;
	}
	for (; c; c = next) {
		next = c->next;
		if (c->st.active) {
			/* RFC 5460 §6.2: an abandoned query ends with QueryTerminated */
			acc_clear(&c->st);
			send_status(c, c->st.sent_reply ? D6_MSG_LQ_DONE : D6_MSG_LQ_REPLY,
			            D6_STATUS_QUERYTERMINATED, "the server is shutting down");
			c->st.terminated = true;
			c->st.active = false;
			lq_count(lq, LQ_CNT_TERMINATED);
		}
		c->closing = true;
		conn_flush(c);
	}
	return lq_tcp_flushed(lq);
}

void lq_tcp_close(struct lq *lq)
{
	if (sweep_timer)
		evl_timer_cancel(lq->l, sweep_timer);
	sweep_timer = 0;
	if (lq->tcp_fd >= 0) {
		evl_unwatch(lq->l, lq->tcp_fd);
		lq_net_close(lq->tcp_fd);
		lq->tcp_fd = -1;
	}
	while (lq->conns)
		conn_close(lq->conns);
	for (struct lq_conn *c = reap; c; c = c->next)
		c->st.db_busy = false; /* the database is closed: nothing will answer */
	lq_tcp_reap(lq);
}
