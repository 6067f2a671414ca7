/*
 * The "api" section of chorus-apid: listen addresses ("[::1]:8547"),
 * bearer tokens (stored as hashes, token.h) with a role, TLS certificate
 * and key files, and the limits a client cannot push past.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"
#include "token.h"

static const char *const role_names[] = {"read", "admin", NULL};

const char *conf_role_name(enum conf_role r)
{
	return (unsigned)r < 2 ? role_names[r] : "?";
}

/* "[addr]:port" with port 1..65535 (conf_walk.h). */
int conf_listen_parse(const char *s, struct conf_listen *out)
{
	char buf[ADDR6_STRLEN];
	const char *close = strchr(s, ']');
	unsigned long port = 0;
	size_t alen;

	if (s[0] != '[' || !close || close[1] != ':' || close[2] == '\0')
		return -1;
	alen = (size_t)(close - s - 1);
	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s + 1, alen);
	buf[alen] = '\0';
	for (const char *p = close + 2; *p; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return -1;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535 || addr6_parse(buf, &out->addr) < 0)
		return -1;
	out->port = (uint16_t)port;
	return 0;
}

static int listen_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_api *a = base;
	const char *what = "an address and port such as \"[::1]:8547\"";
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_ADDRS)
		return conf_err(c, "expected an array of at most %d addresses and ports",
		                CONF_MAX_ADDRS);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		const char *s;

		if (conf_get_str(c, json_object_array_get_idx(v, i), &s, what) < 0)
			return c->rc;
		if (conf_listen_parse(s, &a->listen[i]) < 0)
			return conf_err(c, "expected %s", what);
		conf_pop(c, mark);
	}
	a->n_listen = n;
	return 0;
}

static struct json_object *listen_print(const void *base, unsigned flags)
{
	const struct conf_api *a = base;
	struct json_object *arr = json_object_new_array();

	(void)flags;
	for (size_t i = 0; arr && i < a->n_listen; i++) {
		char ab[ADDR6_STRLEN], buf[ADDR6_STRLEN + 10];

		snprintf(buf, sizeof(buf), "[%s]:%u",
		         addr6_ntop(&a->listen[i].addr, ab, sizeof(ab)),
		         (unsigned)a->listen[i].port);
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

static bool is_token_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* Only the hash is stored: a config file that leaks gives no access. */
static bool is_token(const char *s)
{
	return token_is_hash(s);
}

#define TOK(f) offsetof(struct conf_token, f)

static const struct conf_key token_keys[] = {
    {.name = "name",
     .type = CONF_T_STR,
     .off = TOK(name),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = 63,
     .expect = "a name of 1..63 printable characters",
     .check = is_token_name},
    {.name = "token",
     .type = CONF_T_STR,
     .off = TOK(token),
     .flags = CONF_F_REQUIRED | CONF_F_SECRET,
     .min = 0,
     .max = 255,
     .expect = "a token hash \"sha256:\" + 64 hex digits (chorus-admin token-hash prints one), "
               "not a plaintext token",
     .check = is_token},
    {.name = "role",
     .type = CONF_T_ENUM,
     .off = TOK(role),
     .def = CONF_ROLE_READ,
     .names = role_names},
};

static int token_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	return conf_walk(c, v, token_keys, sizeof(token_keys) / sizeof(token_keys[0]), item,
	                 CONF_WALK_DEFAULTS, NULL);
}

static int tokens_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_api *a = base;

	if (conf_array(c, v, CONF_MAX_ITEMS, sizeof(struct conf_token), (void **)&a->tokens,
	               &a->n_tokens, token_parse, NULL) < 0)
		return c->rc;
	for (size_t i = 0; i < a->n_tokens; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(a->tokens[i].name, a->tokens[j].name) != 0)
				continue;
			conf_push_idx(c, i);
			conf_push(c, "name");
			return conf_err(c, "expected a name unique among tokens");
		}
	}
	return 0;
}

static struct json_object *tokens_print(const void *base, unsigned flags)
{
	const struct conf_api *a = base;
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < a->n_tokens; i++)
		json_object_array_add(arr,
		                      conf_print_keys(json_object_new_object(), token_keys,
		                                      sizeof(token_keys) / sizeof(token_keys[0]),
		                                      &a->tokens[i], flags));
	return arr;
}

static bool is_abs_path(const char *s)
{
	return s[0] == '/';
}

static const struct conf_key tls_keys[] = {
    {.name = "cert",
     .type = CONF_T_STR,
     .off = offsetof(struct conf_api, tls_cert),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = CONF_PATH_LEN - 1,
     .expect = "the absolute path of a PEM certificate file",
     .check = is_abs_path},
    {.name = "key",
     .type = CONF_T_STR,
     .off = offsetof(struct conf_api, tls_key),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = CONF_PATH_LEN - 1,
     .expect = "the absolute path of a PEM private key file",
     .check = is_abs_path},
};

static int tls_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_api *a = base;

	if (conf_walk(c, v, tls_keys, 2, base, 0, NULL) < 0)
		return c->rc;
	a->tls = true;
	return 0;
}

static struct json_object *tls_print(const void *base, unsigned flags)
{
	const struct conf_api *a = base;

	if (!a->tls)
		return NULL;
	return conf_print_keys(json_object_new_object(), tls_keys, 2, base, flags);
}

#define API(f) offsetof(struct conf_api, f)

static const struct conf_key api_keys[] = {
    {.name = "listen", .type = CONF_T_CUSTOM, .parse = listen_parse, .print = listen_print},
    {.name = "tokens",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = tokens_parse,
     .print = tokens_print},
    {.name = "tls", .type = CONF_T_CUSTOM, .parse = tls_parse, .print = tls_print},
    {.name = "max-connections",
     .type = CONF_T_U32,
     .off = API(max_connections),
     .min = 1,
     .max = 10000,
     .def = 64},
    {.name = "max-body",
     .type = CONF_T_U32,
     .off = API(max_body),
     .min = 1024,
     .max = CONF_MAX_FILE,
     .def = 1024 * 1024},
    {.name = "rate-limit",
     .type = CONF_T_U32,
     .off = API(rate_limit),
     .flags = CONF_F_RELOAD,
     .min = 0,
     .max = 1000000,
     .def = 200},
    {.name = "rate-burst",
     .type = CONF_T_U32,
     .off = API(rate_burst),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 1000000,
     .def = 400},
    {.name = "auth-fail-limit",
     .type = CONF_T_U32,
     .off = API(auth_fail_limit),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 100000,
     .def = 10},
    {.name = "db-connections",
     .type = CONF_T_U32,
     .off = API(db_connections),
     .min = 1,
     .max = 32,
     .def = 4},
    {.name = "health-needs-token",
     .type = CONF_T_BOOL,
     .off = API(health_needs_token),
     .flags = CONF_F_RELOAD,
     .def = false},
};

int conf_api_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_api *a = base;
	uint64_t seen = 0;

	if (conf_walk(c, v, api_keys, sizeof(api_keys) / sizeof(api_keys[0]), base,
	              CONF_WALK_DEFAULTS, &seen) < 0)
		return c->rc;
	if (!(seen & 1)) {
		conf_listen_parse("[::1]:8547", &a->listen[0]);
		a->n_listen = 1;
	}
	return 0;
}

struct json_object *conf_api_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), api_keys,
	                       sizeof(api_keys) / sizeof(api_keys[0]), base, flags);
}

void conf_api_clear(struct conf_api *a)
{
	free(a->tokens);
	a->tokens = NULL;
	a->n_tokens = 0;
}
