/*
 * /v1/leases: the list with filters and keyset pagination (an opaque cursor
 * naming the last row of a page, and a next link), one lease by address, and
 * DELETE, which frees it and queues its DNS removal (api_store.c does both
 * in one transaction). Every filter value is checked here, so the database
 * sees only well-formed parameters: bad input is a 400 or 422, never a 500.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr6.h"
#include "errors.h"
#include "api.h"
#include "api_leases.h"
#include "api_store.h"

#define LIMIT_DEFAULT 100
#define LIMIT_MAX     1000

static const char *const fkeys[API_LF_MAX] = {
    [API_LF_ADDRESS] = "address",
    [API_LF_PREFIX] = "prefix",
    [API_LF_DUID] = "duid",
    [API_LF_IAID] = "iaid",
    [API_LF_TYPE] = "type",
    [API_LF_SUBNET] = "subnet",
    [API_LF_LINK] = "link",
    [API_LF_RELAY_ID] = "relay-id",
    [API_LF_REMOTE_ID] = "remote-id",
    [API_LF_STATE] = "state",
    [API_LF_HOSTNAME] = "hostname",
    [API_LF_EXPIRING_BEFORE] = "expiring-before",
    [API_LF_EXPIRING_AFTER] = "expiring-after",
    [API_LF_CURSOR] = "cursor",
    [API_LF_LIMIT] = "limit",
};

static int fail(struct api_lease_filter *f, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct api_lease_filter *f, unsigned status, const char *code, const char *fmt, ...)
{
	va_list ap;

	f->status = status;
	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	return CH_EINVAL;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || strlen(s) > 20)
		return false;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > (max - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

/* An address, or a prefix written with its length; canonical text into out. */
int api_lease_addr_parse(const char *s, char *out, size_t cap)
{
	struct addr6_prefix p;
	char b[ADDR6_STRLEN];

	if (strchr(s, '/')) {
		if (addr6_prefix_parse(s, &p) < 0)
			return CH_EINVAL;
		addr6_prefix_ntop(&p, out, cap);
		return 0;
	}
	if (addr6_parse(s, &p.addr) < 0)
		return CH_EINVAL;
	snprintf(out, cap, "%s", addr6_ntop(&p.addr, b, sizeof(b)));
	return 0;
}

/* RFC 3339 date-time ("2026-12-01T10:00:00Z", "...+02:00", fractions
 * dropped) to Unix seconds. */
static bool parse_time(const char *s, int64_t *out)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	const char *p;
	int64_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
		return false;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
		    !isdigit((unsigned char)s[i]))
			return false;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		oh = om = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && isdigit((unsigned char)p[1]) &&
	           isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
	           isdigit((unsigned char)p[5])) {
		oh = (p[1] - '0') * 10 + (p[2] - '0');
		om = (p[4] - '0') * 10 + (p[5] - '0');
		if (oh > 23 || om > 59)
			return false;
		if (*p == '-') {
			oh = -oh;
			om = -om;
		}
	} else {
		return false;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	*out = t - (int64_t)oh * 3600 - (int64_t)om * 60;
	return true;
}

/* The cursor says where a page ended: "v1 <addr/len> <id>", base64url. */
void api_lease_cursor_make(const char *addr, const char *id, char *out, size_t cap)
{
	char plain[API_LF_LEN];
	int n = snprintf(plain, sizeof(plain), "v1 %s %s", addr, id);

	if (n < 0 || (size_t)n >= sizeof(plain) || cap < 4 * ((size_t)n + 2) / 3 + 1) {
		out[0] = '\0';
		return;
	}
	api_b64u_encode((const uint8_t *)plain, (size_t)n, out);
}

