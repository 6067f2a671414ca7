/*
 * chorus-apid: the HTTP JSON admin API of one Chorus instance. The daemon
 * state (struct api) and one HTTP request (struct api_req), shared by the
 * glue (api_http.c), the route table (api_route.c), the handlers
 * (api_leases.c, api_health.c, api_metrics.c ...) and the store (api_store.c).
 */
#ifndef CHORUS_API_H
#define CHORUS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <json-c/json.h>

#include "conf.h"
#include "db.h"
#include "evl.h"
#include "token.h"

#define API_DB_TIMEOUT_MS 10000 /* a request waits this long for the database */
#define API_BEAT_MS       10000 /* heartbeat row and counters */
#define API_JSON_DEPTH    16    /* nesting of a request body */
#define API_PARAM_LEN     256   /* a path parameter such as an address */

enum api_method {
	API_GET = 1u << 0,
	API_POST = 1u << 1,
	API_PUT = 1u << 2,
	API_DELETE = 1u << 3,
	API_HEAD = 1u << 4,
};

/* Who may call a route. */
enum api_access {
	API_OPEN,       /* no token (health, metrics unless health-needs-token) */
	API_NEED_READ,  /* a read or admin token */
	API_NEED_ADMIN, /* an admin token */
};

struct api_req;
typedef void (*api_handler)(struct api_req *r);

struct api_route {
	const char *pattern; /* "/v1/leases", "/v1/leases/{}": {} is the rest of the path */
	enum api_method method;
	enum api_access access;
	api_handler handler;
	bool body;        /* takes a JSON body */
	bool health_like; /* API_OPEN unless health-needs-token */
};

/* Counters the API keeps for /metrics and its stats scope. */
enum api_cnt {
	API_CNT_REQUESTS,
	API_CNT_2XX,
	API_CNT_4XX,
	API_CNT_5XX,
	API_CNT_AUTH_FAILED,
	API_CNT_RATE_LIMITED,
	API_CNT_DB_TIMEOUT,
	API_CNT_LEASES_DELETED,
	API_CNT_MAX,
};
const char *api_cnt_name(enum api_cnt c);

struct api_token {
	char name[64];
	uint8_t digest[TOKEN_DIGEST_LEN];
	enum conf_role role;
};

struct api_http;
struct api_events;
struct MHD_Response;

struct api {
	struct evl *l;
	struct conf *conf;
	const char *conf_path;
	struct db *db;    /* LISTEN, events, heartbeat, and a share of the requests */
	struct db **pool; /* more connections for requests (api.db-connections - 1) */
	size_t n_pool;
	struct api_http *http;
	struct api_events *events;
	struct api_token *tokens;
	size_t n_tokens;
	uint64_t cnt[API_CNT_MAX];
	uint64_t status_cnt[600]; /* per HTTP status code */
	int64_t started_at;       /* wall clock, for the heartbeat */
	bool stopping;
	bool beat_busy;
	/* a connection was resumed outside libmicrohttpd's callbacks: api_http.c
	 * runs the daemons before the loop sleeps */
	bool http_resumed;
	/* the database connection is ready, and a notification on it: set by
	 * api_events.c, called by api_store.c */
	void (*on_db_ready)(struct api *a);
	void (*on_notify)(struct api *a, const char *payload);
	/* a page by relay-id [0] or remote-id [1] found rows with more than one
	 * such id: its pages merge all three ranges at once (api_leases.c) */
	bool ids_many[2];
};

struct api_req {
	struct api *a;
	struct MHD_Connection *conn;
	enum api_method method;
	char mname[8];
	char *uri;         /* as received: path and query string, still percent-encoded */
	char *path;        /* decoded path (libmicrohttpd decodes it) */
	const char *query; /* into uri: after '?', or "" */
	struct in6_addr peer;
	const struct api_route *route;
	char param[API_PARAM_LEN]; /* the {} of the route */
	bool started;
	/* who */
	bool authed;
	enum conf_role role;
	char token_name[64];
	/* body */
	char *body;
	size_t body_len;
	bool body_too_big;
	/* reply */
	bool ready;     /* a reply is set */
	bool sent;      /* queued to libmicrohttpd */
	bool suspended; /* waiting; api_req_kick resumes */
	bool orphan;    /* libmicrohttpd is done with it; freed when the database is */
	bool timed_out;
	unsigned db_pending; /* database segments still to answer */
	uint64_t timer;
	unsigned status;
	char *resp; /* malloc'ed, handed to libmicrohttpd */
	size_t resp_len;
	const char *ctype;
	char allow[64];
	unsigned retry_after; /* seconds, 0: no header */
	char *link;           /* malloc'ed, or NULL: a Link header (RFC 8288), the next page */
	bool www_auth;
	/* handler state */
	void *hctx;
	void (*hctx_free)(void *);
	struct MHD_Response *stream; /* instead of resp: a server-sent event stream */
};

