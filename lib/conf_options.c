/*
 * What /dhcp6 and every subnet share: the configuration options (RFC 3646,
 * RFC 5908, RFC 8415 §21.23-25) and the lease timers, checked against each
 * other and filled in as RFC 8415 §21.4 recommends (§7.7).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

/* ---- options ---------------------------------------------------------- */

static int domain_search_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_options *o = base;
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_NAMES)
		return conf_err(c, "expected an array of at most %d domain names", CONF_MAX_NAMES);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		const char *s;

		if (conf_get_str(c, json_object_array_get_idx(v, i), &s, "a domain name") < 0)
			return c->rc;
		if (!conf_is_dns_name(s))
			return conf_err(c, "expected a domain name");
		memcpy(o->domain_search[i], s, strlen(s) + 1);
		conf_pop(c, mark);
	}
	o->n_domain_search = n;
	return 0;
}

static struct json_object *domain_search_print(const void *base, unsigned flags)
{
	const struct conf_options *o = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < o->n_domain_search; i++)
		json_object_array_add(a, json_object_new_string(o->domain_search[i]));
	return a;
}

static int ntp_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_options *o = base;
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_ADDRS)
		return conf_err(c, "expected an array of at most %d addresses or names",
		                CONF_MAX_ADDRS);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		struct conf_ntp_server *e = &o->ntp_servers[i];
		const char *s;

		if (conf_get_str(c, json_object_array_get_idx(v, i), &s,
		                 "an IPv6 address or a domain name") < 0)
			return c->rc;
		memset(e, 0, sizeof(*e));
		if (addr6_parse(s, &e->addr) < 0) {
			if (strchr(s, ':') || !conf_is_dns_name(s))
				return conf_err(c, "expected an IPv6 address or a domain name");
			e->is_fqdn = true;
			memcpy(e->fqdn, s, strlen(s) + 1);
		}
		conf_pop(c, mark);
	}
	o->n_ntp_servers = n;
	return 0;
}

static struct json_object *ntp_print(const void *base, unsigned flags)
{
	const struct conf_options *o = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < o->n_ntp_servers; i++) {
		const struct conf_ntp_server *e = &o->ntp_servers[i];

		json_object_array_add(a, e->is_fqdn ? json_object_new_string(e->fqdn)
		                                    : conf_json_addr(&e->addr));
	}
	return a;
}

#define OPT(f) offsetof(struct conf_options, f)

static const struct conf_key options_keys[] = {
    {.name = "dns-servers",
     .type = CONF_T_ADDR_LIST,
     .off = OPT(dns_servers),
     .count_off = OPT(n_dns_servers),
     .flags = CONF_F_RELOAD,
     .max = CONF_MAX_ADDRS},
    {.name = "domain-search",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = domain_search_parse,
     .print = domain_search_print},
    {.name = "ntp-servers",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = ntp_parse,
     .print = ntp_print},
    {.name = "sol-max-rt",
     .type = CONF_T_U32,
     .off = OPT(sol_max_rt),
     .flags = CONF_F_RELOAD,
     .min = 60,
     .max = 86400},
    {.name = "inf-max-rt",
     .type = CONF_T_U32,
     .off = OPT(inf_max_rt),
     .flags = CONF_F_RELOAD,
     .min = 60,
     .max = 86400},
    {.name = "information-refresh-time",
     .type = CONF_T_U32,
     .off = OPT(info_refresh_time),
     .flags = CONF_F_RELOAD,
     .min = 600, /* RFC 8415 §21.23 IRT_MINIMUM */
     .max = CONF_INFINITY},
};

int conf_options_parse(struct conf_ctx *c, struct json_object *v, struct conf_options *o,
                       unsigned mode)
{
	return conf_walk(c, v, options_keys, sizeof(options_keys) / sizeof(options_keys[0]), o,
	                 mode, NULL);
}

struct json_object *conf_options_print(const struct conf_options *o, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), options_keys,
	                       sizeof(options_keys) / sizeof(options_keys[0]), o, flags);
}

/* ---- timers ----------------------------------------------------------- */

static int timer_order(struct conf_ctx *c, const char *where, uint32_t lo, const char *lo_name,
                       bool lo_here, uint32_t hi, const char *hi_name)
{
	char path[CONF_JPATH_LEN];

	(void)lo;
	if (lo_here) {
		snprintf(path, sizeof(path), "%s/%s", where, lo_name);
		return conf_err_at(c, path, "expected at most %s (%u)", hi_name, (unsigned)hi);
	}
	snprintf(path, sizeof(path), "%s/%s", where, hi_name);
	return conf_err_at(c, path, "expected at least %s (%u)", lo_name, (unsigned)lo);
}

int conf_timers_resolve(struct conf_ctx *c, struct conf_timers *t, unsigned explicit,
                        const char *where)
{
	bool t1 = explicit & CONF_TIMER_T1, t2 = explicit & CONF_TIMER_T2;
	bool inf = t->preferred == CONF_INFINITY;

	if (t->preferred > t->valid)
		return timer_order(c, where, t->preferred, "preferred-lifetime",
		                   explicit & CONF_TIMER_PREF, t->valid, "valid-lifetime");
	if (t1 && t2 && t->t1 && t->t2 && t->t1 > t->t2)
		return timer_order(c, where, t->t1, "renew-timer", true, t->t2, "rebind-timer");
	if (t2 && t->t2 > t->preferred)
		return timer_order(c, where, t->t2, "rebind-timer", true, t->preferred,
		                   "preferred-lifetime");
	if (t1 && t->t1 > t->preferred)
		return timer_order(c, where, t->t1, "renew-timer", true, t->preferred,
		                   "preferred-lifetime");
	/* RFC 8415 §21.4 recommends 0.5 and 0.8 of the shortest preferred lifetime */
	if (!t1) {
		t->t1 = inf ? CONF_INFINITY : t->preferred / 2;
		/* an explicit rebind-timer wins over the derived renew-timer */
		if (t2 && t->t2 && t->t1 > t->t2)
			t->t1 = t->t2;
	}
	if (!t2) {
		t->t2 = inf ? CONF_INFINITY : (uint32_t)((uint64_t)t->preferred * 4 / 5);
		if (t->t2 < t->t1)
			t->t2 = t->t1;
	}
	return 0;
}
