/*
 * The hand-off side of UDP leasequery: read a datagram, unwrap its relay
 * chain (RFC 8415 §19), decide (lq_query.c), look the bindings up, answer
 * with LEASEQUERY-REPLY (RFC 5007 §4.4) wrapped back through every relay,
 * sent out of the engine's own UDP socket when it passed us its sockets
 * (lq_direct.c), else handed back to the engine. A query read from one of
 * the engine's steered sockets is answered out of its sockets too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr6.h"
#include "d6_relay.h"
#include "log.h"
#include "lq_batch.h"
#include "lq_direct.h"
#include "lq_handoff.h"
#include "lq_local.h"
#include "lq_net.h"
#include "lq_query.h"
#include "lq_reply.h"
#include "lq_store.h"

#define RX_SLOTS     16   /* datagrams per read */
#define RX_BURST     64   /* datagrams read per wakeup */
#define MAX_INFLIGHT 1024 /* queries waiting for the database */
#define TX_MAX       64   /* answers handed back in one call */
#define TX_BUF       (256 * 1024)

/* One query between its datagram and its answer. */
struct lq_udp {
	struct lq *lq;
	struct sockaddr_un from;
	socklen_t fromlen;
	struct lq_handoff_hdr hdr;
	uint8_t *pkt; /* the payload, owned; chain points into it */
	size_t len;
	bool relayed;
	bool steered; /* read from a steered socket, not handed over */
	struct d6_relay_chain chain;
	struct lq_req q;
	struct lq_ask ask; /* BY_ADDRESS: its place in the batch queue */
};

static uint8_t rx[RX_SLOTS][LQ_HANDOFF_HDR_LEN + LQ_HANDOFF_MAX_DGRAM + 1];

/* The answers of this loop iteration, handed back together before it
 * sleeps (lq_local_flush): the answers of a batch leave in one call. A
 * unix datagram socket queues few datagrams (net.unix.max_dgram_qlen, 10
 * by default): what dhcp6d's full queue refuses waits in order, is tried
 * again every TX_RETRY_MS, and is dropped after TX_GIVEUP_MS. */
#define TX_RETRY_MS  1
#define TX_GIVEUP_MS 1000

static struct {
	uint8_t buf[TX_BUF];
	size_t used, head, n; /* o[head..n) wait */
	uint8_t hdr[TX_MAX][LQ_HANDOFF_HDR_LEN];
	struct sockaddr_un to[TX_MAX];
	struct lq_net_out o[TX_MAX];
	uint64_t timer;    /* the retry */
	uint64_t stuck_at; /* evl_now() of the first refusal, 0 */
} tx;

static void udp_free(struct lq_udp *u)
{
	if (u)
		free(u->pkt);
	free(u);
}

static void udp_log(const struct lq_udp *u, int level, const char *what)
{
	char a[ADDR6_STRLEN];
	struct in6_addr p;

	memcpy(&p, u->hdr.peer, 16);
	log_msg(level, "leasequery from [%s]:%u xid %06x: %s", addr6_ntop(&p, a, sizeof(a)),
	        u->hdr.port, u->q.xid, what);
}

static void on_tx_retry(struct evl *l, uint64_t id, void *arg)
{
	(void)l;
	(void)id;
	tx.timer = 0;
	lq_local_flush(arg);
}

/* dhcp6d's queue is full: wait for it, or give up on what waits. */
static void tx_wait(struct lq *lq)
{
	uint64_t now = evl_now(lq->l);

	if (!tx.stuck_at)
		tx.stuck_at = now;
	if (now - tx.stuck_at >= TX_GIVEUP_MS) {
		log_warning("chorus-dhcp6d takes no leasequery answers for %d ms: %zu dropped",
		            TX_GIVEUP_MS, tx.n - tx.head);
		tx.head = tx.n;
		return;
	}
	if (!tx.timer)
		tx.timer = evl_timer(lq->l, TX_RETRY_MS, on_tx_retry, lq);
}

