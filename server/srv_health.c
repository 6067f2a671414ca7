/*
 * Commit latency and health-driven Preference of chorus-dhcp6d (see
 * srv_health.h). Commit times are kept for the latest SRV_LAT_WINDOW
 * commits of the last LAT_AGE_S seconds, so an idle engine forgets an old
 * spike. Pool utilisation comes from the lease cache's counts per subnet,
 * kept as leases come and go: a tick costs O(subnets + pools), whatever
 * the number of leases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr6.h"
#include "log.h"
#include "srv_health.h"

#define LAT_AGE_S 60 /* commits older than this leave the window */

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void srv_health_commit_sent(struct srv *s)
{
	s->lat.sent_us = mono_us();
}

void srv_health_commit_done(struct srv *s)
{
	struct srv_lat *w = &s->lat;
	uint64_t now = mono_us(), d;

	if (!w->sent_us)
		return;
	d = now - w->sent_us;
	w->sent_us = 0;
	w->last_us = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	if (w->last_us > w->max_us)
		w->max_us = w->last_us;
	w->us[w->pos] = w->last_us;
	w->at_s[w->pos] = (uint32_t)(now / 1000000u);
	w->pos = (w->pos + 1) % SRV_LAT_WINDOW;
	if (w->n < SRV_LAT_WINDOW)
		w->n++;
	w->commits++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t srv_health_commit_p99(const struct srv *s)
{
	uint32_t v[SRV_LAT_WINDOW], now = (uint32_t)(mono_us() / 1000000u);
	size_t n = 0;

	for (size_t i = 0; i < s->lat.n; i++) {
		if (now - s->lat.at_s[i] <= LAT_AGE_S)
			v[n++] = s->lat.us[i];
	}
	if (!n)
		return 0;
	qsort(v, n, sizeof(v[0]), cmp_u32);
	return v[(n * 99) / 100];
}

/* ---- degraded or not ---- */

/* Hysteresis: on above the threshold, off again below recover-percent of it. */
static bool over(bool on, double value, double threshold, uint32_t recover)
{
	return value > (on ? threshold * recover / 100.0 : threshold);
}

/* Applies the condition's new value to d; returns +1 on, -1 off, 0 no change. */
static int flip(struct srv_degraded *d, bool cond, int64_t now, uint32_t hold)
{
	if (cond && !d->on) {
		d->on = true;
		d->since = now;
		return 1;
	}
	if (!cond && d->on && now - d->since >= (int64_t)hold) {
		d->on = false;
		return -1;
	}
	return 0;
}

static void degraded_log(struct srv *s, const char *what)
{
	const struct conf_health *h = &s->conf->dhcp6.health;

	srv_count(s, SRV_CNT_HEALTH_DEGRADED);
	if (h->send_preference)
		log_warning("degraded (%s): Advertise carries Preference %u at most", what,
		            h->preference);
	else
		log_warning("degraded (%s): Advertise carries no Preference", what);
}

static void instance_tick(struct srv *s, int64_t now)
{
	const struct conf_health *h = &s->conf->dhcp6.health;
	double p99 = srv_health_commit_p99(s) / 1000.0, inflight = 0;
	unsigned why = 0, was;
	char what[96];
	int r;

	if (s->lat.sent_us)
		inflight = (mono_us() - s->lat.sent_us) / 1000.0; /* a commit that hangs */
	if (inflight > p99)
		p99 = inflight;
	if (h->commit_latency_ms && over(s->deg.on && (s->deg_reasons & SRV_HEALTH_LATENCY), p99,
	                                 h->commit_latency_ms, h->recover_percent))
		why |= SRV_HEALTH_LATENCY;
	if (h->database && s->loaded && !s->db_up)
		why |= SRV_HEALTH_DATABASE;
	was = s->deg_reasons;
	r = flip(&s->deg, why != 0, now, h->hold_seconds);
	if (r > 0 || (s->deg.on && why && why != was)) {
		s->deg_reasons = why;
		snprintf(what, sizeof(what), "%s%s",
		         why & SRV_HEALTH_DATABASE ? "database down" : "",
		         why == (SRV_HEALTH_DATABASE | SRV_HEALTH_LATENCY) ? ", " : "");
		if (why & SRV_HEALTH_LATENCY)
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
			         "commit latency p99 %.1f ms", p99);
		degraded_log(s, what);
	} else if (r < 0) {
		s->deg_reasons = 0;
		log_notice("healthy again (commit latency p99 %.1f ms, database %s): Advertise "
		           "carries the configured Preference",
		           p99, s->db_up ? "up" : "down");
	}
}

/* Percent of subnet sn's pools (the fuller of addresses and prefixes)
 * held in the cache: the cache keeps the counts per subnet (srv_lease.c). */
