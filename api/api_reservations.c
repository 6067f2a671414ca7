/*
 * /v1/reservations[/{duid}]: host reservations (DUID -> addresses, prefixes,
 * hostname). Those of the config file are listed and read-only (409 on a
 * change); those made here live in the schema (sql/0006), whose trigger
 * tells the running engine, which applies them at once. A body is checked
 * here as the config loader checks a reservation: the subnet exists,
 * addresses lie in its link prefix outside the foreign ranges, prefixes
 * outside it, no address or prefix reserved for another DUID. The list
 * pages both kinds in one keyset order (api_reservations.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "errors.h"
#include "api.h"
#include "api_reservations.h"
#include "api_store.h"

#define RESV_DUID_MAX API_RESV_DUID_MAX
#define LIMIT_DEFAULT 100
#define LIMIT_MAX     1000

struct resv_body {
	uint8_t duid[RESV_DUID_MAX];
	size_t duid_len;
	char duid_hex[2 * RESV_DUID_MAX + 1];
	const struct conf_subnet *sn;
	char subnet[24];
	struct in6_addr addr[CONF_MAX_ADDRS];
	size_t n_addr;
	struct addr6_prefix pfx[CONF_MAX_ADDRS];
	size_t n_pfx;
	char hostname[CONF_NAME_LEN];
	char addrs_arr[CONF_MAX_ADDRS * (ADDR6_STRLEN + 1) + 3];
	char pfxs_arr[CONF_MAX_ADDRS * (ADDR6_PREFIX_STRLEN + 1) + 3];
};

/* ---- the config file's reservations ---- */

static struct json_object *conf_resv_json(const struct conf_subnet *sn,
                                          const struct conf_reservation *r)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct json_object *p = json_object_new_array();
	char hex[2 * CONF_DUID_MAX + 1], b[ADDR6_PREFIX_STRLEN];

	api_hex(r->duid, r->duid_len, hex);
	json_object_object_add(o, "duid", json_object_new_string(hex));
	json_object_object_add(o, "subnet_id", json_object_new_int64(sn->id));
	for (size_t i = 0; i < r->n_addresses; i++)
		json_object_array_add(
		    a, json_object_new_string(addr6_ntop(&r->addresses[i], b, sizeof(b))));
	for (size_t i = 0; i < r->n_prefixes; i++)
		json_object_array_add(
		    p, json_object_new_string(addr6_prefix_ntop(&r->prefixes[i], b, sizeof(b))));
	json_object_object_add(o, "addresses", a);
	json_object_object_add(o, "prefixes", p);
	json_object_object_add(o, "hostname",
	                       r->hostname[0] ? json_object_new_string(r->hostname) : NULL);
	json_object_object_add(o, "source", json_object_new_string("config"));
	return o;
}

static const struct conf_reservation *conf_find(const struct conf *c, const uint8_t *duid,
                                                size_t len, const struct conf_subnet **sn_out)
{
	for (size_t s = 0; s < c->dhcp6.n_subnets; s++) {
		const struct conf_subnet *sn = &c->dhcp6.subnets[s];

		for (size_t i = 0; i < sn->n_reservations; i++) {
			const struct conf_reservation *r = &sn->reservations[i];

			if (r->duid_len == len && memcmp(r->duid, duid, len) == 0) {
				if (sn_out)
					*sn_out = sn;
				return r;
			}
		}
	}
	return NULL;
}

/* The config DUID that reserves a or p already, or NULL. */
static const struct conf_reservation *conf_taken(const struct conf *c, const struct resv_body *b)
{
	for (size_t s = 0; s < c->dhcp6.n_subnets; s++) {
		const struct conf_subnet *sn = &c->dhcp6.subnets[s];

		for (size_t i = 0; i < sn->n_reservations; i++) {
			const struct conf_reservation *r = &sn->reservations[i];

			for (size_t k = 0; k < r->n_addresses; k++)
				for (size_t j = 0; j < b->n_addr; j++)
					if (addr6_eq(&r->addresses[k], &b->addr[j]))
						return r;
			for (size_t k = 0; k < r->n_prefixes; k++)
				for (size_t j = 0; j < b->n_pfx; j++)
					if (addr6_prefix_overlap(&r->prefixes[k], &b->pfx[j]))
						return r;
		}
	}
	return NULL;
}

/* ---- the body ---- */

static bool is_dns_name(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0 && p[1] != '\0')
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') ||
		    ++label > 63)
			return false;
	}
	return true;
}

static int bad(struct api_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct api_req *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_error(r, 422, "invalid_reservation", "%s", msg);
	return CH_EINVAL;
}

