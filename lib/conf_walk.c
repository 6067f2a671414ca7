/*
 * The key-table walker of the config loader: JSON path bookkeeping, error
 * messages ("file: /json/path: expected ..."), typed scalar readers, and the
 * generic parse and print of a table of struct conf_key (conf_walk.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf_walk.h"
#include "errors.h"
#include "hex.h"

size_t conf_push(struct conf_ctx *c, const char *name)
{
	size_t mark = c->plen;
	int n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "/%s", name);

	if (n > 0)
		c->plen += (size_t)n < sizeof(c->path) - c->plen ? (size_t)n
		                                                 : sizeof(c->path) - c->plen - 1;
	return mark;
}

size_t conf_push_idx(struct conf_ctx *c, size_t i)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", i);
	return conf_push(c, num);
}

void conf_pop(struct conf_ctx *c, size_t mark)
{
	c->plen = mark;
	c->path[mark] = '\0';
}

__attribute__((format(printf, 4, 0))) static int
conf_verr(struct conf_ctx *c, int rc, const char *path, const char *fmt, va_list ap)
{
	int n;

	if (c->rc)
		return c->rc;
	c->rc = rc;
	if (!c->err || c->errlen == 0)
		return rc;
	n = snprintf(c->err, c->errlen, "%s: %s: ", c->file, path[0] ? path : "/");
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	return rc;
}

int conf_err(struct conf_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = conf_verr(c, CH_ECONF, c->path, fmt, ap);
	va_end(ap);
	return rc;
}

int conf_err_at(struct conf_ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = conf_verr(c, CH_ECONF, path, fmt, ap);
	va_end(ap);
	return rc;
}

int conf_nomem(struct conf_ctx *c)
{
	if (c->rc)
		return c->rc;
	c->rc = CH_ENOMEM;
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s: %s: out of memory", c->file,
		         c->path[0] ? c->path : "/");
	return CH_ENOMEM;
}

int conf_get_str(struct conf_ctx *c, struct json_object *v, const char **out, const char *expect)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return conf_err(c, "expected %s", expect);
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return conf_err(c, "expected %s without NUL characters", expect);
	*out = s;
	return 0;
}

int conf_get_addr(struct conf_ctx *c, struct json_object *v, struct in6_addr *out)
{
	const char *s;

	if (conf_get_str(c, v, &s, "an IPv6 address") < 0)
		return c->rc;
	if (addr6_parse(s, out) < 0)
		return conf_err(c, "expected an IPv6 address");
	return 0;
}

int conf_get_prefix(struct conf_ctx *c, struct json_object *v, struct addr6_prefix *out)
{
	const char *s;
	const char *what = "an IPv6 prefix with zero host bits, such as 2001:db8::/64";

	if (conf_get_str(c, v, &s, what) < 0)
		return c->rc;
	if (addr6_prefix_parse(s, out) < 0)
		return conf_err(c, "expected %s", what);
	return 0;
}

int conf_hex_decode(const char *s, uint8_t *out, size_t max)
{
	bool colons = strchr(s, ':') != NULL;
	size_t n = 0;

	while (*s) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0 || n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (colons && *s == ':' && s[1] != '\0')
			s++;
		else if (colons && *s != '\0')
			return -1;
	}
	return n ? (int)n : -1;
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int conf_base64_decode(const char *s, uint8_t *out, size_t max)
{
	size_t len = strlen(s), n = 0;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		int pad = 0;
		uint32_t w = 0;

		for (int j = 0; j < 4; j++) {
			if (s[i + (size_t)j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
			} else if (pad || (v[j] = b64val(s[i + (size_t)j])) < 0) {
				return -1;
			}
			w = w << 6 | (uint32_t)v[j];
		}
		if ((size_t)(3 - pad) > max - n)
			return -1;
		out[n++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[n++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[n++] = (uint8_t)w;
	}
	return (int)n;
}

bool conf_is_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || s[0] == '.')
		return false;
	if (len == 1 && s[0] == '.')
		return true;
	for (const char *p = s; *p; p++) {
		char ch = *p;

		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

int conf_array(struct conf_ctx *c, struct json_object *v, size_t max, size_t elem, void **out,
               size_t *n_out, int (*cb)(struct conf_ctx *c, struct json_object *v, void *item),
               void (*clear)(void *item))
{
	size_t n;
	uint8_t *items = NULL;

	if (!json_object_is_type(v, json_type_array))
		return conf_err(c, "expected an array of at most %zu entries", max);
	n = json_object_array_length(v);
	if (n > max)
		return conf_err(c, "expected an array of at most %zu entries", max);
	if (n) {
		items = calloc(n, elem);
		if (!items)
			return conf_nomem(c);
	}
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		int rc = cb(c, json_object_array_get_idx(v, i), items + i * elem);

		if (rc < 0) {
			for (size_t j = 0; clear && j <= i; j++)
				clear(items + j * elem);
			free(items);
			return rc;
		}
		conf_pop(c, mark);
	}
	*out = items;
	*n_out = n;
	return 0;
}

static void expect_enum(const struct conf_key *k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; k->names[i] && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s\"%s\"",
		                 i ? (k->names[i + 1] ? ", " : " or ") : "", k->names[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static int parse_int(struct conf_ctx *c, const struct conf_key *k, struct json_object *v,
                     int64_t *out)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return conf_err(c, "expected an integer %lld..%lld", (long long)k->min,
		                (long long)k->max);
	errno = 0;
	x = json_object_get_int64(v);
	/* json-c clamps out-of-range literals to INT64_MIN/MAX and sets errno */
	if (errno != 0 || x < k->min || x > k->max)
		return conf_err(c, "expected an integer %lld..%lld", (long long)k->min,
		                (long long)k->max);
	*out = x;
	return 0;
}

