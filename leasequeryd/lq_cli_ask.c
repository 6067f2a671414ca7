/*
 * chorus-lq's exchanges: one LEASEQUERY per server at once, over UDP
 * (retransmitted after LQ_TIMEOUT, RFC 5007 §4.1.4; a reply with
 * LQ_CLIENT_LINK is asked again per link, §4.3.3) or on a bulk TCP
 * connection (RFC 5460 §6.3: frames until DONE, or a REPLY with an
 * error or without data). Answers are read with the lib/ codec.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "d6_lq.h"
#include "d6_msg.h"
#include "d6_opt.h"
#include "lq_cli.h"

#define LQ_TIMEOUT_MS 1000 /* RFC 5007 §4.1.4 IRT */
#define MAX_LINKS     16
#define TCP_BUF       (2 + 65535)

struct peer {
	int fd;
	bool done, connected;
	uint32_t xid;
	uint8_t link[16]; /* the link of this query (follow-ups) */
	uint8_t links[MAX_LINKS][16];
	size_t n_links, next_link;
	double sent_at;
	uint8_t *buf; /* TCP input */
	size_t len;
};

static struct d6_msg m;

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int lqc_add(struct lqc *q, const struct lqc_bind *b)
{
	if (q->n_bind == q->cap_bind) {
		size_t cap = q->cap_bind ? 2 * q->cap_bind : 256;
		struct lqc_bind *p = realloc(q->bind, cap * sizeof(*p));

		if (!p)
			return CH_ENOMEM;
		q->bind = p;
		q->cap_bind = cap;
	}
	q->bind[q->n_bind++] = *b;
	return 0;
}

/* The LEASEQUERY for link (RFC 5007 §4.1.2). Returns its length. */
static size_t build_query(const struct lqc *q, uint32_t xid, const uint8_t link[16], uint8_t *out,
                          size_t cap)
{
	struct wire_wr w = wire_wr_init(out, cap);
	size_t o, t;

	wire_put_u8(&w, D6_MSG_LEASEQUERY);
	wire_put_u24(&w, xid);
	d6_put_opt(&w, D6_OPT_CLIENTID, q->duid, q->duid_len);
	o = d6_put_begin(&w, D6_OPT_LQ_QUERY);
	wire_put_u8(&w, q->qtype);
	wire_put_bytes(&w, link, 16);
	switch (q->qtype) {
	case LQ_QUERY_BY_ADDRESS:
		t = d6_put_begin(&w, D6_OPT_IAADDR);
		wire_put_bytes(&w, q->target, 16);
		wire_put_u32(&w, 0);
		wire_put_u32(&w, 0);
		d6_put_end(&w, t);
		break;
	case LQ_QUERY_BY_CLIENTID:
		d6_put_opt(&w, D6_OPT_CLIENTID, q->target, q->target_len);
		break;
	case LQ_QUERY_BY_RELAY_ID:
		d6_put_opt(&w, D6_OPT_RELAY_ID, q->target, q->target_len);
		break;
	case LQ_QUERY_BY_REMOTE_ID:
		d6_put_opt(&w, D6_OPT_REMOTE_ID, q->target, q->target_len);
		break;
	default:
		break;
	}
	d6_put_end(&w, o);
	return w.err ? 0 : w.len;
}

static void take_client(struct lqc *q, size_t srv, int cd, double at)
{
	struct lqc_bind b = {.server = srv};
	int i, id = d6_msg_find(&m, cd, D6_OPT_CLIENTID),
	       clt = d6_msg_find(&m, cd, D6_OPT_CLT_TIME);

	/* RFC 5007 §4.3.3: a CLIENT_DATA without CLT_TIME is discarded */
	if (id == D6_NONE || clt == D6_NONE || m.node[id].len > sizeof(b.duid))
		return;
	memcpy(b.duid, m.node[id].data, m.node[id].len);
	b.duid_len = m.node[id].len;
	b.clt_time = m.node[clt].v.u32;
	b.last_contact = at - b.clt_time;
	q->server[srv].n_clients++;
	for (i = d6_msg_first(&m, cd); i != D6_NONE; i = d6_msg_next(&m, i)) {
		const struct d6_node *n = &m.node[i];

		if (n->code == D6_OPT_IAADDR) {
			b.pd = false;
			memcpy(b.addr, n->v.iaaddr.addr, 16);
			b.plen = 128;
			b.pref = n->v.iaaddr.pref;
			b.valid = n->v.iaaddr.valid;
		} else if (n->code == D6_OPT_IAPREFIX) {
			b.pd = true;
			memcpy(b.addr, n->v.iaprefix.prefix, 16);
			b.plen = n->v.iaprefix.plen;
			b.pref = n->v.iaprefix.pref;
			b.valid = n->v.iaprefix.valid;
		} else {
			continue;
		}
		lqc_add(q, &b);
	}
}

