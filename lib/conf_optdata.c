/*
 * "option-data": any DHCPv6 option, configured the way Kea users expect
 * (by "code" with a "type", or by a known "name"), at instance, subnet,
 * pool, PD pool and reservation level. Each entry is encoded to the
 * option's wire body here, once; chorus-dhcp6d only copies bytes.
 * VENDOR_OPTS (RFC 8415 §21.17) takes "enterprise" and "sub-options";
 * RFC 5970 boot options may be chosen by the client's architecture
 * ("client-arch", RFC 5970 §3.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_walk.h"
#include "errors.h"

enum otype {
	OT_ADDRESS,
	OT_ADDRESSES,
	OT_STRING,
	OT_FQDN,
	OT_FQDNS,
	OT_U8,
	OT_U16,
	OT_U32,
	OT_BINARY,
	OT_TUPLES, /* RFC 5970 §3.2: 16-bit length, then the octets, repeated */
	OT_VENDOR,
	OT_N,
};

static const char *const type_names[OT_N] = {
    "address", "addresses", "string", "fqdn",   "fqdns",  "uint8",
    "uint16",  "uint32",    "binary", "tuples", "vendor",
};

static const struct {
	const char *name;
	uint16_t code;
	enum otype type;
} known[] = {
    {"vendor-opts", 17, OT_VENDOR},
    {"sip-server-dns", 21, OT_FQDNS},
    {"sip-server-addr", 22, OT_ADDRESSES},
    {"dns-servers", 23, OT_ADDRESSES},
    {"domain-search", 24, OT_FQDNS},
    {"nis-servers", 27, OT_ADDRESSES},
    {"nisp-servers", 28, OT_ADDRESSES},
    {"nis-domain-name", 29, OT_FQDN},
    {"nisp-domain-name", 30, OT_FQDN},
    {"sntp-servers", 31, OT_ADDRESSES},
    {"information-refresh-time", 32, OT_U32},
    {"bcmcs-server-dns", 33, OT_FQDNS},
    {"bcmcs-server-addr", 34, OT_ADDRESSES},
    {"new-posix-timezone", 41, OT_STRING},
    {"new-tzdb-timezone", 42, OT_STRING},
    {"bootfile-url", 59, OT_STRING},
    {"bootfile-param", 60, OT_TUPLES},
    {"aftr-name", 64, OT_FQDN},
    {"sol-max-rt", 82, OT_U32},
    {"inf-max-rt", 83, OT_U32},
};

#define N_KNOWN (sizeof(known) / sizeof(known[0]))

/* Options the engine builds itself, or that only clients and relays send. */
static bool managed(unsigned code)
{
	static const uint16_t v[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
	                             12, 13, 14, 15, 16, 18, 19, 20, 25, 26, 37,
	                             38, 39, 44, 45, 46, 47, 48, 53, 61, 79};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i] == code)
			return true;
	}
	return code == 0;
}

struct out {
	uint8_t *p;
	size_t len, cap;
};

static bool put(struct out *o, const void *b, size_t n)
{
	if (n > o->cap - o->len)
		return false;
	memcpy(o->p + o->len, b, n);
	o->len += n;
	return true;
}

static bool put_uint(struct out *o, uint32_t v, size_t n)
{
	uint8_t b[4];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return put(o, b, n);
}

/* RFC 1035 §3.1 labels, uncompressed; "." is the root. */
static bool put_fqdn(struct out *o, const char *name)
{
	uint8_t zero = 0;

	while (*name && strcmp(name, ".") != 0) {
		size_t len = strcspn(name, ".");
		uint8_t l = (uint8_t)len;

		if (!put(o, &l, 1) || !put(o, name, len))
			return false;
		name += len;
		if (*name == '.')
			name++;
	}
	return put(o, &zero, 1);
}

static int too_long(struct conf_ctx *c)
{
	return conf_err(c, "expected an option body of at most %d octets", CONF_OPTDATA_MAX);
}

