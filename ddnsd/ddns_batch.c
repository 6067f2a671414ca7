/*
 * The messages in flight (see ddns_batch.h). RFC 2136 §2.1 (TCP when too
 * big or truncated), RFC 7766 §6.2.1 (pipelined on one connection), RFC 8945
 * §5.2 and §5.3.2 (an answer whose TSIG does not verify is not one).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr6.h"
#include "ddns_batch.h"
#include "ddns_conn.h"
#include "ddns_net.h"
#include "errors.h"
#include "log.h"

#define UDP_MAX   512 /* RFC 1035 §4.2.1: larger messages go over TCP */
#define WARN_MS   10000
#define BATCH_MAX 49152 /* octets of updates in one message, estimated (TCP: 65535) */
/* Messages in flight to one server at most: BIND 9.18 drops UPDATEs beyond its
 * update-quota (100 by default) unanswered, and the rows of a split batch go
 * one per message; the others wait for the loop's next turn. */
#define MSGS_MAX 64
/* A batch not full waits while a message of its zone is in flight to its
 * server, at most this long: the server does one zone's updates one after
 * the other, so rows that come meanwhile join the next message instead of
 * following it in messages of their own (group commit). */
#define HOLD_MS 20

/* A server: its UDP socket, and the messages in flight to it. */
struct ddns_udp {
	struct ddns *d;
	int idx;
	int fd;
	size_t in_flight; /* sent, no answer yet (MSGS_MAX at most) */
};

/* One UPDATE (or query) in flight, or still taking attempts until the loop
 * sleeps: the message, its transport, and the attempts it answers for. */
struct ddns_batch {
	struct ddns_batch *next;
	struct ddns *d;
	const struct conf_zone *zone;
	int server; /* index into ddns.servers */
	struct ddns_key *key;
	bool sent;           /* false: still taking attempts */
	bool alone;          /* one attempt's own message (a query, or a row of a split batch) */
	bool query;          /* a query for the name's AAAA records */
	bool tcp;            /* too big for a datagram, or the UDP answer was truncated */
	bool resent;         /* sent again once already after its TCP connection went */
	bool counted;        /* in its server's in_flight */
	bool waiting;        /* built, waiting for room under MSGS_MAX */
	uint64_t born;       /* evl_now when it took its first attempt */
	uint64_t hold_timer; /* sends it HOLD_MS after born */
	uint64_t gen;        /* the generation of the server's TCP connection it went on */
	size_t size;         /* octets of the attempts' updates, estimated */
	struct ddns_msg *msg;
	uint64_t timer;
	int untrusted; /* RCODE of an untrusted answer to this message, or -1 */
	struct ddns_attempt **ats;
	uint32_t *hashes; /* ats[i]->name_hash, side by side for batch_for */
	size_t n, cap;
};

static const struct ddns_batch_ops *ops;

const char *ddns_server_text(const struct ddns *d, int server, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	const struct conf_dns_server *s = &d->conf->ddns.servers[server];

	snprintf(buf, cap, "[%s]:%u", addr6_ntop(&s->address, a, sizeof(a)), (unsigned)s->port);
	return buf;
}

static void on_timeout(struct evl *l, uint64_t id, void *arg);
static void on_hold(struct evl *l, uint64_t id, void *arg);

static struct ddns_batch *batch_new(struct ddns *d, const struct ddns_attempt *j, bool alone)
{
	struct ddns_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	*b = (struct ddns_batch){.d = d,
	                         .zone = j->zone,
	                         .server = j->server,
	                         .key = j->key,
	                         .alone = alone,
	                         .query = j->query,
	                         .untrusted = -1,
	                         .born = evl_now(d->l),
	                         .next = d->batches};
	d->batches = b;
	if (!alone)
		b->hold_timer = evl_timer(d->l, HOLD_MS, on_hold, b);
	return b;
}

/* Ends b's wait for an answer. */
static void batch_transport_clear(struct ddns_batch *b)
{
	if (b->timer)
		evl_timer_cancel(b->d->l, b->timer);
	b->timer = 0;
}