/* One answer message. Returns true when it ends the query. */
static bool take_msg(struct lqc *q, size_t srv, struct peer *p, const uint8_t *buf, size_t len)
{
	struct lqc_server *s = &q->server[srv];
	double at = now_real();
	int st, cl, cid;
	bool data = false;

	if (d6_msg_parse(buf, len, &m) < 0 || m.xid != p->xid ||
	    (m.type != D6_MSG_LQ_REPLY && m.type != D6_MSG_LQ_DATA && m.type != D6_MSG_LQ_DONE))
		return false;
	cid = d6_msg_find(&m, D6_ROOT, D6_OPT_CLIENTID);
	/* RFC 5007 §4.2: a REPLY must carry our CLIENTID */
	if (m.type == D6_MSG_LQ_REPLY && (cid == D6_NONE || m.node[cid].len != q->duid_len ||
	                                  memcmp(m.node[cid].data, q->duid, q->duid_len) != 0))
		return false;
	s->answered = true;
	if ((st = d6_msg_find(&m, D6_ROOT, D6_OPT_STATUS_CODE)) != D6_NONE)
		s->status = m.node[st].v.u16;
	for (int i = d6_msg_find(&m, D6_ROOT, D6_OPT_CLIENT_DATA); i != D6_NONE;
	     i = d6_msg_find_next(&m, i, D6_OPT_CLIENT_DATA)) {
		take_client(q, srv, i, at);
		data = true;
	}
	cl = d6_msg_find(&m, D6_ROOT, D6_OPT_LQ_CLIENT_LINK);
	if (cl != D6_NONE && !q->tcp) {
		for (size_t k = 0; k + 16 <= m.node[cl].len && p->n_links < MAX_LINKS; k += 16)
			memcpy(p->links[p->n_links++], m.node[cl].data + k, 16);
	}
	if (m.type == D6_MSG_LQ_DONE || !q->tcp)
		return true;
	return m.type == D6_MSG_LQ_REPLY && ((st != D6_NONE && s->status != 0) || !data);
}

static int udp_send(struct lqc *q, struct peer *p)
{
	uint8_t buf[1024];
	size_t n = build_query(q, p->xid, p->link, buf, sizeof(buf));

	p->sent_at = now_mono();
	return send(p->fd, buf, n, 0) < 0 ? -errno : 0;
}