/* One scalar of a list type (or of the single-value types). */
static int put_one(struct conf_ctx *c, enum otype t, const char *s, struct out *o)
{
	struct in6_addr a;

	switch (t) {
	case OT_ADDRESS:
	case OT_ADDRESSES:
		if (addr6_parse(s, &a) < 0)
			return conf_err(c, "expected an IPv6 address");
		return put(o, &a, 16) ? 0 : too_long(c);
	case OT_FQDN:
	case OT_FQDNS:
		if (!conf_is_dns_name(s))
			return conf_err(c, "expected a domain name");
		return put_fqdn(o, s) ? 0 : too_long(c);
	case OT_TUPLES:
		if (strlen(s) > 0xffff || !put_uint(o, (uint32_t)strlen(s), 2) ||
		    !put(o, s, strlen(s)))
			return too_long(c);
		return 0;
	default:
		return conf_err(c, "internal error: not a list type");
	}
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	return s;
}

/* A list: a JSON array of strings, or one string of comma-separated items (Kea). */
static int put_list(struct conf_ctx *c, enum otype t, struct json_object *v, struct out *o)
{
	char buf[CONF_TEXT_LEN], *save = NULL;
	const char *s;

	if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		if (!n)
			return conf_err(c, "expected a non-empty list");
		for (size_t i = 0; i < n; i++) {
			size_t mark = conf_push_idx(c, i);

			if (conf_get_str(c, json_object_array_get_idx(v, i), &s, "a string") < 0 ||
			    put_one(c, t, s, o) < 0)
				return c->rc;
			conf_pop(c, mark);
		}
		return 0;
	}
	if (conf_get_str(c, v, &s, "an array of strings or a comma-separated string") < 0)
		return c->rc;
	if (strlen(s) >= sizeof(buf))
		return too_long(c);
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (put_one(c, t, trim(tok), o) < 0)
			return c->rc;
	}
	return o->len ? 0 : conf_err(c, "expected a non-empty list");
}

static int put_int(struct conf_ctx *c, enum otype t, struct json_object *v, struct out *o)
{
	static const int64_t max[] = {[OT_U8] = 0xff, [OT_U16] = 0xffff, [OT_U32] = 0xffffffff};
	static const size_t width[] = {[OT_U8] = 1, [OT_U16] = 2, [OT_U32] = 4};
	int64_t x;
	char *end;

	if (json_object_is_type(v, json_type_int)) {
		x = json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		x = strtoll(json_object_get_string(v), &end, 10);
		if (end == json_object_get_string(v) || *end)
			x = -1;
	} else {
		x = -1;
	}
	if (x < 0 || x > max[t])
		return conf_err(c, "expected an integer 0..%lld", (long long)max[t]);
	return put_uint(o, (uint32_t)x, width[t]) ? 0 : too_long(c);
}

static int put_data(struct conf_ctx *c, enum otype t, struct json_object *v, struct out *o)
{
	const char *s;
	int n;

	switch (t) {
	case OT_ADDRESSES:
	case OT_FQDNS:
	case OT_TUPLES:
		return put_list(c, t, v, o);
	case OT_U8:
	case OT_U16:
	case OT_U32:
		return put_int(c, t, v, o);
	default:
		break;
	}
	if (conf_get_str(c, v, &s, "a string") < 0)
		return c->rc;
	switch (t) {
	case OT_STRING:
		if (!*s)
			return conf_err(c, "expected a non-empty string");
		return put(o, s, strlen(s)) ? 0 : too_long(c);
	case OT_BINARY:
		if (!*s)
			return 0;
		n = conf_hex_decode(s, o->p + o->len, o->cap - o->len);
		if (n < 0)
			return conf_err(c, "expected hex octets such as \"0a:0b:0c\" (at most %d)",
			                CONF_OPTDATA_MAX);
		o->len += (size_t)n;
		return 0;
	default:
		return put_one(c, t, s, o);
	}
}

static int get_u32(struct conf_ctx *c, struct json_object *v, int64_t lo, int64_t hi, uint32_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int) || (x = json_object_get_int64(v)) < lo || x > hi)
		return conf_err(c, "expected an integer %lld..%lld", (long long)lo, (long long)hi);
	*out = (uint32_t)x;
	return 0;
}

