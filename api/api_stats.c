/*
 * GET /v1/stats: the pools' use from the schema and the daemons' counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "api.h"
#include "api_store.h"

/* ---- GET /v1/stats ---- */

/*
 * Per subnet, range and PD pool: total (from the configuration), assigned
 * and declined (holding leases in the schema, counted by the addr index),
 * free and utilisation; the daemons' counters from the stats table, with
 * the engine's drop reasons and redundancy cases (RFC 6853 §4: foreign
 * Rebinds replaced, refused, adopted) picked out.
 */
struct pool_use {
	int64_t assigned, declined;
};

struct stats_ctx {
	size_t n_na, n_pd;
	struct pool_use *na, *pd;
};

static void stats_ctx_free(void *p)
{
	struct stats_ctx *c = p;

	if (!c)
		return;
	free(c->na);
	free(c->pd);
	free(c);
}

static struct json_object *usage(uint64_t total, const struct pool_use *u)
{
	struct json_object *o = json_object_new_object();
	uint64_t used = (uint64_t)(u->assigned + u->declined);

	json_object_object_add(o, "total", json_object_new_uint64(total));
	json_object_object_add(o, "assigned", json_object_new_int64(u->assigned));
	json_object_object_add(o, "declined", json_object_new_int64(u->declined));
	json_object_object_add(o, "free", json_object_new_uint64(total > used ? total - used : 0));
	json_object_object_add(o, "utilisation",
	                       json_object_new_double(total ? (double)used / (double)total : 0));
	return o;
}

static struct json_object *subnets_json(const struct conf *c, const struct stats_ctx *x)
{
	struct json_object *arr = json_object_new_array();
	size_t ni = 0, pi = 0;

	for (size_t s = 0; s < c->dhcp6.n_subnets; s++) {
		const struct conf_subnet *sn = &c->dhcp6.subnets[s];
		struct json_object *o = json_object_new_object(), *pools = json_object_new_array();
		struct json_object *pds = json_object_new_array();
		char buf[ADDR6_PREFIX_STRLEN * 2 + 2], a[ADDR6_STRLEN], b[ADDR6_STRLEN];

		json_object_object_add(o, "id", json_object_new_int64(sn->id));
		addr6_prefix_ntop(&sn->prefix, buf, sizeof(buf));
		json_object_object_add(o, "prefix", json_object_new_string(buf));
		for (size_t i = 0; i < sn->n_pools; i++, ni++) {
			const struct conf_range *r = &sn->pools[i];
			struct json_object *p = usage(addr6_range_count(&r->range), &x->na[ni]);

			if (r->is_prefix)
				addr6_prefix_ntop(&r->prefix, buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "%s-%s",
				         addr6_ntop(&r->range.start, a, sizeof(a)),
				         addr6_ntop(&r->range.end, b, sizeof(b)));
			json_object_object_add(p, "range", json_object_new_string(buf));
			json_object_array_add(pools, p);
		}
		for (size_t i = 0; i < sn->n_pd_pools; i++, pi++) {
			const struct conf_pd_pool *pd = &sn->pd_pools[i];
			struct json_object *p =
			    usage(addr6_pd_count(&pd->prefix, pd->delegated_len), &x->pd[pi]);

			addr6_prefix_ntop(&pd->prefix, buf, sizeof(buf));
			json_object_object_add(p, "prefix", json_object_new_string(buf));
			json_object_object_add(p, "delegated_length",
			                       json_object_new_int(pd->delegated_len));
			json_object_array_add(pds, p);
		}
		json_object_object_add(o, "pools", pools);
		json_object_object_add(o, "pd_pools", pds);
		json_object_array_add(arr, o);
	}
	return arr;
}

static bool is_redundancy(const char *counter)
{
	return strncmp(counter, "rebind-", 7) == 0 ||
	       strcmp(counter, "confirm-foreign-range") == 0 ||
	       strncmp(counter, "preference", 10) == 0 || strncmp(counter, "zero-", 5) == 0;
}

static void add_counter(struct json_object *root, const char *scope, const char *counter, int64_t v)
{
	struct json_object *sc, *grp;

	if (!json_object_object_get_ex(root, scope, &sc)) {
		sc = json_object_new_object();
		json_object_object_add(root, scope, sc);
	}
	json_object_object_add(sc, counter, json_object_new_int64(v));
	if (strcmp(scope, "dhcp6") != 0)
		return;
	if (strncmp(counter, "drop-", 5) == 0 || is_redundancy(counter)) {
		const char *g = counter[0] == 'd' ? "dhcp6_drops" : "dhcp6_redundancy";

		if (!json_object_object_get_ex(root, g, &grp)) {
			grp = json_object_new_object();
			json_object_object_add(root, g, grp);
		}
		json_object_object_add(grp, counter[0] == 'd' ? counter + 5 : counter,
		                       json_object_new_int64(v));
	}
}

