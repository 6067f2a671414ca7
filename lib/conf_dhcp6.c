/*
 * The "dhcp6" section: interfaces, preference, allocator and its hash key,
 * rebind policy, lease timers and configuration options (conf_options.c, shared
 * with the subnets). Subnets are in conf_subnet.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

static const char *const allocator_names[] = {"stable-hash", "iterative", "random", NULL};
static const char *const rebind_names[] = {"replace", "refuse", "adopt", NULL};

const char *conf_allocator_name(enum conf_allocator a)
{
	return (unsigned)a < 3 ? allocator_names[a] : "?";
}

const char *conf_rebind_policy_name(enum conf_rebind_policy p)
{
	return (unsigned)p < 3 ? rebind_names[p] : "?";
}

/* ---- the section ------------------------------------------------------ */

static bool is_ifname(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int interfaces_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_dhcp6 *d = base;
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_IFACES)
		return conf_err(c, "expected an array of at most %d interface names",
		                CONF_MAX_IFACES);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		const char *s;

		if (conf_get_str(c, json_object_array_get_idx(v, i), &s, "an interface name") < 0)
			return c->rc;
		if (s[0] == '\0' || strlen(s) >= CONF_IFNAME_LEN || !is_ifname(s))
			return conf_err(c, "expected an interface name of 1..15 characters");
		memcpy(d->interfaces[i], s, strlen(s) + 1);
		conf_pop(c, mark);
	}
	d->n_interfaces = n;
	return 0;
}

static struct json_object *interfaces_print(const void *base, unsigned flags)
{
	const struct conf_dhcp6 *d = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < d->n_interfaces; i++)
		json_object_array_add(a, json_object_new_string(d->interfaces[i]));
	return a;
}

/*
 * hash-key: "xx:xx:.." hex octets are decoded; any other string is used as
 * its UTF-8 octets. Siblings of the identical-prefix model must share it.
 */
static int hash_key_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_dhcp6 *d = base;
	const char *what = "a key of 16..128 octets (\"xx:xx:..\" hex, or a string)";
	const char *s;
	int n;

	if (conf_get_str(c, v, &s, what) < 0)
		return c->rc;
	n = strchr(s, ':') ? conf_hex_decode(s, d->hash_key, CONF_KEY_MAX) : -1;
	if (n < 0) {
		if (strlen(s) > CONF_KEY_MAX)
			return conf_err(c, "expected %s", what);
		n = (int)strlen(s);
		memcpy(d->hash_key, s, (size_t)n);
	}
	if (n < 16)
		return conf_err(c, "expected %s", what);
	d->hash_key_len = (size_t)n;
	return 0;
}

static struct json_object *hash_key_print(const void *base, unsigned flags)
{
	const struct conf_dhcp6 *d = base;

	if (d->hash_key_len == 0)
		return NULL;
	if (!(flags & CONF_PRINT_SECRETS))
		return json_object_new_string("********");
	return conf_json_hex(d->hash_key, d->hash_key_len);
}

static int options_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_options_parse(c, v, &((struct conf_dhcp6 *)base)->options, CONF_WALK_DEFAULTS);
}

static struct json_object *options_print(const void *base, unsigned flags)
{
	return conf_options_print(&((const struct conf_dhcp6 *)base)->options, flags);
}

static int optdata_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_optdata_parse(c, v, &((struct conf_dhcp6 *)base)->option_data);
}

static struct json_object *optdata_print(const void *base, unsigned flags)
{
	(void)flags;
	return conf_optdata_print(&((const struct conf_dhcp6 *)base)->option_data);
}

/* Parsed after the walk, once the globals it inherits are known. */
static int subnets_later(struct conf_ctx *c, struct json_object *v, void *base)
{
	(void)c;
	(void)v;
	(void)base;
	return 0;
}

static struct json_object *subnets_print(const void *base, unsigned flags)
{
	return conf_subnets_print(base, flags);
}

#define D6(f) offsetof(struct conf_dhcp6, f)

enum { K_PREF = 6, K_VALID, K_T1, K_T2 }; /* indexes in dhcp6_keys[] */