static int body_duid(struct api_req *r, struct json_object *v, struct resv_body *b)
{
	int n;

	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 400 ||
	    (n = api_unhex(json_object_get_string(v), b->duid, sizeof(b->duid))) < 1)
		return bad(r, "%s: expected 1..130 octets of hex", "duid");
	b->duid_len = (size_t)n;
	api_hex(b->duid, b->duid_len, b->duid_hex);
	return 0;
}

static int body_subnet(struct api_req *r, struct json_object *v, struct resv_body *b)
{
	int64_t id = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;

	for (size_t s = 0; id > 0 && s < r->a->conf->dhcp6.n_subnets; s++) {
		if (r->a->conf->dhcp6.subnets[s].id == (uint32_t)id) {
			b->sn = &r->a->conf->dhcp6.subnets[s];
			snprintf(b->subnet, sizeof(b->subnet), "%lld", (long long)id);
			return 0;
		}
	}
	return bad(r, "%s: expected the id of a configured subnet", "subnet_id");
}

static int body_list(struct api_req *r, struct json_object *v, struct resv_body *b, bool pfx)
{
	const char *key = pfx ? "prefixes" : "addresses";
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONF_MAX_ADDRS)
		return bad(r, "%s: expected an array of at most 8", key);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		const char *s =
		    json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";

		if (pfx ? addr6_prefix_parse(s, &b->pfx[i]) < 0 : addr6_parse(s, &b->addr[i]) < 0)
			return bad(r, "%s: expected IPv6 %s", key, key);
	}
	if (pfx)
		b->n_pfx = n;
	else
		b->n_addr = n;
	return 0;
}

/* Where the loader puts them (lib/conf_subnet.c): addresses inside the link
 * prefix and outside the foreign ranges, prefixes outside the link prefix. */
static int body_placement(struct api_req *r, struct resv_body *b)
{
	size_t o = 0, p = 0;
	char t[ADDR6_PREFIX_STRLEN];

	for (size_t i = 0; i < b->n_addr; i++) {
		bool foreign = false;

		for (size_t k = 0; k < b->sn->n_foreign_ranges; k++)
			foreign |=
			    addr6_range_contains(&b->sn->foreign_ranges[k].range, &b->addr[i]);
		if (!addr6_in_prefix(&b->addr[i], &b->sn->prefix) || foreign)
			return bad(r,
			           "%s: expected addresses inside the subnet's link prefix and "
			           "outside its foreign ranges",
			           "addresses");
		o += (size_t)snprintf(b->addrs_arr + o, sizeof(b->addrs_arr) - o, "%s%s",
		                      i ? "," : "{", addr6_ntop(&b->addr[i], t, sizeof(t)));
	}
	snprintf(b->addrs_arr + o, sizeof(b->addrs_arr) - o, "%s", o ? "}" : "{}");
	for (size_t i = 0; i < b->n_pfx; i++) {
		if (addr6_prefix_overlap(&b->pfx[i], &b->sn->prefix))
			return bad(r, "%s: expected prefixes outside the subnet's link prefix",
			           "prefixes");
		p += (size_t)snprintf(b->pfxs_arr + p, sizeof(b->pfxs_arr) - p, "%s%s",
		                      i ? "," : "{", addr6_prefix_ntop(&b->pfx[i], t, sizeof(t)));
	}
	snprintf(b->pfxs_arr + p, sizeof(b->pfxs_arr) - p, "%s", p ? "}" : "{}");
	return 0;
}

