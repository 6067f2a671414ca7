/*
 * The "ddns" section of chorus-ddnsd: TSIG keys (RFC 8945), DNS servers,
 * forward and reverse zones, the conflict policy of RFC 4703 and its
 * overrides (RFC 6853 §4: DNS updates that survive failover).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

static const char *const alg_names[] = {"hmac-md5",    "hmac-sha1",   "hmac-sha224", "hmac-sha256",
                                        "hmac-sha384", "hmac-sha512", NULL};
static const char *const conflict_names[] = {"check-with-dhcid", "no-check-with-dhcid",
                                             "no-check-without-dhcid", "check-exists-with-dhcid",
                                             NULL};

const char *const conf_fqdn_policy_names[] = {"honour", "always", "never", NULL};

const char *conf_fqdn_policy_name(enum conf_fqdn_policy p)
{
	return (unsigned)p < 3 ? conf_fqdn_policy_names[p] : "?";
}

const char *conf_tsig_alg_name(enum conf_tsig_alg a)
{
	return (unsigned)a < 6 ? alg_names[a] : "?";
}

const char *conf_ddns_conflict_name(enum conf_ddns_conflict p)
{
	return (unsigned)p < 4 ? conflict_names[p] : "?";
}

/* ---- keys --------------------------------------------------------------- */

static int secret_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_tsig_key *k = base;
	const char *s;
	int n;

	if (conf_get_str(c, v, &s, "a base64 secret") < 0)
		return c->rc;
	n = conf_base64_decode(s, k->secret, CONF_KEY_MAX);
	if (n <= 0)
		return conf_err(c, "expected a base64 secret of 1..%d octets", CONF_KEY_MAX);
	k->secret_len = (size_t)n;
	return 0;
}

static struct json_object *secret_print(const void *base, unsigned flags)
{
	const struct conf_tsig_key *k = base;
	char buf[4 * ((CONF_KEY_MAX + 2) / 3) + 1];
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	if (!(flags & CONF_PRINT_SECRETS))
		return json_object_new_string("********");
	for (size_t i = 0; i < k->secret_len; i += 3) {
		uint32_t w = (uint32_t)k->secret[i] << 16;
		size_t left = k->secret_len - i;

		w |= left > 1 ? (uint32_t)k->secret[i + 1] << 8 : 0;
		w |= left > 2 ? k->secret[i + 2] : 0;
		buf[o++] = tab[(w >> 18) & 63];
		buf[o++] = tab[(w >> 12) & 63];
		buf[o++] = left > 1 ? tab[(w >> 6) & 63] : '=';
		buf[o++] = left > 2 ? tab[w & 63] : '=';
	}
	buf[o] = '\0';
	return json_object_new_string(buf);
}

#define KEY(f) offsetof(struct conf_tsig_key, f)

static const struct conf_key key_keys[] = {
    {.name = "name",
     .type = CONF_T_STR,
     .off = KEY(name),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = CONF_NAME_LEN - 1,
     .expect = "a key name in DNS name syntax",
     .check = conf_is_dns_name},
    {.name = "algorithm",
     .type = CONF_T_ENUM,
     .off = KEY(algorithm),
     .def = CONF_TSIG_HMAC_SHA256,
     .names = alg_names},
    {.name = "secret",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_REQUIRED | CONF_F_SECRET,
     .expect = "a base64 secret",
     .parse = secret_parse,
     .print = secret_print},
};

static int key_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	return conf_walk(c, v, key_keys, sizeof(key_keys) / sizeof(key_keys[0]), item,
	                 CONF_WALK_DEFAULTS, NULL);
}