static int open_peer(struct lqc *q, size_t i, struct peer *p)
{
	struct lqc_server *s = &q->server[i];
	const struct sockaddr_in6 *sa = q->tcp ? &s->sa_tcp : &s->sa_udp;
	uint8_t r[3];
	int fd = socket(AF_INET6, (q->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	memcpy(p->link, q->link, 16);
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		memset(r, 7, sizeof(r));
	p->xid = (uint32_t)r[0] << 16 | (uint32_t)r[1] << 8 | r[2];
	if (fd < 0 ||
	    (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS)) {
		snprintf(s->error, sizeof(s->error), "%s", strerror(errno));
		return -1;
	}
	if (q->tcp)
		return (p->buf = malloc(TCP_BUF)) ? 0 : -1;
	p->connected = true;
	return udp_send(q, p) < 0 ? -1 : 0;
}

/* Connected: send the framed query. */
static int tcp_start(struct lqc *q, size_t i, struct peer *p)
{
	uint8_t buf[1026];
	size_t n = build_query(q, p->xid, p->link, buf + 2, sizeof(buf) - 2);
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		snprintf(q->server[i].error, sizeof(q->server[i].error), "%s", strerror(err));
		return -1;
	}
	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	p->connected = true;
	return send(p->fd, buf, n + 2, MSG_NOSIGNAL) == (ssize_t)(n + 2) ? 0 : -1;
}

static bool tcp_read(struct lqc *q, size_t i, struct peer *p)
{
	ssize_t n = recv(p->fd, p->buf + p->len, TCP_BUF - p->len, 0);
	int f;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			snprintf(q->server[i].error, sizeof(q->server[i].error),
			         "connection closed before the end of the answer");
		return n == 0 || (errno != EAGAIN && errno != EINTR);
	}
	p->len += (size_t)n;
	while ((f = d6_lq_frame(p->buf, p->len)) > 0) {
		bool end = take_msg(q, i, p, p->buf + 2, (size_t)f - 2);

		memmove(p->buf, p->buf + f, p->len - (size_t)f);
		p->len -= (size_t)f;
		if (end)
			return true;
	}
	if (f < 0)
		snprintf(q->server[i].error, sizeof(q->server[i].error), "broken framing");
	return f < 0;
}

/* UDP: a reply ends this query; follow the LQ_CLIENT_LINK links, if any. */
static bool udp_read(struct lqc *q, size_t i, struct peer *p)
{
	uint8_t buf[65536];
	ssize_t n = recv(p->fd, buf, sizeof(buf), 0);

	if (n <= 0 || !take_msg(q, i, p, buf, (size_t)n))
		return false;
	if (p->next_link >= p->n_links)
		return true;
	memcpy(p->link, p->links[p->next_link++], 16);
	p->xid = (p->xid + 1) & 0xffffff;
	udp_send(q, p);
	return false;
}

static void progress(const struct lqc *q)
{
	if (q->progress)
		fprintf(stderr, "\rchorus-lq: %zu bindings so far", q->n_bind);
}

int lqc_ask(struct lqc *q)
{
	struct peer p[LQC_MAX_SERVERS];
	struct pollfd pf[LQC_MAX_SERVERS];
	double deadline = now_mono() + q->timeout;
	size_t open = 0;

	for (size_t i = 0; i < q->n_servers; i++) {
		q->server[i].status = -1;
		p[i].done = open_peer(q, i, &p[i]) < 0;
		open += !p[i].done;
	}
	while (open && now_mono() < deadline) {
		for (size_t i = 0; i < q->n_servers; i++) {
			pf[i].fd = p[i].done ? -1 : p[i].fd;
			pf[i].events = p[i].connected ? POLLIN : POLLOUT;
			if (!q->tcp && !p[i].done &&
			    now_mono() - p[i].sent_at >= LQ_TIMEOUT_MS / 1e3)
				udp_send(q, &p[i]); /* RFC 5007 §4.1.4: retransmit */
		}
		if (poll(pf, q->n_servers, 100) < 0 && errno != EINTR)
			return -errno;
		for (size_t i = 0; i < q->n_servers; i++) {
			bool end = false;

			if (p[i].done || !pf[i].revents)
				continue;
			if (q->tcp && !p[i].connected)
				end = tcp_start(q, i, &p[i]) < 0;
			else
				end = q->tcp ? tcp_read(q, i, &p[i]) : udp_read(q, i, &p[i]);
			if (end) {
				p[i].done = true;
				open--;
			}
		}
		progress(q);
	}
	if (q->progress)
		fprintf(stderr, "\n");
	for (size_t i = 0; i < q->n_servers; i++) {
		if (!p[i].done && !q->server[i].error[0])
			snprintf(q->server[i].error, sizeof(q->server[i].error),
			         "no answer in %.1f s", q->timeout);
		/* an unfinished bulk stream is no answer (the binding may be missing) */
		if (!p[i].done || q->server[i].error[0])
			q->server[i].answered = false;
		if (p[i].fd >= 0)
			close(p[i].fd);
		free(p[i].buf);
	}
	return 0;
}