/* Parses and checks r's body into b. path_duid: PUT's {duid}, or NULL. */
static int body_parse(struct api_req *r, struct resv_body *b, const char *path_duid)
{
	char err[256];
	struct json_object *v = api_json_parse(r->body, r->body_len, err, sizeof(err));
	int rc = 0;
	bool has_duid = false, has_subnet = false;

	memset(b, 0, sizeof(*b));
	if (!v) {
		api_error(r, 400, "malformed_json", "%s", err);
		return CH_EINVAL;
	}
	if (!json_object_is_type(v, json_type_object)) {
		json_object_put(v);
		return bad(r, "%s", "expected a JSON object");
	}
	json_object_object_foreach(v, key, val)
	{
		if (rc)
			break;
		if (!strcmp(key, "duid"))
			has_duid = !(rc = body_duid(r, val, b));
		else if (!strcmp(key, "subnet_id"))
			has_subnet = !(rc = body_subnet(r, val, b));
		else if (!strcmp(key, "addresses"))
			rc = body_list(r, val, b, false);
		else if (!strcmp(key, "prefixes"))
			rc = body_list(r, val, b, true);
		else if (!strcmp(key, "hostname")) {
			const char *h = json_object_is_type(val, json_type_string)
			                    ? json_object_get_string(val)
			                    : "";
			if (!is_dns_name(h))
				rc = bad(r, "%s: expected a domain name", "hostname");
			else
				snprintf(b->hostname, sizeof(b->hostname), "%s", h);
		} else if (strcmp(key, "source") && strcmp(key, "created_at") &&
		           strcmp(key, "updated_at")) {
			rc = bad(r, "unknown key %.64s", key);
		}
	}
	json_object_put(v);
	if (rc)
		return rc;
	if (path_duid && has_duid && strcmp(path_duid, b->duid_hex) != 0)
		return bad(r, "%s: differs from the DUID in the path", "duid");
	if (path_duid && !has_duid) {
		int n = api_unhex(path_duid, b->duid, sizeof(b->duid));

		b->duid_len = (size_t)n;
		api_hex(b->duid, b->duid_len, b->duid_hex);
	} else if (!has_duid) {
		return bad(r, "%s: required", "duid");
	}
	if (!has_subnet)
		return bad(r, "%s: required", "subnet_id");
	if (!b->n_addr && !b->n_pfx && !b->hostname[0])
		return bad(r, "%s", "a reservation needs addresses, prefixes or a hostname");
	return body_placement(r, b);
}

/* ---- handlers ---- */

/* The {duid} of the path in canonical hex; false with a 400 reply. */
static bool path_duid(struct api_req *r, char *hex)
{
	uint8_t d[RESV_DUID_MAX];
	int n = strlen(r->param) <= 400 ? api_unhex(r->param, d, sizeof(d)) : -1;

	if (n < 1) {
		api_error(r, 400, "bad_duid", "expected a DUID as 1..130 octets of hex");
		return false;
	}
	api_hex(d, (size_t)n, hex);
	return true;
}

/* ---- the list: keyset pages over the file's and the schema's ---- */

