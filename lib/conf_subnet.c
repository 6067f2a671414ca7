/*
 * "dhcp6/subnets": link prefix, how the subnet is selected (RFC 8415 §13.1),
 * address pools, PD pools, foreign ranges (the siblings' ranges of the
 * split and unique prefix models, RFC 6853 §4), reservations, and the
 * overrides of the /dhcp6 values. Then the checks across subnets: unique
 * ids, disjoint link prefixes, no pool overlapping another or a foreign range.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

/* ---- pools and foreign ranges ---------------------------------------- */

struct range_in {
	struct in6_addr start, end;
	struct addr6_prefix prefix;
	struct conf_optlist option_data;
};

static int range_optdata_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_optdata_parse(c, v, &((struct range_in *)base)->option_data);
}

/* The fourth key only for pools: a foreign range sends nothing. */
static const struct conf_key range_keys[] = {
    {.name = "start", .type = CONF_T_ADDR, .off = offsetof(struct range_in, start)},
    {.name = "end", .type = CONF_T_ADDR, .off = offsetof(struct range_in, end)},
    {.name = "prefix", .type = CONF_T_PREFIX, .off = offsetof(struct range_in, prefix)},
    {.name = "option-data", .type = CONF_T_CUSTOM, .parse = range_optdata_parse},
};

static int range_walk(struct conf_ctx *c, struct json_object *v, struct conf_range *r,
                      size_t n_keys)
{
	struct range_in in;
	uint64_t seen;

	memset(&in, 0, sizeof(in));
	if (conf_walk(c, v, range_keys, n_keys, &in, 0, &seen) < 0)
		goto fail;
	seen &= 7;
	if (seen == 4) {
		r->is_prefix = true;
		r->prefix = in.prefix;
		addr6_prefix_range(&in.prefix, &r->range);
		r->option_data = in.option_data;
		return 0;
	}
	if (seen != 3) {
		conf_err(c, "expected {\"start\", \"end\"} or {\"prefix\"}");
		goto fail;
	}
	if (addr6_range_make(&in.start, &in.end, &r->range) < 0) {
		conf_push(c, "end");
		conf_err(c, "expected an address not below \"start\"");
		goto fail;
	}
	r->option_data = in.option_data;
	return 0;
fail:
	conf_optlist_free(&in.option_data);
	return c->rc;
}

static int range_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	return range_walk(c, v, item, 3);
}

static int pool_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	return range_walk(c, v, item, 4);
}

static void pool_clear(void *item)
{
	conf_optlist_free(&((struct conf_range *)item)->option_data);
}

static struct json_object *ranges_print(const struct conf_range *r, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *o = conf_json_range(&r[i]);

		if (o && r[i].option_data.n)
			json_object_object_add(o, "option-data",
			                       conf_optdata_print(&r[i].option_data));
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- PD pools ---------------------------------------------------------- */

struct pd_in {
	struct addr6_prefix prefix;
	uint32_t dlen;
	struct conf_optlist option_data;
};

static int pd_optdata_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_optdata_parse(c, v, &((struct pd_in *)base)->option_data);
}

static const struct conf_key pd_keys[] = {
    {.name = "prefix",
     .type = CONF_T_PREFIX,
     .off = offsetof(struct pd_in, prefix),
     .flags = CONF_F_REQUIRED,
     .expect = "an IPv6 prefix"},
    {.name = "delegated-length",
     .type = CONF_T_U32,
     .off = offsetof(struct pd_in, dlen),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = 128},
    {.name = "option-data", .type = CONF_T_CUSTOM, .parse = pd_optdata_parse},
};

static int pd_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	struct conf_pd_pool *p = item;
	struct pd_in in;

	memset(&in, 0, sizeof(in));
	if (conf_walk(c, v, pd_keys, 3, &in, 0, NULL) < 0) {
		conf_optlist_free(&in.option_data);
		return c->rc;
	}
	if (in.dlen < in.prefix.len) {
		conf_optlist_free(&in.option_data);
		conf_push(c, "delegated-length");
		return conf_err(c, "expected an integer %u..128 (not shorter than the pool prefix)",
		                (unsigned)in.prefix.len);
	}
	p->prefix = in.prefix;
	p->delegated_len = (uint8_t)in.dlen;
	p->option_data = in.option_data;
	return 0;
}

