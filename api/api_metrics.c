/*
 * GET /metrics: the Prometheus text exposition format (version 0.0.4), one
 * HELP and TYPE line per family and its samples together. Names are stable:
 * chorus_<daemon scope>_<counter>_total from the stats table (counter names
 * never change, server/srv_stats.c), chorus_scope_<counter>{scope} for range
 * and pool scopes, chorus_heartbeat_age_seconds{daemon}, the DDNS backlog,
 * chorus_leases{subnet,type,state} for holding leases, and this process's
 * own chorus_api_* counters (which keep answering when the database is down).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_store.h"

struct sample {
	char family[128];
	const char *type;
	char help[160];
	char labels[256];
	double value;
};

struct samples {
	struct sample *s;
	size_t n, cap;
};

static struct sample *add(struct samples *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 64;
		struct sample *s = realloc(v->s, cap * sizeof(*s));

		if (!s)
			return NULL;
		v->s = s;
		v->cap = cap;
	}
	memset(&v->s[v->n], 0, sizeof(v->s[0]));
	return &v->s[v->n++];
}

/* Metric name characters: [a-z0-9_]; anything else becomes '_'. */
static void name_part(char *out, size_t cap, const char *s)
{
	size_t o = strlen(out);

	for (; *s && o + 1 < cap; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		out[o++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
	}
	out[o] = '\0';
}

/* A label value with \, " and newline escaped. */
static void label(char *out, size_t cap, const char *name, const char *val)
{
	size_t o = strlen(out);

	o += (size_t)snprintf(out + o, cap - o, "%s%s=\"", o ? "," : "", name);
	for (; *val && o + 3 < cap; val++) {
		if (*val == '\\' || *val == '"' || *val == '\n') {
			out[o++] = '\\';
			out[o++] = *val == '\n' ? 'n' : *val;
		} else {
			out[o++] = *val;
		}
	}
	if (o + 2 <= cap) {
		out[o++] = '"';
		out[o] = '\0';
	}
}

static bool daemon_scope(const char *s)
{
	return !strcmp(s, "dhcp6") || !strcmp(s, "leasequery") || !strcmp(s, "ddns");
}

static void from_row(struct samples *v, const char *kind, const char *l1, const char *l2,
                     double val)
{
	struct sample *s;

	if (kind[0] == 's' && !strcmp(l1, "api"))
		return; /* this process reports its own counters below */
	if (!(s = add(v)))
		return;
	s->value = val;
	switch (kind[0]) {
	case 's':
		if (daemon_scope(l1)) {
			snprintf(s->family, sizeof(s->family), "chorus_");
			name_part(s->family, sizeof(s->family), l1);
			name_part(s->family, sizeof(s->family), "_");
			name_part(s->family, sizeof(s->family), l2);
			name_part(s->family, sizeof(s->family), "_total");
			s->type = "counter";
			snprintf(s->help, sizeof(s->help), "Counter %s of scope %s (stats table)",
			         l2, l1);
		} else {
			snprintf(s->family, sizeof(s->family), "chorus_scope_");
			name_part(s->family, sizeof(s->family), l2);
			s->type = "gauge";
			snprintf(s->help, sizeof(s->help), "Value %s per range or pool scope", l2);
			label(s->labels, sizeof(s->labels), "scope", l1);
		}
		break;
	case 'h':
		snprintf(s->family, sizeof(s->family), "chorus_heartbeat_age_seconds");
		s->type = "gauge";
		snprintf(s->help, sizeof(s->help), "Seconds since each daemon's last heartbeat");
		label(s->labels, sizeof(s->labels), "daemon", l1);
		break;
	case 'q':
		snprintf(s->family, sizeof(s->family), "chorus_ddns_backlog");
		s->type = "gauge";
		snprintf(s->help, sizeof(s->help), "DNS changes waiting in the outbox");
		break;
	case 'o':
		snprintf(s->family, sizeof(s->family), "chorus_ddns_backlog_oldest_seconds");
		s->type = "gauge";
		snprintf(s->help, sizeof(s->help), "Age of the oldest DNS change in the outbox");
		break;
	default: { /* 'l': "subnet type" and the state */
		char sub[16] = "", type[8] = "";

		sscanf(l1, "%15s %7s", sub, type);
		snprintf(s->family, sizeof(s->family), "chorus_leases");
		s->type = "gauge";
		snprintf(s->help, sizeof(s->help), "Holding leases per subnet, type and state");
		label(s->labels, sizeof(s->labels), "subnet", sub);
		label(s->labels, sizeof(s->labels), "type", type);
		label(s->labels, sizeof(s->labels), "state", l2);
		break;
	}
	}
}

static void own(struct api *a, struct samples *v)
{
	struct sample *s;

	for (int i = 0; i < API_CNT_MAX; i++) {
		if (!(s = add(v)))
			return;
		snprintf(s->family, sizeof(s->family), "chorus_api_");
		name_part(s->family, sizeof(s->family), api_cnt_name((enum api_cnt)i));
		name_part(s->family, sizeof(s->family), "_total");
		s->type = "counter";
		snprintf(s->help, sizeof(s->help), "chorus-apid: %s since it started",
		         api_cnt_name((enum api_cnt)i));
		s->value = (double)a->cnt[i];
	}
	for (unsigned st = 100; st < 600; st++) {
		char code[8];

		if (!a->status_cnt[st] || !(s = add(v)))
			continue;
		snprintf(s->family, sizeof(s->family), "chorus_api_responses_total");
		s->type = "counter";
		snprintf(s->help, sizeof(s->help), "chorus-apid: responses by HTTP status");
		snprintf(code, sizeof(code), "%u", st);
		label(s->labels, sizeof(s->labels), "code", code);
		s->value = (double)a->status_cnt[st];
	}
	if ((s = add(v))) {
		snprintf(s->family, sizeof(s->family), "chorus_api_database_up");
		s->type = "gauge";
		snprintf(s->help, sizeof(s->help),
		         "1 when chorus-apid's database connection is up");
		s->value = a->db && db_ready(a->db);
	}
}

static int cmp(const void *x, const void *y)
{
	const struct sample *a = x, *b = y;
	int c = strcmp(a->family, b->family);

	return c ? c : strcmp(a->labels, b->labels);
}

static void emit(struct api_req *r, struct samples *v)
{
	size_t cap = 256 + v->n * 640, o = 0;
	char *buf = malloc(cap);

	if (!buf) {
		free(v->s);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	qsort(v->s, v->n, sizeof(*v->s), cmp);
	buf[0] = '\0';
	for (size_t i = 0; i < v->n; i++) {
		const struct sample *s = &v->s[i];

		if (i > 0 && strcmp(s->family, v->s[i - 1].family) == 0 &&
		    strcmp(s->labels, v->s[i - 1].labels) == 0)
			continue; /* a duplicate sample would make the page invalid */
		if (i == 0 || strcmp(s->family, v->s[i - 1].family) != 0)
			o += (size_t)snprintf(buf + o, cap - o, "# HELP %s %s\n# TYPE %s %s\n",
			                      s->family, s->help, s->family, s->type);
		o += (size_t)snprintf(buf + o, cap - o, "%s%s%s%s %.17g\n", s->family,
		                      s->labels[0] ? "{" : "", s->labels, s->labels[0] ? "}" : "",
		                      s->value);
	}
	free(v->s);
	api_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, o);
}

static void on_metrics(struct api_req *r, const PGresult *res)
{
	struct samples v = {0};

	for (int i = 0; i < PQntuples(res); i++)
		from_row(&v, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		         atof(PQgetvalue(res, i, 3)));
	own(r->a, &v);
	emit(r, &v);
}

void api_metrics_get(struct api_req *r)
{
	struct samples v = {0};

	if (r->a->db && db_ready(r->a->db)) {
		api_store_run(r, AST_METRICS, NULL, on_metrics);
		return;
	}
	own(r->a, &v);
	emit(r, &v);
}