static int cursor_parse(struct api_lease_filter *f, const char *s)
{
	uint8_t plain[128];
	char addr[ADDR6_PREFIX_STRLEN + 8], *sp;
	struct addr6_prefix p;
	uint64_t id;
	int n = strlen(s) < 200 ? api_b64u_decode(s, plain, sizeof(plain) - 1) : -1;

	if (n < 4 || memcmp(plain, "v1 ", 3) != 0 || memchr(plain, '\0', (size_t)n))
		return fail(f, 400, "bad_cursor", "%s", "the cursor is not one this API gave out");
	plain[n] = '\0';
	sp = strchr((char *)plain + 3, ' ');
	if (!sp || (size_t)(sp - (char *)plain - 3) >= sizeof(addr))
		return fail(f, 400, "bad_cursor", "%s", "the cursor is not one this API gave out");
	memcpy(addr, plain + 3, (size_t)(sp - (char *)plain - 3));
	addr[sp - (char *)plain - 3] = '\0';
	if (addr6_prefix_parse(addr, &p) < 0 || !parse_u64(sp + 1, INT64_MAX, &id))
		return fail(f, 400, "bad_cursor", "%s", "the cursor is not one this API gave out");
	addr6_prefix_ntop(&p, f->v[API_LF_CURSOR], sizeof(f->v[API_LF_CURSOR]));
	snprintf(f->v[API_LF_CURSOR_ID], sizeof(f->v[API_LF_CURSOR_ID]), "%llu",
	         (unsigned long long)id);
	f->set[API_LF_CURSOR] = f->set[API_LF_CURSOR_ID] = true;
	return 0;
}

static int hex_param(struct api_lease_filter *f, int k, const char *s, size_t min, size_t max)
{
	uint8_t b[API_LF_LEN / 2];
	int n = strlen(s) < API_LF_LEN ? api_unhex(s, b, sizeof(b)) : -1;

	if (n < 0)
		return fail(f, 400, "bad_parameter",
		            "%s: expected hex octets (\"000100...\" or "
		            "\"00:01:...\")",
		            fkeys[k]);
	if ((size_t)n < min || (size_t)n > max)
		return fail(f, 422, "bad_parameter", "%s: length out of bounds", fkeys[k]);
	api_hex(b, (size_t)n, f->v[k]);
	return 0;
}

static int one_param(struct api_lease_filter *f, int k, const char *s)
{
	static const char *const states[] = {"active",  "declined",  "released",
	                                     "expired", "reclaimed", NULL};
	uint64_t u;
	int64_t t;

	switch (k) {
	case API_LF_ADDRESS:
	case API_LF_PREFIX:
	case API_LF_LINK:
		if (strlen(s) >= ADDR6_PREFIX_STRLEN ||
		    api_lease_addr_parse(s, f->v[k], sizeof(f->v[k])) < 0 ||
		    (k == API_LF_ADDRESS && strchr(s, '/')))
			return fail(f, 400, "bad_parameter", "%s: expected an IPv6 address%s",
			            fkeys[k], k == API_LF_ADDRESS ? "" : " or prefix");
		return 0;
	case API_LF_DUID:
		return hex_param(f, k, s, 1, 130);
	case API_LF_RELAY_ID:
	case API_LF_REMOTE_ID:
		return hex_param(f, k, s, 1, 255);
	case API_LF_IAID:
	case API_LF_SUBNET:
		if (!parse_u64(s, UINT32_MAX, &u))
			return fail(f, 400, "bad_parameter",
			            "%s: expected an integer 0..4294967295", fkeys[k]);
		snprintf(f->v[k], sizeof(f->v[k]), "%llu", (unsigned long long)u);
		return 0;
	case API_LF_TYPE:
		if (strcmp(s, "na") != 0 && strcmp(s, "pd") != 0)
			return fail(f, 400, "bad_parameter", "%s: expected na or pd", fkeys[k]);
		snprintf(f->v[k], sizeof(f->v[k]), "%s", s);
		return 0;
	case API_LF_STATE:
		for (size_t i = 0; states[i]; i++) {
			if (strcmp(s, states[i]) == 0) {
				snprintf(f->v[k], sizeof(f->v[k]), "%s", s);
				return 0;
			}
		}
		return fail(f, 400, "bad_parameter",
		            "%s: expected active, declined, released, expired or reclaimed",
		            fkeys[k]);
	case API_LF_HOSTNAME:
		if (strlen(s) < 1 || strlen(s) > 254)
			return fail(f, 422, "bad_parameter", "%s: expected 1..254 characters",
			            fkeys[k]);
		/* stored fully qualified, with the root dot */
		snprintf(f->v[k], sizeof(f->v[k]), "%s%s", s, s[strlen(s) - 1] == '.' ? "" : ".");
		return 0;
	case API_LF_EXPIRING_BEFORE:
	case API_LF_EXPIRING_AFTER:
		if (!parse_time(s, &t))
			return fail(f, 400, "bad_parameter",
			            "%s: expected an RFC 3339 time such as 2026-12-01T10:00:00Z",
			            fkeys[k]);
		snprintf(f->v[k], sizeof(f->v[k]), "%lld", (long long)t);
		return 0;
	case API_LF_CURSOR:
		return cursor_parse(f, s);
	case API_LF_LIMIT:
		if (!parse_u64(s, UINT32_MAX, &u))
			return fail(f, 400, "bad_parameter", "%s: expected an integer 1..1000",
			            fkeys[k]);
		if (u < 1 || u > LIMIT_MAX)
			return fail(f, 422, "bad_parameter",
			            "%s: at most 1000 leases a page, at least 1", fkeys[k]);
		f->limit = (unsigned)u;
		return 0;
	}
	return CH_EINVAL;
}

