/*
 * GET /v1/events: Server-Sent Events (WHATWG HTML §9.2) of lease changes.
 * The events table is the source (sql/0005: the statement that changes a
 * lease writes its event); NOTIFY chorus_events wakes one fetch for all
 * streams, never a poll per client. Each event carries its row id, so a
 * client that reconnects with Last-Event-ID first gets what it missed, read
 * from the table, then the live stream. A stream that falls too far behind
 * is closed: it reconnects with its Last-Event-ID and misses nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "errors.h"
#include "log.h"
#include "api.h"
#include "api_store.h"

#define EV_BATCH        500           /* rows per fetch */
#define EV_MAX_STREAMS  64            /* open streams at once */
#define EV_MAX_BUFFERED (1024 * 1024) /* bytes a stream may lag before it is closed */
#define EV_KEEPALIVE_MS 15000         /* a comment line, so dead peers are found */

struct sse {
	struct api *a;
	struct MHD_Connection *conn;
	char *buf;
	size_t len, off, cap;
	long long last; /* the id of the last event queued to this stream */
	bool live;      /* caught up: the hub feeds it */
	bool suspended;
	bool closing;
	bool dead; /* its response is gone; freed when no query is pending */
	unsigned pending;
	struct sse *next, *prev;
};

struct api_events {
	struct sse *streams;
	size_t n;
	long long last; /* the id of the last event fetched */
	bool ready;     /* last is known */
	bool fetching, again;
	uint64_t keepalive;
};

static void wake(struct sse *s)
{
	if (s->suspended && !s->dead) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
		s->a->http_resumed = true;
	}
}

