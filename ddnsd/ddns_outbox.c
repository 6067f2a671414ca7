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

#include "addr6.h"
#include "ddns_net.h"
#include "ddns_outbox.h"
#include "ddns_store.h"
#include "ddns_update.h"
#include "errors.h"
#include "log.h"

#define UDP_MAX   512 /* RFC 1035 §4.2.1: larger messages go over TCP */
#define FWD_LOOPS 3   /* RFC 4703 §5: steps 1 and 2 may alternate; bound them */
#define WARN_MS   10000

/* S_OLD (remove-stale-ptr) reads the name's AAAAs before S_FWD2 replaces
 * them; S_STALE then removes the PTR of each old address not kept. */
enum step { S_FWD, S_OLD, S_FWD2, S_STALE, S_REV, S_REM_A, S_REM_B, S_REV_REM, S_END };

struct ddns_udp {
	struct ddns *d;
	int idx;
	int fd;
};

struct ddns_job {
	struct ddns_job *next;
	struct ddns *d;
	struct ddns_row row;
	uint8_t dhcid[DDNS_DHCID_LEN];
	char rev[DDNS_REV_LEN];
	enum step step;
	enum ddns_kind kind;
	int loops;
	const struct conf_zone *zone;
	size_t srv; /* position in zone->servers */
	int server; /* index into ddns.servers */
	struct ddns_key *key;
	struct ddns_msg *msg;
	uint64_t timer;
	int tcp_fd;
	size_t tcp_off;   /* octets of the framed request written */
	uint8_t *tcp_buf; /* the framed answer as it arrives */
	size_t tcp_have;
	bool fwd_done, rev_done;
	const char *conflict;
	char why[640];
	bool permanent;
	int untrusted; /* RCODE of an untrusted answer to this attempt, or -1 */
	struct in6_addr old[DDNS_MAX_AAAA]; /* the name's AAAAs before S_FWD2 */
	size_t n_old;
	size_t stale_i; /* next of old[] for S_STALE */
	char stale_rev[DDNS_REV_LEN];
};

static void job_go(struct ddns_job *j);
static void send_step(struct ddns_job *j);

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

/* ---- sockets and keys ---- */

static void on_udp(struct evl *l, int fd, uint32_t events, void *arg);

int ddns_outbox_open(struct ddns *d)
{
	const struct conf_ddns *c = &d->conf->ddns;
	int err;

	d->udp = calloc(c->n_servers + 1, sizeof(*d->udp));
	d->keys = calloc(c->n_keys + 1, sizeof(*d->keys));
	if (!d->udp || !d->keys)
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
	for (size_t i = 0; d->keys && i < c->n_keys; i++)
		ddns_key_free(d->keys[i]);
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

	for (struct ddns_job **p = &d->jobs; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			d->n_jobs--;
			return;
		}
	}
}

static void attempt_clear(struct ddns_job *j)
{
	if (j->timer)
		evl_timer_cancel(j->d->l, j->timer);
	j->timer = 0;
	if (j->tcp_fd >= 0) {
		evl_unwatch(j->d->l, j->tcp_fd);
		ddns_net_close(j->tcp_fd);
	}
	j->tcp_fd = -1;
	free(j->tcp_buf);
	j->tcp_buf = NULL;
	j->tcp_have = j->tcp_off = 0;
	j->untrusted = -1;
	ddns_msg_free(j->msg);
	j->msg = NULL;
}

/* The job is over (its row finished or put back): free it, refill the window. */
static void job_end(struct ddns_job *j)
{
	struct ddns *d = j->d;

	attempt_clear(j);
	job_unlink(j);
	free(j);
	if (d->stopping && !d->n_jobs) {
		ddns_store_stats(d);
		if (!ddns_store_busy(d))
			evl_stop(d->l);
	} else if (d->next_conf && !d->n_jobs)
		apply_reload(d);
	else if (d->due_again)
		ddns_outbox_kick(d);
}

