/*
 * POST /v1/config/reload: every daemon of the instance reloads its own
 * configuration file (lib/reload.h). The request goes out on
 * <schema>_reload once the heartbeats say who runs; each daemon answers
 * there, chorus-apid too (its own channel hears its own request, so it
 * reloads the way the others do). The reply waits for the daemons whose
 * heartbeat is fresh, until the deadline (?timeout=S, default 5 s), and
 * says per daemon: reloaded (what changed, what needs a restart), refused
 * (the loader's error), no answer, a stale or missing heartbeat, disabled.
 * 200: every running daemon reloaded and none is missing; 422: nobody
 * reloaded and someone refused the file; 207 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"
#include "reload.h"
#include "api.h"
#include "api_store.h"

#define RELOAD_WAIT_S     5    /* default deadline for the answers */
#define RELOAD_WAIT_MAX_S 9    /* below API_DB_TIMEOUT_MS */
#define BEAT_FRESH_S      30.0 /* as /v1/health: three missed heartbeats of 10 s */
#define N_DAEMONS         4

static const char *const daemon_names[N_DAEMONS] = {"dhcp6d", "leasequeryd", "ddnsd", "apid"};

struct pending {
	struct api_req *r;
	char id[RELOAD_ID_LEN];
	unsigned wait_s;
	bool sent, done;
	bool expected[N_DAEMONS];
	struct json_object *beat[N_DAEMONS];   /* its heartbeat row, or NULL */
	struct json_object *answer[N_DAEMONS]; /* its answer, or NULL */
	struct pending *next;
};

static struct reload_chan *chan;
static struct pending *pendings;

static int daemon_index(const char *name)
{
	for (int i = 0; i < N_DAEMONS; i++)
		if (strcmp(daemon_names[i], name) == 0)
			return i;
	return -1;
}

static void pending_free(void *arg)
{
	struct pending *p = arg;

	for (struct pending **q = &pendings; *q; q = &(*q)->next) {
		if (*q == p) {
			*q = p->next;
			break;
		}
	}
	for (int i = 0; i < N_DAEMONS; i++) {
		json_object_put(p->beat[i]);
		json_object_put(p->answer[i]);
	}
	free(p);
}

/* Would the instance run this daemon (as /v1/health judges it)? */
static bool wanted(const struct conf *c, int i)
{
	return i == 1 ? c->leasequery.enabled : i == 2 ? c->ddns.enabled : true;
}

static double beat_age(const struct json_object *beat)
{
	struct json_object *v;

	return beat && json_object_object_get_ex(beat, "age", &v) ? json_object_get_double(v) : -1;
}

/* A daemon that did not answer: why, in its entry. */
static struct json_object *silent_entry(const struct pending *p, int i, const struct conf *c)
{
	struct json_object *o = json_object_new_object();
	double age = beat_age(p->beat[i]);
	const char *st, *why;

	if (p->expected[i]) {
		st = "no_answer";
		why = "its heartbeat is fresh, but it did not answer before the deadline";
	} else if (!wanted(c, i) && (!p->beat[i] || age > BEAT_FRESH_S)) {
		st = "disabled";
		why = "the configuration does not run it, and it sends no heartbeat";
	} else if (!p->beat[i]) {
		st = "missing";
		why = i == 1 ? "it has never sent a heartbeat (a leasequeryd reading a hot standby "
		               "writes none and cannot hear reload requests: send it SIGHUP)"
		             : "it has never sent a heartbeat";
	} else {
		st = "stale";
		why = "its heartbeat is stale: it is not running, or cannot reach the database";
	}
	json_object_object_add(o, "status", json_object_new_string(st));
	json_object_object_add(o, "message", json_object_new_string(why));
	if (p->beat[i])
		json_object_object_add(o, "heartbeat_age", json_object_new_double(age));
	return o;
}

/* An answer as the reply shows it: its payload, "reloaded" turned into a status. */
static struct json_object *answer_entry(struct json_object *a)
{
	struct json_object *o = json_object_new_object(), *v;
	bool ok = json_object_object_get_ex(a, "reloaded", &v) && json_object_get_boolean(v);

	json_object_object_add(o, "status", json_object_new_string(ok ? "reloaded" : "refused"));
	json_object_object_foreach(a, key, val)
	{
		if (strcmp(key, "pid") == 0 || strcmp(key, "changed") == 0 ||
		    strcmp(key, "restart") == 0 || strcmp(key, "more") == 0 ||
		    strcmp(key, "error") == 0)
			json_object_object_add(o, key, json_object_get(val));
	}
	return o;
}