/* Index of the key called name, or a CH_ECONF naming the current path. */
static int key_ref(struct conf_ctx *c, struct json_object *v, int *out)
{
	const struct conf_ddns *d = &c->conf->ddns;
	const char *s;

	if (conf_get_str(c, v, &s, "the name of a key defined in /ddns/keys") < 0)
		return c->rc;
	for (size_t i = 0; i < d->n_keys; i++) {
		if (strcmp(d->keys[i].name, s) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return conf_err(c, "expected the name of a key defined in /ddns/keys");
}

static struct json_object *key_name_json(const struct conf_ddns *d, int key)
{
	return key >= 0 && (size_t)key < d->n_keys ? json_object_new_string(d->keys[key].name)
	                                           : NULL;
}

/* ---- servers ------------------------------------------------------------- */

static int server_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	static const struct conf_key keys[] = {
	    {.name = "address",
	     .type = CONF_T_ADDR,
	     .off = offsetof(struct conf_dns_server, address),
	     .flags = CONF_F_REQUIRED},
	    {.name = "port",
	     .type = CONF_T_U32,
	     .off = offsetof(struct conf_dns_server, port),
	     .min = 1,
	     .max = 65535,
	     .def = 53},
	};
	struct conf_dns_server *s = item;
	struct json_object *kv;
	size_t mark;

	/* "key" is resolved below, against the keys parsed before */
	if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "key", &kv)) {
		struct json_object *copy = json_object_new_object();
		int rc;

		if (!copy)
			return conf_nomem(c);
		json_object_object_foreach(v, name, val)
		{
			if (strcmp(name, "key") != 0)
				json_object_object_add(copy, name, json_object_get(val));
		}
		rc = conf_walk(c, copy, keys, 2, s, CONF_WALK_DEFAULTS, NULL);
		json_object_put(copy);
		if (rc < 0)
			return rc;
		mark = conf_push(c, "key");
		if (key_ref(c, kv, &s->key) < 0)
			return c->rc;
		conf_pop(c, mark);
		return 0;
	}
	s->key = -1;
	return conf_walk(c, v, keys, 2, s, CONF_WALK_DEFAULTS, NULL);
}

/* ---- zones ---------------------------------------------------------------- */

static int zone_server_ref(struct conf_ctx *c, struct json_object *v, int *out)
{
	const struct conf_ddns *d = &c->conf->ddns;
	struct in6_addr a;

	if (conf_get_addr(c, v, &a) < 0)
		return c->rc;
	for (size_t i = 0; i < d->n_servers; i++) {
		if (addr6_eq(&d->servers[i].address, &a)) {
			*out = (int)i;
			return 0;
		}
	}
	return conf_err(c, "expected the address of a server listed in /ddns/servers");
}

static int zone_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	struct conf_zone *z = item;
	struct json_object *val;
	size_t mark;
	bool one, many;

	if (!json_object_is_type(v, json_type_object))
		return conf_err(c, "expected an object");
	json_object_object_foreach(v, name, unused)
	{
		(void)unused;
		if (strcmp(name, "name") && strcmp(name, "server") && strcmp(name, "servers") &&
		    strcmp(name, "key") && strcmp(name, "conflict-policy")) {
			conf_push(c, name);
			return conf_err(c, "unknown key");
		}
	}
	mark = conf_push(c, "name");
	if (!json_object_object_get_ex(v, "name", &val))
		return conf_err(c, "required key missing, expected a zone name");
	{
		const char *s;

		if (conf_get_str(c, val, &s, "a zone name") < 0)
			return c->rc;
		if (!conf_is_dns_name(s))
			return conf_err(c, "expected a zone name");
		memcpy(z->name, s, strlen(s) + 1);
	}
	conf_pop(c, mark);
	one = json_object_object_get_ex(v, "server", &val);
	many = json_object_object_get_ex(v, "servers", NULL);
	if (one == many)
		return conf_err(c, "expected exactly one of \"server\" and \"servers\"");
	if (one) {
		mark = conf_push(c, "server");
		if (zone_server_ref(c, val, &z->servers[0]) < 0)
			return c->rc;
		z->n_servers = 1;
		conf_pop(c, mark);
	} else {
		size_t n;

		json_object_object_get_ex(v, "servers", &val);
		mark = conf_push(c, "servers");
		if (!json_object_is_type(val, json_type_array) ||
		    (n = json_object_array_length(val)) == 0 || n > CONF_MAX_ADDRS)
			return conf_err(c, "expected an array of 1..%d server addresses",
			                CONF_MAX_ADDRS);
		for (size_t i = 0; i < n; i++) {
			size_t m2 = conf_push_idx(c, i);

			if (zone_server_ref(c, json_object_array_get_idx(val, i), &z->servers[i]) <
			    0)
				return c->rc;
			conf_pop(c, m2);
		}
		z->n_servers = n;
		conf_pop(c, mark);
	}
	z->key = -1;
	if (json_object_object_get_ex(v, "key", &val)) {
		mark = conf_push(c, "key");
		if (key_ref(c, val, &z->key) < 0)
			return c->rc;
		conf_pop(c, mark);
	}
	z->conflict_policy = -1;
	if (json_object_object_get_ex(v, "conflict-policy", &val)) {
		const char *s;

		mark = conf_push(c, "conflict-policy");
		if (conf_get_str(c, val, &s, "a conflict policy") < 0)
			return c->rc;
		for (int i = 0; conflict_names[i]; i++) {
			if (strcmp(s, conflict_names[i]) == 0)
				z->conflict_policy = i;
		}
		if (z->conflict_policy < 0)
			return conf_err(c,
			                "expected one of \"check-with-dhcid\", "
			                "\"check-exists-with-dhcid\", \"no-check-with-dhcid\" or "
			                "\"no-check-without-dhcid\"");
		conf_pop(c, mark);
	}
	return 0;
}