int api_lease_filter_parse(const struct api_query *q, struct api_lease_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->limit = LIMIT_DEFAULT;
	for (size_t i = 0; i < q->n; i++) {
		int k;

		for (k = 0; k < API_LF_MAX; k++)
			if (fkeys[k] && strcmp(q->p[i].key, fkeys[k]) == 0)
				break;
		if (k == API_LF_MAX)
			return fail(f, 400, "unknown_parameter", "unknown query parameter %.64s",
			            q->p[i].key);
		if (f->seen[k])
			return fail(f, 400, "bad_parameter", "%s: given twice", fkeys[k]);
		f->seen[k] = true;
		if (one_param(f, k, q->p[i].val) < 0)
			return CH_EINVAL;
		if (k != API_LF_LIMIT && k != API_LF_CURSOR)
			f->set[k] = true;
	}
	snprintf(f->v[API_LF_LIMIT], sizeof(f->v[API_LF_LIMIT]), "%u", f->limit);
	f->set[API_LF_LIMIT] = true;
	return 0;
}

/* ---- handlers ---- */

struct list_ctx {
	unsigned limit;
	/* a page by one id (list_by_id): 1 + which of a->ids_many while its
	 * first range alone is tried, and once the merge of all three runs */
	int first, merged;
	const char *pv[4];     /* its parameters, into v */
	char v[4][API_LF_LEN]; /* the id, the cursor's address and id, the limit */
};

/* The raw query without its cursor, then the new one: the next link. */
static char *next_link(const char *query, const char *cursor)
{
	size_t n = strlen(query), o = 0;
	char *out = malloc(n + strlen(cursor) + 32);
	const char *p = query, *end = query + n;

	if (!out)
		return NULL;
	o += (size_t)sprintf(out, "/v1/leases?");
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);

		if (len &&
		    !(len >= 6 && strncmp(p, "cursor", 6) == 0 && (len == 6 || p[6] == '='))) {
			memcpy(out + o, p, len);
			o += len;
			out[o++] = '&';
		}
		p += len + 1;
	}
	sprintf(out + o, "cursor=%s", cursor);
	return out;
}

static void on_list(struct api_req *r, const PGresult *res);

/* After a page by one id: its first range alone found nothing, so nothing
 * is left or some row holds more than one id, and the merge of the three
 * ranges answers; once that finds rows, the next pages merge at once. */
static bool by_id_merge(struct api_req *r, struct list_ctx *c, const PGresult *res)
{
	int k = c->first - 1;

	if (c->merged && PQntuples(res) > 0)
		r->a->ids_many[c->merged - 1] = true;
	if (!c->first)
		return false;
	c->first = 0;
	if (PQntuples(res) > 0)
		return false;
	c->merged = k + 1;
	api_store_run(r, k ? AST_LEASES_REMOTE_PAGE : AST_LEASES_RELAY_PAGE, c->pv, on_list);
	return true;
}