static void finish(struct pending *p)
{
	const struct conf *c = p->r->a->conf;
	struct json_object *o = json_object_new_object(), *ds = json_object_new_object(), *v;
	unsigned applied = 0, refused = 0, bad = 0, code;
	const char *first_err = NULL;

	p->done = true;
	for (int i = 0; i < N_DAEMONS; i++) {
		struct json_object *e =
		    p->answer[i] ? answer_entry(p->answer[i]) : silent_entry(p, i, c);
		const char *st =
		    json_object_object_get_ex(e, "status", &v) ? json_object_get_string(v) : "";

		if (strcmp(st, "reloaded") == 0) {
			applied++;
		} else if (strcmp(st, "refused") == 0) {
			refused++;
			if (!first_err && json_object_object_get_ex(e, "error", &v))
				first_err = json_object_get_string(v);
		} else if (strcmp(st, "disabled") != 0) {
			bad++;
		}
		json_object_object_add(ds, daemon_names[i], e);
	}
	code = !refused && !bad ? 200 : !applied && refused ? 422 : 207;
	json_object_object_add(o, "status",
	                       json_object_new_string(code == 200   ? "reloaded"
	                                              : code == 422 ? "refused"
	                                                            : "partial"));
	json_object_object_add(o, "request", json_object_new_string(p->id));
	json_object_object_add(o, "daemons", ds);
	if (code == 422) {
		struct json_object *err = json_object_new_object();

		json_object_object_add(err, "code", json_object_new_string("invalid_config"));
		json_object_object_add(err, "message", json_object_new_string(first_err));
		json_object_object_add(o, "error", err);
	}
	if (p->r->timer) {
		evl_timer_cancel(p->r->a->l, p->r->timer);
		p->r->timer = 0;
	}
	api_reply_json(p->r, code, o);
}

static void maybe_finish(struct pending *p)
{
	if (p->done || !p->sent)
		return;
	for (int i = 0; i < N_DAEMONS; i++)
		if (p->expected[i] && !p->answer[i])
			return;
	finish(p);
}

static void on_deadline(struct evl *l, uint64_t id, void *arg)
{
	struct api_req *r = arg;

	(void)l;
	(void)id;
	r->timer = 0;
	if (r->hctx && !((struct pending *)r->hctx)->done)
		finish(r->hctx);
}

/* The heartbeats say who runs: send the request, wait for those. */
static void on_beats(struct api_req *r, const PGresult *res)
{
	struct pending *p = r->hctx;
	struct json_object *beats = json_tokener_parse(PQgetvalue(res, 0, 0)), *b;

	for (int i = 0; i < N_DAEMONS; i++) {
		if (beats && json_object_object_get_ex(beats, daemon_names[i], &b))
			p->beat[i] = json_object_get(b);
		p->expected[i] = i == 3 || (p->beat[i] && beat_age(p->beat[i]) <= BEAT_FRESH_S);
	}
	json_object_put(beats);
	if (reload_chan_request(chan, p->id) < 0) {
		api_error(r, 503, "database_unavailable",
		          "the reload request could not be sent (the reload channel is down)");
		return;
	}
	p->sent = true;
	log_notice("reload requested by token %s (request %s)", r->token_name, p->id);
	/* our own deadline instead of the database's */
	if (r->timer)
		evl_timer_cancel(r->a->l, r->timer);
	r->timer = evl_timer(r->a->l, (uint64_t)p->wait_s * 1000, on_deadline, r);
	maybe_finish(p);
}

static int wait_param(struct api_req *r, unsigned *out)
{
	struct api_query q;
	const char *v;
	bool dup = false;
	char *end;
	unsigned long n;

	if (!api_query_read(r, &q))
		return -1;
	for (size_t i = 0; i < q.n; i++) {
		if (strcmp(q.p[i].key, "timeout") != 0) {
			api_error(r, 400, "bad_parameter", "%.64s: unknown parameter", q.p[i].key);
			api_query_clear(&q);
			return -1;
		}
	}
	v = api_query_get(&q, "timeout", &dup);
	n = v ? strtoul(v, &end, 10) : RELOAD_WAIT_S;
	if (dup || (v && (*v < '0' || *v > '9' || *end || n < 1 || n > RELOAD_WAIT_MAX_S))) {
		api_error(r, 400, "bad_parameter", "timeout: expected whole seconds, 1..%d",
		          RELOAD_WAIT_MAX_S);
		api_query_clear(&q);
		return -1;
	}
	api_query_clear(&q);
	*out = (unsigned)n;
	return 0;
}

void api_reload_post(struct api_req *r)
{
	static unsigned seq;
	struct pending *p;
	unsigned wait_s;

	if (wait_param(r, &wait_s) < 0)
		return;
	if (!reload_chan_ready(chan)) {
		api_error(r, 503, "database_unavailable", "the reload channel is not connected");
		return;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	p->r = r;
	p->wait_s = wait_s;
	snprintf(p->id, sizeof(p->id), "%ld-%u-%lld", (long)getpid(), ++seq, (long long)time(NULL));
	p->next = pendings;
	pendings = p;
	r->hctx = p;
	r->hctx_free = pending_free;
	api_store_run(r, AST_HEALTH, NULL, on_beats);
}

static void on_answer(void *arg, const struct reload_msg *m)
{
	int i = daemon_index(m->daemon);

	(void)arg;
	for (struct pending *p = pendings; p && i >= 0; p = p->next) {
		if (p->done || strcmp(p->id, m->id) != 0)
			continue;
		json_object_put(p->answer[i]);
		p->answer[i] = json_object_get(m->payload);
		maybe_finish(p);
		return;
	}
}

int api_reload_start(struct api *a, struct reload_target *target)
{
	const struct conf_instance *in = &a->conf->instance;
	struct reload_chan_cfg rc = {
	    .conninfo = in->conninfo,
	    .schema = in->schema,
	    .on_request = reload_target_run,
	    .on_answer = on_answer,
	    .daemon = "apid",
	    .arg = target,
	};

	return reload_chan_new(a->l, &rc, &chan);
}

void api_reload_stop(struct api *a)
{
	(void)a;
	reload_chan_free(chan);
	chan = NULL;
}
