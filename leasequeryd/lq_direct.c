/*
 * The engine's UDP sockets while its lifeline holds, and the answers sent
 * from them (lq_direct.h). A failed send is counted and logged at most once
 * per LOG_MS; the requestor retransmits (RFC 5007 §4.1.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lq_direct.h"
#include "lq_local.h"
#include "udp6_out.h"

#define OUT_MAX UDP6_OUT_MAX /* answers queued between two flushes */
#define OUT_BUF (256 * 1024)
#define LOG_MS  5000

static struct {
	struct lq_handoff_socks s; /* s.n 0: none */
	int life_w;                /* our lifeline's write end while we read s.steer, -1 */
	struct sockaddr_un from;   /* the engine that passed them */
	socklen_t fromlen;
	struct udp6_out o[OUT_MAX];
	uint8_t buf[OUT_BUF];
	size_t n, used;
	uint64_t log_next, log_held;
} d = {.s = {.lifeline = -1}, .life_w = -1};

static void on_lifeline(struct evl *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	log_notice("chorus-dhcp6d is gone: its UDP sockets closed, answers go back through the "
	           "hand-off");
	lq_direct_drop(arg);
}

/* Our lifeline's hang-up tells the engine to read its steered sockets
 * again: the engine reads them until then. */
static void steer_stop(struct lq *lq)
{
	if (d.life_w < 0)
		return;
	for (size_t i = 0; i < d.s.n; i++)
		evl_unwatch(lq->l, d.s.steer[i]);
	close(d.life_w);
	d.life_w = -1;
}

/* Tells the engine we read its steered sockets (kind 4), and reads them.
 * Not told: it reads them, and hands us what they get. */
static void steer_start(struct lq *lq)
{
	int p[2], err;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warning("no lifeline pipe (%s): leasequery keeps passing through chorus-dhcp6d",
		            strerror(errno));
		return;
	}
	err = lq_handoff_send_reading(lq->local_fd, &d.from, d.fromlen, (uint32_t)d.s.n, p[0]);
	close(p[0]);
	for (size_t i = 0; !err && i < d.s.n; i++)
		err = evl_watch(lq->l, d.s.steer[i], EPOLLIN, lq_local_on_udp, lq);
	d.life_w = p[1];
	if (err) {
		log_warning("cannot read chorus-dhcp6d's steered sockets (%s): leasequery keeps "
		            "passing through it",
		            strerror(-err));
		steer_stop(lq);
		return;
	}
	log_info("reading chorus-dhcp6d's %zu steered UDP sockets: unrelayed leasequery comes "
	         "straight here",
	         d.s.n);
}

void lq_direct_drop(struct lq *lq)
{
	if (!d.s.n)
		return;
	lq_direct_flush(lq);
	steer_stop(lq);
	evl_unwatch(lq->l, d.s.lifeline);
	lq_handoff_socks_clear(&d.s);
	d.n = d.used = 0;
}

void lq_direct_take(struct lq *lq, const struct sockaddr_un *from, socklen_t flen, const uint8_t *p,
                    size_t len, const int *fds, size_t n)
{
	struct lq_handoff_socks s;

	if (lq_handoff_socks_get(p, len, fds, n, &s) < 0) {
		log_warning("chorus-dhcp6d passed %zu descriptors that are not its UDP sockets and "
		            "a lifeline, closed; answers go back through the hand-off",
		            n);
		return;
	}
	lq_direct_drop(lq);
	if (evl_watch(lq->l, s.lifeline, EPOLLIN, on_lifeline, lq) < 0) {
		log_warning("cannot watch chorus-dhcp6d's lifeline; answers go back through the "
		            "hand-off");
		lq_handoff_socks_clear(&s);
		return;
	}
	d.s = s;
	d.from = *from;
	d.fromlen = flen;
	log_info("chorus-dhcp6d passed its %zu UDP sockets: answers leave from them directly", s.n);
	if (s.steered)
		steer_start(lq);
}

bool lq_direct_for(const struct sockaddr_un *from, socklen_t flen)
{
	return d.s.n && flen == d.fromlen && memcmp(from, &d.from, flen) == 0;
}

bool lq_direct_queue(struct lq *lq, const struct lq_handoff_hdr *h, const uint8_t *msg, size_t len)
{
	struct udp6_out *o;

	if (d.n == OUT_MAX || len > sizeof(d.buf) - d.used)
		lq_direct_flush(lq);
	if (d.n == OUT_MAX || len > sizeof(d.buf) - d.used)
		return false;
	o = &d.o[d.n++];
	*o = (struct udp6_out){.p = d.buf + d.used,
	                       .n = len,
	                       .dst = {.sin6_family = AF_INET6, .sin6_port = htons(h->port)},
	                       .ifindex = h->ifindex};
	memcpy(&o->dst.sin6_addr, h->peer, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&o->dst.sin6_addr))
		o->dst.sin6_scope_id = h->ifindex;
	memcpy(&o->src, h->local, 16);
	memcpy(d.buf + d.used, msg, len);
	d.used += len;
	return true;
}

static void send_failed(struct lq *lq, int err)
{
	uint64_t now = evl_now(lq->l);

	lq_count(lq, LQ_CNT_UDP_SEND_FAIL);
	if (d.log_next && now < d.log_next) {
		d.log_held++;
		return;
	}
	log_warning("cannot send a leasequery answer: %s; %llu more failed since the last report",
	            strerror(-err), (unsigned long long)d.log_held);
	d.log_held = 0;
	d.log_next = now + LOG_MS;
}

void lq_direct_flush(struct lq *lq)
{
	size_t i = 0;

	while (i < d.n) {
		int fd = lq_handoff_sock_for(&d.s, d.o[i].ifindex), err;
		size_t k = 1, sent;

		/* a run of answers that leave from one socket */
		while (i + k < d.n && lq_handoff_sock_for(&d.s, d.o[i + k].ifindex) == fd)
			k++;
		sent = fd < 0 ? 0 : udp6_out_send(fd, d.o + i, k, &err);
		for (size_t j = 0; j < sent; j++)
			lq_count(lq, LQ_CNT_UDP_DIRECT);
		i += sent;
		if (sent < k) {
			send_failed(lq, fd < 0 ? -EBADF : err);
			i++; /* that one cannot go: the others may */
		}
	}
	d.n = d.used = 0;
}