static void on_list(struct api_req *r, const PGresult *res)
{
	struct list_ctx *c = r->hctx;
	int rows = PQntuples(res), shown = rows > (int)c->limit ? (int)c->limit : rows;
	char cursor[256] = "", *link = NULL;
	/* about 900 octets a lease: one allocation for most pages */
	struct api_buf b = {.cap = 1024 * (size_t)shown + 512};
	/* the first range alone sends no id array of the id it is by (BY_ID_FIRST) */
	const char *known[2] = {c->first == 1 ? c->v[0] : NULL, c->first == 2 ? c->v[0] : NULL};

	if (by_id_merge(r, c, res))
		return;
	b.b = malloc(b.cap);
	if (!b.b)
		b.cap = 0;

	api_buf_puts(&b, "{\"leases\":[");
	for (int i = 0; i < shown; i++) {
		if (i)
			api_buf_put(&b, ",", 1);
		api_lease_row_json(res, i, known, &b);
	}
	api_buf_printf(&b, "],\"count\":%d,\"next\":", shown);
	if (rows > shown && shown > 0) {
		char addr[ADDR6_PREFIX_STRLEN], id[24];

		api_lease_row_key(res, shown - 1, addr, sizeof(addr), id, sizeof(id));
		api_lease_cursor_make(addr, id, cursor, sizeof(cursor));
		link = next_link(r->query, cursor);
		if (!link)
			b.oom = true;
		else
			api_reply_link_next(r, link);
		api_buf_jstr(&b, link);
		api_buf_puts(&b, ",\"cursor\":");
		api_buf_jstr(&b, cursor);
	} else {
		api_buf_puts(&b, "null,\"cursor\":null");
	}
	api_buf_puts(&b, "}\n");
	free(link);
	if (b.oom) {
		free(b.b);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	api_reply_raw(r, 200, "application/json", b.b, b.n);
}

/* No filter set but those of keep (and the cursor and limit, always allowed). */
static bool only(const struct api_lease_filter *f, int keep)
{
	for (int k = 0; k < API_LF_CURSOR; k++)
		if (f->set[k] && k != keep)
			return false;
	return true;
}

/* By an id of the relay data (relay-id, else remote-id): the index ranges of
 * that id (AST_LEASES_RELAY and _REMOTE, or their _PAGE forms when it is
 * the only filter, tried with the first range alone until some row holds
 * more than one id: by_id_merge), which always start after a cursor: the
 * first page after '::/0', 0, which sorts before every lease. */
static void list_by_id(struct api_req *r, const struct api_lease_filter *f, const char **vals,
                       int k)
{
	struct list_ctx *c = r->hctx;
	const char *cur = f->set[API_LF_CURSOR] ? f->v[API_LF_CURSOR] : "::/0",
	           *cid = f->set[API_LF_CURSOR] ? f->v[API_LF_CURSOR_ID] : "0";
	int i = k == API_LF_RELAY_ID ? 0 : 1;

	if (!only(f, k)) {
		vals[API_LF_CURSOR] = cur;
		vals[API_LF_CURSOR_ID] = cid;
		api_store_run(r, i ? AST_LEASES_REMOTE : AST_LEASES_RELAY, vals, on_list);
		return;
	}
	memcpy(c->v[0], f->v[k], sizeof(c->v[0]));
	memcpy(c->v[3], f->v[API_LF_LIMIT], sizeof(c->v[3]));
	snprintf(c->v[1], sizeof(c->v[1]), "%s", cur);
	snprintf(c->v[2], sizeof(c->v[2]), "%s", cid);
	for (int j = 0; j < 4; j++)
		c->pv[j] = c->v[j];
	if (r->a->ids_many[i]) {
		api_store_run(r, i ? AST_LEASES_REMOTE_PAGE : AST_LEASES_RELAY_PAGE, c->pv,
		              on_list);
		return;
	}
	c->first = i + 1;
	api_store_run(r, i ? AST_LEASES_REMOTE_FIRST : AST_LEASES_RELAY_FIRST, c->pv, on_list);
}

void api_leases_list(struct api_req *r)
{
	struct api_query q;
	struct api_lease_filter f;
	struct list_ctx *c;
	const char *vals[API_LF_MAX];
	int err;

	if (!api_query_read(r, &q))
		return;
	err = api_lease_filter_parse(&q, &f);
	api_query_clear(&q);
	if (err) {
		api_error(r, f.status, f.code, "%s", f.err);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	c->limit = f.limit;
	r->hctx = c;
	r->hctx_free = free;
	for (int k = 0; k < API_LF_MAX; k++)
		vals[k] = f.set[k] ? f.v[k] : NULL;
	if (only(&f, -1)) { /* no filter: the page of the whole table */
		const char *pv[3] = {f.set[API_LF_CURSOR] ? f.v[API_LF_CURSOR] : "::/0",
		                     f.set[API_LF_CURSOR] ? f.v[API_LF_CURSOR_ID] : "0",
		                     f.v[API_LF_LIMIT]};

		api_store_run(r, AST_LEASES_PAGE, pv, on_list);
		return;
	}
	if (f.set[API_LF_RELAY_ID] || f.set[API_LF_REMOTE_ID]) {
		list_by_id(r, &f, vals,
		           f.set[API_LF_RELAY_ID] ? API_LF_RELAY_ID : API_LF_REMOTE_ID);
		return;
	}
	api_store_run(r, AST_LEASES_LIST, vals, on_list);
}

/* {"lease": ...<extra>} from row 0; extra is more JSON members or "". */
static void reply_lease(struct api_req *r, const PGresult *res, const char *extra)
{
	struct api_buf b = {0};

	api_buf_puts(&b, "{\"lease\":");
	api_lease_row_json(res, 0, NULL, &b);
	api_buf_puts(&b, extra);
	api_buf_puts(&b, "}\n");
	if (b.oom) {
		free(b.b);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	api_reply_raw(r, 200, "application/json", b.b, b.n);
}

static void on_lease(struct api_req *r, const PGresult *res)
{
	if (PQntuples(res) == 0) {
		api_error(r, 404, "not_found", "no lease for %s", r->param);
		return;
	}
	reply_lease(r, res, "");
}

static bool param_addr(struct api_req *r, char *out, size_t cap)
{
	if (strlen(r->param) >= ADDR6_PREFIX_STRLEN ||
	    api_lease_addr_parse(r->param, out, cap) < 0) {
		api_error(r, 400, "bad_address",
		          "expected an IPv6 address or a delegated prefix (with %%2F for the '/')");
		return false;
	}
	return true;
}

void api_leases_get(struct api_req *r)
{
	char addr[ADDR6_PREFIX_STRLEN];
	const char *vals[1] = {addr};

	if (param_addr(r, addr, sizeof(addr)))
		api_store_run(r, AST_LEASE_GET, vals, on_lease);
}

static void on_deleted(struct api_req *r, const PGresult *res)
{
	if (PQntuples(res) == 0) {
		api_error(r, 404, "not_found", "no lease holds %s", r->param);
		return;
	}
	r->a->cnt[API_CNT_LEASES_DELETED]++;
	reply_lease(r, res,
	            PQgetlength(res, 0, API_LEASE_NCOLS) == 1 &&
	                    *PQgetvalue(res, 0, API_LEASE_NCOLS)
	                ? ",\"dns_removal_queued\":true"
	                : ",\"dns_removal_queued\":false");
}

void api_leases_delete(struct api_req *r)
{
	char addr[ADDR6_PREFIX_STRLEN], by[80];
	const char *vals[2] = {addr, by};

	snprintf(by, sizeof(by), "api:%s", r->token_name);
	if (param_addr(r, addr, sizeof(addr)))
		api_store_run(r, AST_LEASE_DELETE, vals, on_deleted);
}