static const struct conf_key dhcp6_keys[] = {
    {.name = "interfaces",
     .type = CONF_T_CUSTOM,
     .parse = interfaces_parse,
     .print = interfaces_print},
    {.name = "preference",
     .type = CONF_T_U8,
     .off = D6(preference),
     .flags = CONF_F_RELOAD,
     .min = 0,
     .max = 255},
    {.name = "rapid-commit", .type = CONF_T_BOOL, .off = D6(rapid_commit), .flags = CONF_F_RELOAD},
    {.name = "allocator",
     .type = CONF_T_ENUM,
     .off = D6(allocator),
     .def = CONF_ALLOC_STABLE_HASH,
     .names = allocator_names},
    {.name = "hash-key",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_SECRET,
     .parse = hash_key_parse,
     .print = hash_key_print},
    {.name = "decline-quarantine",
     .type = CONF_T_U32,
     .off = D6(decline_quarantine),
     .flags = CONF_F_RELOAD,
     .max = CONF_INFINITY,
     .def = 86400},
    {.name = "preferred-lifetime",
     .type = CONF_T_U32,
     .off = D6(timers.preferred),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = CONF_INFINITY,
     .def = 3600},
    {.name = "valid-lifetime",
     .type = CONF_T_U32,
     .off = D6(timers.valid),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = CONF_INFINITY,
     .def = 7200},
    {.name = "renew-timer",
     .type = CONF_T_U32,
     .off = D6(timers.t1),
     .flags = CONF_F_RELOAD,
     .max = CONF_INFINITY},
    {.name = "rebind-timer",
     .type = CONF_T_U32,
     .off = D6(timers.t2),
     .flags = CONF_F_RELOAD,
     .max = CONF_INFINITY},
    {.name = "rebind-policy",
     .type = CONF_T_ENUM,
     .off = D6(rebind_policy),
     .flags = CONF_F_RELOAD,
     .def = CONF_REBIND_REPLACE,
     .names = rebind_names},
    /* RFC 8415 §18.3.4: "configured to create new bindings" in Renew and
     * Rebind: adopt a listed address nobody holds, fill a new empty IA */
    {.name = "renew-creates-bindings",
     .type = CONF_T_BOOL,
     .off = D6(renew_creates),
     .flags = CONF_F_RELOAD,
     .def = 1},
    {.name = "health",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = conf_health_parse,
     .print = conf_health_print},
    {.name = "options",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = options_parse,
     .print = options_print},
    {.name = "option-data",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = optdata_parse,
     .print = optdata_print},
    {.name = "subnets",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = subnets_later,
     .print = subnets_print},
};

int conf_dhcp6_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_dhcp6 *d = base;
	struct json_object *subnets = NULL;
	char where[CONF_JPATH_LEN];
	uint64_t seen = 0;
	unsigned explicit = 0;
	size_t mark;

	conf_health_defaults(&d->health);
	if (conf_walk(c, v, dhcp6_keys, sizeof(dhcp6_keys) / sizeof(dhcp6_keys[0]), d,
	              CONF_WALK_DEFAULTS, &seen) < 0)
		return c->rc;
	if (!(seen & (1u << K_T1)))
		d->timers.t1 = 0;
	explicit |= seen & (1u << K_PREF) ? CONF_TIMER_PREF : 0;
	explicit |= seen & (1u << K_VALID) ? CONF_TIMER_VALID : 0;
	explicit |= seen & (1u << K_T1) ? CONF_TIMER_T1 : 0;
	explicit |= seen & (1u << K_T2) ? CONF_TIMER_T2 : 0;
	snprintf(where, sizeof(where), "%s", c->path);
	if (conf_timers_resolve(c, &d->timers, explicit, where) < 0)
		return c->rc;
	if (d->allocator == CONF_ALLOC_STABLE_HASH && d->hash_key_len == 0) {
		mark = conf_push(c, "hash-key");
		conf_err(c, "required by allocator \"stable-hash\", expected a key of 16..128 "
		            "octets");
		return c->rc;
	}
	if (!json_object_object_get_ex(v, "subnets", &subnets))
		return 0;
	mark = conf_push(c, "subnets");
	if (conf_subnets_parse(c, subnets, d, explicit) < 0)
		return c->rc;
	conf_pop(c, mark);
	return 0;
}

struct json_object *conf_dhcp6_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), dhcp6_keys,
	                       sizeof(dhcp6_keys) / sizeof(dhcp6_keys[0]), base, flags);
}

void conf_dhcp6_clear(struct conf_dhcp6 *d)
{
	for (size_t i = 0; i < d->n_subnets; i++)
		conf_subnet_clear(&d->subnets[i]);
	conf_optlist_free(&d->option_data);
	free(d->subnets);
	d->subnets = NULL;
	d->n_subnets = 0;
}