void lq_local_flush(struct lq *lq)
{
	size_t failed = 0;
	int err, first = 0;

	lq_direct_flush(lq);
	/* closed at shutdown: what is left goes nowhere */
	while (lq->local_fd >= 0 && tx.head < tx.n) {
		tx.head +=
		    lq_net_local_send_many(lq->local_fd, tx.o + tx.head, tx.n - tx.head, &err);
		if (tx.head == tx.n || err == 0)
			continue;
		if (err == -EAGAIN) {
			tx_wait(lq);
			break;
		}
		failed++; /* o[head] cannot go (the engine is gone?): the others may */
		first = first ? first : err;
		tx.head++;
	}
	if (failed)
		log_warning("cannot hand %zu leasequery answers back to chorus-dhcp6d: %s", failed,
		            strerror(-first));
	if (tx.head < tx.n && lq->local_fd >= 0)
		return;
	tx.stuck_at = 0;
	tx.head = tx.n = tx.used = 0;
}

/* Queues one answer (header and msg are copied). */
static void tx_queue(struct lq_udp *u, const struct lq_handoff_hdr *h, const uint8_t *msg,
                     size_t len)
{
	size_t i;

	if (tx.n == TX_MAX || len > sizeof(tx.buf) - tx.used)
		lq_local_flush(u->lq);
	if (tx.n == TX_MAX || len > sizeof(tx.buf) - tx.used) {
		udp_log(u, LOG_WARNING, "chorus-dhcp6d takes no more answers now, dropped");
		return;
	}
	i = tx.n++;
	lq_handoff_put(tx.hdr[i], h);
	memcpy(tx.buf + tx.used, msg, len);
	tx.to[i] = u->from;
	tx.o[i] = (struct lq_net_out){tx.hdr[i], LQ_HANDOFF_HDR_LEN, tx.buf + tx.used,
	                              len,       &tx.to[i],          u->fromlen};
	tx.used += len;
}

/* Wraps msg through the relay chain (if any) and queues it: to leave out of
 * the engine's socket, or for the engine to send. */
static void udp_send(struct lq_udp *u, const uint8_t *msg, size_t len)
{
	static uint8_t out[LQ_HANDOFF_MAX_DGRAM];
	struct lq_handoff_hdr h = u->hdr;
	struct wire_wr w = wire_wr_init(out, sizeof(out));

	if (u->relayed) {
		if (d6_relay_build_reply(&u->chain, msg, len, &w) < 0) {
			udp_log(u, LOG_WARNING, "the answer does not fit its relay chain, dropped");
			return;
		}
		msg = out;
		len = w.len;
	}
	h.kind = LQ_HANDOFF_ANSWER;
	if (!u->steered && !lq_direct_for(&u->from, u->fromlen))
		tx_queue(u, &h, msg, len);
	else if (!lq_direct_queue(u->lq, &h, msg, len))
		udp_log(u, LOG_WARNING, "no room for the answer now, dropped");
}

static void count_status(struct lq *lq, int st)
{
	switch (st) {
	case D6_STATUS_UNKNOWNQUERYTYPE:
		lq_count(lq, LQ_CNT_UNKNOWN_QTYPE);
		break;
	case D6_STATUS_MALFORMEDQUERY:
		lq_count(lq, LQ_CNT_MALFORMED);
		break;
	case D6_STATUS_NOTCONFIGURED:
		lq_count(lq, LQ_CNT_NOT_CONFIGURED);
		break;
	case D6_STATUS_NOTALLOWED:
		lq_count(lq, LQ_CNT_NOT_ALLOWED);
		break;
	default:
		lq_count(lq, LQ_CNT_DB_FAILED);
		break;
	}
}

/* A LEASEQUERY-REPLY carrying only a status (RFC 5007 §4.4). */
static void udp_status(struct lq_udp *u, int st, const char *text)
{
	static uint8_t buf[1024];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	count_status(u->lq, st);
	lq_reply_head(&w, D6_MSG_LQ_REPLY, u->q.xid);
	lq_reply_ids(&w, u->lq->duid, u->lq->duid_len, &u->q);
	lq_reply_status(&w, (uint16_t)st, text);
	if (!w.err)
		udp_send(u, buf, w.len);
	udp_log(u, LOG_DEBUG, text);
}

/* The rows of a result that answer one question: idx[0..n), or with idx
 * NULL rows 0..n-1. */
struct udp_rows {
	const PGresult *res;
	const int *idx;
	size_t n;
};

