/*
 * The table of routes: path pattern, method, who may call it, handler. A
 * request's path picks its routes (none: 404), its method one of them (none:
 * 405 with Allow), its bearer token (RFC 6750) a role (none or unknown: 401,
 * too weak: 403). Tokens are compared as SHA-256 digests in constant time,
 * against every configured token, so timing tells nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "errors.h"
#include "log.h"
#include "api.h"

static const struct api_route api_routes[] = {
    {"/v1/leases", API_GET, API_NEED_READ, api_leases_list, false, false},
    {"/v1/leases/{}", API_GET, API_NEED_READ, api_leases_get, false, false},
    {"/v1/leases/{}", API_DELETE, API_NEED_ADMIN, api_leases_delete, false, false},
    {"/v1/reservations", API_GET, API_NEED_READ, api_reservations_list, false, false},
    {"/v1/reservations", API_POST, API_NEED_ADMIN, api_reservations_post, true, false},
    {"/v1/reservations/{}", API_GET, API_NEED_READ, api_reservations_get, false, false},
    {"/v1/reservations/{}", API_PUT, API_NEED_ADMIN, api_reservations_put, true, false},
    {"/v1/reservations/{}", API_DELETE, API_NEED_ADMIN, api_reservations_delete, false, false},
    {"/v1/events", API_GET, API_NEED_READ, api_events_get, false, false},
    {"/v1/stats", API_GET, API_NEED_READ, api_stats_get, false, false},
    {"/v1/health", API_GET, API_OPEN, api_health_get, false, true},
    {"/metrics", API_GET, API_OPEN, api_metrics_get, false, true},
    {"/v1/config", API_GET, API_NEED_READ, api_config_get, false, false},
    {"/v1/config/test", API_POST, API_NEED_ADMIN, api_config_test, true, false},
    {"/v1/config/reload", API_POST, API_NEED_ADMIN, api_reload_post, false, false},
};
#define N_ROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

static const char *method_name(enum api_method m)
{
	switch (m) {
	case API_GET:
		return "GET";
	case API_POST:
		return "POST";
	case API_PUT:
		return "PUT";
	case API_DELETE:
		return "DELETE";
	case API_HEAD:
		return "HEAD";
	}
	return "?";
}

/* Writes the {} part into param (when the pattern has one). */
static bool path_match(const char *pattern, const char *path, char *param, size_t cap)
{
	const char *brace = strstr(pattern, "{}");
	size_t pre;

	if (!brace)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(brace - pattern);
	if (strncmp(pattern, path, pre) != 0 || path[pre] == '\0')
		return false;
	if (strlen(path + pre) >= cap)
		return false;
	strcpy(param, path + pre);
	return true;
}

static const struct api_token *token_find(const struct api *a, const char *tok, size_t len)
{
	uint8_t d[TOKEN_DIGEST_LEN];
	const struct api_token *hit = NULL;

	if (token_digest(tok, len, d) < 0)
		return NULL;
	for (size_t i = 0; i < a->n_tokens; i++) /* no early exit */
		if (token_digest_equal(d, a->tokens[i].digest))
			hit = &a->tokens[i];
	return hit;
}

/* RFC 6750 §2.1: "Authorization: Bearer <token>". Returns 1 authenticated,
 * 0 no credentials, -1 wrong credentials. */
static int authenticate(struct api_req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	const struct api_token *t;
	const char *tok;

	if (!h)
		return 0;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	tok = h + 7;
	while (*tok == ' ')
		tok++;
	t = *tok ? token_find(r->a, tok, strlen(tok)) : NULL;
	if (!t)
		return -1;
	r->authed = true;
	r->role = t->role;
	snprintf(r->token_name, sizeof(r->token_name), "%s", t->name);
	return 1;
}

static bool authorize(struct api_req *r, enum api_access need)
{
	int who;

	if (need == API_OPEN && !(r->route->health_like && r->a->conf->api.health_needs_token))
		return true;
	who = authenticate(r);
	if (who <= 0) {
		r->www_auth = true;
		r->a->cnt[API_CNT_AUTH_FAILED] += who < 0;
		api_error(r, 401, "unauthorized",
		          who < 0
		              ? "the bearer token is not valid"
		              : "this endpoint needs a bearer token (Authorization: Bearer ...)");
		return false;
	}
	if (need == API_NEED_ADMIN && r->role != CONF_ROLE_ADMIN) {
		api_error(r, 403, "forbidden", "token %s has role %s; %s %s needs an admin token",
		          r->token_name, conf_role_name(r->role), method_name(r->method), r->path);
		return false;
	}
	return true;
}

bool api_route_match(struct api_req *r)
{
	char allow[64] = "";
	bool path_seen = false;

	for (size_t i = 0; i < N_ROUTES; i++) {
		const struct api_route *rt = &api_routes[i];
		enum api_method m = r->method == API_HEAD ? API_GET : r->method;

		if (!path_match(rt->pattern, r->path, r->param, sizeof(r->param)))
			continue;
		path_seen = true;
		if (rt->method != m) {
			size_t n = strlen(allow);

			snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "",
			         method_name(rt->method));
			if (rt->method == API_GET)
				snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
				         ", HEAD");
			continue;
		}
		r->route = rt;
		return authorize(r, rt->access);
	}
	if (!path_seen) {
		api_error(r, 404, "not_found", "no resource at this path");
		return false;
	}
	snprintf(r->allow, sizeof(r->allow), "%s", allow);
	api_error(r, 405, "method_not_allowed", "this resource allows %s", allow);
	return false;
}

void api_route_run(struct api_req *r)
{
	r->route->handler(r);
}

int api_tokens_load(struct api *a, const struct conf *c)
{
	struct api_token *t = calloc(c->api.n_tokens ? c->api.n_tokens : 1, sizeof(*t));

	if (!t)
		return CH_ENOMEM;
	for (size_t i = 0; i < c->api.n_tokens; i++) {
		snprintf(t[i].name, sizeof(t[i].name), "%s", c->api.tokens[i].name);
		t[i].role = c->api.tokens[i].role;
		if (token_hash_parse(c->api.tokens[i].token, t[i].digest) < 0) {
			free(t);
			return CH_ECONF; /* the loader checked it: cannot happen */
		}
	}
	free(a->tokens);
	a->tokens = t;
	a->n_tokens = c->api.n_tokens;
	return 0;
}