/* api_http.c */
int api_http_start(struct api *a);
void api_http_stop(struct api *a);
/* The handler waits for the database: the connection is suspended until
 * api_req_kick; a deadline answers 503 if the database never does. */
void api_req_wait(struct api_req *r);
void api_req_free(struct api_req *r);
/* Answers 200 with a streamed response (takes resp). */
void api_reply_stream(struct api_req *r, struct MHD_Response *resp);

/* api_route.c */
/* Matches path and method, checks the token; sets r->route and r->param or
 * an error reply. Returns true when the handler may run. */
bool api_route_match(struct api_req *r);
void api_route_run(struct api_req *r);
int api_tokens_load(struct api *a, const struct conf *c);

/* api_json.c: replies (all set r->status, r->resp and mark r ready) */
/* The reply is set (or the database is done): deliver it when both hold. */
void api_req_kick(struct api_req *r);
void api_reply_json(struct api_req *r, unsigned status, struct json_object *obj);
/* The next page's path as a Link header (RFC 8288), so a client can follow
 * pages without parsing the body; a failed allocation only drops the header. */
void api_reply_link_next(struct api_req *r, const char *target);
/* Takes buf (malloc'ed). */
void api_reply_raw(struct api_req *r, unsigned status, const char *ctype, char *buf, size_t len);
void api_error(struct api_req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Parses a body of len bytes as JSON, at most API_JSON_DEPTH deep. On
 * failure returns NULL and writes why into err. */
struct json_object *api_json_parse(const char *body, size_t len, char *err, size_t errlen);
/* Hex of n bytes, lower case, no separators; out holds 2n + 1. */
void api_hex(const uint8_t *b, size_t n, char *out);
/* Strict hex with optional ':' between octets: octets written, or -1. */
int api_unhex(const char *s, uint8_t *out, size_t max);
/* base64url without padding (RFC 4648 §5), the text of the opaque cursors;
 * out holds 4 * (n + 2) / 3 + 1. */
void api_b64u_encode(const uint8_t *in, size_t n, char *out);
/* Strict: octets written (at most max), or -1. */
int api_b64u_decode(const char *s, uint8_t *out, size_t max);

/* A growing text buffer; oom is sticky, b is NUL-terminated. */
struct api_buf {
	char *b;
	size_t n, cap;
	bool oom;
};
void api_buf_put(struct api_buf *b, const char *s, size_t n);
/* Room for n more octets: where to write them (then api_buf_done), or NULL
 * (oom set). */
char *api_buf_room(struct api_buf *b, size_t n);
/* The octets written up to end (within the room asked for) are the buffer's. */
void api_buf_done(struct api_buf *b, char *end);
void api_buf_puts(struct api_buf *b, const char *s);
void api_buf_printf(struct api_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string (quoted, escaped), or null when s is NULL. */
void api_buf_jstr(struct api_buf *b, const char *s);

/* api_query.c: the query string */
struct api_qparam {
	char *key;
	char *val;
};
struct api_query {
	struct api_qparam *p;
	size_t n;
};
#define API_QUERY_MAX     32   /* parameters */
#define API_QUERY_MAX_LEN 4096 /* bytes of the raw query string */
/* Splits and percent-decodes s ("a=1&b=%20"). Returns 0, CH_EMALFORMED (bad
 * escape, a NUL, an empty key), CH_ELIMIT (too many or too long) or
 * CH_ENOMEM; *out is written only on success. */
int api_query_parse(const char *s, struct api_query *out);
void api_query_clear(struct api_query *q);
/* api_query_parse of r's query string into *out, or a 400 answered for r and
 * false (the handler returns then). */
bool api_query_read(struct api_req *r, struct api_query *out);
/* The value of key, NULL if absent; *dup is set when it appears twice. */
const char *api_query_get(const struct api_query *q, const char *key, bool *dup);

/* the handlers */
void api_leases_list(struct api_req *r);
void api_leases_get(struct api_req *r);
void api_leases_delete(struct api_req *r);
void api_health_get(struct api_req *r);
void api_metrics_get(struct api_req *r);
void api_stats_get(struct api_req *r);
void api_config_get(struct api_req *r);
void api_config_test(struct api_req *r);
void api_reload_post(struct api_req *r);
void api_events_get(struct api_req *r);
void api_reservations_list(struct api_req *r);
void api_reservations_get(struct api_req *r);
void api_reservations_post(struct api_req *r);
void api_reservations_put(struct api_req *r);
void api_reservations_delete(struct api_req *r);

/* api_reload.c: the <schema>_reload channel (lib/reload.h); a request
 * reloads chorus-apid itself through target */
struct reload_target;
int api_reload_start(struct api *a, struct reload_target *target);
void api_reload_stop(struct api *a);

/* api_events.c: the hub that feeds every event stream */
int api_events_start(struct api *a);
void api_events_stop(struct api *a);
void api_events_free(struct api *a);

#endif
