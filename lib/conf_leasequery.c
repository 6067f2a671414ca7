/*
 * The "leasequery" section: who may query (RFC 5007 §4.1.1 requestor access
 * control, a per-requestor token bucket), bulk leasequery listen address
 * and connection limits (RFC 5460 §5), the local
 * socket chorus-dhcp6d hands LEASEQUERY datagrams to, which options
 * are too sensitive to return, and where requestors reach the instance
 * (the address chorus-lq -c sends to).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

static bool is_abs_path(const char *s)
{
	return s[0] == '/';
}

static int codes_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_leasequery *l = base;
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_ITEMS)
		return conf_err(c, "expected an array of at most %d option codes", CONF_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		struct json_object *e = json_object_array_get_idx(v, i);
		int64_t x;

		if (!json_object_is_type(e, json_type_int))
			return conf_err(c, "expected an integer 1..65535");
		x = json_object_get_int64(e);
		if (x < 1 || x > 65535)
			return conf_err(c, "expected an integer 1..65535");
		l->sensitive_options[i] = (uint16_t)x;
		conf_pop(c, mark);
	}
	l->n_sensitive_options = n;
	return 0;
}

static struct json_object *codes_print(const void *base, unsigned flags)
{
	const struct conf_leasequery *l = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < l->n_sensitive_options; i++)
		json_object_array_add(a, json_object_new_int(l->sensitive_options[i]));
	return a;
}

/* "address": "ADDR" (UDP port 547) or "[ADDR]:PORT" */
static int address_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_leasequery *l = base;
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	struct conf_listen a = {.port = 547};

	if (!s || (addr6_parse(s, &a.addr) < 0 && conf_listen_parse(s, &a) < 0))
		return conf_err(c, "expected an IPv6 address or \"[address]:port\"");
	l->has_address = true;
	l->address = a.addr;
	l->address_port = a.port;
	return 0;
}

static struct json_object *address_print(const void *base, unsigned flags)
{
	const struct conf_leasequery *l = base;
	char ab[ADDR6_STRLEN], buf[ADDR6_STRLEN + 8];

	(void)flags;
	if (!l->has_address)
		return NULL;
	snprintf(buf, sizeof(buf), "[%s]:%u", addr6_ntop(&l->address, ab, sizeof(ab)),
	         (unsigned)l->address_port);
	return json_object_new_string(buf);
}

#define LQ(f) offsetof(struct conf_leasequery, f)

static const struct conf_key lq_keys[] = {
    {.name = "enabled", .type = CONF_T_BOOL, .off = LQ(enabled)},
    {.name = "requesters",
     .type = CONF_T_PREFIX_LIST,
     .off = LQ(requesters),
     .count_off = LQ(n_requesters),
     .flags = CONF_F_RELOAD,
     .max = CONF_MAX_ITEMS},
    {.name = "max-connections",
     .type = CONF_T_U32,
     .off = LQ(max_connections),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 1000,
     .def = 10},
    {.name = "idle-timeout",
     .type = CONF_T_U32,
     .off = LQ(idle_timeout),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 86400,
     .def = 300},
    {.name = "local-socket",
     .type = CONF_T_STR,
     .off = LQ(local_socket),
     .min = 1,
     .max = 107, /* sun_path */
     .defs = "/run/chorus/leasequery.sock",
     .expect = "an absolute path of at most 107 characters",
     .check = is_abs_path},
    {.name = "bulk-address", .type = CONF_T_ADDR, .off = LQ(bulk_address)},
    {.name = "bulk-port",
     .type = CONF_T_U32,
     .off = LQ(bulk_port),
     .min = 1,
     .max = 65535,
     .def = 547},
    {.name = "address", .type = CONF_T_CUSTOM, .parse = address_parse, .print = address_print},
    {.name = "max-connections-per-requestor",
     .type = CONF_T_U32,
     .off = LQ(max_per_requestor),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 1000,
     .def = 4},
    {.name = "rate-limit",
     .type = CONF_T_U32,
     .off = LQ(rate_limit),
     .flags = CONF_F_RELOAD,
     .min = 0,
     .max = 1000000,
     .def = 0},
    {.name = "rate-burst",
     .type = CONF_T_U32,
     .off = LQ(rate_burst),
     .flags = CONF_F_RELOAD,
     .min = 0,
     .max = 1000000,
     .def = 0},
    {.name = "sensitive-options",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = codes_parse,
     .print = codes_print},
};

int conf_leasequery_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_walk(c, v, lq_keys, sizeof(lq_keys) / sizeof(lq_keys[0]), base,
	                 CONF_WALK_DEFAULTS, NULL);
}

struct json_object *conf_leasequery_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), lq_keys,
	                       sizeof(lq_keys) / sizeof(lq_keys[0]), base, flags);
}
