/*
 * /v1/reservations[/{duid}]: host reservations (DUID -> addresses, prefixes,
 * hostname). Those of the config file are listed and read-only (409 on a
 * change); those made here live in the schema (sql/0006), whose trigger
 * tells the running engine, which applies them at once. A body is checked
 * here as the config loader checks a reservation: the subnet exists,
 * addresses lie in its link prefix outside the foreign ranges, prefixes
 * outside it, no address or prefix reserved for another DUID.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "errors.h"
#include "api.h"
#include "api_store.h"

#define RESV_DUID_MAX 130

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

static void on_list(struct api_req *r, const PGresult *res)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const struct conf *c = r->a->conf;

	for (size_t s = 0; s < c->dhcp6.n_subnets; s++)
		for (size_t i = 0; i < c->dhcp6.subnets[s].n_reservations; i++)
			json_object_array_add(arr,
			                      conf_resv_json(&c->dhcp6.subnets[s],
			                                     &c->dhcp6.subnets[s].reservations[i]));
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(arr, json_tokener_parse(PQgetvalue(res, i, 0)));
	json_object_object_add(o, "reservations", arr);
	api_reply_json(r, 200, o);
}

void api_reservations_list(struct api_req *r)
{
	api_store_run(r, AST_RESV_LIST, NULL, on_list);
}

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

static void on_deleted(struct api_req *r, const PGresult *res)
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

void api_reservations_delete(struct api_req *r)
{
	char hex[2 * RESV_DUID_MAX + 1];
	const char *v[1] = {hex};

	if (path_duid(r, hex) && !from_conf(r, hex, true))
		api_store_run(r, AST_RESV_DELETE, v, on_deleted);
}