static void append(struct sse *s, const char *text, size_t n)
{
	char *b;

	if (s->closing || s->dead)
		return;
	if (s->len - s->off + n > EV_MAX_BUFFERED) {
		log_notice("event stream %lld events behind its client, closing it", s->last);
		s->closing = true;
		wake(s);
		return;
	}
	if (s->off && s->off == s->len)
		s->off = s->len = 0;
	if (s->len + n > s->cap) {
		size_t cap = (s->len + n) * 2;

		if (!(b = realloc(s->buf, cap))) {
			s->closing = true;
			wake(s);
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, n);
	s->len += n;
	wake(s);
}

/* One event in SSE framing; data is one line of JSON. */
static void append_event(struct sse *s, const char *id, const char *kind, const char *json)
{
	size_t n = strlen(id) + strlen(kind) + strlen(json) + 32;
	char *t = malloc(n);
	int k;

	if (!t)
		return;
	k = snprintf(t, n, "id: %s\nevent: %s\ndata: %s\n\n", id, kind, json);
	if (k > 0)
		append(s, t, (size_t)k);
	s->last = atoll(id);
	free(t);
}

static ssize_t on_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;
	size_t n = s->len - s->off;

	(void)pos;
	if (n) {
		if (n > max)
			n = max;
		memcpy(buf, s->buf + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
	if (s->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	return 0;
}

static void stream_free(struct sse *s)
{
	free(s->buf);
	free(s);
}

/* The response is done with s (the connection closed). */
static void on_response_free(void *cls)
{
	struct sse *s = cls;
	struct api_events *e = s->a->events;

	s->dead = true;
	if (s->prev)
		s->prev->next = s->next;
	else if (e && e->streams == s)
		e->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	if (e)
		e->n--;
	if (!s->pending)
		stream_free(s);
}

/* ---- catching up a stream that came with Last-Event-ID ---- */

static void catch_up(struct sse *s);

static void on_catch_up(struct api *a, const PGresult *res, int err, void *arg)
{
	struct sse *s = arg;
	int rows = res ? PQntuples(res) : 0;

	s->pending--;
	if (s->dead) {
		if (!s->pending)
			stream_free(s);
		return;
	}
	if (err) {
		s->closing = true; /* the client reconnects and tries again */
		wake(s);
		return;
	}
	for (int i = 0; i < rows; i++)
		append_event(s, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		             PQgetvalue(res, i, 2));
	if (rows == EV_BATCH || s->last < a->events->last)
		catch_up(s);
	else
		s->live = true;
}

static void catch_up(struct sse *s)
{
	char after[24], lim[16];
	const char *v[2] = {after, lim};

	snprintf(after, sizeof(after), "%lld", s->last);
	snprintf(lim, sizeof(lim), "%d", EV_BATCH);
	if (api_store_query(s->a, AST_EVENTS_AFTER, v, on_catch_up, s) == 0) {
		s->pending++;
	} else {
		s->closing = true;
		wake(s);
	}
}

/* ---- the hub: one fetch per wake-up, for every live stream ---- */

static void fetch(struct api *a);

static void on_fetch(struct api *a, const PGresult *res, int err, void *arg)
{
	struct api_events *e = a->events;
	int rows = res ? PQntuples(res) : 0;

	(void)arg;
	e->fetching = false;
	if (err)
		return; /* the next NOTIFY or reconnect fetches again */
	for (int i = 0; i < rows; i++) {
		long long id = atoll(PQgetvalue(res, i, 0));

		for (struct sse *s = e->streams; s; s = s->next)
			if (s->live && s->last < id)
				append_event(s, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
				             PQgetvalue(res, i, 2));
		e->last = id;
	}
	if (rows == EV_BATCH || e->again)
		fetch(a);
}

static void fetch(struct api *a)
{
	struct api_events *e = a->events;
	char after[24], lim[16];
	const char *v[2] = {after, lim};

	e->again = false;
	if (e->fetching) {
		e->again = true;
		return;
	}
	snprintf(after, sizeof(after), "%lld", e->last);
	snprintf(lim, sizeof(lim), "%d", EV_BATCH);
	if (api_store_query(a, AST_EVENTS_AFTER, v, on_fetch, NULL) == 0)
		e->fetching = true;
}

static void on_last(struct api *a, const PGresult *res, int err, void *arg)
{
	struct api_events *e = a->events;

	(void)arg;
	if (err || PQntuples(res) != 1)
		return;
	e->last = atoll(PQgetvalue(res, 0, 0));
	e->ready = true;
}

static void on_db_ready(struct api *a)
{
	struct api_events *e = a->events;

	if (!e)
		return;
	e->fetching = false;
	if (!e->ready)
		api_store_query(a, AST_EVENTS_LAST, NULL, on_last, NULL);
	else
		fetch(a); /* what happened while the connection was down */
}

static void on_notify(struct api *a, const char *payload)
{
	if (a->events && a->events->ready && strcmp(payload, a->conf->instance.schema) == 0)
		fetch(a);
}

static void on_keepalive(struct evl *l, uint64_t id, void *arg)
{
	struct api *a = arg;

	(void)id;
	for (struct sse *s = a->events->streams; s; s = s->next)
		append(s, ":\n\n", 3);
	a->events->keepalive = evl_timer(l, EV_KEEPALIVE_MS, on_keepalive, a);
}

int api_events_start(struct api *a)
{
	a->events = calloc(1, sizeof(*a->events));
	if (!a->events)
		return CH_ENOMEM;
	a->events->keepalive = evl_timer(a->l, EV_KEEPALIVE_MS, on_keepalive, a);
	a->on_db_ready = on_db_ready;
	a->on_notify = on_notify;
	return 0;
}

/* Every stream ends; their connections resume so libmicrohttpd can stop. */
void api_events_stop(struct api *a)
{
	struct api_events *e = a->events;

	if (!e)
		return;
	for (struct sse *s = e->streams; s; s = s->next) {
		s->closing = true;
		wake(s);
	}
	evl_timer_cancel(a->l, e->keepalive);
}

void api_events_free(struct api *a)
{
	struct api_events *e = a->events;

	free(e); /* the streams went with their daemon's connections */
	a->events = NULL;
}

/* ---- the request ---- */

static bool parse_id(const char *s, long long *out)
{
	long long v = 0;

	if (!*s || strlen(s) > 18)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return true;
}

void api_events_get(struct api_req *r)
{
	struct api_events *e = r->a->events;
	const char *lei = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
	struct MHD_Response *resp;
	struct sse *s;
	long long last = -1;

	if (lei && !parse_id(lei, &last)) {
		api_error(r, 400, "bad_last_event_id",
		          "Last-Event-ID must be an event id this API sent");
		return;
	}
	if (!e || !e->ready || !db_ready(r->a->db)) {
		r->retry_after = 2;
		api_error(r, 503, "database_unavailable", "the event stream needs the database");
		return;
	}
	if (e->n >= EV_MAX_STREAMS) {
		r->retry_after = 10;
		api_error(r, 503, "too_many_streams", "%d event streams are open already",
		          EV_MAX_STREAMS);
		return;
	}
	s = calloc(1, sizeof(*s));
	resp = s ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, on_read, s,
	                                             on_response_free)
	         : NULL;
	if (!resp) {
		free(s);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	s->a = r->a;
	s->conn = r->conn;
	s->next = e->streams;
	if (e->streams)
		e->streams->prev = s;
	e->streams = s;
	e->n++;
	append(s, "retry: 2000\n\n", 13);
	if (last >= 0 && last < e->last) {
		s->last = last;
		catch_up(s);
	} else {
		s->last = last >= 0 ? last : e->last;
		s->live = true;
	}
	api_reply_stream(r, resp);
}