static int get_type(struct conf_ctx *c, struct json_object *v, enum otype *out)
{
	const char *s;

	if (conf_get_str(c, v, &s, "a type name") == 0) {
		for (int i = 0; i < OT_N; i++) {
			if (strcmp(s, type_names[i]) == 0) {
				*out = (enum otype)i;
				return 0;
			}
		}
	}
	return conf_err(c, "expected one of \"address\", \"addresses\", \"string\", \"fqdn\", "
	                   "\"fqdns\", \"uint8\", \"uint16\", \"uint32\", \"binary\", "
	                   "\"tuples\", \"vendor\"");
}

static bool allowed_key(const char *k, bool sub)
{
	static const char *const top[] = {"name",       "code",        "type",
	                                  "data",       "always-send", "client-arch",
	                                  "enterprise", "sub-options"};

	for (size_t i = 0; i < (sub ? 3u : sizeof(top) / sizeof(top[0])); i++) {
		if (strcmp(k, top[i + (sub ? 1 : 0)]) == 0)
			return true;
	}
	return false;
}

/* Walks "key": pushes it, calls the reader, pops. */
#define KEY(c, v, k, call)                                                                         \
	do {                                                                                       \
		struct json_object *kv_;                                                           \
		if (json_object_object_get_ex(v, k, &kv_)) {                                       \
			size_t m_ = conf_push(c, k);                                               \
			if ((call) < 0)                                                            \
				return c->rc;                                                      \
			conf_pop(c, m_);                                                           \
		}                                                                                  \
	} while (0)

static int code_and_type(struct conf_ctx *c, struct json_object *v, bool sub, uint32_t *code,
                         enum otype *t)
{
	struct json_object *x;
	bool have_type = false, have_code = false;
	const char *name;

	json_object_object_foreach(v, k, val)
	{
		(void)val;
		if (!allowed_key(k, sub)) {
			conf_push(c, k);
			return conf_err(c, "unknown key");
		}
	}
	KEY(c, v, "code", get_u32(c, kv_, 1, 65535, code));
	have_code = json_object_object_get_ex(v, "code", &x);
	KEY(c, v, "type", get_type(c, kv_, t));
	have_type = json_object_object_get_ex(v, "type", &x);
	if (!sub && json_object_object_get_ex(v, "name", &x)) {
		size_t mark = conf_push(c, "name");
		size_t i;

		if (conf_get_str(c, x, &name, "an option name") < 0)
			return c->rc;
		for (i = 0; i < N_KNOWN && strcmp(known[i].name, name) != 0; i++)
			;
		if (i == N_KNOWN)
			return conf_err(c, "expected a known option name such as \"bootfile-url\" "
			                   "(or give \"code\" and \"type\")");
		if (have_code && *code != known[i].code)
			return conf_err(c, "expected the name of option %u, not of %u", *code,
			                known[i].code);
		if (have_type && *t != known[i].type)
			return conf_err(c, "expected type \"%s\" for this name",
			                type_names[known[i].type]);
		conf_pop(c, mark);
		*code = known[i].code;
		*t = known[i].type;
		return 0;
	}
	if (!have_code || !have_type)
		return conf_err(c, "expected \"code\" and \"type\", or a known \"name\"");
	return 0;
}

static int sub_parse(struct conf_ctx *c, struct json_object *v, struct conf_optdata *e,
                     struct out *o)
{
	uint32_t code = 0;
	enum otype t = OT_BINARY;
	struct json_object *d;
	size_t at, mark;