static void job_finish(struct ddns_job *j)
{
	struct ddns *d = j->d;

	if (ddns_store_done(d, &j->row, j->fwd_done, j->rev_done, j->conflict) < 0)
		job_log(j, LOG_WARNING, "done, but the database is away: it is done again later");
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
	j->step = next;
	job_go(j);
	return;
fail:
	server_failed(j, !rcode_transient(rc), "%s", ddns_rcode_name(rc));
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

static void job_answer(struct ddns_job *j, const uint8_t *w, size_t n, bool tcp)
{
	struct ddns *d = j->d;
	struct ddns_answer a;
	char srv[64];
	int r = ddns_update_parse(j->msg, j->key, w, n, ddns_net_wallclock(), &a);

	if (r < 0)
		return; /* not the answer to this message */
	if (!a.trusted) {
		d->st.untrusted++;
		server_text(d, j->server, srv, sizeof(srv));
		/* RFC 8945 §5.3.2: BADKEY and BADSIG come unsigned, with NOTAUTH */
		if (a.rcode == DDNS_NOTAUTH && a.has_tsig && a.tsig_error) {
			server_failed(
			    j, true,
			    "NOTAUTH, TSIG error %s (unsigned): the server does not "
			    "accept key %s",
			    ddns_tsig_error_name(a.tsig_error),
			    d->conf->ddns
			        .keys[j->zone->key >= 0 ? j->zone->key
			                                : d->conf->ddns.servers[j->server].key]
			        .name);
			return;
		}
		j->untrusted = a.rcode;
		warn_limited(
		    j, "%s answer from %s (%s) ignored: not trusted, waiting for a signed one",
		    a.has_tsig ? "badly signed" : "unsigned", srv, ddns_rcode_name(a.rcode));
		if (tcp)
			server_failed(j, false, "untrusted answer over TCP");
		return;
	}
	if (a.truncated && !tcp) {
		j->tcp_off = 0;
		send_step(j); /* RFC 2136 §2.1: again, over TCP */
		return;
	}
	d->st.rcode[a.rcode & 15]++;
	if (log_get_level() >= LOG_DEBUG)
		job_log(j, LOG_DEBUG, "%s from %s", ddns_rcode_name(a.rcode),
		        server_text(d, j->server, srv, sizeof(srv)));
	if (j->step == S_OLD) {
		memcpy(j->old, a.aaaa, sizeof(j->old));
		j->n_old = a.n_aaaa;
	}
	step_result(j, a.rcode);
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
		for (struct ddns_job *j = u->d->jobs; j; j = j->next) {
			if (j->msg && j->server == u->idx && j->tcp_fd < 0 &&
			    ddns_msg_id(j->msg) == id) {
				job_answer(j, buf, (size_t)n, false);
				break;
			}
		}
	}
}

/* ---- sending ---- */

static void on_timeout(struct evl *l, uint64_t id, void *arg)
{
	struct ddns_job *j = arg;

	(void)l;
	(void)id;
	j->timer = 0;
	j->d->st.timeouts++;
	if (j->untrusted >= 0)
		server_failed(j, false, "no trusted answer within %u ms (only an unsigned %s)",
		              j->d->conf->ddns.timeout_ms, ddns_rcode_name(j->untrusted));
	else
		server_failed(j, false, "no answer within %u ms", j->d->conf->ddns.timeout_ms);
}

static void on_tcp(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct ddns_job *j = arg;
	size_t len;
	const uint8_t *w = ddns_msg_wire(j->msg, &len);
	ssize_t n;

	(void)events;
	if (j->tcp_off < len + 2) {
		uint8_t frame[2 + 65535];
		int e = ddns_net_tcp_error(fd);

		if (e < 0) {
			server_failed(j, false, "TCP: %s", strerror(-e));
			return;
		}
		frame[0] = (uint8_t)(len >> 8);
		frame[1] = (uint8_t)len;
		memcpy(frame + 2, w, len);
		n = ddns_net_send(fd, frame + j->tcp_off, len + 2 - j->tcp_off);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			server_failed(j, false, "TCP: %s", strerror((int)-n));
			return;
		}
		j->tcp_off += (size_t)n;
		if (j->tcp_off == len + 2)
			evl_watch(l, fd, EPOLLIN, on_tcp, j);
		return;
	}
	if (!j->tcp_buf && !(j->tcp_buf = malloc(2 + 65535))) {
		server_failed(j, false, "out of memory");
		return;
	}
	n = ddns_net_recv(fd, j->tcp_buf + j->tcp_have, 2 + 65535 - j->tcp_have);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		server_failed(j, false, "TCP connection closed before the answer");
		return;
	}
	j->tcp_have += (size_t)n;
	if (j->tcp_have >= 2) {
		size_t want = (size_t)j->tcp_buf[0] << 8 | j->tcp_buf[1];

		if (j->tcp_have >= want + 2)
			job_answer(j, j->tcp_buf + 2, want, true);
	}
}