static void batch_free(struct ddns_batch *b)
{
	for (struct ddns_batch **p = &b->d->batches; *p; p = &(*p)->next) {
		if (*p == b) {
			*p = b->next;
			break;
		}
	}
	batch_transport_clear(b);
	if (b->hold_timer)
		evl_timer_cancel(b->d->l, b->hold_timer);
	if (b->counted)
		b->d->udp[b->server].in_flight--;
	ddns_msg_free(b->msg);
	free(b->ats);
	free(b->hashes);
	free(b);
}

static int batch_add(struct ddns_batch *b, struct ddns_attempt *j)
{
	if (b->n == b->cap) {
		size_t c = b->cap ? 2 * b->cap : 8;
		struct ddns_attempt **n = realloc(b->ats, c * sizeof(*n));
		uint32_t *h = n ? realloc(b->hashes, c * sizeof(*h)) : NULL;

		if (n)
			b->ats = n;
		if (!h)
			return CH_ENOMEM;
		b->hashes = h;
		b->cap = c;
	}
	b->hashes[b->n] = j->name_hash;
	b->ats[b->n++] = j;
	b->size += ddns_update_size(&j->req);
	j->batch = b;
	return 0;
}

/* j leaves b; a batch with no attempt left is freed. */
static void batch_remove(struct ddns_batch *b, struct ddns_attempt *j)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->ats[i] == j) {
			memmove(&b->ats[i], &b->ats[i + 1], (b->n - i - 1) * sizeof(*b->ats));
			memmove(&b->hashes[i], &b->hashes[i + 1],
			        (b->n - i - 1) * sizeof(*b->hashes));
			b->n--;
			break;
		}
	}
	j->batch = NULL;
	if (!b->n)
		batch_free(b);
}

/* The outcome of b is in: its ats, detached, and b freed (*n of them). The
 * caller gives each job its outcome and frees the array. */
static struct ddns_attempt **batch_take(struct ddns_batch *b, size_t *n)
{
	struct ddns_attempt **ats = b->ats;

	*n = b->n;
	for (size_t i = 0; i < b->n; i++)
		ats[i]->batch = NULL;
	b->ats = NULL;
	b->n = 0;
	batch_free(b);
	return ats;
}

