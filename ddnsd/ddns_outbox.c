/*
 * The outbox worker (see ddns_outbox.h). RFC 4703 §5 (steps and their
 * outcomes), RFC 2136 §4 (servers in order, the next on failure), RFC 8945
 * §5.2 (an answer whose TSIG does not verify is not one).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr6.h"
#include "ddns_conn.h"
#include "ddns_net.h"
#include "ddns_outbox.h"
#include "ddns_store.h"
#include "ddns_update.h"
#include "errors.h"
#include "log.h"

#define UDP_MAX   512 /* RFC 1035 §4.2.1: larger messages go over TCP */
#define FWD_LOOPS 3   /* RFC 4703 §5: steps 1 and 2 may alternate; bound them */
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

/* S_OLD (remove-stale-ptr) reads the name's AAAAs before S_FWD2 replaces
 * them; S_STALE then removes the PTR of each old address not kept. */
enum step { S_FWD, S_OLD, S_FWD2, S_STALE, S_REV, S_REM_A, S_REM_B, S_REV_REM, S_END };

/* A server: its UDP socket, and the messages in flight to it. */
struct ddns_udp {
	struct ddns *d;
	int idx;
	int fd;
	size_t in_flight; /* sent, no answer yet (MSGS_MAX at most) */
};

/* One UPDATE (or query) in flight, or still taking jobs until the loop
 * sleeps: the message, its transport, and the jobs it answers for. */
struct ddns_batch {
	struct ddns_batch *next;
	struct ddns *d;
	const struct conf_zone *zone;
	int server; /* index into ddns.servers */
	struct ddns_key *key;
	bool sent;           /* false: still taking jobs */
	bool alone;          /* one job's own message (a query, or a row of a split batch) */
	bool query;          /* S_OLD: a query for the name's AAAA records */
	bool tcp;            /* too big for a datagram, or the UDP answer was truncated */
	bool resent;         /* sent again once already after its TCP connection went */
	bool counted;        /* in its server's in_flight */
	bool waiting;        /* built, waiting for room under MSGS_MAX */
	uint64_t born;       /* evl_now when it took its first job */
	uint64_t hold_timer; /* sends it HOLD_MS after born */
	uint64_t gen;        /* the generation of the server's TCP connection it went on */
	size_t size;         /* octets of the jobs' updates, estimated */
	struct ddns_msg *msg;
	uint64_t timer;
	int untrusted; /* RCODE of an untrusted answer to this message, or -1 */
	struct ddns_job **jobs;
	uint32_t *hashes; /* jobs[i]->name_hash, side by side for batch_for */
	size_t n, cap;
};

struct ddns_job {
	struct ddns_job *next, **pprev; /* in d->jobs: unlinked at once, the window may be large */
	struct ddns *d;
	struct ddns_row row;
	uint8_t dhcid[DDNS_DHCID_LEN];
	char rev[DDNS_REV_LEN];
	enum step step;
	enum ddns_kind kind;
	int loops;
	const struct conf_zone *zone;
	size_t srv;               /* position in zone->servers */
	int server;               /* index into ddns.servers */
	struct ddns_batch *batch; /* the message the current step waits for */
	struct ddns_req req;      /* the current step's update */
	uint32_t name_hash;       /* of req.name, case-folded: one owner once per message */
	bool alone; /* the step's batch failed: this row goes in a message of its own */
	bool fwd_done, rev_done;
	const char *conflict;
	char why[640];
	bool permanent;
	struct in6_addr old[DDNS_MAX_AAAA]; /* the name's AAAAs before S_FWD2 */
	size_t n_old;
	size_t stale_i; /* next of old[] for S_STALE */
	char stale_rev[DDNS_REV_LEN];
};

static void job_go(struct ddns_job *j);
static void send_step(struct ddns_job *j);
static void batch_remove(struct ddns_batch *b, struct ddns_job *j);

/* ---- logging ---- */

