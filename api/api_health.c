/*
 * GET /v1/health: what a load balancer or a monitor needs, in one answer
 * (RFC 6853's "failure conditions obvious and detectable"): the database
 * reachable and its round trip, each daemon's heartbeat age (the engine
 * always; leasequeryd and ddnsd when the config enables them), the DDNS
 * backlog and the age of its oldest row. 200 when all is well, 503 with the
 * list of problems otherwise. What the engine reports of itself in its
 * heartbeat (commit latency, subnets near pool exhaustion) shows too, as
 * warnings: the instance still serves, so a load balancer keeps it. Each
 * daemon's last error lines (lib/log.c) come with its heartbeat; apid's
 * own come from its memory, so they are never older than the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_store.h"
#include "log.h"

#define BEAT_STALE_S 30.0  /* three missed heartbeats of 10 s */
#define DDNS_STALE_S 120.0 /* a DNS change waiting longer is a problem */

struct health_ctx {
	uint64_t sent_ms;
};

static void problem(struct json_object *list, const char *what, const char *why, double secs)
{
	char buf[256];

	if (secs >= 0)
		snprintf(buf, sizeof(buf), "%s: %s %.0f s ago", what, why, secs);
	else
		snprintf(buf, sizeof(buf), "%s: %s", what, why);
	json_object_array_add(list, json_object_new_string(buf));
}

static struct json_object *daemon_state(struct json_object *beats, const char *name, bool wanted,
                                        struct json_object *problems)
{
	struct json_object *b = NULL, *o = json_object_new_object(), *age;
	double a;

	if (!json_object_object_get_ex(beats, name, &b)) {
		json_object_object_add(o, "status",
		                       json_object_new_string(wanted ? "missing" : "disabled"));
		if (wanted)
			problem(problems, name, "has never sent a heartbeat", -1);
		return o;
	}
	json_object_put(o);
	o = json_object_get(b);
	a = json_object_object_get_ex(b, "age", &age) ? json_object_get_double(age) : 1e9;
	if (!wanted) {
		json_object_object_add(o, "status", json_object_new_string("disabled"));
	} else if (a > BEAT_STALE_S) {
		json_object_object_add(o, "status", json_object_new_string("stale"));
		problem(problems, name, "last heartbeat", a);
	} else {
		json_object_object_add(o, "status", json_object_new_string("ok"));
	}
	return o;
}

/* chorus-apid itself: it answers, so it is ok; its errors as they are now. */
static struct json_object *apid_state(void)
{
	char buf[2048];
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "errors", json_tokener_parse(log_errors_json(buf, sizeof(buf))));
	return o;
}

static void reply(struct api_req *r, struct json_object *db, struct json_object *daemons,
                  struct json_object *ddns, struct json_object *problems,
                  struct json_object *warnings)
{
	struct json_object *o = json_object_new_object();
	bool bad = json_object_array_length(problems) > 0;

	json_object_object_add(o, "status", json_object_new_string(bad ? "failing" : "ok"));
	json_object_object_add(o, "database", db);
	if (daemons)
		json_object_object_add(o, "daemons", daemons);
	if (ddns)
		json_object_object_add(o, "ddns", ddns);
	json_object_object_add(o, "problems", problems);
	json_object_object_add(o, "warnings", warnings ? warnings : json_object_new_array());
	api_reply_json(r, bad ? 503 : 200, o);
}

/* The engine's own view (server/srv_health.c, its heartbeat detail). */
static void engine_view(struct json_object *beats, struct json_object *db,
                        struct json_object *warnings)
{
	struct json_object *b, *d, *v;
	char buf[160];

	if (!json_object_object_get_ex(beats, "dhcp6d", &b) ||
	    !json_object_object_get_ex(b, "detail", &d))
		return;
	if (json_object_object_get_ex(d, "commit_ms_p99", &v))
		json_object_object_add(db, "commit_latency_ms_p99",
		                       json_object_new_double(json_object_get_double(v)));
	if (json_object_object_get_ex(d, "degraded_latency", &v) && json_object_get_boolean(v)) {
		snprintf(buf, sizeof(buf), "dhcp6d: commits are slow (p99 %.1f ms)",
		         json_object_object_get_ex(d, "commit_ms_p99", &v)
		             ? json_object_get_double(v)
		             : 0.0);
		json_object_array_add(warnings, json_object_new_string(buf));
	}
	if (json_object_object_get_ex(d, "degraded_subnets", &v) && json_object_get_int64(v) > 0) {
		snprintf(buf, sizeof(buf), "dhcp6d: %lld subnets near pool exhaustion",
		         (long long)json_object_get_int64(v));
		json_object_array_add(warnings, json_object_new_string(buf));
	}
}

static void on_health(struct api_req *r, const PGresult *res)
{
	const struct conf *c = r->a->conf;
	struct health_ctx *h = r->hctx;
	struct json_object *problems = json_object_new_array(), *db = json_object_new_object();
	struct json_object *beats = json_tokener_parse(PQgetvalue(res, 0, 0));
	struct json_object *daemons = json_object_new_object(), *ddns = json_object_new_object();
	struct json_object *warnings = json_object_new_array();
	long long backlog = atoll(PQgetvalue(res, 0, 1));
	double oldest = atof(PQgetvalue(res, 0, 2));

	json_object_object_add(db, "reachable", json_object_new_boolean(1));
	json_object_object_add(db, "round_trip_ms",
	                       json_object_new_int64((int64_t)(evl_now(r->a->l) - h->sent_ms)));
	if (!beats)
		beats = json_object_new_object();
	engine_view(beats, db, warnings);
	json_object_object_add(daemons, "dhcp6d", daemon_state(beats, "dhcp6d", true, problems));
	json_object_object_add(daemons, "leasequeryd",
	                       daemon_state(beats, "leasequeryd", c->leasequery.enabled, problems));
	json_object_object_add(daemons, "ddnsd",
	                       daemon_state(beats, "ddnsd", c->ddns.enabled, problems));
	json_object_object_add(daemons, "apid", apid_state());
	json_object_put(beats);
	json_object_object_add(ddns, "backlog", json_object_new_int64(backlog));
	json_object_object_add(ddns, "oldest_pending_age", json_object_new_double(oldest));
	if (oldest > DDNS_STALE_S)
		problem(problems, "ddns", "the oldest pending DNS change was queued", oldest);
	reply(r, db, daemons, ddns, problems, warnings);
}

void api_health_get(struct api_req *r)
{
	struct health_ctx *h;

	if (!r->a->db || !db_ready(r->a->db)) {
		struct json_object *db = json_object_new_object(), *p = json_object_new_array();

		json_object_object_add(db, "reachable", json_object_new_boolean(0));
		json_object_array_add(p, json_object_new_string("the database is not reachable"));
		reply(r, db, NULL, NULL, p, NULL);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	h->sent_ms = evl_now(r->a->l);
	r->hctx = h;
	r->hctx_free = free;
	api_store_run(r, AST_HEALTH, NULL, on_health);
}