/* Every attempt of b: this server could not do it. */
static void batch_failed(struct ddns_batch *b, bool permanent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void batch_failed(struct ddns_batch *b, bool permanent, const char *fmt, ...)
{
	char why[200];
	struct ddns_attempt **ats;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ats = batch_take(b, &n);
	for (size_t i = 0; i < n; i++)
		ops->failed(ats[i], permanent, why);
	free(ats);
}

/* The server did not do all of b: each row again in a message of its own,
 * for its own RFC 4703 outcome (nothing of b was applied: RFC 2136 §3). */
static void batch_split(struct ddns_batch *b, const char *why)
{
	struct ddns *d = b->d;
	struct ddns_attempt **ats;
	size_t n;

	d->st.splits++;
	if (log_get_level() >= LOG_INFO)
		log_info("an UPDATE of %zu rows for zone %s answered %s: each row again alone",
		         b->n, b->zone->name, why);
	ats = batch_take(b, &n);
	for (size_t i = 0; i < n; i++)
		ops->split(ats[i]);
	free(ats);
}

static uint16_t fresh_id(const struct ddns *d, int server)
{
	for (;;) {
		uint16_t id = ddns_net_random16();
		bool used = false;

		for (const struct ddns_batch *o = d->batches; o && !used; o = o->next)
			used = o->msg && o->server == server && ddns_msg_id(o->msg) == id;
		if (!used)
			return id;
	}
}

/* Sends b's message to its server: over TCP when it will not fit a
 * datagram or the UDP answer was truncated. */
static void batch_transmit(struct ddns_batch *b)
{
	struct ddns *d = b->d;
	const struct conf_ddns *c = &d->conf->ddns;
	size_t len;
	ssize_t n;
	const uint8_t *w = ddns_msg_wire(b->msg, &len);
	bool truncated = b->tcp;
	struct ddns_udp *u = &d->udp[b->server];

	if (!b->counted && u->in_flight >= MSGS_MAX) {
		b->waiting = true; /* ddns_batch_flush sends it once there is room */
		return;
	}
	if (!b->counted)
		u->in_flight++;
	b->counted = true;
	b->waiting = false;
	batch_transport_clear(b);
	b->untrusted = -1;
	b->tcp = b->tcp || len > UDP_MAX;
	b->timer = evl_timer(d->l, c->timeout_ms, on_timeout, b);
	d->st.sent++;
	if (b->tcp) {
		int err;

		d->st.tcp++;
		if (log_get_level() >= LOG_INFO)
			log_info(
			    "%zu octets to %s over TCP (%s), %zu rows for zone %s, the first %s",
			    len, ddns_server_text(d, b->server, (char[64]){0}, 64),
			    truncated ? "the UDP answer was truncated" : "too big for UDP", b->n,
			    b->zone->name, b->ats[0]->req.name);
		/* RFC 7766 §6.2.1: on the server's connection, beside the others */
		if ((err = ddns_conn_send(d->conns[b->server], w, len, &b->gen)) < 0)
			batch_failed(b, false, "TCP: %s", ch_strerror(err));
		return;
	}
	n = ddns_net_send(d->udp[b->server].fd, w, len);
	if (n < 0 && n != -EAGAIN)
		batch_failed(b, false, "UDP: %s", strerror((int)-n));
}

/* Builds b's message, one UPDATE with every attempt's step, and sends it. */
static void batch_send(struct ddns_batch *b)
{
	struct ddns_req one, *r = b->n > 1 ? calloc(b->n, sizeof(*r)) : &one;
	uint16_t id = fresh_id(b->d, b->server);
	int err = CH_ENOMEM;

	b->sent = true;
	if (b->hold_timer)
		evl_timer_cancel(b->d->l, b->hold_timer);
	b->hold_timer = 0;
	if (r) {
		for (size_t i = 0; i < b->n; i++) {
			r[i] = b->ats[i]->req;
			r[i].id = id;
		}
		err = b->query ? ddns_query_build(b->ats[0]->req.name, id, b->key, &b->msg)
		               : ddns_update_build_n(r, b->n, b->key, &b->msg);
	}
	if (r != &one)
		free(r);
	if (err < 0 && b->n > 1) {
		batch_split(b, ch_strerror(err)); /* which row it is, each alone tells */
	} else if (err < 0) {
		char why[120];
		size_t n;
		struct ddns_attempt **ats = batch_take(b, &n);

		snprintf(why, sizeof(why), "cannot build the update: %s", ch_strerror(err));
		ops->unbuildable(ats[0], why);
		free(ats);
	} else {
		batch_transmit(b);
	}
}

/* A batch still taking ats goes now: full, alone, held long enough, or
 * nothing of its zone in flight to its server (HOLD_MS). */
static bool batch_due(const struct ddns_batch *b)
{
	const struct ddns *d = b->d;

	if (b->alone || b->n >= d->conf->ddns.batch || d->stopping ||
	    evl_now(d->l) - b->born >= HOLD_MS)
		return true;
	for (const struct ddns_batch *o = d->batches; o; o = o->next) {
		if (o->counted && o->zone == b->zone && o->server == b->server)
			return false;
	}
	return true;
}

static void on_hold(struct evl *l, uint64_t id, void *arg)
{
	struct ddns_batch *b = arg;

	(void)l;
	(void)id;
	b->hold_timer = 0;
	if (!b->sent)
		batch_send(b);
}

/* Sends the batches due (batch_due), and those waiting for room under
 * MSGS_MAX while there is (before the loop sleeps). */
void ddns_batch_flush(struct ddns *d)
{
	for (;;) {
		struct ddns_batch *b = d->batches;

		while (b && (b->sent ? !(b->waiting && d->udp[b->server].in_flight < MSGS_MAX)
		                     : !batch_due(b)))
			b = b->next;
		if (!b)
			return;
		if (b->sent)
			batch_transmit(b);
		else
			batch_send(b);
	}
}

/* ---- answers ---- */

/* A warning a peer can cause, at most one per WARN_MS. */
static void warn_limited(const struct ddns_batch *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn_limited(const struct ddns_batch *b, const char *fmt, ...)
{
	struct ddns *d = b->d;
	uint64_t now = evl_now(d->l);
	char msg[256];
	va_list ap;

	if (d->warn_at && now - d->warn_at < WARN_MS)
		return;
	d->warn_at = now ? now : 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warning("%s (zone %s, %zu rows, the first %s)", msg, b->zone->name, b->n,
	            b->ats[0]->req.name);
}

static void batch_answer(struct ddns_batch *b, const uint8_t *w, size_t n, bool tcp)
{
	struct ddns *d = b->d;
	const struct conf_ddns *c = &d->conf->ddns;
	struct ddns_answer a;
	struct ddns_attempt **ats;
	char srv[64];
	size_t nj;
	int r = ddns_update_parse(b->msg, b->key, w, n, ddns_net_wallclock(), &a);

	if (r < 0)
		return; /* not the answer to this message */
	ddns_server_text(d, b->server, srv, sizeof(srv));
	if (!a.trusted) {
		d->st.untrusted++;
		/* RFC 8945 §5.3.2: BADKEY and BADSIG come unsigned, with NOTAUTH */
		if (a.rcode == DDNS_NOTAUTH && a.has_tsig && a.tsig_error) {
			batch_failed(
			    b, true,
			    "NOTAUTH, TSIG error %s (unsigned): the server does not "
			    "accept key %s",
			    ddns_tsig_error_name(a.tsig_error),
			    c->keys[b->zone->key >= 0 ? b->zone->key : c->servers[b->server].key]
			        .name);
			return;
		}
		/* over TCP too: the connection is shared, the trusted answer may follow */
		b->untrusted = a.rcode;
		warn_limited(
		    b, "%s answer from %s (%s) ignored: not trusted, waiting for a signed one",
		    a.has_tsig ? "badly signed" : "unsigned", srv, ddns_rcode_name(a.rcode));
		return;
	}
	if (a.truncated && !tcp) {
		b->tcp = true;
		batch_transmit(b); /* RFC 2136 §2.1: again, over TCP */
		return;
	}
	d->st.rcode[a.rcode & 15]++;
	if (b->n > 1 && a.rcode != DDNS_NOERROR) {
		batch_split(b, ddns_rcode_name(a.rcode));
		return;
	}
	ats = batch_take(b, &nj);
	for (size_t i = 0; i < nj; i++)
		ops->answered(ats[i], a.rcode, &a);
	free(ats);
}

static void on_udp(struct evl *l, int fd, uint32_t events, void *arg)
{
	static uint8_t buf[65536];
	struct ddns_udp *u = arg;

	(void)l;
	(void)events;
	for (int i = 0; i < 64; i++) {
		ssize_t n = ddns_net_recv(fd, buf, sizeof(buf));
		uint16_t id;

		if (n < 0)
			return; /* EAGAIN, or an ICMP error a timeout will handle */
		if (n < 12)
			continue;
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		for (struct ddns_batch *b = u->d->batches; b; b = b->next) {
			if (b->msg && b->server == u->idx && !b->tcp && ddns_msg_id(b->msg) == id) {
				batch_answer(b, buf, (size_t)n, false);
				break;
			}
		}
	}
}

/* ---- transport ---- */

static void on_timeout(struct evl *l, uint64_t id, void *arg)
{
	struct ddns_batch *b = arg;
	unsigned ms = b->d->conf->ddns.timeout_ms;

	(void)l;
	(void)id;
	b->timer = 0;
	b->d->st.timeouts++;
	if (b->untrusted >= 0)
		batch_failed(b, false, "no trusted answer within %u ms (only an unsigned %s)", ms,
		             ddns_rcode_name(b->untrusted));
	else
		batch_failed(b, false, "no answer within %u ms", ms);
}

/* An answer on the server's TCP connection: the message it answers. */
static void on_conn_msg(void *arg, const uint8_t *w, size_t n)
{
	struct ddns_udp *u = arg;
	uint16_t id;

	if (n < 12)
		return;
	id = (uint16_t)(w[0] << 8 | w[1]);
	for (struct ddns_batch *b = u->d->batches; b; b = b->next) {
		if (b->msg && b->tcp && b->server == u->idx && ddns_msg_id(b->msg) == id) {
			batch_answer(b, w, n, true);
			return;
		}
	}
}

/* The server's TCP connection went (an idle close may cross a request):
 * what was sent on it goes once more on a new one, then counts as failed.
 * Sending an update twice is safe, its prerequisites say whether it still
 * applies (RFC 4703 §5). */
static void on_conn_down(void *arg, uint64_t gen, const char *why)
{
	struct ddns_udp *u = arg;

	for (;;) {
		struct ddns_batch *b = u->d->batches;

		while (b && !(b->sent && b->msg && b->tcp && b->server == u->idx && b->gen == gen))
			b = b->next;
		if (!b)
			return;
		if (b->resent) {
			batch_failed(b, false, "TCP: %s", why);
		} else {
			b->resent = true;
			batch_transmit(b); /* a new generation, or failed and freed */
		}
	}
}

/* ---- the servers ---- */

int ddns_batch_open(struct ddns *d, const struct ddns_batch_ops *o)
{
	const struct conf_ddns *c = &d->conf->ddns;

	ops = o;
	d->udp = calloc(c->n_servers + 1, sizeof(*d->udp));
	d->conns = calloc(c->n_servers + 1, sizeof(*d->conns));
	if (!d->udp || !d->conns)
		return CH_ENOMEM;
	for (size_t i = 0; i < c->n_servers; i++) {
		char s[64];
		int fd = ddns_net_udp_open(&c->servers[i].address, (uint16_t)c->servers[i].port);

		d->udp[i] = (struct ddns_udp){.d = d, .idx = (int)i, .fd = fd};
		if (fd < 0) {
			log_err("cannot open a UDP socket to %s: %s",
			        ddns_server_text(d, (int)i, s, sizeof(s)), strerror(-fd));
			return fd;
		}
		evl_watch(d->l, fd, EPOLLIN, on_udp, &d->udp[i]);
		d->conns[i] =
		    ddns_conn_new(d->l, &c->servers[i].address, (uint16_t)c->servers[i].port,
		                  on_conn_msg, on_conn_down, &d->udp[i]);
		if (!d->conns[i])
			return CH_ENOMEM;
	}
	return 0;
}

void ddns_batch_close(struct ddns *d)
{
	const struct conf_ddns *c = &d->conf->ddns;

	for (size_t i = 0; d->udp && i < c->n_servers; i++) {
		if (d->udp[i].fd >= 0) {
			evl_unwatch(d->l, d->udp[i].fd);
			ddns_net_close(d->udp[i].fd);
		}
	}
	for (size_t i = 0; d->conns && i < c->n_servers; i++)
		ddns_conn_free(d->conns[i]);
	free(d->conns);
	free(d->udp);
	d->conns = NULL;
	d->udp = NULL;
}

/* ---- taking attempts ---- */

uint32_t ddns_batch_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)(*s | 0x20)) * 16777619u;
	return h;
}