static void pd_clear(void *item)
{
	conf_optlist_free(&((struct conf_pd_pool *)item)->option_data);
}

/* ---- reservations ------------------------------------------------------ */

static bool is_hostname(const char *s)
{
	return conf_is_dns_name(s);
}

#define RES(f) offsetof(struct conf_reservation, f)

static int res_optdata_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_optdata_parse(c, v, &((struct conf_reservation *)base)->option_data);
}

static struct json_object *res_optdata_print(const void *base, unsigned flags)
{
	(void)flags;
	return conf_optdata_print(&((const struct conf_reservation *)base)->option_data);
}

static const struct conf_key res_keys[] = {
    {.name = "duid",
     .type = CONF_T_HEX,
     .off = RES(duid),
     .count_off = RES(duid_len),
     .flags = CONF_F_REQUIRED,
     .min = 3,
     .max = CONF_DUID_MAX,
     .expect = "a DUID of 3..130 hex octets such as \"00:01:00:01:2a:2b:3c:4d:00:11:22:33:44:55\""},
    {.name = "addresses",
     .type = CONF_T_ADDR_LIST,
     .off = RES(addresses),
     .count_off = RES(n_addresses),
     .max = CONF_MAX_ADDRS},
    {.name = "prefixes",
     .type = CONF_T_PREFIX_LIST,
     .off = RES(prefixes),
     .count_off = RES(n_prefixes),
     .max = CONF_MAX_ADDRS},
    {.name = "hostname",
     .type = CONF_T_STR,
     .off = RES(hostname),
     .min = 1,
     .max = CONF_NAME_LEN - 1,
     .expect = "a host name",
     .check = is_hostname},
    {.name = "option-data",
     .type = CONF_T_CUSTOM,
     .parse = res_optdata_parse,
     .print = res_optdata_print},
};

static int res_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	return conf_walk(c, v, res_keys, sizeof(res_keys) / sizeof(res_keys[0]), item, 0, NULL);
}

static void res_clear(void *item)
{
	conf_optlist_free(&((struct conf_reservation *)item)->option_data);
}

/* ---- a subnet ---------------------------------------------------------- */

static int pools_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_subnet *s = base;

	return conf_array(c, v, CONF_MAX_POOLS, sizeof(struct conf_range), (void **)&s->pools,
	                  &s->n_pools, pool_parse, pool_clear);
}

static struct json_object *pools_print(const void *base, unsigned flags)
{
	const struct conf_subnet *s = base;

	(void)flags;
	return ranges_print(s->pools, s->n_pools);
}

static int foreign_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_subnet *s = base;

	return conf_array(c, v, CONF_MAX_POOLS, sizeof(struct conf_range),
	                  (void **)&s->foreign_ranges, &s->n_foreign_ranges, range_parse, NULL);
}

static struct json_object *foreign_print(const void *base, unsigned flags)
{
	const struct conf_subnet *s = base;

	(void)flags;
	return ranges_print(s->foreign_ranges, s->n_foreign_ranges);
}

static int pd_pools_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_subnet *s = base;

	return conf_array(c, v, CONF_MAX_POOLS, sizeof(struct conf_pd_pool), (void **)&s->pd_pools,
	                  &s->n_pd_pools, pd_parse, pd_clear);
}

static struct json_object *pd_pools_print(const void *base, unsigned flags)
{
	const struct conf_subnet *s = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < s->n_pd_pools; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "prefix", conf_json_prefix(&s->pd_pools[i].prefix));
		json_object_object_add(o, "delegated-length",
		                       json_object_new_int(s->pd_pools[i].delegated_len));
		if (s->pd_pools[i].option_data.n)
			json_object_object_add(o, "option-data",
			                       conf_optdata_print(&s->pd_pools[i].option_data));
		json_object_array_add(a, o);
	}
	return a;
}