	if (!json_object_is_type(v, json_type_object))
		return conf_err(c, "expected an object with \"code\", \"type\" and \"data\"");
	if (code_and_type(c, v, true, &code, &t) < 0)
		return c->rc;
	if (t == OT_VENDOR)
		return conf_err(c, "expected a sub-option type other than \"vendor\"");
	if (e->n_sub_type < CONF_MAX_SUBTYPE)
		e->sub_type[e->n_sub_type++] = (uint8_t)t;
	if (!json_object_object_get_ex(v, "data", &d))
		return conf_err(c, "required key missing, expected \"data\"");
	if (!put_uint(o, code, 2) || !put_uint(o, 0, 2))
		return too_long(c);
	at = o->len;
	mark = conf_push(c, "data");
	if (put_data(c, t, d, o) < 0)
		return c->rc;
	conf_pop(c, mark);
	o->p[at - 2] = (uint8_t)((o->len - at) >> 8);
	o->p[at - 1] = (uint8_t)(o->len - at);
	return 0;
}

static int vendor_parse(struct conf_ctx *c, struct json_object *v, struct conf_optdata *e,
                        struct out *o)
{
	struct json_object *subs;
	size_t outer;

	if (!json_object_object_get_ex(v, "enterprise", &subs))
		return conf_err(c, "required key missing, expected \"enterprise\" (a number)");
	KEY(c, v, "enterprise", get_u32(c, kv_, 0, 0xffffffff, &e->enterprise));
	put_uint(o, e->enterprise, 4);
	if (!json_object_object_get_ex(v, "sub-options", &subs))
		return 0;
	outer = conf_push(c, "sub-options");
	if (!json_object_is_type(subs, json_type_array))
		return conf_err(c, "expected an array of sub-options");
	for (size_t i = 0; i < json_object_array_length(subs); i++) {
		size_t mark = conf_push_idx(c, i);

		if (sub_parse(c, json_object_array_get_idx(subs, i), e, o) < 0)
			return c->rc;
		conf_pop(c, mark);
	}
	conf_pop(c, outer);
	return 0;
}

static int arch_parse(struct conf_ctx *c, struct json_object *v, struct conf_optdata *e)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) == 0 ||
	    n > CONF_MAX_ARCH)
		return conf_err(c, "expected an array of 1..%d architecture types (RFC 4578)",
		                CONF_MAX_ARCH);
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		uint32_t x = 0;

		if (get_u32(c, json_object_array_get_idx(v, i), 0, 65535, &x) < 0)
			return c->rc;
		e->arch[i] = (uint16_t)x;
		conf_pop(c, mark);
	}
	e->n_arch = n;
	return 0;
}

static int entry_parse(struct conf_ctx *c, struct json_object *v, void *item)
{
	struct conf_optdata *e = item;
	struct out o = {.p = e->data, .cap = sizeof(e->data)};
	enum otype t = OT_BINARY;
	uint32_t code = 0;
	struct json_object *d, *x;

	if (!json_object_is_type(v, json_type_object))
		return conf_err(c, "expected an object with \"code\" and \"type\", or \"name\"");
	if (code_and_type(c, v, false, &code, &t) < 0)
		return c->rc;
	if (managed(code)) {
		conf_push(c, json_object_object_get_ex(v, "code", &x) ? "code" : "name");
		return conf_err(c, "expected an option the server does not build itself (not %u)",
		                code);
	}
	e->code = (uint16_t)code;
	e->type = (uint8_t)t;
	e->by_name = json_object_object_get_ex(v, "name", &x);
	KEY(c, v, "always-send",
	    json_object_is_type(kv_, json_type_boolean)
	        ? (e->always_send = json_object_get_boolean(kv_), 0)
	        : conf_err(c, "expected true or false"));
	KEY(c, v, "client-arch", arch_parse(c, kv_, e));
	if (t == OT_VENDOR || json_object_object_get_ex(v, "sub-options", &x)) {
		if (t != OT_VENDOR)
			return conf_err(c, "expected \"sub-options\" only with type \"vendor\"");
		if (vendor_parse(c, v, e, &o) < 0)
			return c->rc;
	} else if (json_object_object_get_ex(v, "enterprise", &x)) {
		conf_push(c, "enterprise");
		return conf_err(c, "expected \"enterprise\" only with type \"vendor\"");
	} else {
		if (!json_object_object_get_ex(v, "data", &d))
			return conf_err(c, "required key missing, expected \"data\"");
		size_t mark = conf_push(c, "data");

		if (put_data(c, t, d, &o) < 0)
			return c->rc;
		conf_pop(c, mark);
		if (code == 17) { /* VENDOR_OPTS given as binary: the enterprise leads */
			if (o.len < 4)
				return conf_err(c,
				                "expected a VENDOR_OPTS body of 4 octets or more");
			e->enterprise = (uint32_t)e->data[0] << 24 | (uint32_t)e->data[1] << 16 |
			                (uint32_t)e->data[2] << 8 | e->data[3];
		}
	}
	e->len = (uint16_t)o.len;
	return 0;
}