static int page_fail(struct api_resv_page *p, unsigned status, const char *msg)
{
	p->status = status;
	p->code = "bad_parameter";
	snprintf(p->err, sizeof(p->err), "%s", msg);
	return CH_EINVAL;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* "r1 <duid hex> <c|a> <seq>", base64url */
static int cursor_parse(struct api_resv_page *p, const char *s)
{
	char plain[300], hex[2 * RESV_DUID_MAX + 1], src, seq[12];
	uint8_t d[RESV_DUID_MAX];
	unsigned long v;
	int n = strlen(s) < 400 ? api_b64u_decode(s, (uint8_t *)plain, sizeof(plain) - 1) : -1;
	int used = 0;

	if (n < 0)
		goto bad;
	plain[n] = '\0';
	if ((int)strlen(plain) != n ||
	    sscanf(plain, "r1 %260[0-9a-f] %c %11[0-9]%n", hex, &src, seq, &used) != 3 ||
	    used != n || (src != 'c' && src != 'a') || !parse_uint(seq, UINT32_MAX, &v) ||
	    api_unhex(hex, d, sizeof(d)) < 1 || strlen(hex) % 2)
		goto bad;
	snprintf(p->after.duid, sizeof(p->after.duid), "%s", hex);
	p->after.src = src == 'c' ? API_RESV_CONFIG : API_RESV_API;
	p->after.seq = (unsigned)v;
	p->has_cursor = true;
	return 0;
bad:
	return page_fail(p, 400, "cursor: not one this API gave out");
}

int api_resv_page_parse(const struct api_query *q, struct api_resv_page *p)
{
	bool seen_limit = false, seen_cursor = false;
	unsigned long v;

	memset(p, 0, sizeof(*p));
	p->limit = LIMIT_DEFAULT;
	for (size_t i = 0; i < q->n; i++) {
		const char *k = q->p[i].key, *val = q->p[i].val;

		if (strcmp(k, "limit") == 0) {
			if (seen_limit)
				return page_fail(p, 400, "limit: given twice");
			seen_limit = true;
			if (!parse_uint(val, UINT32_MAX, &v))
				return page_fail(p, 400, "limit: expected an integer 1..1000");
			if (v < 1 || v > LIMIT_MAX)
				return page_fail(p, 422, "limit: at most 1000 a page, at least 1");
			p->limit = (unsigned)v;
		} else if (strcmp(k, "cursor") == 0) {
			if (seen_cursor)
				return page_fail(p, 400, "cursor: given twice");
			seen_cursor = true;
			if (cursor_parse(p, val) < 0)
				return CH_EINVAL;
		} else {
			p->code = "unknown_parameter";
			p->status = 400;
			snprintf(p->err, sizeof(p->err), "unknown query parameter %.64s", k);
			return CH_EINVAL;
		}
	}
	return 0;
}

void api_resv_cursor_make(const struct api_resv_key *k, char *out)
{
	char plain[300];
	int n = snprintf(plain, sizeof(plain), "r1 %s %c %u", k->duid,
	                 k->src == API_RESV_CONFIG ? 'c' : 'a', k->seq);

	api_b64u_encode((const uint8_t *)plain, (size_t)n, out);
}

int api_resv_key_cmp(const struct api_resv_key *a, const struct api_resv_key *b)
{
	int c = strcmp(a->duid, b->duid);

	if (c)
		return c;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* One of the file's reservations, with its place in the order. */
struct conf_item {
	struct api_resv_key key;
	const struct conf_subnet *sn;
	const struct conf_reservation *r;
};

static int item_cmp(const void *a, const void *b)
{
	return api_resv_key_cmp(&((const struct conf_item *)a)->key,
	                        &((const struct conf_item *)b)->key);
}

/* The file's reservations after the cursor, sorted, at most max of them:
 * a malloc'ed array (NULL only for no memory); *n is how many. */
static struct conf_item *conf_after(const struct conf *c, const struct api_resv_page *p, size_t max,
                                    size_t *n)
{
	size_t total = 0, k = 0;
	unsigned seq = 0;
	struct conf_item *v;

	for (size_t s = 0; s < c->dhcp6.n_subnets; s++)
		total += c->dhcp6.subnets[s].n_reservations;
	if (!(v = calloc(total ? total : 1, sizeof(*v))))
		return NULL;
	for (size_t s = 0; s < c->dhcp6.n_subnets; s++) {
		for (size_t i = 0; i < c->dhcp6.subnets[s].n_reservations; i++, seq++) {
			const struct conf_reservation *r = &c->dhcp6.subnets[s].reservations[i];
			struct conf_item *it = &v[k];

			api_hex(r->duid, r->duid_len, it->key.duid);
			it->key.src = API_RESV_CONFIG;
			it->key.seq = seq;
			if (p->has_cursor && api_resv_key_cmp(&it->key, &p->after) <= 0)
				continue;
			it->sn = &c->dhcp6.subnets[s];
			it->r = r;
			k++;
		}
	}
	qsort(v, k, sizeof(*v), item_cmp);
	*n = k < max ? k : max;
	return v;
}

static void on_list(struct api_req *r, const PGresult *res)
{
	const struct api_resv_page *p = r->hctx;
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	size_t nc = 0, ic = 0, shown = 0;
	int rows = PQntuples(res), ir = 0;
	struct conf_item *cv = conf_after(r->a->conf, p, p->limit + 1, &nc);
	struct api_resv_key last = {0};
	char cursor[API_RESV_CURSOR_LEN], link[API_RESV_CURSOR_LEN + 48];

	if (!cv) {
		json_object_put(o);
		json_object_put(arr);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	/* merge the two sorted runs; the schema's sort after the file's on a tie */
	while (shown < p->limit && (ic < nc || ir < rows)) {
		bool take_conf =
		    ic < nc && (ir == rows || strcmp(cv[ic].key.duid, PQgetvalue(res, ir, 0)) <= 0);

		if (take_conf) {
			json_object_array_add(arr, conf_resv_json(cv[ic].sn, cv[ic].r));
			last = cv[ic++].key;
		} else {
			json_object_array_add(arr, json_tokener_parse(PQgetvalue(res, ir, 1)));
			snprintf(last.duid, sizeof(last.duid), "%s", PQgetvalue(res, ir, 0));
			last.src = API_RESV_API;
			last.seq = 0;
			ir++;
		}
		shown++;
	}
	json_object_object_add(o, "reservations", arr);
	json_object_object_add(o, "count", json_object_new_int64((int64_t)shown));
	if (shown && (ic < nc || ir < rows)) {
		api_resv_cursor_make(&last, cursor);
		snprintf(link, sizeof(link), "/v1/reservations?limit=%u&cursor=%s", p->limit,
		         cursor);
		json_object_object_add(o, "next", json_object_new_string(link));
		api_reply_link_next(r, link);
		json_object_object_add(o, "cursor", json_object_new_string(cursor));
	} else {
		json_object_object_add(o, "next", NULL);
		json_object_object_add(o, "cursor", NULL);
	}
	free(cv);
	api_reply_json(r, 200, o);
}

void api_reservations_list(struct api_req *r)
{
	struct api_query q;
	struct api_resv_page *p;
	char limit[16], src[4];
	const char *v[3] = {NULL, src, limit};
	int err;

	if (!api_query_read(r, &q))
		return;
	if (!(p = malloc(sizeof(*p)))) {
		api_query_clear(&q);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	err = api_resv_page_parse(&q, p);
	api_query_clear(&q);
	r->hctx = p;
	r->hctx_free = free;
	if (err) {
		api_error(r, p->status, p->code, "%s", p->err);
		return;
	}
	snprintf(limit, sizeof(limit), "%u", p->limit);
	snprintf(src, sizeof(src), "%d", (int)p->after.src);
	if (p->has_cursor)
		v[0] = p->after.duid;
	api_store_run(r, AST_RESV_LIST, v, on_list);
}

/* The one reservation of r->param the statement gave back (read or deleted). */
static void on_one(struct api_req *r, const PGresult *res)
{
	struct json_object *o;

	if (PQntuples(res) == 0) {
		api_error(r, 404, "not_found", "no reservation for DUID %s", r->param);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "reservation", json_tokener_parse(PQgetvalue(res, 0, 0)));
	api_reply_json(r, 200, o);
}

/* Config reservations answer and refuse changes without the database. */
static bool from_conf(struct api_req *r, const char *hex, bool change)
{
	uint8_t d[RESV_DUID_MAX];
	const struct conf_subnet *sn = NULL;
	const struct conf_reservation *cr;
	int n = api_unhex(hex, d, sizeof(d));
	struct json_object *o;

	if (n < 1 || !(cr = conf_find(r->a->conf, d, (size_t)n, &sn)))
		return false;
	if (change) {
		api_error(r, 409, "read_only",
		          "the reservation of DUID %s is in the config file; change it there", hex);
		return true;
	}
	o = json_object_new_object();
	json_object_object_add(o, "reservation", conf_resv_json(sn, cr));
	api_reply_json(r, 200, o);
	return true;
}

void api_reservations_get(struct api_req *r)
{
	char hex[2 * RESV_DUID_MAX + 1];
	const char *v[1] = {hex};

	if (path_duid(r, hex) && !from_conf(r, hex, false))
		api_store_run(r, AST_RESV_GET, v, on_one);
}

static void on_written(struct api_req *r, const PGresult *res)
{
	bool created = PQntuples(res) > 0 && *PQgetvalue(res, 0, 2) == 't';
	struct json_object *o;

	if (PQntuples(res) == 0) {
		api_error(r, 409, "exists", "a reservation for this DUID exists; PUT replaces it");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "conflict") == 0) {
		api_error(r, 409, "conflict", "an address or prefix is reserved for DUID %s",
		          PQgetvalue(res, 0, 1));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "reservation", json_tokener_parse(PQgetvalue(res, 0, 1)));
	api_reply_json(r, created ? 201 : 200, o);
}

static void write_resv(struct api_req *r, const char *path, enum api_stmt st)
{
	struct resv_body b;
	const struct conf_reservation *taken;
	const char *v[5];
	char hex[2 * RESV_DUID_MAX + 1];

	if (path && !path_duid(r, hex))
		return;
	if (body_parse(r, &b, path ? hex : NULL) < 0)
		return;
	if (from_conf(r, b.duid_hex, true))
		return;
	if ((taken = conf_taken(r->a->conf, &b))) {
		char t[2 * CONF_DUID_MAX + 1];

		api_hex(taken->duid, taken->duid_len, t);
		api_error(r, 409, "conflict",
		          "an address or prefix is reserved for DUID %s in the config file", t);
		return;
	}
	v[0] = b.duid_hex;
	v[1] = b.subnet;
	v[2] = b.addrs_arr;
	v[3] = b.pfxs_arr;
	v[4] = b.hostname[0] ? b.hostname : NULL;
	api_store_run(r, st, v, on_written);
}

void api_reservations_post(struct api_req *r)
{
	write_resv(r, NULL, AST_RESV_INSERT);
}

void api_reservations_put(struct api_req *r)
{
	write_resv(r, r->param, AST_RESV_UPSERT);
}

void api_reservations_delete(struct api_req *r)
{
	char hex[2 * RESV_DUID_MAX + 1];
	const char *v[1] = {hex};

	if (path_duid(r, hex) && !from_conf(r, hex, true))
		api_store_run(r, AST_RESV_DELETE, v, on_one);
}
