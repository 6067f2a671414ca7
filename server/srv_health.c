/*
 * Commit latency of chorus-dhcp6d (srv_health.h): the time from sending a
 * commit segment to its sync, kept for the latest SRV_LAT_WINDOW commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_health.h"

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
	uint64_t d;

	if (!w->sent_us)
		return;
	d = mono_us() - w->sent_us;
	w->sent_us = 0;
	w->last_us = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	if (w->last_us > w->max_us)
		w->max_us = w->last_us;
	w->us[w->pos] = w->last_us;
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
	uint32_t v[SRV_LAT_WINDOW];
	size_t n = s->lat.n;

	if (!n)
		return 0;
	memcpy(v, s->lat.us, n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), cmp_u32);
	return v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

int srv_health_detail(struct srv *s, char *buf, size_t len)
{
	int n = snprintf(buf, len,
	                 "{\"pending\": %zu, \"inflight\": %zu, \"commits\": %llu, "
	                 "\"commit_ms_last\": %.3f, \"commit_ms_p99\": %.3f, "
	                 "\"commit_ms_max\": %.3f, \"commit_window\": %zu}",
	                 s->pending.n, s->inflight.n, (unsigned long long)s->lat.commits,
	                 s->lat.last_us / 1000.0, srv_health_commit_p99(s) / 1000.0,
	                 s->lat.max_us / 1000.0, s->lat.n);

	s->lat.max_us = 0;
	return n;
}
