/*
 * LEASEQUERY hand-off to chorus-leasequeryd over a unix datagram socket,
 * or NotConfigured when nobody listens (contract in lib/lq_handoff.h; RFC 5007).
 * Our UDP sockets go to the responder once per connection, so it answers
 * from them itself; answers it hands back are sent here. With steering,
 * the responder reads our steered sockets itself while its lifeline holds;
 * when it hangs up, we read them again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"
#include "srv_handlers.h"
#include "srv_lq.h"
#include "srv_reply.h"
#include "srv_rx.h"

static void put_hdr(uint8_t *h, const struct srv_pktinfo *pi)
{
	struct lq_handoff_hdr x = {
	    .kind = LQ_HANDOFF_QUERY, .port = ntohs(pi->src.sin6_port), .ifindex = pi->ifindex};

	memcpy(x.peer, &pi->src.sin6_addr, 16);
	memcpy(x.local, &pi->dst, 16);
	lq_handoff_put(h, &x);
}

/* The responder's address into *to. 0, -ENOTCONN (no responder
 * configured) or -ENAMETOOLONG. */
static int lq_to(const struct srv *s, struct sockaddr_un *to)
{
	const struct conf_leasequery *lq = &s->conf->leasequery;

	if (s->lq_fd < 0 || !lq->enabled || !lq->local_socket[0])
		return -ENOTCONN;
	if (strlen(lq->local_socket) >= sizeof(to->sun_path))
		return -ENAMETOOLONG;
	*to = (struct sockaddr_un){.sun_family = AF_UNIX};
	memcpy(to->sun_path, lq->local_socket, strlen(lq->local_socket) + 1);
	return 0;
}

_Static_assert(CONF_MAX_IFACES <= LQ_HANDOFF_MAX_SOCKS, "every UDP socket fits one kind 3");

/* Our UDP sockets and the lifeline to the responder we are connected to,
 * before its first query (lib/lq_handoff.h kind 3). Not passed (no socket,
 * the queue full): the responder answers through us, and we try again
 * before the next query. */
static void lq_pass_socks(struct srv *s)
{
	unsigned ifindex[LQ_HANDOFF_MAX_SOCKS];

	if (s->lq_socks_sent || !s->sock.n || s->lq_life[0] < 0)
		return;
	for (size_t i = 0; i < s->sock.n; i++)
		ifindex[i] = s->sock.ifindex[i];
	if (lq_handoff_send_socks(s->lq_fd, s->sock.fd, s->sock.steered ? s->sock.steer : NULL,
	                          ifindex, s->sock.n, s->lq_life[0]) < 0)
		return;
	s->lq_socks_sent = true;
	srv_count(s, SRV_CNT_LQ_SOCKETS);
}

/* Sends t's datagram on lq_fd, connected to the responder once: a send
 * then skips the path lookup, a third of a hand-off's cost in the
 * kernel. A responder that went (restarted: its socket closed) refuses
 * with ECONNREFUSED; lq_fd connects again, to its new socket, passes it
 * our sockets and sends once more. */