static int parse_enum(struct conf_ctx *c, const struct conf_key *k, struct json_object *v, int *out)
{
	char want[256];
	const char *s = NULL;

	expect_enum(k, want, sizeof(want));
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		for (int i = 0; k->names[i]; i++) {
			if (strcmp(s, k->names[i]) == 0) {
				*out = (int)k->min + i;
				return 0;
			}
		}
	}
	return conf_err(c, "expected one of %s", want);
}

static int parse_str(struct conf_ctx *c, const struct conf_key *k, struct json_object *v, char *out)
{
	const char *s;
	size_t len;

	if (conf_get_str(c, v, &s, k->expect) < 0)
		return c->rc;
	len = strlen(s);
	if ((int64_t)len < k->min || (int64_t)len > k->max || (k->check && !k->check(s)))
		return conf_err(c, "expected %s", k->expect);
	memcpy(out, s, len + 1);
	return 0;
}

static int parse_list(struct conf_ctx *c, const struct conf_key *k, struct json_object *v,
                      void *field, size_t *count)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (int64_t)(n = json_object_array_length(v)) > k->max)
		return conf_err(c, "expected an array of at most %lld %s", (long long)k->max,
		                k->type == CONF_T_ADDR_LIST ? "IPv6 addresses" : "IPv6 prefixes");
	for (size_t i = 0; i < n; i++) {
		size_t mark = conf_push_idx(c, i);
		struct json_object *e = json_object_array_get_idx(v, i);
		int rc = k->type == CONF_T_ADDR_LIST
		             ? conf_get_addr(c, e, (struct in6_addr *)field + i)
		             : conf_get_prefix(c, e, (struct addr6_prefix *)field + i);

		if (rc < 0)
			return rc;
		conf_pop(c, mark);
	}
	*count = n;
	return 0;
}

static int parse_hex(struct conf_ctx *c, const struct conf_key *k, struct json_object *v,
                     uint8_t *field, size_t *count)
{
	const char *s;
	uint8_t buf[CONF_KEY_MAX + CONF_DUID_MAX];
	int n;

	if (conf_get_str(c, v, &s, k->expect) < 0)
		return c->rc;
	n = conf_hex_decode(s, buf, (size_t)k->max);
	if (n < k->min)
		return conf_err(c, "expected %s", k->expect);
	memcpy(field, buf, (size_t)n);
	*count = (size_t)n;
	return 0;
}

static int parse_key(struct conf_ctx *c, const struct conf_key *k, struct json_object *v,
                     void *base)
{
	void *field = (uint8_t *)base + k->off;
	size_t *count = (size_t *)(void *)((uint8_t *)base + k->count_off);
	int64_t x;

	switch (k->type) {
	case CONF_T_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return conf_err(c, "expected true or false");
		*(bool *)field = json_object_get_boolean(v);
		return 0;
	case CONF_T_U8:
		if (parse_int(c, k, v, &x) < 0)
			return c->rc;
		*(uint8_t *)field = (uint8_t)x;
		return 0;
	case CONF_T_U32:
		if (parse_int(c, k, v, &x) < 0)
			return c->rc;
		*(uint32_t *)field = (uint32_t)x;
		return 0;
	case CONF_T_ENUM:
		return parse_enum(c, k, v, (int *)field);
	case CONF_T_STR:
		return parse_str(c, k, v, (char *)field);
	case CONF_T_ADDR:
		return conf_get_addr(c, v, (struct in6_addr *)field);
	case CONF_T_PREFIX:
		return conf_get_prefix(c, v, (struct addr6_prefix *)field);
	case CONF_T_ADDR_LIST:
	case CONF_T_PREFIX_LIST:
		return parse_list(c, k, v, field, count);
	case CONF_T_HEX:
		return parse_hex(c, k, v, (uint8_t *)field, count);
	case CONF_T_CUSTOM:
		return k->parse(c, v, base);
	}
	return conf_err(c, "internal error: unknown key type");
}

static void apply_default(const struct conf_key *k, void *base)
{
	void *field = (uint8_t *)base + k->off;

	switch (k->type) {
	case CONF_T_BOOL:
		*(bool *)field = k->def != 0;
		break;
	case CONF_T_U8:
		*(uint8_t *)field = (uint8_t)k->def;
		break;
	case CONF_T_U32:
		*(uint32_t *)field = (uint32_t)k->def;
		break;
	case CONF_T_ENUM:
		*(int *)field = (int)k->def;
		break;
	case CONF_T_STR:
		if (k->defs)
			memcpy(field, k->defs, strlen(k->defs) + 1);
		break;
	default:
		break; /* lists start empty; customs set their own defaults */
	}
}

