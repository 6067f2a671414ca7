/*
 * The hand-off side of UDP leasequery: read a datagram, unwrap its relay
 * chain (RFC 8415 §19), decide (lq_query.c), look the bindings up, answer
 * with LEASEQUERY-REPLY (RFC 5007 §4.4) wrapped back through every relay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "d6_relay.h"
#include "log.h"
#include "lq_handoff.h"
#include "lq_local.h"
#include "lq_net.h"
#include "lq_query.h"
#include "lq_reply.h"
#include "lq_store.h"

#define RX_BURST     64
#define MAX_INFLIGHT 1024 /* queries waiting for the database */

/* One query between its datagram and its answer. */
struct lq_udp {
	struct lq *lq;
	struct sockaddr_un from;
	socklen_t fromlen;
	struct lq_handoff_hdr hdr;
	uint8_t *pkt; /* the payload, owned; chain points into it */
	size_t len;
	bool relayed;
	struct d6_relay_chain chain;
	struct lq_req q;
};

static uint8_t rx[LQ_HANDOFF_HDR_LEN + LQ_HANDOFF_MAX_DGRAM + 1];

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

/* Wraps msg through the relay chain (if any) and hands it to dhcp6d. */
static void udp_send(struct lq_udp *u, const uint8_t *msg, size_t len)
{
	static uint8_t out[LQ_HANDOFF_MAX_DGRAM];
	uint8_t hdr[LQ_HANDOFF_HDR_LEN];
	struct lq_handoff_hdr h = u->hdr;
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	int err;

	if (u->relayed) {
		if (d6_relay_build_reply(&u->chain, msg, len, &w) < 0) {
			udp_log(u, LOG_WARNING, "the answer does not fit its relay chain, dropped");
			return;
		}
		msg = out;
		len = w.len;
	}
	h.kind = LQ_HANDOFF_ANSWER;
	lq_handoff_put(hdr, &h);
	err = lq_net_local_send(u->lq->local_fd, hdr, sizeof(hdr), msg, len, &u->from, u->fromlen);
	if (err < 0)
		udp_log(u, LOG_WARNING, "cannot hand the answer back to chorus-dhcp6d");
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

/* RFC 5007 §4.4.1: bindings on several links and no link-address given:
 * LQ_CLIENT_LINK and no client data. Returns true when it answered. */
static bool udp_client_link(struct lq_udp *u, const PGresult *res, struct wire_wr *w)
{
	uint8_t links[LQ_CLIENT_ROWS * 16];
	size_t n = 0;
	uint32_t last = 0;

	if (u->q.qtype != LQ_QUERY_BY_CLIENTID || u->q.subnet)
		return false;
	for (int i = 0; i < PQntuples(res) && n < LQ_CLIENT_ROWS; i++) {
		struct lq_bind b;

		if (lq_store_row(res, i, &b) < 0)
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
static void udp_client_data(struct lq_udp *u, const PGresult *res, struct wire_wr *w)
{
	static struct lq_client c;
	const struct lq_bind *rel;

	c.n = 0;
	for (int i = 0; i < PQntuples(res) && c.n < LQ_CLIENT_ROWS; i++) {
		if (lq_store_row(res, i, &c.row[c.n]) < 0)
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

static void on_rows(struct db *d, const PGresult *res, int err, void *arg)
{
	static uint8_t buf[LQ_HANDOFF_MAX_DGRAM];
	struct lq_udp *u = arg;
	struct wire_wr w = wire_wr_init(buf, sizeof(buf) - 4096); /* room for the relay layers */

	(void)d;
	u->lq->udp_inflight--;
	if (err) {
		udp_status(u, D6_STATUS_UNSPECFAIL, "the lease database is unavailable");
		udp_free(u);
		return;
	}
	lq_reply_head(&w, D6_MSG_LQ_REPLY, u->q.xid);
	lq_reply_ids(&w, u->lq->duid, u->lq->duid_len, &u->q);
	if (!udp_client_link(u, res, &w))
		udp_client_data(u, res, &w);
	if (w.err)
		udp_status(u, D6_STATUS_UNSPECFAIL, "the answer does not fit a datagram");
	else
		udp_send(u, buf, w.len);
	udp_free(u);
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

static void on_datagram(struct lq *lq, size_t n, const struct sockaddr_un *from, socklen_t flen)
{
	struct lq_udp *u;
	struct lq_handoff_hdr h;
	int len = lq_handoff_get(rx, n, &h);

	lq_count(lq, LQ_CNT_UDP_QUERIES);
	if (len <= 0 || h.kind != LQ_HANDOFF_QUERY) {
		log_warning("hand-off datagram of %zu octets is not a query (%s), dropped", n,
		            ch_strerror(len));
		lq_count(lq, LQ_CNT_DROPPED);
		return;
	}
	if (!(u = calloc(1, sizeof(*u))) || !(u->pkt = malloc((size_t)len))) {
		udp_free(u);
		lq_count(lq, LQ_CNT_DROPPED);
		return;
	}
	u->lq = lq;
	u->from = *from;
	u->fromlen = flen;
	u->hdr = h;
	u->len = (size_t)len;
	memcpy(u->pkt, rx + LQ_HANDOFF_HDR_LEN, u->len);
	udp_handle(lq, u);
}

static void on_read(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	(void)events;
	for (int i = 0; i < RX_BURST; i++) {
		struct sockaddr_un from;
		socklen_t flen;
		ssize_t n = lq_net_local_recv(fd, rx, sizeof(rx), &from, &flen);

		if (n == -EAGAIN)
			return;
		if (n < 0)
			continue;
		on_datagram(lq, (size_t)n, &from, flen);
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
	if (lq->local_fd >= 0) {
		evl_unwatch(lq->l, lq->local_fd);
		lq_net_close(lq->local_fd);
	}
	lq->local_fd = -1;
}
