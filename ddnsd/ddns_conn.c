/*
 * The shared TCP connection (see ddns_conn.h). RFC 1035 §4.2.2 (two-octet
 * length prefix), RFC 7766 §6.2.1 (pipelining) and §6.2.3 (idle close).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ddns_conn.h"
#include "ddns_net.h"
#include "errors.h"

#define MSG_MAX (2 + 65535)

struct ddns_conn {
	struct evl *l;
	struct in6_addr addr;
	uint16_t port;
	ddns_conn_msg_cb on_msg;
	ddns_conn_down_cb on_down;
	void *arg;
	int fd;
	bool up; /* connected: the queue may be written */
	uint64_t gen;
	uint8_t *out; /* framed messages not yet written: out[off..len) */
	size_t out_len, out_off, out_cap;
	uint8_t *in; /* what arrived of the next answers */
	size_t in_len, in_cap;
};

struct ddns_conn *ddns_conn_new(struct evl *l, const struct in6_addr *a, uint16_t port,
                                ddns_conn_msg_cb on_msg, ddns_conn_down_cb on_down, void *arg)
{
	struct ddns_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = (struct ddns_conn){.l = l,
	                        .addr = *a,
	                        .port = port,
	                        .on_msg = on_msg,
	                        .on_down = on_down,
	                        .arg = arg,
	                        .fd = -1};
	return c;
}

static void conn_close(struct ddns_conn *c)
{
	if (c->fd >= 0) {
		evl_unwatch(c->l, c->fd);
		ddns_net_close(c->fd);
	}
	c->fd = -1;
	c->up = false;
	c->out_len = c->out_off = c->in_len = 0;
}

/* The connection is gone: whoever sent on it hears so. */
static void conn_down(struct ddns_conn *c, const char *why)
{
	uint64_t gen = c->gen;

	conn_close(c);
	c->on_down(c->arg, gen, why);
}

static void on_io(struct evl *l, int fd, uint32_t events, void *arg);

static int conn_watch(struct ddns_conn *c)
{
	uint32_t ev = EPOLLIN | (c->up && c->out_off == c->out_len ? 0 : EPOLLOUT);

	return evl_watch(c->l, c->fd, ev, on_io, c);
}

/* Writes what the queue holds. 0, or -errno when the connection failed. */
static int conn_write(struct ddns_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = ddns_net_send(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n == -EAGAIN)
			return conn_watch(c);
		if (n < 0)
			return (int)n;
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	return conn_watch(c);
}

/* Reads and hands on every complete message. 0, or a reason to close. */
static const char *conn_read(struct ddns_conn *c)
{
	static uint8_t msg[MSG_MAX];
	uint64_t gen = c->gen;

	for (;;) {
		ssize_t n;

		if (c->in_cap < MSG_MAX) {
			uint8_t *b = realloc(c->in, MSG_MAX);

			if (!b)
				return "out of memory";
			c->in = b;
			c->in_cap = MSG_MAX;
		}
		n = ddns_net_recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n == -EAGAIN)
			return NULL;
		if (n == 0)
			return "closed by the server";
		if (n < 0)
			return strerror((int)-n);
		c->in_len += (size_t)n;
		while (c->in_len >= 2) {
			size_t want = (size_t)c->in[0] << 8 | c->in[1];

			if (c->in_len < 2 + want)
				break;
			/* handed on from a copy: the callback may send or close */
			memcpy(msg, c->in + 2, want);
			c->in_len -= 2 + want;
			memmove(c->in, c->in + 2 + want, c->in_len);
			c->on_msg(c->arg, msg, want);
			if (c->fd < 0 || c->gen != gen)
				return NULL;
		}
	}
}

static void on_io(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct ddns_conn *c = arg;
	const char *why;
	int e;

	(void)l;
	(void)fd;
	if (!c->up) {
		if ((e = ddns_net_tcp_error(c->fd)) < 0) {
			conn_down(c, strerror(-e));
			return;
		}
		c->up = true;
	}
	if ((events & EPOLLOUT) && (e = conn_write(c)) < 0) {
		conn_down(c, strerror(-e));
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (why = conn_read(c)))
		conn_down(c, why);
}

int ddns_conn_send(struct ddns_conn *c, const uint8_t *msg, size_t len, uint64_t *gen)
{
	int err;

	if (len > 65535)
		return CH_EINVAL;
	if (c->out_len + 2 + len > c->out_cap) {
		size_t cap = 2 * (c->out_len + 2 + len);
		uint8_t *b = realloc(c->out, cap);

		if (!b)
			return CH_ENOMEM;
		c->out = b;
		c->out_cap = cap;
	}
	if (c->fd < 0) {
		int fd = ddns_net_tcp_open(&c->addr, c->port);

		if (fd < 0)
			return fd;
		c->fd = fd;
		c->gen++;
		c->up = false;
	}
	c->out[c->out_len] = (uint8_t)(len >> 8);
	c->out[c->out_len + 1] = (uint8_t)len;
	memcpy(c->out + c->out_len + 2, msg, len);
	c->out_len += 2 + len;
	err = c->up ? conn_write(c) : conn_watch(c);
	if (err < 0) {
		/* the queue may hold messages of others: they hear it from on_down;
		 * this one's sender hears it from the return */
		conn_down(c, strerror(-err));
		return err;
	}
	*gen = c->gen;
	return 0;
}

void ddns_conn_free(struct ddns_conn *c)
{
	if (!c)
		return;
	conn_close(c);
	free(c->out);
	free(c->in);
	free(c);
}