static int missing(struct conf_ctx *c, const struct conf_key *k)
{
	size_t mark = conf_push(c, k->name);
	int rc;

	switch (k->type) {
	case CONF_T_STR:
	case CONF_T_HEX:
	case CONF_T_CUSTOM:
		rc = conf_err(c, "required key missing, expected %s", k->expect);
		break;
	default:
		rc = conf_err(c, "required key missing");
		break;
	}
	conf_pop(c, mark);
	return rc;
}

int conf_walk(struct conf_ctx *c, struct json_object *v, const struct conf_key *keys, size_t n,
              void *base, unsigned mode, uint64_t *seen)
{
	uint64_t bits = 0;

	if (!json_object_is_type(v, json_type_object))
		return conf_err(c, "expected an object");
	json_object_object_foreach(v, name, val)
	{
		size_t i;

		(void)val;
		for (i = 0; i < n && strcmp(keys[i].name, name) != 0; i++)
			;
		if (i == n) {
			conf_push(c, name);
			return conf_err(c, "unknown key");
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *jv;

		if (json_object_object_get_ex(v, keys[i].name, &jv)) {
			size_t mark = conf_push(c, keys[i].name);

			if (parse_key(c, &keys[i], jv, base) < 0)
				return c->rc;
			conf_pop(c, mark);
			if (i < 64)
				bits |= (uint64_t)1 << i;
		} else if (keys[i].flags & CONF_F_REQUIRED) {
			return missing(c, &keys[i]);
		} else if (mode & CONF_WALK_DEFAULTS) {
			apply_default(&keys[i], base);
		}
	}
	if (seen)
		*seen = bits;
	return 0;
}

struct json_object *conf_json_addr(const struct in6_addr *a)
{
	char buf[ADDR6_STRLEN];

	return json_object_new_string(addr6_ntop(a, buf, sizeof(buf)));
}

struct json_object *conf_json_prefix(const struct addr6_prefix *p)
{
	char buf[ADDR6_PREFIX_STRLEN];

	return json_object_new_string(addr6_prefix_ntop(p, buf, sizeof(buf)));
}

struct json_object *conf_json_hex(const uint8_t *b, size_t n)
{
	char buf[3 * (CONF_KEY_MAX + CONF_DUID_MAX) + 1];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off + 4 <= sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%02x", i ? ":" : "", b[i]);
	return json_object_new_string(buf);
}

struct json_object *conf_json_range(const struct conf_range *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (r->is_prefix) {
		json_object_object_add(o, "prefix", conf_json_prefix(&r->prefix));
	} else {
		json_object_object_add(o, "start", conf_json_addr(&r->range.start));
		json_object_object_add(o, "end", conf_json_addr(&r->range.end));
	}
	return o;
}

static struct json_object *print_list(const struct conf_key *k, const void *field, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(
		    a, k->type == CONF_T_ADDR_LIST
		           ? conf_json_addr((const struct in6_addr *)field + i)
		           : conf_json_prefix((const struct addr6_prefix *)field + i));
	return a;
}

static struct json_object *print_key(const struct conf_key *k, const void *base, unsigned flags)
{
	const void *field = (const uint8_t *)base + k->off;
	const size_t *count = (const size_t *)(const void *)((const uint8_t *)base + k->count_off);
	bool mask = (k->flags & CONF_F_SECRET) && !(flags & CONF_PRINT_SECRETS);

	switch (k->type) {
	case CONF_T_BOOL:
		return json_object_new_boolean(*(const bool *)field);
	case CONF_T_U8:
		return json_object_new_int64(*(const uint8_t *)field);
	case CONF_T_U32:
		if (*(const uint32_t *)field < k->min)
			return NULL; /* unset ("not sent") */
		return json_object_new_int64(*(const uint32_t *)field);
	case CONF_T_ENUM:
		return json_object_new_string(k->names[*(const int *)field - (int)k->min]);
	case CONF_T_STR:
		if (((const char *)field)[0] == '\0')
			return NULL;
		return json_object_new_string(mask ? "********" : (const char *)field);
	case CONF_T_ADDR:
		return conf_json_addr(field);
	case CONF_T_PREFIX:
		return conf_json_prefix(field);
	case CONF_T_ADDR_LIST:
	case CONF_T_PREFIX_LIST:
		if (*count == 0)
			return NULL;
		return print_list(k, field, *count);
	case CONF_T_HEX:
		if (*count == 0)
			return NULL;
		return mask ? json_object_new_string("********") : conf_json_hex(field, *count);
	case CONF_T_CUSTOM:
		return k->print ? k->print(base, flags) : NULL;
	}
	return NULL;
}

struct json_object *conf_print_keys(struct json_object *obj, const struct conf_key *keys, size_t n,
                                    const void *base, unsigned flags)
{
	if (!obj)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = print_key(&keys[i], base, flags);

		if (v)
			json_object_object_add(obj, keys[i].name, v);
	}
	return obj;
}