static int row_at(const struct udp_rows *r, size_t k)
{
	return r->idx ? r->idx[k] : (int)k;
}

/* RFC 5007 §4.4.1: bindings on several links and no link-address given:
 * LQ_CLIENT_LINK and no client data. Returns true when it answered. */
static bool udp_client_link(struct lq_udp *u, const struct udp_rows *r, struct wire_wr *w)
{
	uint8_t links[LQ_CLIENT_ROWS * 16];
	size_t n = 0;
	uint32_t last = 0;

	if (u->q.qtype != LQ_QUERY_BY_CLIENTID || u->q.subnet)
		return false;
	for (size_t i = 0; i < r->n && n < LQ_CLIENT_ROWS; i++) {
		struct lq_bind b;

		if (lq_store_row(r->res, row_at(r, i), &b) < 0)
			continue;
		if (n == 0 || b.subnet != last)
			memcpy(links + 16 * n++, b.link, 16);
		last = b.subnet;
		lq_bind_clear(&b);
	}
	if (n < 2)
		return false;
	lq_reply_client_link(w, links, n);
	lq_count(u->lq, LQ_CNT_CLIENT_LINK);
	return true;
}

/* The rows of one client on one link (the first link of the result). */
static void udp_client_data(struct lq_udp *u, const struct udp_rows *r, struct wire_wr *w)
{
	static struct lq_client c;
	const struct lq_bind *rel;

	c.n = 0;
	for (size_t i = 0; i < r->n && c.n < LQ_CLIENT_ROWS; i++) {
		if (lq_store_row(r->res, row_at(r, i), &c.row[c.n]) < 0)
			continue;
		if (c.n && c.row[c.n].subnet != c.row[0].subnet) {
			lq_bind_clear(&c.row[c.n]);
			break;
		}
		c.n++;
	}
	if (!c.n) {
		lq_reply_status(w, D6_STATUS_SUCCESS, "no binding");
		lq_count(u->lq, LQ_CNT_REPLY_EMPTY);
		return;
	}
	lq_reply_client_data(w, &c, &u->q.want, false);
	/* RFC 5007 §4.4.2: only when asked, and only when we have it */
	if (u->q.want.relay_data && (rel = lq_client_relayed(&c)))
		lq_reply_relay_data(w, rel);
	lq_count(u->lq, LQ_CNT_REPLY_DATA);
	for (size_t i = 0; i < c.n; i++)
		lq_bind_clear(&c.row[i]);
}

/* Answers u from its rows (or UnspecFail after err) and frees it. */
static void udp_answer(struct lq_udp *u, const struct udp_rows *r, int err)
{
	static uint8_t buf[LQ_HANDOFF_MAX_DGRAM];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf) - 4096); /* room for the relay layers */

	u->lq->udp_inflight--;
	if (err) {
		udp_status(u, D6_STATUS_UNSPECFAIL, "the lease database is unavailable");
		udp_free(u);
		return;
	}
	lq_reply_head(&w, D6_MSG_LQ_REPLY, u->q.xid);
	lq_reply_ids(&w, u->lq->duid, u->lq->duid_len, &u->q);
	if (!udp_client_link(u, r, &w))
		udp_client_data(u, r, &w);
	if (w.err)
		udp_status(u, D6_STATUS_UNSPECFAIL, "the answer does not fit a datagram");
	else
		udp_send(u, buf, w.len);
	udp_free(u);
}

/* A lookup of its own (BY_CLIENTID): every row is u's. */
static void on_rows(struct db *d, const PGresult *res, int err, void *arg)
{
	struct udp_rows r = {res, NULL, res ? (size_t)PQntuples(res) : 0};

	(void)d;
	udp_answer(arg, &r, err);
}

/* A question of a batch (BY_ADDRESS, lq_batch.c). */
static void on_ask(struct lq *lq, const PGresult *res, const int *rows, size_t n, int err,
                   void *arg)
{
	struct udp_rows r = {res, rows, n};

	(void)lq;
	udp_answer(arg, &r, err);
}

/* Requestor access (RFC 5007 §5): the source, and for a relayed query the
 * requestor behind the relays too. */