static void job_log(const struct ddns_job *j, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void job_log(const struct ddns_job *j, int level, const char *fmt, ...)
{
	char msg[512], a[INET6_ADDRSTRLEN + 4];
	struct addr6_prefix p = {.addr = j->row.addr, .len = (uint8_t)j->row.plen};
	va_list ap;

	if (level > log_get_level())
		return; /* a debug line per update costs more than the update */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(level, "%s %s %s (row %" PRId64 "): %s", j->row.add ? "add" : "remove", j->row.fqdn,
	        j->row.plen < 128 ? addr6_prefix_ntop(&p, a, sizeof(a))
	                          : addr6_ntop(&j->row.addr, a, sizeof(a)),
	        j->row.id, msg);
}

static const char *server_text(const struct ddns *d, int server, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	const struct conf_dns_server *s = &d->conf->ddns.servers[server];

	snprintf(buf, cap, "[%s]:%u", addr6_ntop(&s->address, a, sizeof(a)), (unsigned)s->port);
	return buf;
}

/* ---- the configuration ---- */

static int check_zones(const struct conf *c, const struct conf_zone *z, size_t n, const char *what,
                       char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < z[i].n_servers; k++) {
			if (z[i].key >= 0 || c->ddns.servers[z[i].servers[k]].key >= 0)
				continue;
			snprintf(err, errlen,
			         "%s: /ddns/%s/%zu: expected a \"key\" (the zone's or each of its "
			         "servers'): chorus-ddnsd signs every update",
			         c->file, what, i);
			return CH_ECONF;
		}
	}
	return 0;
}

int ddns_outbox_check(const struct conf *c, char *err, size_t errlen)
{
	const struct conf_ddns *d = &c->ddns;

	if (!d->enabled) {
		snprintf(err, errlen, "%s: /ddns/enabled: expected true to run chorus-ddnsd",
		         c->file);
		return CH_ECONF;
	}
	for (size_t i = 0; i < d->n_keys; i++) {
		char has[128] = "";
		size_t o = 0;

		if (ddns_update_alg_supported(d->keys[i].algorithm))
			continue;
		/* what this ldns signs with, as the probe found it */
		for (int a = CONF_TSIG_HMAC_MD5; a <= CONF_TSIG_HMAC_SHA512 && o < sizeof(has); a++)
			if (ddns_update_alg_supported((enum conf_tsig_alg)a))
				o += (size_t)snprintf(has + o, sizeof(has) - o, "%s%s",
				                      o ? ", " : "",
				                      conf_tsig_alg_name((enum conf_tsig_alg)a));
		snprintf(err, errlen,
		         "%s: /ddns/keys/%zu/algorithm: %s is not supported by %s (it signs with "
		         "%s only)",
		         c->file, i, conf_tsig_alg_name(d->keys[i].algorithm),
		         ddns_update_ldns_version(), has);
		return CH_ECONF;
	}
	if (check_zones(c, d->forward_zones, d->n_forward_zones, "forward-zones", err, errlen) <
	        0 ||
	    check_zones(c, d->reverse_zones, d->n_reverse_zones, "reverse-zones", err, errlen) < 0)
		return CH_ECONF;
	return 0;
}

/* Ended jobs kept for the next rows: a job is a large allocation, and glibc
 * sorts its small free chunks at every large one. */
static int64_t *busy; /* the ids of d->jobs, for a read of the outbox */
static size_t cap_busy;
static struct ddns_job *job_pool;

static struct ddns_job *job_alloc(void)
{
	struct ddns_job *j = job_pool;

	if (!j)
		return calloc(1, sizeof(*j));
	job_pool = j->next;
	memset(j, 0, sizeof(*j));
	return j;
}

static void job_release(struct ddns_job *j)
{
	j->next = job_pool;
	job_pool = j;
}

/* ---- sockets and keys ---- */

static void on_udp(struct evl *l, int fd, uint32_t events, void *arg);
static void on_conn_msg(void *arg, const uint8_t *w, size_t n);
static void on_conn_down(void *arg, uint64_t gen, const char *why);

