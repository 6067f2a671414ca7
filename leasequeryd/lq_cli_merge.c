/*
 * chorus-lq's view across instances: per client, the instance with the
 * latest last contact (receive time minus CLT_TIME, spec/leasequery.md
 * §5.1) holds the current binding; the others' bindings for that client
 * are stale. Output as an aligned table, JSON or CSV.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr6.h"
#include "lq_cli.h"

static bool same_client(const struct lqc_bind *a, const struct lqc_bind *b)
{
	return a->duid_len == b->duid_len && memcmp(a->duid, b->duid, a->duid_len) == 0;
}

void lqc_merge(struct lqc *q)
{
	for (size_t i = 0; i < q->n_bind; i++) {
		struct lqc_bind *b = &q->bind[i];
		double best = b->last_contact;
		size_t best_srv = b->server;

		for (size_t k = 0; k < q->n_bind; k++) {
			const struct lqc_bind *o = &q->bind[k];

			/* ties go to the server named first */
			if (same_client(b, o) &&
			    (o->last_contact > best + 0.5 ||
			     (o->last_contact > best - 0.5 && o->server < best_srv))) {
				best = o->last_contact;
				best_srv = o->server;
			}
		}
		b->current = b->server == best_srv;
	}
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void binding_text(const struct lqc_bind *b, char *out, size_t cap)
{
	struct addr6_prefix p;

	memcpy(&p.addr, b->addr, 16);
	p.len = b->pd ? b->plen : 128;
	if (b->pd)
		addr6_prefix_ntop(&p, out, cap);
	else
		addr6_ntop(&p.addr, out, cap);
}

static void when_text(double t, char *out, size_t cap)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct row {
	const char *state, *server, *client, *binding, *status;
	char valid[16], clt[16], when[32];
};

static void print_row(const struct lqc *q, const struct row *r, bool first)
{
	if (q->format == LQC_CSV)
		printf("%s,%s,%s,%s,%s,%s,%s,%s\n", r->state, r->server, r->client, r->binding,
		       r->valid, r->clt, r->when, r->status);
	else if (q->format == LQC_JSON)
		printf("%s\n  {\"state\": \"%s\", \"server\": \"%s\", \"client\": \"%s\", "
		       "\"binding\": "
		       "\"%s\", \"valid\": %s, \"clt_time\": %s, \"last_contact\": \"%s\", "
		       "\"status\": "
		       "\"%s\"}",
		       first ? "" : ",", r->state, r->server, r->client, r->binding,
		       r->valid[0] ? r->valid : "null", r->clt[0] ? r->clt : "null", r->when,
		       r->status);
	else
		printf("%-9s %-22s %-30s %-40s %10s %8s %-20s %s\n", r->state, r->server, r->client,
		       r->binding, r->valid, r->clt, r->when, r->status);
}

static const char *status_text(const struct lqc_server *s)
{
	static char buf[128];

	if (!s->answered)
		return s->error;
	if (s->status < 0 || s->status == D6_STATUS_SUCCESS)
		return s->n_clients ? "" : "no binding";
	snprintf(buf, sizeof(buf), "%s", d6_status_name((unsigned)s->status));
	return buf;
}

void lqc_print(const struct lqc *q)
{
	char client[2 * D6_DUID_MAX_LEN + 1], binding[ADDR6_PREFIX_STRLEN];
	bool first = true;

	if (q->format == LQC_CSV)
		printf("state,server,client,binding,valid,clt_time,last_contact,status\n");
	else if (q->format == LQC_JSON)
		printf("[");
	else
		printf("%-9s %-22s %-30s %-40s %10s %8s %-20s %s\n", "STATE", "SERVER", "CLIENT",
		       "BINDING", "VALID", "CLT_TIME", "LAST_CONTACT", "STATUS");
	for (size_t i = 0; i < q->n_bind; i++) {
		const struct lqc_bind *b = &q->bind[i];
		struct row r = {.state = b->current ? "current" : "stale",
		                .server = q->server[b->server].name,
		                .client = client,
		                .binding = binding,
		                .status = ""};

		hex(b->duid, b->duid_len, client);
		binding_text(b, binding, sizeof(binding));
		snprintf(r.valid, sizeof(r.valid), "%u", b->valid);
		snprintf(r.clt, sizeof(r.clt), "%u", b->clt_time);
		when_text(b->last_contact, r.when, sizeof(r.when));
		print_row(q, &r, first);
		first = false;
	}
	/* the seed's "granting server unavailable": say who did not answer */
	for (size_t i = 0; i < q->n_servers; i++) {
		const struct lqc_server *s = &q->server[i];
		struct row r = {.state = s->answered ? "answered" : "no-answer",
		                .server = s->name,
		                .client = "",
		                .binding = "",
		                .status = status_text(s)};

		if (s->answered && s->n_clients && (s->status < 0 || s->status == 0))
			continue;
		print_row(q, &r, first);
		first = false;
	}
	if (q->format == LQC_JSON)
		printf("\n]\n");
}