int conf_optdata_parse(struct conf_ctx *c, struct json_object *v, struct conf_optlist *out)
{
	struct conf_optlist l = {0};

	if (conf_array(c, v, CONF_MAX_OPTDATA, sizeof(struct conf_optdata), (void **)&l.v, &l.n,
	               entry_parse, NULL) < 0)
		return c->rc;
	conf_optlist_free(out);
	*out = l;
	return 0;
}

static struct json_object *hex(const uint8_t *b, size_t n)
{
	char buf[3 * CONF_OPTDATA_MAX + 1];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%02x", i ? ":" : "", b[i]);
	return json_object_new_string(buf);
}

/* ---- printing: as the config said it, loading back to the same octets ---- */

struct in {
	const uint8_t *p;
	size_t len, off;
};

static bool take(struct in *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->off)
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

static bool take_uint(struct in *r, size_t n, uint32_t *out)
{
	const uint8_t *b;

	if (!take(r, n, &b))
		return false;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out << 8 | b[i];
	return true;
}

/* One uncompressed name (put_fqdn's output) as text. */
static struct json_object *get_fqdn(struct in *r)
{
	char buf[CONF_OPTDATA_MAX + 2];
	size_t n = 0;
	uint32_t l = 1;
	const uint8_t *b;

	while (take_uint(r, 1, &l) && l) {
		if (!take(r, l, &b) || n + l + 2 > sizeof(buf))
			return NULL;
		memcpy(buf + n, b, l);
		n += l;
		buf[n++] = '.';
	}
	if (l)
		return NULL;
	if (!n)
		buf[n++] = '.';
	return json_object_new_string_len(buf, (int)n);
}

/* One scalar of type t from r, or NULL when the octets do not fit it. */
static struct json_object *get_one(enum otype t, struct in *r)
{
	char txt[64];
	struct in6_addr a;
	const uint8_t *b;
	uint32_t x;

	switch (t) {
	case OT_ADDRESS:
	case OT_ADDRESSES:
		if (!take(r, 16, &b))
			return NULL;
		memcpy(&a, b, 16);
		return addr6_ntop(&a, txt, sizeof(txt)) ? json_object_new_string(txt) : NULL;
	case OT_FQDN:
	case OT_FQDNS:
		return get_fqdn(r);
	case OT_TUPLES:
		if (!take_uint(r, 2, &x) || !take(r, x, &b))
			return NULL;
		return json_object_new_string_len((const char *)b, (int)x);
	case OT_U8:
		return take_uint(r, 1, &x) ? json_object_new_int64(x) : NULL;
	case OT_U16:
		return take_uint(r, 2, &x) ? json_object_new_int64(x) : NULL;
	case OT_U32:
		return take_uint(r, 4, &x) ? json_object_new_int64(x) : NULL;
	case OT_STRING:
		b = r->p + r->off;
		x = (uint32_t)(r->len - r->off);
		r->off = r->len;
		return json_object_new_string_len((const char *)b, (int)x);
	default:
		b = r->p + r->off;
		x = (uint32_t)(r->len - r->off);
		r->off = r->len;
		return hex(b, x);
	}
}

/* The whole body of type t as the config's "data", or NULL. */
static struct json_object *get_data(enum otype t, const uint8_t *p, size_t len)
{
	struct in r = {.p = p, .len = len};
	struct json_object *v;