static bool udp_allowed(const struct lq_udp *u)
{
	const struct conf_leasequery *c = &u->lq->conf->leasequery;
	struct in6_addr a;

	memcpy(&a, u->hdr.peer, 16);
	if (!lq_acl_allowed(c, &a))
		return false;
	if (u->relayed)
		memcpy(&a, u->chain.layer[u->chain.n - 1].peer, 16);
	return lq_acl_allowed(c, &a);
}

/* Decides what u gets. Takes u: it is answered and freed, or queued. */
static void udp_handle(struct lq *lq, struct lq_udp *u)
{
	const uint8_t *msg = u->pkt;
	size_t len = u->len;
	struct in6_addr src;
	int st;

	if (u->pkt[0] == D6_MSG_RELAY_FORW) {
		if (d6_relay_parse(u->pkt, u->len, HOP_COUNT_LIMIT, 0, &u->chain) < 0)
			goto drop;
		u->relayed = true;
		msg = u->chain.inner;
		len = u->chain.inner_len;
	}
	st = lq_query_parse(msg, len, false, lq->conf, lq->duid, lq->duid_len, &u->q);
	if (st == LQ_Q_DROP || !lq->duid_len)
		goto drop;
	lq_count_qtype(lq, u->q.qtype);
	memcpy(&src, u->hdr.peer, 16);
	if (!lq_rate_take(lq->rate, &lq->conf->leasequery, &src, evl_now(lq->l))) {
		lq_count(lq, LQ_CNT_RATE_LIMITED);
		udp_free(u);
		return;
	}
	if (!udp_allowed(u))
		st = D6_STATUS_NOTALLOWED;
	if (st == LQ_Q_STORE && lq->udp_inflight >= MAX_INFLIGHT)
		goto drop;
	if (st == LQ_Q_STORE && u->q.qtype == LQ_QUERY_BY_ADDRESS) {
		u->ask = (struct lq_ask){.q = &u->q, .cb = on_ask, .arg = u};
		lq_batch_add(lq, &u->ask);
		lq->udp_inflight++;
		return;
	}
	if (st == LQ_Q_STORE && lq_store_lookup(lq, &u->q, on_rows, u) == 0) {
		lq->udp_inflight++;
		return;
	}
	if (st == LQ_Q_STORE)
		udp_status(u, D6_STATUS_UNSPECFAIL, "the lease database is unavailable");
	else
		udp_status(u, st, d6_status_name((unsigned)st));
	udp_free(u);
	return;
drop:
	lq_count(lq, LQ_CNT_DROPPED);
	udp_free(u);
}

static void close_fds(const struct lq_net_dgram *d)
{
	for (size_t i = 0; i < d->n_fds; i++)
		close(d->fds[i]);
}

/* A datagram that carries descriptors: the engine's sockets (kind 3), or
 * something else, whose descriptors we do not keep. Returns true when it
 * was the sockets. */
static bool on_fds(struct lq *lq, const struct lq_net_dgram *d)
{
	struct lq_handoff_hdr h;
	int len = lq_handoff_get(d->buf, d->len, &h);

	if (len > 0 && h.kind == LQ_HANDOFF_SOCKETS && !d->fds_trunc && !d->trunc) {
		lq_direct_take(lq, &d->from, d->fromlen, d->buf + LQ_HANDOFF_HDR_LEN, (size_t)len,
		               d->fds, d->n_fds);
		return true;
	}
	if (d->n_fds || d->fds_trunc)
		log_warning("hand-off datagram of %zu octets came with descriptors (%s), closed",
		            d->len,
		            len > 0 && h.kind == LQ_HANDOFF_SOCKETS ? "too many" : "unasked");
	close_fds(d);
	return len > 0 && h.kind == LQ_HANDOFF_SOCKETS;
}

/* A query of len octets at p, which arrived as h says: from the engine at
 * from, or (from NULL) read from a steered socket. */
static void on_query(struct lq *lq, const struct lq_handoff_hdr *h, const uint8_t *p, size_t len,
                     const struct sockaddr_un *from, socklen_t flen)
{
	struct lq_udp *u;

	if (!(u = calloc(1, sizeof(*u))) || !(u->pkt = malloc(len))) {
		udp_free(u);
		lq_count(lq, LQ_CNT_DROPPED);
		return;
	}
	u->lq = lq;
	if (from) {
		u->from = *from;
		u->fromlen = flen;
	}
	u->steered = !from;
	u->hdr = *h;
	u->len = len;
	memcpy(u->pkt, p, len);
	udp_handle(lq, u);
}