static struct ddns_key *key_for(struct ddns_job *j)
{
	const struct conf_ddns *c = &j->d->conf->ddns;
	int k = j->zone->key >= 0 ? j->zone->key : c->servers[j->server].key;

	return k >= 0 ? j->d->keys[k] : NULL;
}

static uint16_t fresh_id(const struct ddns_job *j)
{
	for (;;) {
		uint16_t id = ddns_net_random16();
		bool used = false;

		for (const struct ddns_job *o = j->d->jobs; o && !used; o = o->next)
			used =
			    o != j && o->msg && o->server == j->server && ddns_msg_id(o->msg) == id;
		if (!used)
			return id;
	}
}

/* Sends the current step to server j->srv of the zone, over TCP when it
 * will not fit a datagram or the last answer was truncated. */
static void send_step(struct ddns_job *j)
{
	struct ddns *d = j->d;
	const struct conf_ddns *c = &d->conf->ddns;
	bool rev = j->step == S_REV || j->step == S_REV_REM;
	bool tcp = j->msg != NULL; /* a resend: the UDP answer was truncated */
	struct ddns_req r = {.kind = j->kind,
	                     .zone = j->zone->name,
	                     .name = j->step == S_STALE ? j->stale_rev
	                             : rev              ? j->rev
	                                                : j->row.fqdn,
	                     .target = j->row.fqdn,
	                     .addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.addrs
	                                                                    : &j->row.addr,
	                     .n_addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.n_addrs : 1,
	                     .dhcid = j->dhcid,
	                     .ttl = c->ttl};
	size_t len;
	ssize_t n;
	int err;

	if (!r.ttl) /* RFC 4704 §7: a third of the lifetime, at least 10 minutes */
		r.ttl = j->row.valid / 3 > 600
		            ? (j->row.valid / 3 < 86400 ? j->row.valid / 3 : 86400)
		            : 600;
	attempt_clear(j);
	j->server = j->zone->servers[j->srv];
	if (!(j->key = key_for(j))) {
		server_failed(j, true, "no TSIG key");
		return;
	}
	r.id = fresh_id(j);
	err = j->step == S_OLD ? ddns_query_build(j->row.fqdn, r.id, j->key, &j->msg)
	                       : ddns_update_build(&r, j->key, &j->msg);
	if (err < 0) {
		snprintf(j->why, sizeof(j->why), "cannot build the update: %s", ch_strerror(err));
		j->permanent = true;
		job_fail(j);
		return;
	}
	ddns_msg_wire(j->msg, &len);
	tcp = tcp || len > UDP_MAX;
	j->timer = evl_timer(d->l, c->timeout_ms, on_timeout, j);
	d->st.sent++;
	if (tcp) {
		d->st.tcp++;
		job_log(j, LOG_INFO, "%zu octets to %s over TCP (%s)", len,
		        server_text(d, j->server, (char[64]){0}, 64),
		        len > UDP_MAX ? "too big for UDP" : "the UDP answer was truncated");
		j->tcp_fd = ddns_net_tcp_open(&c->servers[j->server].address,
		                              (uint16_t)c->servers[j->server].port);
		if (j->tcp_fd < 0 || evl_watch(d->l, j->tcp_fd, EPOLLOUT, on_tcp, j) < 0)
			server_failed(j, false, "TCP: %s", strerror(-j->tcp_fd));
		return;
	}
	n = ddns_net_send(d->udp[j->server].fd, ddns_msg_wire(j->msg, &len), len);
	if (n < 0 && n != -EAGAIN)
		server_failed(j, false, "UDP: %s", strerror((int)-n));
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
	struct ddns_job *j = calloc(1, sizeof(*j));

	if (!j) {
		log_err("out of memory for outbox row %" PRId64, row->id);
		return;
	}
	j->d = d;
	j->row = *row;
	j->tcp_fd = -1;
	j->untrusted = -1;
	j->next = d->jobs;
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
	if (d->due_again && d->n_jobs < d->conf->ddns.window)
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
	if (ddns_store_due(d, due_asked, on_rows) == 0)
		d->due_busy = true;
}

size_t ddns_outbox_ids(const struct ddns *d, char *buf, size_t cap)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const struct ddns_job *j = d->jobs; j && o < cap; j = j->next)
		o += (size_t)snprintf(buf + o, cap - o, "%s%" PRId64, o ? "," : "", j->row.id);
	return o < cap ? o : cap - 1;
}