int ddns_outbox_open(struct ddns *d)
{
	const struct conf_ddns *c = &d->conf->ddns;
	int err;

	d->udp = calloc(c->n_servers + 1, sizeof(*d->udp));
	d->keys = calloc(c->n_keys + 1, sizeof(*d->keys));
	d->conns = calloc(c->n_servers + 1, sizeof(*d->conns));
	if (!d->udp || !d->keys || !d->conns)
		return CH_ENOMEM;
	for (size_t i = 0; i < c->n_keys; i++) {
		if ((err = ddns_key_new(&c->keys[i], &d->keys[i])) < 0)
			return err;
	}
	for (size_t i = 0; i < c->n_servers; i++) {
		char s[64];
		int fd = ddns_net_udp_open(&c->servers[i].address, (uint16_t)c->servers[i].port);

		d->udp[i] = (struct ddns_udp){.d = d, .idx = (int)i, .fd = fd};
		if (fd < 0) {
			log_err("cannot open a UDP socket to %s: %s",
			        server_text(d, (int)i, s, sizeof(s)), strerror(-fd));
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

void ddns_outbox_close(struct ddns *d)
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
	d->conns = NULL;
	for (size_t i = 0; d->keys && i < c->n_keys; i++)
		ddns_key_free(d->keys[i]);
	while (job_pool) {
		struct ddns_job *j = job_pool;

		job_pool = j->next;
		free(j);
	}
	free(busy);
	busy = NULL;
	cap_busy = 0;
	free(d->udp);
	free(d->keys);
	d->udp = NULL;
	d->keys = NULL;
}

static void apply_reload(struct ddns *d)
{
	struct conf *c = d->next_conf;
	int err;

	d->next_conf = NULL;
	ddns_outbox_close(d);
	conf_free(d->conf);
	d->conf = c;
	log_set_level(c->logging.level);
	if ((err = ddns_outbox_open(d)) < 0)
		log_err("reload: cannot set up the DNS servers: %s", ch_strerror(err));
	else /* lib/reload said "configuration reloaded" when it took the file */
		log_notice("reload applied: the new DNS servers and keys are in use");
	ddns_outbox_kick(d);
}

void ddns_outbox_reload(struct ddns *d, struct conf *c)
{
	conf_free(d->next_conf);
	d->next_conf = c;
	if (!d->n_jobs)
		apply_reload(d);
}

/* ---- jobs ---- */

static const struct conf_zone *zone_find(const struct conf_zone *z, size_t n, const char *name)
{
	const struct conf_zone *best = NULL;
	size_t best_labels = 0, l;

	for (size_t i = 0; i < n; i++) {
		if (ddns_name_in_zone(name, z[i].name, &l) && (!best || l > best_labels)) {
			best = &z[i];
			best_labels = l;
		}
	}
	return best;
}

static void job_unlink(struct ddns_job *j)
{
	struct ddns *d = j->d;

	if (!j->pprev)
		return;
	*j->pprev = j->next;
	if (j->next)
		j->next->pprev = j->pprev;
	j->pprev = NULL;
	d->n_jobs--;
}

/* The job no longer waits for a message (its batch goes on for the others). */
static void attempt_clear(struct ddns_job *j)
{
	if (j->batch)
		batch_remove(j->batch, j);
}

/* Room enough in the window to read the outbox again: a batch's worth (or
 * half the window), or nothing in flight. One read per finished row would
 * cost a statement, and a list of the ids in flight, per row. */
static bool refill_room(const struct ddns *d)
{
	size_t window = d->conf->ddns.window, want = d->conf->ddns.batch;

	if (want > window / 2)
		want = window / 2 ? window / 2 : 1;
	return !d->n_jobs || (d->n_jobs < window && window - d->n_jobs >= want);
}

/* The job is over (its row finished or put back): free it, refill the window. */
static void job_end(struct ddns_job *j)
{
	struct ddns *d = j->d;

	attempt_clear(j);
	job_unlink(j);
	job_release(j);
	if (d->stopping && !d->n_jobs) {
		ddns_store_stats(d);
		if (!ddns_store_busy(d))
			evl_stop(d->l);
	} else if (d->next_conf && !d->n_jobs)
		apply_reload(d);
	else if (d->due_again && refill_room(d))
		ddns_outbox_kick(d);
}

static void job_finish(struct ddns_job *j)
{
	struct ddns *d = j->d;

	if (ddns_store_done(d, &j->row, j->fwd_done, j->rev_done, j->conflict) < 0)
		job_log(j, LOG_WARNING, "done, but the database is away: it is done again later");
	if (j->conflict)
		d->st.conflicts++;
	if (j->conflict)
		job_log(j, LOG_NOTICE, "not updated: %s (RFC 4703 §5.3.3), recorded as an event",
		        j->conflict);
	else
		job_log(j, LOG_INFO, "done (AAAA/DHCID %s, PTR %s)", j->fwd_done ? "yes" : "no",
		        j->rev_done ? "yes" : "no");
	d->st.done++;
	job_end(j);
}

static void on_retry_due(struct evl *l, uint64_t id, void *arg)
{
	(void)l;
	(void)id;
	ddns_outbox_kick(arg);
}

/* Every server failed this step: the row goes back, to come again later. */
static void job_fail(struct ddns_job *j)
{
	struct ddns *d = j->d;
	const struct conf_ddns *c = &d->conf->ddns;
	uint64_t s, ms;

	if (j->permanent) {
		s = c->permanent_retry;
		d->st.permanent++;
	} else {
		unsigned sh = j->row.attempts < 20 ? j->row.attempts : 20;

		s = (uint64_t)c->retry_min << sh;
		if (s > c->retry_max)
			s = c->retry_max;
		d->st.retries++;
	}
	/* jitter: 75 % .. 125 % of the period, so a backlog does not return in step */
	ms = s * 750 + (uint64_t)ddns_net_random16() % (s * 500 + 1);
	job_log(j, j->permanent ? LOG_ERR : LOG_WARNING, "%s; %s, next attempt in %" PRIu64 " ms",
	        j->why, j->permanent ? "a permanent failure, kept in the outbox" : "kept", ms);
	if (ddns_store_retry(d, &j->row, ms, j->why, j->permanent) == 0)
		evl_timer(d->l, ms + 50, on_retry_due, d);
	job_end(j);
}

/* This server could not do it: the next of the zone's, or the row goes back. */
static void server_failed(struct ddns_job *j, bool permanent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void server_failed(struct ddns_job *j, bool permanent, const char *fmt, ...)
{
	char srv[64], why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	attempt_clear(j);
	snprintf(j->why, sizeof(j->why), "%s from %s for zone %s", why,
	         server_text(j->d, j->server, srv, sizeof(srv)), j->zone->name);
	j->permanent = permanent;
	if (++j->srv < j->zone->n_servers) {
		job_log(j, LOG_INFO, "%s; trying the next server", j->why);
		send_step(j);
		return;
	}
	job_fail(j);
}

/* RFC 4703 §5.1 and RFC 2136 §4: what is worth trying again soon. */
static bool rcode_transient(int rcode)
{
	return rcode == DDNS_SERVFAIL || rcode == DDNS_REFUSED;
}

/* The forward zone's own policy, or the section's (RFC 6853 §4: an override per zone). */
static enum conf_ddns_conflict policy_of(const struct ddns_job *j)
{
	return j->zone && j->zone->conflict_policy >= 0
	           ? (enum conf_ddns_conflict)j->zone->conflict_policy
	           : j->d->conf->ddns.conflict_policy;
}

static void step_result(struct ddns_job *j, int rc)
{
	enum conf_ddns_conflict p = policy_of(j);
	enum step next;

	switch (j->step) {
	case S_FWD:
		if (rc == DDNS_NOERROR) {
			j->fwd_done = true;
			next = S_REV;
		} else if (rc == DDNS_YXDOMAIN && (p == CONF_DDNS_CHECK_WITH_DHCID ||
		                                   p == CONF_DDNS_CHECK_EXISTS_WITH_DHCID)) {
			next = j->d->conf->ddns.remove_stale_ptr && p == CONF_DDNS_CHECK_WITH_DHCID
			           ? S_OLD
			           : S_FWD2;
		} else {
			goto fail;
		}
		break;
	case S_OLD:
		if (rc != DDNS_NOERROR && rc != DDNS_NXDOMAIN)
			goto fail;
		job_log(j, LOG_DEBUG, "the name has %zu AAAA records before the update", j->n_old);
		next = S_FWD2;
		break;
	case S_FWD2:
		if (rc == DDNS_NOERROR) {
			j->fwd_done = true;
			j->stale_i = 0;
			next = j->n_old ? S_STALE : S_REV;
		} else if (rc == DDNS_NXDOMAIN && ++j->loops < FWD_LOOPS) {
			next = S_FWD; /* the name went away meanwhile */
		} else if (rc == DDNS_NXRRSET) {
			j->conflict =
			    p == CONF_DDNS_CHECK_EXISTS_WITH_DHCID
			        ? "the name is in use without a DHCID"
			        : "the name belongs to another client (its DHCID differs)";
			next = S_END;
		} else {
			goto fail;
		}
		break;
	case S_STALE:
		/* NXRRSET: the PTR names someone else, NXDOMAIN: already gone */
		if (rc != DDNS_NOERROR && rc != DDNS_NXRRSET && rc != DDNS_NXDOMAIN)
			goto fail;
		if (rc == DDNS_NOERROR)
			job_log(j, LOG_INFO, "stale PTR %s removed (remove-stale-ptr)",
			        j->stale_rev);
		j->stale_i++;
		next = S_STALE;
		break;
	case S_REV:
		if (rc != DDNS_NOERROR)
			goto fail;
		j->rev_done = true;
		next = S_END;
		break;
	case S_REM_A:
		/* NXRRSET: not our DHCID, NXDOMAIN: gone; §5.5: leave the name alone */
		if (rc != DDNS_NOERROR && rc != DDNS_NXRRSET && rc != DDNS_NXDOMAIN)
			goto fail;
		j->fwd_done = rc == DDNS_NOERROR;
		next = rc == DDNS_NOERROR ? S_REM_B : S_REV_REM;
		break;
	case S_REM_B:
		/* YXRRSET: addresses remain; NXRRSET: not ours any more */
		if (rc != DDNS_NOERROR && rc != DDNS_NXRRSET && rc != DDNS_YXRRSET &&
		    rc != DDNS_NXDOMAIN)
			goto fail;
		next = S_REV_REM;
		break;
	case S_REV_REM:
		if (rc != DDNS_NOERROR && rc != DDNS_NXRRSET && rc != DDNS_NXDOMAIN)
			goto fail;
		j->rev_done = rc == DDNS_NOERROR;
		next = S_END;
		break;
	default:
		return;
	}
	attempt_clear(j);
	j->alone = false; /* the next step may share a message again */
	j->step = next;
	job_go(j);
	return;
fail:
	server_failed(j, !rcode_transient(rc), "%s", ddns_rcode_name(rc));
}

/* ---- batches: the messages in flight ---- */

static void on_timeout(struct evl *l, uint64_t id, void *arg);
static void on_hold(struct evl *l, uint64_t id, void *arg);

static struct ddns_batch *batch_new(struct ddns *d, const struct ddns_job *j, struct ddns_key *key,
                                    bool alone)
{
	struct ddns_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	*b = (struct ddns_batch){.d = d,
	                         .zone = j->zone,
	                         .server = j->server,
	                         .key = key,
	                         .alone = alone,
	                         .query = j->step == S_OLD,
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
	free(b->jobs);
	free(b->hashes);
	free(b);
}

static int batch_add(struct ddns_batch *b, struct ddns_job *j)
{
	if (b->n == b->cap) {
		size_t c = b->cap ? 2 * b->cap : 8;
		struct ddns_job **n = realloc(b->jobs, c * sizeof(*n));
		uint32_t *h = n ? realloc(b->hashes, c * sizeof(*h)) : NULL;

		if (n)
			b->jobs = n;
		if (!h)
			return CH_ENOMEM;
		b->hashes = h;
		b->cap = c;
	}
	b->hashes[b->n] = j->name_hash;
	b->jobs[b->n++] = j;
	b->size += ddns_update_size(&j->req);
	j->batch = b;
	return 0;
}

/* j leaves b; a batch with no job left is freed. */
static void batch_remove(struct ddns_batch *b, struct ddns_job *j)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->jobs[i] == j) {
			memmove(&b->jobs[i], &b->jobs[i + 1], (b->n - i - 1) * sizeof(*b->jobs));
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

/* The outcome of b is in: its jobs, detached, and b freed (*n of them). The
 * caller gives each job its outcome and frees the array. */
static struct ddns_job **batch_take(struct ddns_batch *b, size_t *n)
{
	struct ddns_job **jobs = b->jobs;

	*n = b->n;
	for (size_t i = 0; i < b->n; i++)
		jobs[i]->batch = NULL;
	b->jobs = NULL;
	b->n = 0;
	batch_free(b);
	return jobs;
}

/* Every job of b: this server could not do it (server_failed). */
static void batch_failed(struct ddns_batch *b, bool permanent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void batch_failed(struct ddns_batch *b, bool permanent, const char *fmt, ...)
{
	char why[200];
	struct ddns_job **jobs;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	jobs = batch_take(b, &n);
	for (size_t i = 0; i < n; i++)
		server_failed(jobs[i], permanent, "%s", why);
	free(jobs);
}

/* The server did not do all of b: each row again in a message of its own,
 * for its own RFC 4703 outcome (nothing of b was applied: RFC 2136 §3). */
static void batch_split(struct ddns_batch *b, const char *why)
{
	struct ddns *d = b->d;
	struct ddns_job **jobs;
	size_t n;

	d->st.splits++;
	if (log_get_level() >= LOG_INFO)
		log_info("an UPDATE of %zu rows for zone %s answered %s: each row again alone",
		         b->n, b->zone->name, why);
	jobs = batch_take(b, &n);
	for (size_t i = 0; i < n; i++) {
		jobs[i]->alone = true;
		send_step(jobs[i]);
	}
	free(jobs);
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
		b->waiting = true; /* ddns_outbox_flush sends it once there is room */
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
			job_log(b->jobs[0], LOG_INFO, "%zu octets to %s over TCP (%s), %zu rows",
			        len, server_text(d, b->server, (char[64]){0}, 64),
			        truncated ? "the UDP answer was truncated" : "too big for UDP",
			        b->n);
		/* RFC 7766 §6.2.1: on the server's connection, beside the others */
		if ((err = ddns_conn_send(d->conns[b->server], w, len, &b->gen)) < 0)
			batch_failed(b, false, "TCP: %s", ch_strerror(err));
		return;
	}
	n = ddns_net_send(d->udp[b->server].fd, w, len);
	if (n < 0 && n != -EAGAIN)
		batch_failed(b, false, "UDP: %s", strerror((int)-n));
}

/* Builds b's message, one UPDATE with every job's step, and sends it. */
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
			r[i] = b->jobs[i]->req;
			r[i].id = id;
		}
		err = b->query ? ddns_query_build(b->jobs[0]->row.fqdn, id, b->key, &b->msg)
		               : ddns_update_build_n(r, b->n, b->key, &b->msg);
	}
	if (r != &one)
		free(r);
	if (err < 0 && b->n > 1) {
		batch_split(b, ch_strerror(err)); /* which row it is, each alone tells */
	} else if (err < 0) {
		struct ddns_job *j = b->jobs[0];

		attempt_clear(j);
		snprintf(j->why, sizeof(j->why), "cannot build the update: %s", ch_strerror(err));
		j->permanent = true;
		job_fail(j);
	} else {
		batch_transmit(b);
	}
}

/* A batch still taking jobs goes now: full, alone, held long enough, or
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
void ddns_outbox_flush(struct ddns *d)
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

static void warn_limited(struct ddns_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn_limited(struct ddns_job *j, const char *fmt, ...)
{
	uint64_t now = evl_now(j->d->l);
	char msg[256];
	va_list ap;

	if (j->d->warn_at && now - j->d->warn_at < WARN_MS)
		return;
	j->d->warn_at = now ? now : 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_log(j, LOG_WARNING, "%s", msg);
}

static void batch_answer(struct ddns_batch *b, const uint8_t *w, size_t n, bool tcp)
{
	struct ddns *d = b->d;
	const struct conf_ddns *c = &d->conf->ddns;
	struct ddns_answer a;
	struct ddns_job **jobs;
	char srv[64];
	size_t nj;
	int r = ddns_update_parse(b->msg, b->key, w, n, ddns_net_wallclock(), &a);

	if (r < 0)
		return; /* not the answer to this message */
	server_text(d, b->server, srv, sizeof(srv));
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
		    b->jobs[0],
		    "%s answer from %s (%s) ignored: not trusted, waiting for a signed one",
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
	jobs = batch_take(b, &nj);
	for (size_t i = 0; i < nj; i++) {
		struct ddns_job *j = jobs[i];

		if (log_get_level() >= LOG_DEBUG)
			job_log(j, LOG_DEBUG, "%s from %s", ddns_rcode_name(a.rcode), srv);
		if (j->step == S_OLD) {
			memcpy(j->old, a.aaaa, sizeof(j->old));
			j->n_old = a.n_aaaa;
		}
		step_result(j, a.rcode);
	}
	free(jobs);
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

/* ---- sending ---- */

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

static struct ddns_key *key_for(struct ddns_job *j)
{
	const struct conf_ddns *c = &j->d->conf->ddns;
	int k = j->zone->key >= 0 ? j->zone->key : c->servers[j->server].key;

	return k >= 0 ? j->d->keys[k] : NULL;
}

/* FNV-1a of s, case-folded. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)(*s | 0x20)) * 16777619u;
	return h;
}

/* An open batch j's step can join: same zone, server and key, room left,
 * and no row of it for the same owner (one name once per message). */
static struct ddns_batch *batch_for(struct ddns_job *j, struct ddns_key *key)
{
	const struct ddns *d = j->d;
	size_t size = ddns_update_size(&j->req);

	for (struct ddns_batch *b = d->batches; b; b = b->next) {
		bool same = false;

		if (b->sent || b->alone || b->zone != j->zone || b->server != j->server ||
		    b->key != key || b->n >= d->conf->ddns.batch || b->size + size > BATCH_MAX)
			continue;
		for (size_t i = 0; i < b->n && !same; i++)
			same = b->hashes[i] == j->name_hash &&
			       strcasecmp(b->jobs[i]->req.name, j->req.name) == 0;
		if (!same)
			return b;
	}
	return NULL;
}

/* Puts the current step to server j->srv of the zone in a batch: sent
 * when full, or before the loop sleeps; a query or a row of a split batch
 * in a message of its own, sent now. */
static void send_step(struct ddns_job *j)
{
	struct ddns *d = j->d;
	const struct conf_ddns *c = &d->conf->ddns;
	bool rev = j->step == S_REV || j->step == S_REV_REM;
	bool alone = j->alone || j->step == S_OLD || c->batch <= 1;
	struct ddns_key *key;
	struct ddns_batch *b;

	attempt_clear(j);
	j->server = j->zone->servers[j->srv];
	if (!(key = key_for(j))) {
		server_failed(j, true, "no TSIG key");
		return;
	}
	j->req = (struct ddns_req){
	    .kind = j->kind,
	    .zone = j->zone->name,
	    .name = j->step == S_STALE ? j->stale_rev
	            : rev              ? j->rev
	                               : j->row.fqdn,
	    .target = j->row.fqdn,
	    .addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.addrs : &j->row.addr,
	    .n_addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.n_addrs : 1,
	    .dhcid = j->dhcid,
	    .ttl = c->ttl};
	if (!j->req.ttl) /* RFC 4704 §7: a third of the lifetime, at least 10 minutes */
		j->req.ttl = j->row.valid / 3 > 600
		                 ? (j->row.valid / 3 < 86400 ? j->row.valid / 3 : 86400)
		                 : 600;
	j->name_hash = name_hash(j->req.name);
	b = alone ? NULL : batch_for(j, key);
	if (!b)
		b = batch_new(d, j, key, alone);
	if (!b || batch_add(b, j) < 0) {
		if (b && !b->n)
			batch_free(b);
		snprintf(j->why, sizeof(j->why), "out of memory");
		j->permanent = false;
		job_fail(j);
		return;
	}
	if (b->alone || b->n >= c->batch)
		batch_send(b);
}

static bool kept(const struct ddns_job *j, const struct in6_addr *a)
{
	for (size_t i = 0; i < j->row.n_addrs; i++) {
		if (addr6_eq(&j->row.addrs[i], a))
			return true;
	}
	return false;
}

/* The next old address whose PTR goes: one this binding does not keep, in
 * a reverse zone we update. 1: send, 0: none left. */
static int stale_setup(struct ddns_job *j)
{
	const struct conf_ddns *c = &j->d->conf->ddns;

	for (; j->stale_i < j->n_old; j->stale_i++) {
		if (!j->row.rev || kept(j, &j->old[j->stale_i]))
			continue;
		ddns_rev_name(&j->old[j->stale_i], j->stale_rev);
		j->zone = zone_find(c->reverse_zones, c->n_reverse_zones, j->stale_rev);
		if (!j->zone)
			continue;
		j->kind = DDNS_REV_REM;
		j->srv = 0;
		return 1;
	}
	return 0;
}

/* Sets up j->step: its zone and kind. 1: send it, 0: it does not apply. */
static int step_setup(struct ddns_job *j)
{
	const struct conf_ddns *c = &j->d->conf->ddns;
	bool rev = j->step == S_REV || j->step == S_REV_REM;
	enum conf_ddns_conflict p;

	if (j->step == S_STALE)
		return stale_setup(j);
	if (rev ? (!j->row.rev || j->conflict) : !j->row.fwd)
		return 0;
	j->zone = rev ? zone_find(c->reverse_zones, c->n_reverse_zones, j->rev)
	              : zone_find(c->forward_zones, c->n_forward_zones, j->row.fqdn);
	if (!j->zone) {
		job_log(j, LOG_DEBUG, "no %s zone configured for it, skipped",
		        rev ? "reverse" : "forward");
		return 0;
	}
	p = policy_of(j);
	switch (j->step) {
	case S_FWD:
		j->kind = p == CONF_DDNS_NO_CHECK_WITH_DHCID      ? DDNS_FWD_FORCE
		          : p == CONF_DDNS_NO_CHECK_WITHOUT_DHCID ? DDNS_FWD_FORCE_NODHCID
		                                                  : DDNS_FWD_ADD;
		break;
	case S_OLD:
		break; /* a query, not an update */
	case S_FWD2:
		j->kind =
		    p == CONF_DDNS_CHECK_EXISTS_WITH_DHCID ? DDNS_FWD_EXISTS : DDNS_FWD_REPLACE;
		break;
	case S_REM_A:
		j->kind = p == CONF_DDNS_NO_CHECK_WITHOUT_DHCID ? DDNS_FWD_REM_NODHCID
		                                                : DDNS_FWD_REM_ADDR;
		break;
	case S_REM_B:
		if (p == CONF_DDNS_NO_CHECK_WITHOUT_DHCID)
			return 0;
		j->kind = DDNS_FWD_REM_NAME;
		break;
	case S_REV:
		j->kind = DDNS_REV_ADD;
		break;
	case S_REV_REM:
		j->kind = j->row.plen < 128 ? DDNS_REV_REM_PTR : DDNS_REV_REM;
		break;
	default:
		return 0;
	}
	j->srv = 0;
	return 1;
}

static enum step step_after(enum step s)
{
	switch (s) {
	case S_OLD:
		return S_FWD2;
	case S_FWD:
	case S_FWD2:
	case S_STALE:
		return S_REV;
	case S_REM_A:
		return S_REM_B;
	case S_REM_B:
		return S_REV_REM;
	default:
		return S_END;
	}
}

/* Runs j from its current step, skipping those that do not apply. */
static void job_go(struct ddns_job *j)
{
	while (j->step != S_END) {
		if (step_setup(j) > 0) {
			send_step(j);
			return;
		}
		j->step = step_after(j->step);
	}
	job_finish(j);
}

static void job_start(struct ddns *d, const struct ddns_row *row)
{
	struct ddns_job *j = job_alloc();

	if (!j) {
		log_err("out of memory for outbox row %" PRId64, row->id);
		return;
	}
	j->d = d;
	j->row = *row;
	j->next = d->jobs;
	j->pprev = &d->jobs;
	if (d->jobs)
		d->jobs->pprev = &j->next;
	d->jobs = j;
	d->n_jobs++;
	if (j->row.stale) {
		job_log(j, LOG_INFO, "the lease ended or changed its name: removing instead");
		j->row.add = false;
	}
	/* a delegated prefix: the PTR at its nibble-aligned name. One off a
	 * nibble boundary has no name of its own: the covering one would claim
	 * addresses of up to 7 other prefixes, whose PTRs would replace each
	 * other; it gets no PTR, counted and logged */
	if (ddns_rev_prefix(&j->row.addr, j->row.plen, j->rev) < 0 && j->row.rev) {
		job_log(j, LOG_NOTICE,
		        "a /%u prefix is not on a nibble boundary: no PTR name of its own, skipped",
		        j->row.plen);
		d->st.skipped++;
		j->row.rev = false;
	}
	if (ddns_dhcid(j->row.duid, j->row.duid_len, j->row.fqdn, j->dhcid) < 0) {
		snprintf(j->why, sizeof(j->why), "the name cannot be encoded");
		j->permanent = true;
		job_fail(j);
		return;
	}
	j->step = j->row.add ? S_FWD : S_REM_A;
	job_go(j);
}

/* ---- reading the outbox ---- */

static size_t due_asked; /* rows asked for by the read in flight */

static int busy_ids(const struct ddns *d)
{
	size_t i = 0;

	if (d->n_jobs > cap_busy) {
		size_t c = 2 * d->n_jobs;
		int64_t *b = realloc(busy, c * sizeof(*b));

		if (!b)
			return CH_ENOMEM;
		busy = b;
		cap_busy = c;
	}
	for (const struct ddns_job *j = d->jobs; j && i < d->n_jobs; j = j->next)
		busy[i++] = j->row.id;
	return 0;
}

static void on_rows(struct ddns *d, struct ddns_row *rows, size_t n, int err)
{
	size_t asked = due_asked;

	d->due_busy = false;
	if (err < 0)
		return; /* the database is away; its return kicks again */
	if (n >= asked)
		d->due_again = true; /* there may be more */
	for (size_t i = 0; i < n && !d->stopping; i++)
		job_start(d, &rows[i]);
	if (d->due_again && refill_room(d))
		ddns_outbox_kick(d);
}

void ddns_outbox_kick(struct ddns *d)
{
	size_t window = d->conf->ddns.window;

	if (!d->db_up || d->stopping || d->next_conf)
		return;
	if (d->due_busy || d->n_jobs >= window) {
		d->due_again = true;
		return;
	}
	d->due_again = false;
	due_asked = window - d->n_jobs;
	if (busy_ids(d) == 0 && ddns_store_due(d, due_asked, busy, d->n_jobs, on_rows) == 0)
		d->due_busy = true;
}