static int reservations_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_subnet *s = base;

	return conf_array(c, v, CONF_MAX_RESERV, sizeof(struct conf_reservation),
	                  (void **)&s->reservations, &s->n_reservations, res_parse, res_clear);
}

static struct json_object *reservations_print(const void *base, unsigned flags)
{
	const struct conf_subnet *s = base;
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < s->n_reservations; i++)
		json_object_array_add(a, conf_print_keys(json_object_new_object(), res_keys,
		                                         sizeof(res_keys) / sizeof(res_keys[0]),
		                                         &s->reservations[i], flags));
	return a;
}

static int sub_options_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	/* present keys replace the inherited /dhcp6/options values */
	return conf_options_parse(c, v, &((struct conf_subnet *)base)->options, 0);
}

static struct json_object *sub_options_print(const void *base, unsigned flags)
{
	return conf_options_print(&((const struct conf_subnet *)base)->options, flags);
}

static int sub_optdata_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_optdata_parse(c, v, &((struct conf_subnet *)base)->option_data);
}

static struct json_object *sub_optdata_print(const void *base, unsigned flags)
{
	(void)flags;
	return conf_optdata_print(&((const struct conf_subnet *)base)->option_data);
}

static bool is_ifname(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static const char *const rebind_names[] = {"replace", "refuse", "adopt", NULL};

#define SUB(f) offsetof(struct conf_subnet, f)

enum { S_IFACE = 2, S_IFID, S_RELAY, S_PREF = 8, S_VALID, S_T1, S_T2 }; /* in subnet_keys[] */

static const struct conf_key subnet_keys[] = {
    {.name = "id",
     .type = CONF_T_U32,
     .off = SUB(id),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = UINT32_MAX},
    {.name = "prefix",
     .type = CONF_T_PREFIX,
     .off = SUB(prefix),
     .flags = CONF_F_REQUIRED,
     .expect = "an IPv6 prefix such as 2001:db8:1:1::/64"},
    {.name = "interface",
     .type = CONF_T_STR,
     .off = SUB(interface),
     .min = 1,
     .max = CONF_IFNAME_LEN - 1,
     .expect = "an interface name of 1..15 characters",
     .check = is_ifname},
    {.name = "interface-id",
     .type = CONF_T_STR,
     .off = SUB(interface_id),
     .min = 1,
     .max = CONF_NAME_LEN - 1,
     .expect = "the relay's Interface-Id as a string of 1..253 characters"},
    {.name = "relay-addresses",
     .type = CONF_T_ADDR_LIST,
     .off = SUB(relay_addresses),
     .count_off = SUB(n_relay_addresses),
     .max = CONF_MAX_ADDRS},
    {.name = "preference",
     .type = CONF_T_U8,
     .off = SUB(preference),
     .flags = CONF_F_RELOAD,
     .max = 255},
    {.name = "rapid-commit", .type = CONF_T_BOOL, .off = SUB(rapid_commit), .flags = CONF_F_RELOAD},
    {.name = "rebind-policy",
     .type = CONF_T_ENUM,
     .off = SUB(rebind_policy),
     .flags = CONF_F_RELOAD,
     .names = rebind_names},
    {.name = "preferred-lifetime",
     .type = CONF_T_U32,
     .off = SUB(timers.preferred),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = CONF_INFINITY},
    {.name = "valid-lifetime",
     .type = CONF_T_U32,
     .off = SUB(timers.valid),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = CONF_INFINITY},
    {.name = "renew-timer",
     .type = CONF_T_U32,
     .off = SUB(timers.t1),
     .flags = CONF_F_RELOAD,
     .max = CONF_INFINITY},
    {.name = "rebind-timer",
     .type = CONF_T_U32,
     .off = SUB(timers.t2),
     .flags = CONF_F_RELOAD,
     .max = CONF_INFINITY},
    {.name = "options",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = sub_options_parse,
     .print = sub_options_print},
    {.name = "pools",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = pools_parse,
     .print = pools_print},
    {.name = "pd-pools",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = pd_pools_parse,
     .print = pd_pools_print},
    {.name = "foreign-ranges",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = foreign_parse,
     .print = foreign_print},
    {.name = "reservations",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = reservations_parse,
     .print = reservations_print},
    {.name = "renew-creates-bindings",
     .type = CONF_T_BOOL,
     .off = SUB(renew_creates),
     .flags = CONF_F_RELOAD},
    {.name = "option-data",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = sub_optdata_parse,
     .print = sub_optdata_print},
    /* keep last: S_FQDN */
    {.name = "fqdn-policy",
     .type = CONF_T_ENUM,
     .off = SUB(fqdn_policy),
     .flags = CONF_F_RELOAD,
     .names = conf_fqdn_policy_names},
};

#define N_SUBNET_KEYS (sizeof(subnet_keys) / sizeof(subnet_keys[0]))
#define S_FQDN        (N_SUBNET_KEYS - 1)
_Static_assert(N_SUBNET_KEYS <= 64, "subnet_keys[] fits the seen mask");

/* Pools and reserved addresses sit in the link, reserved prefixes outside it. */
static int subnet_check(struct conf_ctx *c, const struct conf_subnet *s, uint64_t seen)
{
	char buf[ADDR6_PREFIX_STRLEN];

	addr6_prefix_ntop(&s->prefix, buf, sizeof(buf));
	if (((seen >> S_IFACE) & 1) + ((seen >> S_IFID) & 1) + ((seen >> S_RELAY) & 1) > 1)
		return conf_err(c, "expected at most one of \"interface\", \"interface-id\" and "
		                   "\"relay-addresses\"");
	/* foreign ranges may lie outside: the unique-prefix model's sibling /64 */
	for (size_t i = 0; i < s->n_pools; i++) {
		if (!addr6_range_in_prefix(&s->pools[i].range, &s->prefix)) {
			conf_push(c, "pools");
			conf_push_idx(c, i);
			return conf_err(c, "expected a range inside the link prefix %s", buf);
		}
	}
	/* PD pools may lie inside the link prefix, as Kea allows, as long as they
	 * overlap no address pool and no foreign range (check_overlaps) */
	for (size_t i = 0; i < s->n_reservations; i++) {
		const struct conf_reservation *r = &s->reservations[i];

		for (size_t j = 0; j < r->n_addresses; j++) {
			bool foreign = false;

			for (size_t k = 0; k < s->n_foreign_ranges; k++)
				foreign |= addr6_range_contains(&s->foreign_ranges[k].range,
				                                &r->addresses[j]);
			if (addr6_in_prefix(&r->addresses[j], &s->prefix) && !foreign)
				continue;
			conf_push(c, "reservations");
			conf_push_idx(c, i);
			conf_push(c, "addresses");
			conf_push_idx(c, j);
			return conf_err(c,
			                "expected an address inside the link prefix %s and "
			                "outside the foreign ranges",
			                buf);
		}
		for (size_t j = 0; j < r->n_prefixes; j++) {
			if (!addr6_prefix_overlap(&r->prefixes[j], &s->prefix))
				continue;
			conf_push(c, "reservations");
			conf_push_idx(c, i);
			conf_push(c, "prefixes");
			conf_push_idx(c, j);
			return conf_err(c, "expected a prefix outside the link prefix %s", buf);
		}
	}
	return 0;
}

void conf_subnet_clear(struct conf_subnet *s)
{
	for (size_t i = 0; i < s->n_pools; i++)
		conf_optlist_free(&s->pools[i].option_data);
	for (size_t i = 0; i < s->n_pd_pools; i++)
		conf_optlist_free(&s->pd_pools[i].option_data);
	for (size_t i = 0; i < s->n_reservations; i++)
		conf_optlist_free(&s->reservations[i].option_data);
	conf_optlist_free(&s->option_data);
	free(s->pools);
	free(s->pd_pools);
	free(s->foreign_ranges);
	free(s->reservations);
}

static void subnet_clear(void *item)
{
	conf_subnet_clear(item);
}

/* A renew-timer or rebind-timer set on the subnet wins over the other one
 * inherited from dhcp6: the inherited one moves to keep T1 <= T2. */
static void inherited_timers_follow(struct conf_timers *t, unsigned explicit)
{
	bool t1 = explicit & CONF_TIMER_T1, t2 = explicit & CONF_TIMER_T2;

	if (t2 && !t1 && t->t2 && t->t1 > t->t2)
		t->t1 = t->t2;
	if (t1 && !t2 && t->t2 && t->t1 > t->t2)
		t->t2 = t->t1;
}
static int subnet_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	struct conf_subnet *s = item;
	const struct conf_dhcp6 *d = &c->conf->dhcp6;
	unsigned explicit = 0;
	uint64_t seen = 0;
	char where[CONF_JPATH_LEN];

	s->preference = d->preference;
	s->rapid_commit = d->rapid_commit;
	s->rebind_policy = d->rebind_policy;
	s->renew_creates = d->renew_creates;
	s->timers = d->timers;
	s->options = d->options;
	if (conf_walk(c, v, subnet_keys, N_SUBNET_KEYS, s, 0, &seen) < 0)
		return c->rc;
	s->fqdn_policy_set = seen & ((uint64_t)1 << S_FQDN); /* else /ddns resolves it */
	explicit |= seen & (1u << S_PREF) ? CONF_TIMER_PREF : 0;
	explicit |= seen & (1u << S_VALID) ? CONF_TIMER_VALID : 0;
	explicit |= seen & (1u << S_T1) ? CONF_TIMER_T1 : 0;
	explicit |= seen & (1u << S_T2) ? CONF_TIMER_T2 : 0;
	if (explicit) {
		/* a subnet preferred lifetime re-derives T1/T2 it does not set itself */
		if (explicit & CONF_TIMER_PREF) {
			if (!(explicit & CONF_TIMER_T1))
				s->timers.t1 = 0;
			if (!(explicit & CONF_TIMER_T2))
				s->timers.t2 = 0;
		} else {
			inherited_timers_follow(&s->timers, explicit);
			explicit |= CONF_TIMER_T1 | CONF_TIMER_T2;
		}
		snprintf(where, sizeof(where), "%s", c->path);
		if (conf_timers_resolve(c, &s->timers, explicit, where) < 0)
			return c->rc;
	}
	return subnet_check(c, s, seen);
}