static struct json_object *zones_json(const struct conf_ddns *d, const struct conf_zone *z,
                                      size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *o = json_object_new_object();
		struct json_object *s = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(z[i].name));
		for (size_t j = 0; s && j < z[i].n_servers; j++)
			json_object_array_add(s,
			                      conf_json_addr(&d->servers[z[i].servers[j]].address));
		json_object_object_add(o, "servers", s);
		if (z[i].key >= 0)
			json_object_object_add(o, "key", key_name_json(d, z[i].key));
		if (z[i].conflict_policy >= 0)
			json_object_object_add(
			    o, "conflict-policy",
			    json_object_new_string(conflict_names[z[i].conflict_policy]));
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- the section ------------------------------------------------------------ */

static int keys_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_ddns *d = base;

	if (conf_array(c, v, CONF_MAX_ITEMS, sizeof(struct conf_tsig_key), (void **)&d->keys,
	               &d->n_keys, key_parse, NULL) < 0)
		return c->rc;
	for (size_t i = 0; i < d->n_keys; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->keys[i].name, d->keys[j].name) != 0)
				continue;
			conf_push_idx(c, i);
			conf_push(c, "name");
			return conf_err(c, "expected a name unique among keys");
		}
	}
	return 0;
}

static struct json_object *keys_print(const void *base, unsigned flags)
{
	const struct conf_ddns *d = base;
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < d->n_keys; i++)
		json_object_array_add(a, conf_print_keys(json_object_new_object(), key_keys,
		                                         sizeof(key_keys) / sizeof(key_keys[0]),
		                                         &d->keys[i], flags));
	return a;
}

static int servers_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_ddns *d = base;

	return conf_array(c, v, CONF_MAX_ITEMS, sizeof(struct conf_dns_server),
	                  (void **)&d->servers, &d->n_servers, server_parse, NULL);
}

static struct json_object *servers_print(const void *base, unsigned flags)
{
	const struct conf_ddns *d = base;
	struct json_object *a = json_object_new_array();

	(void)flags;
	for (size_t i = 0; a && i < d->n_servers; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "address", conf_json_addr(&d->servers[i].address));
		json_object_object_add(o, "port", json_object_new_int64(d->servers[i].port));
		if (d->servers[i].key >= 0)
			json_object_object_add(o, "key", key_name_json(d, d->servers[i].key));
		json_object_array_add(a, o);
	}
	return a;
}

static int fwd_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_ddns *d = base;

	return conf_array(c, v, CONF_MAX_ITEMS, sizeof(struct conf_zone),
	                  (void **)&d->forward_zones, &d->n_forward_zones, zone_parse, NULL);
}

static struct json_object *fwd_print(const void *base, unsigned flags)
{
	const struct conf_ddns *d = base;

	(void)flags;
	return zones_json(d, d->forward_zones, d->n_forward_zones);
}

static int rev_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	struct conf_ddns *d = base;

	return conf_array(c, v, CONF_MAX_ITEMS, sizeof(struct conf_zone),
	                  (void **)&d->reverse_zones, &d->n_reverse_zones, zone_parse, NULL);
}

static struct json_object *rev_print(const void *base, unsigned flags)
{
	const struct conf_ddns *d = base;

	(void)flags;
	return zones_json(d, d->reverse_zones, d->n_reverse_zones);
}

static bool is_suffix(const char *s)
{
	return conf_is_dns_name(s);
}

/* A character a sanitised label may hold (RFC 952 / 1123 host names). */
static bool is_label_char(const char *s)
{
	return (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9') || s[0] == '-';
}

/* One label, letters, digits and '-', not starting or ending with '-'. */
static bool is_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];

		if (!is_label_char(&c))
			return false;
	}
	return true;
}

#define DD(f) offsetof(struct conf_ddns, f)