static void on_stats(struct api_req *r, const PGresult *res)
{
	struct stats_ctx *x = r->hctx;
	struct json_object *o = json_object_new_object(), *cnt = json_object_new_object();

	for (int i = 0; i < PQntuples(res); i++) {
		const char *k = PQgetvalue(res, i, 0);
		size_t idx = (size_t)strtoull(PQgetvalue(res, i, 1), NULL, 10);

		if (k[0] == 'c') {
			add_counter(cnt, PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			            atoll(PQgetvalue(res, i, 3)));
		} else if (k[0] == 'n' && idx < x->n_na) {
			x->na[idx].assigned = atoll(PQgetvalue(res, i, 2));
			x->na[idx].declined = atoll(PQgetvalue(res, i, 3));
		} else if (k[0] == 'd' && idx < x->n_pd) {
			x->pd[idx].assigned = atoll(PQgetvalue(res, i, 2));
			x->pd[idx].declined = atoll(PQgetvalue(res, i, 3));
		}
	}
	json_object_object_add(o, "subnets", subnets_json(r->a->conf, x));
	json_object_object_add(o, "counters", cnt);
	api_reply_json(r, 200, o);
}

/* A PostgreSQL array literal being built: "{a,b,c}". */
struct arr {
	char *b;
	size_t n, cap;
	bool oom;
};

static void arr_put(struct arr *a, const char *s)
{
	size_t n = strlen(s);

	if (a->oom)
		return;
	if (a->n + n + 3 > a->cap) {
		size_t cap = (a->n + n + 3) * 2;
		char *b = realloc(a->b, cap);

		if (!b) {
			a->oom = true;
			return;
		}
		a->b = b;
		a->cap = cap;
	}
	a->b[a->n] = a->n == 0 ? '{' : ',';
	a->n++;
	memcpy(a->b + a->n, s, n);
	a->n += n;
	a->b[a->n] = '\0';
}

static const char *arr_end(struct arr *a)
{
	if (!a->n)
		return "{}";
	arr_put(a, "");
	if (!a->oom)
		a->b[a->n - 1] = '}';
	return a->oom ? NULL : a->b;
}

void api_stats_get(struct api_req *r)
{
	const struct conf *c = r->a->conf;
	struct stats_ctx *x = calloc(1, sizeof(*x));
	struct arr ni = {0}, lo = {0}, hi = {0}, pi = {0}, pp = {0};
	const char *v[5];
	char num[24], ab[ADDR6_PREFIX_STRLEN];

	if (!x) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	r->hctx = x;
	r->hctx_free = stats_ctx_free;
	for (size_t s = 0; s < c->dhcp6.n_subnets; s++) {
		const struct conf_subnet *sn = &c->dhcp6.subnets[s];

		for (size_t i = 0; i < sn->n_pools; i++) {
			snprintf(num, sizeof(num), "%zu", x->n_na++);
			arr_put(&ni, num);
			arr_put(&lo, addr6_ntop(&sn->pools[i].range.start, ab, sizeof(ab)));
			arr_put(&hi, addr6_ntop(&sn->pools[i].range.end, ab, sizeof(ab)));
		}
		for (size_t i = 0; i < sn->n_pd_pools; i++) {
			snprintf(num, sizeof(num), "%zu", x->n_pd++);
			arr_put(&pi, num);
			arr_put(&pp, addr6_prefix_ntop(&sn->pd_pools[i].prefix, ab, sizeof(ab)));
		}
	}
	x->na = calloc(x->n_na + 1, sizeof(*x->na));
	x->pd = calloc(x->n_pd + 1, sizeof(*x->pd));
	v[0] = arr_end(&ni);
	v[1] = arr_end(&lo);
	v[2] = arr_end(&hi);
	v[3] = arr_end(&pi);
	v[4] = arr_end(&pp);
	if (!x->na || !x->pd || !v[0] || !v[1] || !v[2] || !v[3] || !v[4])
		api_error(r, 503, "out_of_memory", "out of memory");
	else
		api_store_run(r, AST_STATS, v, on_stats);
	free(ni.b);
	free(lo.b);
	free(hi.b);
	free(pi.b);
	free(pp.b);
}
