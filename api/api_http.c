/*
 * libmicrohttpd glue and the limits a client cannot push past. One MHD
 * daemon per listen address, each in external epoll mode on lib/evl: we
 * watch MHD_DAEMON_INFO_EPOLL_FD, call MHD_run() when it fires and arm a
 * timer from MHD_get_timeout() before each sleep (STYLE.md §8). A handler
 * that waits for the database suspends its connection; api_req_kick resumes
 * it. Limits: connections, header memory, body size, requests per second per
 * client address (token bucket), and failed authentications per client.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "addr6.h"
#include "errors.h"
#include "log.h"
#include "api.h"

#define HTTP_MEMORY_LIMIT (64 * 1024) /* per connection: request line and headers */
#define HTTP_IDLE_SECS    60
#define HTTP_CLIENTS      1024  /* client addresses the limiter remembers */
#define AUTH_WINDOW_MS    60000 /* failed authentications are counted per minute */
#define AUTH_BLOCK_MS     60000

struct api_client {
	struct in6_addr addr;
	bool used;
	uint64_t seen_ms;
	double tokens;
	unsigned fails;
	uint64_t fail_start_ms;
	uint64_t blocked_until_ms;
};

struct api_http {
	struct MHD_Daemon *d[CONF_MAX_ADDRS];
	int fd[CONF_MAX_ADDRS];
	size_t n;
	uint64_t timer;
	char *tls_cert, *tls_key;
	struct api_client clients[HTTP_CLIENTS];
};

/* ---- per-client limits ---- */

static struct api_client *client_of(struct api *a, const struct in6_addr *ip)
{
	struct api_http *h = a->http;
	uint32_t hash = 2166136261u;
	struct api_client *oldest = NULL;