static int lq_pass(struct srv_txn *t)
{
	struct srv *s = t->srv;
	struct sockaddr_un to;
	uint8_t hdr[LQ_HANDOFF_HDR_LEN];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {t->pkt, t->pkt_len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	int err = lq_to(s, &to);

	if (err < 0)
		return err;
	put_hdr(hdr, &t->pi);
	for (int tries = 0; tries < 2; tries++) {
		if (!s->lq_connected && connect(s->lq_fd, (struct sockaddr *)&to, sizeof(to)) < 0)
			return -errno;
		if (!s->lq_connected)
			s->lq_socks_sent = false;
		s->lq_connected = true;
		lq_pass_socks(s);
		if (sendmsg(s->lq_fd, &mh, MSG_DONTWAIT) >= 0)
			return 0;
		err = -errno;
		if (err != -ECONNREFUSED && err != -ENOTCONN)
			return err;
		s->lq_connected = false;
	}
	return err;
}

/* True if the warning limited by ll is to be logged now; *held is how
 * many were held back since the last line. */
static bool may_log(struct srv *s, struct srv_loglimit *ll, uint64_t *held)
{
	uint64_t now = evl_now(s->l);

	if (ll->next_ms && now < ll->next_ms) {
		ll->held++;
		return false;
	}
	*held = ll->held;
	ll->held = 0;
	ll->next_ms = now + SRV_LQ_LOG_MS;
	return true;
}

static void lq_busy(struct srv *s)
{
	uint64_t held;

	srv_count(s, SRV_CNT_LQ_BUSY);
	if (may_log(s, &s->lq_busy_log, &held))
		log_warning("leasequery responder busy (its queue is full): query dropped for the "
		            "requestor to retry; %llu more dropped since the last report",
		            (unsigned long long)held);
}

void srv_leasequery(struct srv_txn *t)
{
	int err = lq_pass(t);

	if (err == 0) {
		srv_count(t->srv, SRV_CNT_LQ_PASSED);
		t->drop = true; /* the responder answers through srv_lq_answer */
		return;
	}
	/* A full queue (net.unix.max_dgram_qlen) means the responder is there
	 * but behind: NotConfigured would send the requestor to another server
	 * (RFC 5007 §4.3), a drop lets it retransmit (LQ_TIMEOUT 1 s). */
	if (err == -EAGAIN || err == -ENOBUFS) {
		lq_busy(t->srv);
		t->drop = true;
		return;
	}
	srv_count(t->srv, SRV_CNT_LQ_NOT_CONFIGURED);
	if (srv_reply_init(t, D6_MSG_LQ_REPLY) < 0 ||
	    srv_reply_status(t, D6_ROOT, D6_STATUS_NOTCONFIGURED) < 0) {
		t->drop = true;
		return;
	}
	srv_reply_finish(t);
}

static void bad_answer(struct srv *s, size_t n, int err)
{
	uint64_t held;

	srv_count(s, SRV_CNT_LQ_BAD_ANSWER);
	if (may_log(s, &s->lq_bad_log, &held))
		log_warning("leasequery responder sent a malformed answer (%zu octets: %s), "
		            "dropped; %llu more dropped since the last report",
		            n, err < 0 ? ch_strerror(err) : "not an answer",
		            (unsigned long long)held);
}

/* Fills *out to send the answer b (n octets). false: it is malformed
 * (counted and logged). */
static bool lq_answer(struct srv *s, const uint8_t *b, size_t n, struct udp6_out *out)
{
	struct lq_handoff_hdr h;
	int err = lq_handoff_get(b, n, &h);

	if (err < 0 || h.kind != LQ_HANDOFF_ANSWER) {
		bad_answer(s, n, err);
		return false;
	}
	*out = (struct udp6_out){.p = b + LQ_HANDOFF_HDR_LEN,
	                         .n = n - LQ_HANDOFF_HDR_LEN,
	                         .dst = {.sin6_family = AF_INET6, .sin6_port = htons(h.port)},
	                         .ifindex = h.ifindex};
	memcpy(&out->dst.sin6_addr, h.peer, 16);
	memcpy(&out->src, h.local, 16); /* from the address the query came to */
	if (IN6_IS_ADDR_LINKLOCAL(&out->dst.sin6_addr))
		out->dst.sin6_scope_id = h.ifindex;
	return true;
}

static void lq_send_answers(struct srv *s, const struct udp6_out *o, size_t n)
{
	uint64_t held;
	int err;
	size_t failed = srv_sock_send_many(&s->sock, o, n, &err);

	for (size_t i = 0; i < n - failed; i++) {
		srv_count(s, SRV_CNT_TX);
		srv_count(s, SRV_CNT_LQ_ANSWERS);
	}
	for (size_t i = 0; i < failed; i++)
		srv_count(s, SRV_CNT_LQ_SEND_FAIL);
	if (!failed)
		return;
	if (may_log(s, &s->lq_send_log, &held))
		log_warning("cannot send a leasequery answer: %s; %llu more failed since the last "
		            "report",
		            strerror(-err), (unsigned long long)(held + failed - 1));
	else
		s->lq_send_log.held += failed - 1;
}

/* We read our steered sockets (on), or the responder does. */
static void steer_read(struct srv *s, bool on)
{
	for (size_t i = 0; s->sock.steered && i < s->sock.n; i++) {
		if (on)
			evl_watch(s->l, s->sock.steer[i], EPOLLIN, srv_rx_on_read, s);
		else
			evl_unwatch(s->l, s->sock.steer[i]);
	}
}

static void peer_life_close(struct srv *s)
{
	if (s->lq_peer_life < 0)
		return;
	evl_unwatch(s->l, s->lq_peer_life);
	close(s->lq_peer_life);
	s->lq_peer_life = -1;
}

/* The responder's lifeline hung up: what is steered meanwhile waits in
 * the sockets, which we hold too; we read it now. */
static void on_peer_life(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct srv *s = arg;

	(void)l;
	(void)fd;
	(void)events;
	peer_life_close(s);
	srv_count(s, SRV_CNT_LQ_STEER_ON);
	if (s->stopping)
		return;
	steer_read(s, true);
	log_notice("chorus-leasequeryd no longer reads the steered leasequery sockets: we read "
	           "them again");
}

/* A kind 4 (p, len) with its descriptors fds[0..n): the responder reads
 * our steered sockets while its lifeline holds. */
static void on_reading(struct srv *s, const uint8_t *p, size_t len, const int *fds, size_t n)
{
	int life;

	if (lq_handoff_reading_get(p, len, fds, n, &life) < 0) {
		bad_answer(s, len + LQ_HANDOFF_HDR_LEN, CH_EMALFORMED);
		return;
	}
	if (!s->sock.steered || s->stopping) {
		close(life);
		return;
	}
	if (s->lq_peer_life >= 0)
		peer_life_close(s); /* a new lifeline for the same sockets */
	else
		steer_read(s, false);
	if (evl_watch(s->l, life, EPOLLIN, on_peer_life, s) < 0) {
		close(life);
		steer_read(s, true);
		return;
	}
	s->lq_peer_life = life;
	srv_count(s, SRV_CNT_LQ_STEER_OFF);
	log_info("chorus-leasequeryd reads the steered leasequery sockets");
}

/* One datagram of the responder: answers go to out[*k]. */
static void lq_on_dgram(struct srv *s, const uint8_t *b, struct mmsghdr *m, struct udp6_out *out,
                        size_t *k)
{
	struct lq_handoff_hdr h;
	int fds[4], len;
	size_t n_fds = m->msg_hdr.msg_controllen ? lq_handoff_take_fds(&m->msg_hdr, fds, 4) : 0;

	if (n_fds || (m->msg_hdr.msg_flags & MSG_CTRUNC)) {
		len = lq_handoff_get(b, m->msg_len, &h);
		if (len > 0 && h.kind == LQ_HANDOFF_READING &&
		    !(m->msg_hdr.msg_flags & MSG_TRUNC)) {
			on_reading(s, b + LQ_HANDOFF_HDR_LEN, (size_t)len, fds, n_fds);
			return;
		}
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
	}
	if (m->msg_hdr.msg_flags & MSG_TRUNC)
		bad_answer(s, m->msg_len, CH_EMALFORMED);
	else if (lq_answer(s, b, m->msg_len, &out[*k]))
		(*k)++;
}

/* The responder's answers come in bursts (one per batch of queries): read
 * them in one call, send them in one. */
#define LQ_RX_SLOTS 16

static void lq_on_read(struct evl *l, int fd, uint32_t events, void *arg)
{
	static uint8_t buf[LQ_RX_SLOTS][LQ_HANDOFF_MAX_DGRAM + LQ_HANDOFF_HDR_LEN];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(4 * sizeof(int))];
	} cb[LQ_RX_SLOTS];
	struct mmsghdr mm[LQ_RX_SLOTS];
	struct iovec iov[LQ_RX_SLOTS];
	struct udp6_out out[LQ_RX_SLOTS];
	struct srv *s = arg;

	(void)l;
	(void)events;
	for (int round = 0; round < 4; round++) {
		size_t k = 0;
		int n;

		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < LQ_RX_SLOTS; i++) {
			iov[i] = (struct iovec){buf[i], sizeof(buf[i])};
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = cb[i].b;
			mm[i].msg_hdr.msg_controllen = sizeof(cb[i].b);
		}
		n = recvmmsg(fd, mm, LQ_RX_SLOTS, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++)
			lq_on_dgram(s, buf[i], &mm[i], out, &k);
		lq_send_answers(s, out, k);
		if (n < LQ_RX_SLOTS)
			return;
	}
}

int srv_lq_open(struct srv *s)
{
	struct sockaddr_un me = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	s->lq_fd = -1;
	s->lq_peer_life = -1;
	s->lq_socks_sent = false;
	if (fd < 0)
		return -errno;
	/* the lifeline: without it the responder gets no sockets of ours */
	if (pipe2(s->lq_life, O_CLOEXEC | O_NONBLOCK) < 0)
		s->lq_life[0] = s->lq_life[1] = -1;
	/* autobind: an abstract address the responder can answer to */
	if (bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->lq_fd = fd;
	s->lq_connected = false;
	return evl_watch(s->l, fd, EPOLLIN, lq_on_read, s);
}

void srv_lq_close(struct srv *s)
{
	if (s->lq_fd >= 0) {
		evl_unwatch(s->l, s->lq_fd);
		close(s->lq_fd);
	}
	s->lq_fd = -1;
	s->lq_connected = false;
	peer_life_close(s);
	for (int i = 0; i < 2; i++) {
		if (s->lq_life[i] >= 0)
			close(s->lq_life[i]);
		s->lq_life[i] = -1;
	}
}

void srv_lq_reloaded(struct srv *s)
{
	s->lq_socks_sent = false;
}