/* An open batch j can join: same zone, server and key, room left, and no
 * attempt of it for the same owner (one name once per message). */
static struct ddns_batch *batch_for(const struct ddns *d, const struct ddns_attempt *j)
{
	size_t size = ddns_update_size(&j->req);

	for (struct ddns_batch *b = d->batches; b; b = b->next) {
		bool same = false;

		if (b->sent || b->alone || b->zone != j->zone || b->server != j->server ||
		    b->key != j->key || b->n >= d->conf->ddns.batch || b->size + size > BATCH_MAX)
			continue;
		for (size_t i = 0; i < b->n && !same; i++)
			same = b->hashes[i] == j->name_hash &&
			       strcasecmp(b->ats[i]->req.name, j->req.name) == 0;
		if (!same)
			return b;
	}
	return NULL;
}

int ddns_batch_put(struct ddns *d, struct ddns_attempt *at, bool alone)
{
	struct ddns_batch *b;

	ddns_batch_leave(at);
	b = alone ? NULL : batch_for(d, at);
	if (!b)
		b = batch_new(d, at, alone);
	if (!b || batch_add(b, at) < 0) {
		if (b && !b->n)
			batch_free(b);
		return CH_ENOMEM;
	}
	if (b->alone || b->n >= d->conf->ddns.batch)
		batch_send(b);
	return 0;
}

void ddns_batch_leave(struct ddns_attempt *at)
{
	if (at->batch)
		batch_remove(at->batch, at);
}