static void on_datagram(struct lq *lq, const uint8_t *dg, size_t n, const struct sockaddr_un *from,
                        socklen_t flen)
{
	struct lq_handoff_hdr h;
	int len = lq_handoff_get(dg, n, &h);

	lq_count(lq, LQ_CNT_UDP_QUERIES);
	if (len <= 0 || h.kind != LQ_HANDOFF_QUERY) {
		log_warning("hand-off datagram of %zu octets is not a query (%s), dropped", n,
		            ch_strerror(len));
		lq_count(lq, LQ_CNT_DROPPED);
		return;
	}
	on_query(lq, &h, dg + LQ_HANDOFF_HDR_LEN, (size_t)len, from, flen);
}

/* A datagram of a steered socket, as the engine would have handed it over. */
static void on_steered(struct lq *lq, const struct lq_net_udp_in *in)
{
	struct lq_handoff_hdr h = {
	    .kind = LQ_HANDOFF_QUERY, .port = ntohs(in->src.sin6_port), .ifindex = in->ifindex};

	lq_count(lq, LQ_CNT_UDP_QUERIES);
	lq_count(lq, LQ_CNT_UDP_STEERED);
	if (in->trunc || !in->len) {
		lq_count(lq, LQ_CNT_DROPPED);
		return;
	}
	memcpy(h.peer, &in->src.sin6_addr, 16);
	memcpy(h.local, &in->dst, 16);
	on_query(lq, &h, in->buf, in->len, NULL, 0);
}

void lq_local_on_udp(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	(void)events;
	for (int got = 0; got < RX_BURST;) {
		struct lq_net_udp_in d[RX_SLOTS];
		int n;

		for (int i = 0; i < RX_SLOTS; i++)
			d[i] = (struct lq_net_udp_in){.buf = rx[i], .cap = sizeof(rx[i])};
		n = lq_net_udp_recv_many(fd, d, RX_SLOTS);
		if (n < 0)
			return; /* -EAGAIN: read all */
		for (int i = 0; i < n; i++)
			on_steered(lq, &d[i]);
		if (n < RX_SLOTS)
			return;
		got += n;
	}
}

/* A kind 3 (whose descriptors may have been lost on the way). */
static bool is_socks(const struct lq_net_dgram *d)
{
	return d->len > 5 && d->buf[5] == LQ_HANDOFF_SOCKETS;
}

static void on_read(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	(void)events;
	for (int got = 0; got < RX_BURST;) {
		struct lq_net_dgram d[RX_SLOTS];
		int n;

		for (int i = 0; i < RX_SLOTS; i++)
			d[i] = (struct lq_net_dgram){.buf = rx[i], .cap = sizeof(rx[i])};
		n = lq_net_local_recv_many(fd, d, RX_SLOTS);
		if (n < 0)
			return; /* -EAGAIN: read all */
		for (int i = 0; i < n; i++) {
			if ((d[i].n_fds || d[i].fds_trunc || is_socks(&d[i])) && on_fds(lq, &d[i]))
				continue;
			if (!d[i].trunc)
				on_datagram(lq, d[i].buf, d[i].len, &d[i].from, d[i].fromlen);
		}
		if (n < RX_SLOTS)
			return;
		got += n;
	}
}

int lq_local_open(struct lq *lq)
{
	int fd = lq_net_local_open(lq->conf->leasequery.local_socket);

	lq->local_fd = fd;
	if (fd < 0)
		return fd;
	return evl_watch(lq->l, fd, EPOLLIN, on_read, lq);
}

void lq_local_close(struct lq *lq)
{
	lq_local_flush(lq);
	lq_direct_drop(lq);
	if (tx.timer)
		evl_timer_cancel(lq->l, tx.timer);
	tx.timer = 0;
	if (lq->local_fd >= 0) {
		evl_unwatch(lq->l, lq->local_fd);
		lq_net_close(lq->local_fd);
	}
	lq->local_fd = -1;
}