/* ---- checks across subnets --------------------------------------------- */

enum span_kind { SPAN_POOL, SPAN_PD, SPAN_FOREIGN, SPAN_LINK };

struct span {
	struct addr6_range r;
	enum span_kind kind;
	size_t subnet, idx;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int r = addr6_cmp(&x->r.start, &y->r.start);

	if (r)
		return r;
	if (x->subnet != y->subnet)
		return x->subnet < y->subnet ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void span_path(const struct span *s, char *buf, size_t len)
{
	static const char *const what[] = {"pools", "pd-pools", "foreign-ranges", "prefix"};

	if (s->kind == SPAN_LINK)
		snprintf(buf, len, "/dhcp6/subnets/%zu/prefix", s->subnet);
	else
		snprintf(buf, len, "/dhcp6/subnets/%zu/%s/%zu", s->subnet, what[s->kind], s->idx);
}

/*
 * Sweep in order of start address, keeping the furthest end seen so far of
 * allocatable spans (pools, PD pools) and of foreign ranges: a span that
 * starts at or before such an end overlaps it.
 */
static int sweep(struct conf_ctx *c, struct span *v, size_t n)
{
	const struct span *far_own = NULL, *far_foreign = NULL;
	char here[CONF_JPATH_LEN], there[CONF_JPATH_LEN];

	qsort(v, n, sizeof(*v), span_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct span *s = &v[i], *hit = NULL;

		if (far_own && addr6_cmp(&s->r.start, &far_own->r.end) <= 0)
			hit = far_own;
		else if (s->kind != SPAN_FOREIGN && far_foreign &&
		         addr6_cmp(&s->r.start, &far_foreign->r.end) <= 0)
			hit = far_foreign;
		if (hit) {
			span_path(s, here, sizeof(here));
			span_path(hit, there, sizeof(there));
			return conf_err_at(c, here,
			                   "expected a %s that overlaps no other, but it "
			                   "overlaps %s",
			                   s->kind == SPAN_LINK ? "prefix" : "range", there);
		}
		if (s->kind == SPAN_FOREIGN) {
			if (!far_foreign || addr6_cmp(&s->r.end, &far_foreign->r.end) > 0)
				far_foreign = s;
		} else if (!far_own || addr6_cmp(&s->r.end, &far_own->r.end) > 0) {
			far_own = s;
		}
	}
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	const struct conf_subnet *const *x = a, *const *y = b;

	if ((*x)->id != (*y)->id)
		return (*x)->id < (*y)->id ? -1 : 1;
	return *x < *y ? -1 : *x > *y;
}

static int check_ids(struct conf_ctx *c, const struct conf_dhcp6 *d)
{
	const struct conf_subnet **v = calloc(d->n_subnets, sizeof(*v));
	char here[CONF_JPATH_LEN];
	int rc = 0;

	if (!v)
		return conf_nomem(c);
	for (size_t i = 0; i < d->n_subnets; i++)
		v[i] = &d->subnets[i];
	qsort(v, d->n_subnets, sizeof(*v), id_cmp);
	for (size_t i = 1; i < d->n_subnets && rc == 0; i++) {
		if (v[i]->id != v[i - 1]->id)
			continue;
		snprintf(here, sizeof(here), "/dhcp6/subnets/%zu/id", (size_t)(v[i] - d->subnets));
		rc = conf_err_at(c, here,
		                 "expected an id unique among subnets, but %u is also "
		                 "/dhcp6/subnets/%zu/id",
		                 (unsigned)v[i]->id, (size_t)(v[i - 1] - d->subnets));
	}
	free(v);
	return rc;
}

static int check_overlaps(struct conf_ctx *c, const struct conf_dhcp6 *d)
{
	size_t n = 0, links = 0;
	struct span *v;
	int rc;

	for (size_t i = 0; i < d->n_subnets; i++)
		n += d->subnets[i].n_pools + d->subnets[i].n_pd_pools +
		     d->subnets[i].n_foreign_ranges;
	v = calloc(n > d->n_subnets ? n : d->n_subnets, sizeof(*v));
	if (!v && (n || d->n_subnets))
		return conf_nomem(c);
	for (size_t i = 0; i < d->n_subnets; i++) {
		v[links++] = (struct span){.kind = SPAN_LINK, .subnet = i};
		addr6_prefix_range(&d->subnets[i].prefix, &v[links - 1].r);
	}
	rc = sweep(c, v, links);
	n = 0;
	for (size_t i = 0; i < d->n_subnets && rc == 0; i++) {
		const struct conf_subnet *s = &d->subnets[i];

		for (size_t j = 0; j < s->n_pools; j++)
			v[n++] = (struct span){s->pools[j].range, SPAN_POOL, i, j};
		for (size_t j = 0; j < s->n_foreign_ranges; j++)
			v[n++] = (struct span){s->foreign_ranges[j].range, SPAN_FOREIGN, i, j};
		for (size_t j = 0; j < s->n_pd_pools; j++) {
			v[n] = (struct span){.kind = SPAN_PD, .subnet = i, .idx = j};
			addr6_prefix_range(&s->pd_pools[j].prefix, &v[n++].r);
		}
	}
	if (rc == 0)
		rc = sweep(c, v, n);
	free(v);
	return rc;
}

int conf_subnets_parse(struct conf_ctx *c, struct json_object *v, struct conf_dhcp6 *d,
                       uint64_t dseen)
{
	(void)dseen;
	if (conf_array(c, v, CONF_MAX_SUBNETS, sizeof(struct conf_subnet), (void **)&d->subnets,
	               &d->n_subnets, subnet_parse, subnet_clear) < 0) {
		return c->rc;
	}
	if (check_ids(c, d) < 0 || check_overlaps(c, d) < 0)
		return c->rc;
	return 0;
}

struct json_object *conf_subnets_print(const struct conf_dhcp6 *d, unsigned flags)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < d->n_subnets; i++)
		json_object_array_add(a, conf_print_keys(json_object_new_object(), subnet_keys,
		                                         N_SUBNET_KEYS, &d->subnets[i], flags));
	return a;
}