/* Order matters: keys before servers before zones, which refer to them. */
static const struct conf_key ddns_keys[] = {
    {.name = "enabled", .type = CONF_T_BOOL, .off = DD(enabled)},
    {.name = "keys",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD | CONF_F_SECRET,
     .parse = keys_parse,
     .print = keys_print},
    {.name = "servers",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = servers_parse,
     .print = servers_print},
    {.name = "forward-zones",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = fwd_parse,
     .print = fwd_print},
    {.name = "reverse-zones",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_RELOAD,
     .parse = rev_parse,
     .print = rev_print},
    {.name = "conflict-policy",
     .type = CONF_T_ENUM,
     .off = DD(conflict_policy),
     .flags = CONF_F_RELOAD,
     .def = CONF_DDNS_CHECK_WITH_DHCID,
     .names = conflict_names},
    {.name = "ttl", .type = CONF_T_U32, .off = DD(ttl), .flags = CONF_F_RELOAD, .max = 604800},
    {.name = "qualifying-suffix",
     .type = CONF_T_STR,
     .off = DD(qualifying_suffix),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = CONF_NAME_LEN - 1,
     .expect = "a domain name",
     .check = is_suffix},
    {.name = "override-client-update",
     .type = CONF_T_BOOL,
     .off = DD(override_client_update),
     .flags = CONF_F_RELOAD},
    {.name = "fqdn-policy",
     .type = CONF_T_ENUM,
     .off = DD(fqdn_policy),
     .flags = CONF_F_RELOAD,
     .def = CONF_FQDN_HONOUR,
     .names = conf_fqdn_policy_names},
    {.name = "hostname-char-replacement",
     .type = CONF_T_STR,
     .off = DD(hostname_char_replacement),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 1,
     .expect = "one character of a-z, 0-9 or '-'",
     .check = is_label_char},
    {.name = "generated-prefix",
     .type = CONF_T_STR,
     .off = DD(generated_prefix),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 63,
     .expect = "a DNS label (letters, digits, '-')",
     .check = is_label},
    {.name = "window",
     .type = CONF_T_U32,
     .off = DD(window),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 4096,
     .def = 512},
    {.name = "batch",
     .type = CONF_T_U32,
     .off = DD(batch),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 256,
     .def = 128},
    {.name = "timeout-ms",
     .type = CONF_T_U32,
     .off = DD(timeout_ms),
     .flags = CONF_F_RELOAD,
     .min = 50,
     .max = 60000,
     .def = 2000},
    {.name = "retry-min",
     .type = CONF_T_U32,
     .off = DD(retry_min),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 86400,
     .def = 1},
    {.name = "retry-max",
     .type = CONF_T_U32,
     .off = DD(retry_max),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 86400,
     .def = 300},
    {.name = "permanent-retry",
     .type = CONF_T_U32,
     .off = DD(permanent_retry),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 604800,
     .def = 3600},
    {.name = "sweep",
     .type = CONF_T_U32,
     .off = DD(sweep),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 3600,
     .def = 30},
    {.name = "remove-stale-ptr",
     .type = CONF_T_BOOL,
     .off = DD(remove_stale_ptr),
     .flags = CONF_F_RELOAD},
    {.name = "prefix-ptr",
     .type = CONF_T_BOOL,
     .off = DD(prefix_ptr),
     .flags = CONF_F_RELOAD,
     .def = true},
};

int conf_ddns_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	const struct conf_ddns *d = base;
	struct conf_dhcp6 *d6 = &c->conf->dhcp6;

	if (conf_walk(c, v, ddns_keys, sizeof(ddns_keys) / sizeof(ddns_keys[0]), base,
	              CONF_WALK_DEFAULTS, NULL) < 0)
		return c->rc;
	/* dhcp6 came first (conf.c's table): subnets without their own policy take ours */
	for (size_t i = 0; i < d6->n_subnets; i++) {
		if (!d6->subnets[i].fqdn_policy_set)
			d6->subnets[i].fqdn_policy = d->fqdn_policy;
	}
	return 0;
}

struct json_object *conf_ddns_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), ddns_keys,
	                       sizeof(ddns_keys) / sizeof(ddns_keys[0]), base, flags);
}

void conf_ddns_clear(struct conf_ddns *d)
{
	free(d->keys);
	free(d->servers);
	free(d->forward_zones);
	free(d->reverse_zones);
	memset(d, 0, sizeof(*d));
}
