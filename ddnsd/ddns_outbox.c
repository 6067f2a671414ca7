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
#include <stddef.h>

#include "addr6.h"
#include "ddns_batch.h"
#include "ddns_net.h"
#include "ddns_outbox.h"
#include "ddns_store.h"
#include "ddns_update.h"
#include "errors.h"
#include "log.h"

#define FWD_LOOPS 3 /* RFC 4703 §5: steps 1 and 2 may alternate; bound them */

/* S_OLD (remove-stale-ptr) reads the name's AAAAs before S_FWD2 replaces
 * them; S_STALE then removes the PTR of each old address not kept. */
enum step { S_FWD, S_OLD, S_FWD2, S_STALE, S_REV, S_REM_A, S_REM_B, S_REV_REM, S_END };

struct ddns_job {
	struct ddns_job *next, **pprev; /* in d->jobs: unlinked at once, the window may be large */
	struct ddns *d;
	struct ddns_row row;
	uint8_t dhcid[DDNS_DHCID_LEN];
	char rev[DDNS_REV_LEN];
	enum step step;
	enum ddns_kind kind;
	int loops;
	struct ddns_attempt at; /* the current step: its zone, server, key, update, message */
	size_t srv;             /* position in at.zone->servers */
	bool alone;             /* the step's batch failed: this row goes in a message of its own */
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

static struct ddns_job *job_of(struct ddns_attempt *at)
{
	return (struct ddns_job *)((char *)at - offsetof(struct ddns_job, at));
}

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

/* ---- keys and servers ---- */

static const struct ddns_batch_ops batch_ops;

int ddns_outbox_open(struct ddns *d)
{
	const struct conf_ddns *c = &d->conf->ddns;
	int err;

	d->keys = calloc(c->n_keys + 1, sizeof(*d->keys));
	if (!d->keys)
		return CH_ENOMEM;
	for (size_t i = 0; i < c->n_keys; i++) {
		if ((err = ddns_key_new(&c->keys[i], &d->keys[i])) < 0)
			return err;
	}
	return ddns_batch_open(d, &batch_ops);
}

void ddns_outbox_close(struct ddns *d)
{
	const struct conf_ddns *c = &d->conf->ddns;

	ddns_batch_close(d);
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
	free(d->keys);
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
	ddns_batch_leave(&j->at);
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
	         ddns_server_text(j->d, j->at.server, srv, sizeof(srv)), j->at.zone->name);
	j->permanent = permanent;
	if (++j->srv < j->at.zone->n_servers) {
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
	return j->at.zone && j->at.zone->conflict_policy >= 0
	           ? (enum conf_ddns_conflict)j->at.zone->conflict_policy
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

static struct ddns_key *key_for(struct ddns_job *j)
{
	const struct conf_ddns *c = &j->d->conf->ddns;
	int k = j->at.zone->key >= 0 ? j->at.zone->key : c->servers[j->at.server].key;

	return k >= 0 ? j->d->keys[k] : NULL;
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

	attempt_clear(j);
	j->at.server = j->at.zone->servers[j->srv];
	j->at.query = j->step == S_OLD;
	if (!(j->at.key = key_for(j))) {
		server_failed(j, true, "no TSIG key");
		return;
	}
	j->at.req = (struct ddns_req){
	    .kind = j->kind,
	    .zone = j->at.zone->name,
	    .name = j->step == S_STALE ? j->stale_rev
	            : rev              ? j->rev
	                               : j->row.fqdn,
	    .target = j->row.fqdn,
	    .addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.addrs : &j->row.addr,
	    .n_addrs = j->step == S_FWD || j->step == S_FWD2 ? j->row.n_addrs : 1,
	    .dhcid = j->dhcid,
	    .ttl = c->ttl};
	if (!j->at.req.ttl) /* RFC 4704 §7: a third of the lifetime, at least 10 minutes */
		j->at.req.ttl = j->row.valid / 3 > 600
		                    ? (j->row.valid / 3 < 86400 ? j->row.valid / 3 : 86400)
		                    : 600;
	j->at.name_hash = ddns_batch_name_hash(j->at.req.name);
	if (ddns_batch_put(d, &j->at, alone) < 0) {
		snprintf(j->why, sizeof(j->why), "out of memory");
		j->permanent = false;
		job_fail(j);
	}
}

/* ---- what became of a step's message (ddns_batch_ops) ---- */

static void on_answered(struct ddns_attempt *at, int rcode, const struct ddns_answer *a)
{
	struct ddns_job *j = job_of(at);

	if (log_get_level() >= LOG_DEBUG)
		job_log(j, LOG_DEBUG, "%s from %s", ddns_rcode_name(rcode),
		        ddns_server_text(j->d, at->server, (char[64]){0}, 64));
	if (j->step == S_OLD) {
		memcpy(j->old, a->aaaa, sizeof(j->old));
		j->n_old = a->n_aaaa;
	}
	step_result(j, rcode);
}

static void on_failed(struct ddns_attempt *at, bool permanent, const char *why)
{
	server_failed(job_of(at), permanent, "%s", why);
}

static void on_unbuildable(struct ddns_attempt *at, const char *why)
{
	struct ddns_job *j = job_of(at);

	snprintf(j->why, sizeof(j->why), "%s", why);
	j->permanent = true;
	job_fail(j);
}

static void on_split(struct ddns_attempt *at)
{
	struct ddns_job *j = job_of(at);

	j->alone = true;
	send_step(j);
}

static const struct ddns_batch_ops batch_ops = {on_answered, on_failed, on_unbuildable, on_split};

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
		j->at.zone = zone_find(c->reverse_zones, c->n_reverse_zones, j->stale_rev);
		if (!j->at.zone)
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
	j->at.zone = rev ? zone_find(c->reverse_zones, c->n_reverse_zones, j->rev)
	                 : zone_find(c->forward_zones, c->n_forward_zones, j->row.fqdn);
	if (!j->at.zone) {
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