static double pool_use(const struct srv *s, const struct conf_subnet *sn)
{
	double na = 0, pd = 0;

	for (size_t k = 0; k < sn->n_pools; k++)
		na += (double)addr6_range_count(&sn->pools[k].range);
	for (size_t k = 0; k < sn->n_pd_pools; k++)
		pd +=
		    (double)addr6_pd_count(&sn->pd_pools[k].prefix, sn->pd_pools[k].delegated_len);
	na = na > 0 ? 100.0 * (double)srv_cache_count(&s->cache, sn->id, SRV_NA) / na : 0;
	pd = pd > 0 ? 100.0 * (double)srv_cache_count(&s->cache, sn->id, SRV_PD) / pd : 0;
	return na > pd ? na : pd;
}

static void pools_tick(struct srv *s, int64_t now)
{
	const struct conf_health *h = &s->conf->dhcp6.health;
	size_t n = s->conf->dhcp6.n_subnets;
	char what[96];

	if (n != s->n_deg_pool) { /* a reload changed the subnets: start over */
		struct srv_degraded *v = calloc(n ? n : 1, sizeof(*v));

		if (!v)
			return;
		free(s->deg_pool);
		s->deg_pool = v;
		s->n_deg_pool = n;
	}
	if (!h->pool_utilisation) {
		for (size_t i = 0; i < n; i++)
			s->deg_pool[i].on = false;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct srv_degraded *d = &s->deg_pool[i];
		double pct = pool_use(s, &s->conf->dhcp6.subnets[i]);
		bool cond = over(d->on, pct, h->pool_utilisation, h->recover_percent);
		int r = flip(d, cond, now, h->hold_seconds);

		snprintf(what, sizeof(what), "subnet %u: pools %.1f%% used",
		         s->conf->dhcp6.subnets[i].id, pct);
		if (r > 0)
			degraded_log(s, what);
		else if (r < 0)
			log_notice(
			    "healthy again (%s): Advertise carries the configured Preference",
			    what);
	}
}

void srv_health_tick(struct srv *s, int64_t now)
{
	const struct conf_health *h = &s->conf->dhcp6.health;

	if (!h->enabled) {
		s->deg.on = false;
		s->deg_reasons = 0;
		for (size_t i = 0; i < s->n_deg_pool; i++)
			s->deg_pool[i].on = false;
		return;
	}
	instance_tick(s, now);
	pools_tick(s, now);
}

static bool subnet_degraded(const struct srv *s, const struct conf_subnet *sn)
{
	size_t i = (size_t)(sn - s->conf->dhcp6.subnets);

	return i < s->n_deg_pool && s->deg_pool[i].on;
}

bool srv_health_preference(struct srv *s, const struct conf_subnet *sn, uint8_t *out)
{
	const struct conf_health *h = &s->conf->dhcp6.health;
	bool deg = h->enabled &&
	           (s->deg.on || (h->database && s->loaded && !s->db_up) || subnet_degraded(s, sn));

	*out = sn->preference;
	if (!deg)
		return true;
	srv_count(s, SRV_CNT_ADVERTISE_DEGRADED);
	if (h->preference < *out)
		*out = h->preference;
	return h->send_preference;
}

int srv_health_detail(struct srv *s, char *buf, size_t len)
{
	size_t pools = 0;
	int n;

	for (size_t i = 0; i < s->n_deg_pool; i++)
		pools += s->deg_pool[i].on;
	n = snprintf(buf, len,
	             "{\"pending\": %zu, \"inflight\": %zu, \"commits\": %llu, "
	             "\"commit_ms_last\": %.3f, \"commit_ms_p99\": %.3f, "
	             "\"commit_ms_max\": %.3f, \"commit_window\": %zu, \"degraded\": %s, "
	             "\"degraded_latency\": %s, \"degraded_database\": %s, "
	             "\"degraded_subnets\": %zu}",
	             s->pending.n, s->inflight.n, (unsigned long long)s->lat.commits,
	             s->lat.last_us / 1000.0, srv_health_commit_p99(s) / 1000.0,
	             s->lat.max_us / 1000.0, s->lat.n, s->deg.on || pools ? "true" : "false",
	             s->deg.on && (s->deg_reasons & SRV_HEALTH_LATENCY) ? "true" : "false",
	             s->deg.on && (s->deg_reasons & SRV_HEALTH_DATABASE) ? "true" : "false", pools);
	s->lat.max_us = 0;
	return n;
}

void srv_health_clear(struct srv *s)
{
	free(s->deg_pool);
	s->deg_pool = NULL;
	s->n_deg_pool = 0;
}