	if (t == OT_ADDRESSES || t == OT_FQDNS || t == OT_TUPLES) {
		v = json_object_new_array();
		while (v && r.off < r.len) {
			struct json_object *one = get_one(t, &r);

			if (!one) {
				json_object_put(v);
				return NULL;
			}
			json_object_array_add(v, one);
		}
	} else {
		v = get_one(t, &r);
	}
	if (v && r.off != r.len) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

static void put_code_type(struct json_object *o, uint16_t code, enum otype t)
{
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "type", json_object_new_string(type_names[t]));
}

/* "enterprise" and "sub-options" of a VENDOR_OPTS body; false if it
 * does not parse as one. */
static bool get_vendor(const struct conf_optdata *e, struct json_object *o)
{
	struct in r = {.p = e->data, .len = e->len};
	struct json_object *subs = json_object_new_array();
	uint32_t ent, code, len;
	const uint8_t *b;

	if (!subs || !take_uint(&r, 4, &ent))
		goto fail;
	for (size_t i = 0; r.off < r.len; i++) {
		enum otype t = i < e->n_sub_type ? (enum otype)e->sub_type[i] : OT_BINARY;
		struct json_object *s = json_object_new_object(), *d;

		if (!s || !take_uint(&r, 2, &code) || !take_uint(&r, 2, &len) ||
		    !take(&r, len, &b) || !(d = get_data(t, b, len))) {
			json_object_put(s);
			goto fail;
		}
		put_code_type(s, (uint16_t)code, t);
		json_object_object_add(s, "data", d);
		json_object_array_add(subs, s);
	}
	json_object_object_add(o, "enterprise", json_object_new_int64(ent));
	if (json_object_array_length(subs))
		json_object_object_add(o, "sub-options", subs);
	else
		json_object_put(subs);
	return true;
fail:
	json_object_put(subs);
	return false;
}

static const char *known_name(uint16_t code)
{
	for (size_t i = 0; i < N_KNOWN; i++) {
		if (known[i].code == code)
			return known[i].name;
	}
	return NULL;
}

/* Name (or code) and type, then data (or VENDOR_OPTS's enterprise and
 * sub-options) as configured; octets that do not decode as the type
 * print as code and binary, which loads back to the same body. */
static void print_value(const struct conf_optdata *e, struct json_object *o)
{
	enum otype t = e->type < OT_N ? (enum otype)e->type : OT_BINARY;
	struct json_object *d = NULL;
	const char *name = e->by_name ? known_name(e->code) : NULL;

	if (t == OT_VENDOR) {
		struct json_object *v = json_object_new_object();

		if (v && get_vendor(e, v)) {
			if (name)
				json_object_object_add(o, "name", json_object_new_string(name));
			else
				put_code_type(o, e->code, t);
			json_object_object_foreach(v, k, val)
			{
				json_object_object_add(o, k, json_object_get(val));
			}
			json_object_put(v);
			return;
		}
		json_object_put(v);
	} else {
		d = get_data(t, e->data, e->len);
	}
	if (!d) {
		put_code_type(o, e->code, OT_BINARY);
		json_object_object_add(o, "data", hex(e->data, e->len));
		return;
	}
	if (name)
		json_object_object_add(o, "name", json_object_new_string(name));
	else
		put_code_type(o, e->code, t);
	json_object_object_add(o, "data", d);
}

struct json_object *conf_optdata_print(const struct conf_optlist *l)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < l->n; i++) {
		const struct conf_optdata *e = &l->v[i];
		struct json_object *o = json_object_new_object(), *arch;

		print_value(e, o);
		if (e->always_send)
			json_object_object_add(o, "always-send", json_object_new_boolean(true));
		if (e->n_arch) {
			arch = json_object_new_array();
			for (size_t k = 0; k < e->n_arch; k++)
				json_object_array_add(arch, json_object_new_int(e->arch[k]));
			json_object_object_add(o, "client-arch", arch);
		}
		json_object_array_add(a, o);
	}
	return a;
}

void conf_optlist_free(struct conf_optlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