	for (size_t i = 0; i < 16; i++)
		hash = (hash ^ ip->s6_addr[i]) * 16777619u;
	/* four slots per address; a newcomer takes the one seen longest ago */
	for (size_t k = 0; k < 4; k++) {
		struct api_client *c = &h->clients[(hash + k) % HTTP_CLIENTS];

		if (c->used && memcmp(&c->addr, ip, sizeof(*ip)) == 0)
			return c;
		if (!oldest || !c->used || c->seen_ms < oldest->seen_ms)
			oldest = c->used && oldest && !oldest->used ? oldest : c;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->addr = *ip;
	oldest->used = true;
	oldest->tokens = a->conf->api.rate_burst;
	oldest->seen_ms = evl_now(a->l);
	return oldest;
}

/* Returns false (with a 429 reply) when r's client is over its rate or blocked. */
static bool client_admit(struct api_req *r)
{
	struct api *a = r->a;
	const struct conf_api *ca = &a->conf->api;
	struct api_client *c = client_of(a, &r->peer);
	uint64_t now = evl_now(a->l);

	if (c->blocked_until_ms > now) {
		r->retry_after = (unsigned)((c->blocked_until_ms - now) / 1000 + 1);
		a->cnt[API_CNT_RATE_LIMITED]++;
		api_error(r, 429, "too_many_failed_authentications",
		          "too many failed authentications from this address; retry later");
		return false;
	}
	if (ca->rate_limit) {
		c->tokens += (double)(now - c->seen_ms) * ca->rate_limit / 1000.0;
		if (c->tokens > ca->rate_burst)
			c->tokens = ca->rate_burst;
	}
	c->seen_ms = now;
	if (ca->rate_limit && c->tokens < 1.0) {
		r->retry_after = 1;
		a->cnt[API_CNT_RATE_LIMITED]++;
		api_error(r, 429, "rate_limited",
		          "more than %u requests per second from this address", ca->rate_limit);
		return false;
	}
	c->tokens -= 1.0;
	return true;
}

/* A 401 with a wrong token counts against the client's address. */
static void client_auth_failed(struct api_req *r)
{
	struct api *a = r->a;
	struct api_client *c = client_of(a, &r->peer);
	uint64_t now = evl_now(a->l);
	char ab[ADDR6_STRLEN];

	if (now - c->fail_start_ms > AUTH_WINDOW_MS) {
		c->fail_start_ms = now;
		c->fails = 0;
	}
	if (++c->fails >= a->conf->api.auth_fail_limit) {
		c->blocked_until_ms = now + AUTH_BLOCK_MS;
		c->fails = 0;
		log_warning("%s: %u failed authentications in a minute, refusing it for %d s",
		            addr6_ntop(&r->peer, ab, sizeof(ab)), a->conf->api.auth_fail_limit,
		            AUTH_BLOCK_MS / 1000);
	}
}

/* ---- requests ---- */

void api_req_free(struct api_req *r)
{
	if (!r)
		return;
	if (r->timer)
		evl_timer_cancel(r->a->l, r->timer);
	if (r->hctx_free)
		r->hctx_free(r->hctx);
	if (r->stream)
		MHD_destroy_response(r->stream);
	free(r->uri);
	free(r->path);
	free(r->body);
	free(r->resp);
	free(r->link);
	free(r);
}

void api_reply_stream(struct api_req *r, struct MHD_Response *resp)
{
	r->stream = resp;
	r->status = 200;
	r->ready = true;
	api_req_kick(r);
}

static void on_db_deadline(struct evl *l, uint64_t id, void *arg)
{
	struct api_req *r = arg;

	(void)l;
	(void)id;
	r->timer = 0;
	r->timed_out = true;
	r->a->cnt[API_CNT_DB_TIMEOUT]++;
	api_error(r, 503, "database_timeout", "the database did not answer within %d s",
	          API_DB_TIMEOUT_MS / 1000);
}

void api_req_wait(struct api_req *r)
{
	if (r->suspended || r->sent)
		return;
	r->suspended = true;
	MHD_suspend_connection(r->conn);
	if (!r->timer)
		r->timer = evl_timer(r->a->l, API_DB_TIMEOUT_MS, on_db_deadline, r);
}

static enum api_method method_of(const char *m)
{
	static const struct {
		const char *name;
		enum api_method m;
	} t[] = {{"GET", API_GET},
	         {"POST", API_POST},
	         {"PUT", API_PUT},
	         {"DELETE", API_DELETE},
	         {"HEAD", API_HEAD}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(m, t[i].name) == 0)
			return t[i].m;
	return 0;
}

static void log_request(struct api_req *r)
{
	char ab[ADDR6_STRLEN];
	unsigned st = r->status;
	struct api *a = r->a;

	a->cnt[API_CNT_REQUESTS]++;
	if (st >= 200 && st < 300)
		a->cnt[API_CNT_2XX]++;
	else if (st >= 400 && st < 500)
		a->cnt[API_CNT_4XX]++;
	else if (st >= 500)
		a->cnt[API_CNT_5XX]++;
	if (st < 600)
		a->status_cnt[st]++;
	log_msg(st >= 500 ? LOG_WARNING : LOG_INFO, "%s %s %s: %u%s%s",
	        addr6_ntop(&r->peer, ab, sizeof(ab)), r->mname, r->path ? r->path : "?", st,
	        r->token_name[0] ? " token " : "", r->token_name);
}

static enum MHD_Result deliver(struct api_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	char ra[16];

	if (r->timer) {
		evl_timer_cancel(r->a->l, r->timer);
		r->timer = 0;
	}
	if (r->stream) {
		resp = r->stream;
		r->stream = NULL;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	} else {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			return MHD_NO;
		r->resp = NULL;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        r->ctype ? r->ctype : "application/json");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->link)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LINK, r->link);
	if (r->www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Bearer realm=\"chorus\"");
	if (r->retry_after) {
		snprintf(ra, sizeof(ra), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	ok = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	r->sent = true;
	log_request(r);
	return ok;
}

static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Headers are in: limits, route, token, body headers. May set a reply. */
static void begin(struct api_req *r, struct MHD_Connection *conn, const char *url,
                  const char *method)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *cl, *ct;

	r->conn = conn;
	r->started = true;
	r->method = method_of(method);
	snprintf(r->mname, sizeof(r->mname), "%s", r->method ? method : "?");
	r->path = strdup(url);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		r->peer = ((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr;
	if (!r->path) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	if (!client_admit(r))
		return;
	if (!r->method) {
		snprintf(r->allow, sizeof(r->allow), "GET, HEAD, POST, PUT, DELETE");
		api_error(r, 405, "method_not_allowed", "method %.16s is not served here", method);
		return;
	}
	if (!api_route_match(r)) {
		if (r->status == 401 &&
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"))
			client_auth_failed(r);
		return;
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > r->a->conf->api.max_body) {
		api_error(r, 413, "body_too_large", "the body is larger than %u bytes",
		          r->a->conf->api.max_body);
		return;
	}
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (r->route->body && !is_json_type(ct))
		api_error(r, 415, "unsupported_media_type", "the body must be application/json");
}

static void body_append(struct api_req *r, const char *data, size_t n)
{
	char *b;

	if (r->body_too_big || n > r->a->conf->api.max_body - r->body_len) {
		r->body_too_big = true;
		return;
	}
	b = realloc(r->body, r->body_len + n + 1);
	if (!b) {
		r->body_too_big = true;
		return;
	}
	memcpy(b + r->body_len, data, n);
	r->body = b;
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
	struct api_req *r = *con_cls;

	(void)cls;
	(void)version;
	if (!r)
		return MHD_NO;
	if (!r->started) {
		begin(r, conn, url, method);
		return r->ready ? deliver(r) : MHD_YES;
	}
	if (*upload_size) {
		if (!r->ready)
			body_append(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->ready && (!r->db_pending || r->timed_out))
		return deliver(r);
	if (r->ready || r->suspended)
		return MHD_YES;
	if (r->body_too_big) {
		api_error(r, 413, "body_too_large", "the body is larger than %u bytes",
		          r->a->conf->api.max_body);
		return deliver(r);
	}
	api_route_run(r);
	if (r->ready && (!r->db_pending || r->timed_out))
		return deliver(r);
	return MHD_YES;
}

/* Before libmicrohttpd parses anything: keep the raw URI (the query string). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct api_req *r = calloc(1, sizeof(*r));
	const char *q;

	(void)conn;
	if (!r)
		return NULL;
	r->a = cls;
	r->uri = strdup(uri);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	q = strchr(r->uri, '?');
	r->query = q ? q + 1 : "";
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct api_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	*con_cls = NULL;
	if (!r)
		return;
	if (r->timer) {
		evl_timer_cancel(r->a->l, r->timer);
		r->timer = 0;
	}
	if (r->db_pending) {
		r->orphan = true; /* api_store frees it when its commit answers */
		return;
	}
	api_req_free(r);
}

/* ---- the loop ---- */

static void on_mhd_io(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct api *a = arg;
	struct api_http *h = a->http;

	(void)l;
	(void)events;
	for (size_t i = 0; i < h->n; i++)
		if (h->fd[i] == fd)
			MHD_run(h->d[i]);
}

static void on_mhd_timer(struct evl *l, uint64_t id, void *arg)
{
	struct api *a = arg;

	(void)l;
	(void)id;
	a->http->timer = 0;
	for (size_t i = 0; i < a->http->n; i++)
		MHD_run(a->http->d[i]);
}

static void before_sleep(struct evl *l, void *arg)
{
	struct api *a = arg;
	struct api_http *h = a->http;
	MHD_UNSIGNED_LONG_LONG ms, best = 1000;

	if (a->http_resumed) {
		a->http_resumed = false;
		for (size_t i = 0; i < h->n; i++)
			MHD_run(h->d[i]);
	}
	for (size_t i = 0; i < h->n; i++)
		if (MHD_get_timeout(h->d[i], &ms) == MHD_YES && ms < best)
			best = ms;
	if (h->timer)
		evl_timer_cancel(l, h->timer);
	h->timer = evl_timer(l, best, on_mhd_timer, a);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1024 * 1024 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static struct MHD_Daemon *start_one(struct api *a, const struct conf_listen *ln)
{
	const struct conf_api *ca = &a->conf->api;
	struct api_http *h = a->http;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(ln->port)};
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_IPv6 |
	                 MHD_USE_ERROR_LOG | (ca->tls ? MHD_USE_TLS : 0);

	sa.sin6_addr = ln->addr;
	if (ca->tls)
		return MHD_start_daemon(
		    flags, ln->port, NULL, NULL, on_access, a, MHD_OPTION_SOCK_ADDR, &sa,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)ca->max_connections,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECS,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, a, MHD_OPTION_URI_LOG_CALLBACK,
		    on_uri, a, MHD_OPTION_HTTPS_MEM_CERT, h->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
		    h->tls_key, MHD_OPTION_END);
	return MHD_start_daemon(flags, ln->port, NULL, NULL, on_access, a, MHD_OPTION_SOCK_ADDR,
	                        &sa, MHD_OPTION_CONNECTION_LIMIT, (unsigned)ca->max_connections,
	                        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_SECS,
	                        MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
	                        MHD_OPTION_URI_LOG_CALLBACK, on_uri, a, MHD_OPTION_END);
}

static int load_tls(struct api *a)
{
	const struct conf_api *ca = &a->conf->api;
	struct api_http *h = a->http;

	if (!ca->tls)
		return 0;
	h->tls_cert = read_file(ca->tls_cert);
	if (!h->tls_cert) {
		log_err("cannot read the TLS certificate %s", ca->tls_cert);
		return CH_EIO;
	}
	h->tls_key = read_file(ca->tls_key);
	if (!h->tls_key) {
		log_err("cannot read the TLS key %s", ca->tls_key);
		return CH_EIO;
	}
	return 0;
}

int api_http_start(struct api *a)
{
	const struct conf_api *ca = &a->conf->api;
	struct api_http *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return CH_ENOMEM;
	a->http = h;
	if ((err = load_tls(a)) < 0)
		return err;
	for (size_t i = 0; i < ca->n_listen; i++) {
		char ab[ADDR6_STRLEN];
		const union MHD_DaemonInfo *di;
		struct MHD_Daemon *d = start_one(a, &ca->listen[i]);

		if (!d) {
			log_err("cannot listen on [%s]:%u",
			        addr6_ntop(&ca->listen[i].addr, ab, sizeof(ab)),
			        ca->listen[i].port);
			return CH_EIO;
		}
		h->d[h->n] = d;
		di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
		h->fd[h->n] = di ? di->epoll_fd : -1;
		if (h->fd[h->n] < 0 || evl_watch(a->l, h->fd[h->n], EPOLLIN, on_mhd_io, a) < 0) {
			MHD_stop_daemon(d);
			return CH_EIO;
		}
		h->n++;
		log_notice("listening on %s[%s]:%u", ca->tls ? "https://" : "http://",
		           addr6_ntop(&ca->listen[i].addr, ab, sizeof(ab)), ca->listen[i].port);
	}
	evl_before_sleep(a->l, before_sleep, a);
	return 0;
}

void api_http_stop(struct api *a)
{
	struct api_http *h = a->http;

	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		MHD_run(h->d[i]); /* resumed connections leave the suspended list */
		evl_unwatch(a->l, h->fd[i]);
		MHD_stop_daemon(h->d[i]);
	}
	if (h->timer)
		evl_timer_cancel(a->l, h->timer);
	free(h->tls_cert);
	free(h->tls_key);
	free(h);
	a->http = NULL;
}
