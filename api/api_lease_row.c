/*
 * One lease row, as PostgreSQL sends it in binary (the raw columns of
 * LEASE_COLS in api_store.c), written as the API's Lease object
 * (api/openapi.yaml). Binary results spare the backend the text output of
 * inet, timestamptz, bytea and bytea[]; the JSON is written here straight
 * into the page buffer, without printf. Binary forms: PostgreSQL's *_send
 * functions (inet: family, bits, is_cidr, length, octets; timestamptz:
 * microseconds since 2000-01-01 UTC, int64 max for infinity; arrays:
 * dimensions, flags, element type, then length-prefixed elements).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr6.h"
#include "api.h"
#include "api_leases.h"

#define PG_AF_INET6 3                             /* PGSQL_AF_INET6: AF_INET + 1 */
#define PG_EPOCH    946684800LL                   /* 2000-01-01 in Unix seconds */
#define PG_TS_INF   ((int64_t)0x7fffffffffffffff) /* DT_NOEND */

static const uint8_t *val(const PGresult *res, int row, int c, int *len)
{
	if (PQgetisnull(res, row, c))
		return NULL;
	*len = PQgetlength(res, row, c);
	return (const uint8_t *)PQgetvalue(res, row, c);
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* An int2, int4 or int8 column, sign-extended. */
static int64_t num(const uint8_t *p, int n)
{
	uint64_t v = be(p, n);

	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	return (int64_t)v;
}

static void key(struct api_buf *b, const char *k, size_t n)
{
	api_buf_put(b, k, n);
}
#define KEY(b, k) key(b, "," k ":", sizeof("," k ":") - 1)

static void put_i64(struct api_buf *b, int64_t v)
{
	char t[24], *p = t + sizeof(t);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	api_buf_put(b, p, (size_t)(t + sizeof(t) - p));
}

static void put_numcol(struct api_buf *b, const uint8_t *p, int n)
{
	if (!p || (n != 2 && n != 4 && n != 8)) {
		api_buf_put(b, "null", 4);
		return;
	}
	put_i64(b, num(p, n));
}

/* Text, as a JSON string; NULL as null. */
static void put_text(struct api_buf *b, const PGresult *res, int row, int c)
{
	api_buf_jstr(b, PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c));
}

static void put_hex(struct api_buf *b, const uint8_t *p, int n)
{
	static const char hex[] = "0123456789abcdef";
	char t[2 * 64];

	if (!p) {
		api_buf_put(b, "null", 4);
		return;
	}
	api_buf_put(b, "\"", 1);
	while (n > 0) {
		int k = n > 64 ? 64 : n;

		for (int i = 0; i < k; i++) {
			t[2 * i] = hex[p[i] >> 4];
			t[2 * i + 1] = hex[p[i] & 15];
		}
		api_buf_put(b, t, 2 * (size_t)k);
		p += k;
		n -= k;
	}
	api_buf_put(b, "\"", 1);
}

/* RFC 5952 text of a (16 octets) into t, which holds ADDR6_STRLEN; its
 * length. glibc's inet_ntop prints each group with sprintf, which was a
 * tenth of apid's time on a page of leases; the mixed IPv4 forms are
 * left to it, so both print every address alike. */
size_t api_ntop6(const uint8_t *a, char *t)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	size_t k = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
		struct in6_addr x;

		memcpy(x.s6_addr, a, 16);
		return inet_ntop(AF_INET6, &x, t, ADDR6_STRLEN) ? strlen(t) : 0;
	}
	if (best_len < 2) /* RFC 5952 §4.2.2: one zero group is not shortened */
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			t[k++] = ':';
			if (i + best_len == 8)
				t[k++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i)
			t[k++] = ':';
		for (int sh = 12, lead = 1; sh >= 0; sh -= 4) {
			unsigned d = w[i] >> sh & 15;

			if (d || !lead || sh == 0) {
				t[k++] = hex[d];
				lead = 0;
			}
		}
	}
	t[k] = '\0';
	return k;
}

/* An inet as a JSON string: the address, and "/len" when with_len. */
static void put_inet(struct api_buf *b, const uint8_t *p, int n, bool with_len)
{
	char t[ADDR6_PREFIX_STRLEN + 2];
	size_t k;

	if (!p || n != 20 || p[0] != PG_AF_INET6 || p[3] != 16) {
		api_buf_put(b, "null", 4);
		return;
	}
	t[0] = '"';
	if (!(k = api_ntop6(p + 4, t + 1))) {
		api_buf_put(b, "null", 4);
		return;
	}
	k++;
	if (with_len) {
		unsigned bits = p[1];

		t[k++] = '/';
		if (bits >= 100)
			t[k++] = (char)('0' + bits / 100);
		if (bits >= 10)
			t[k++] = (char)('0' + bits / 10 % 10);
		t[k++] = (char)('0' + bits % 10);
	}
	t[k++] = '"';
	api_buf_put(b, t, k);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-compatible
 * low-level date algorithms", days_from_civil's inverse). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* A timestamptz as RFC 3339 UTC, whole seconds; infinity (and what does
 * not fit four digits of year) as null. */
static void put_ts(struct api_buf *b, const uint8_t *p, int n)
{
	int64_t us, s, days, y;
	unsigned m, d, sod;
	char t[24];

	if (!p || n != 8 || (us = num(p, 8)) == PG_TS_INF || us == INT64_MIN) {
		api_buf_put(b, "null", 4);
		return;
	}
	s = (us >= 0 ? us / 1000000 : (us - 999999) / 1000000) + PG_EPOCH;
	days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
	sod = (unsigned)(s - days * 86400);
	civil(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		api_buf_put(b, "null", 4);
		return;
	}
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	memcpy(t, "\"0000-00-00T00:00:00Z\"", 22);
	two(t + 1, (unsigned)(y / 100));
	two(t + 3, (unsigned)(y % 100));
	two(t + 6, m);
	two(t + 9, d);
	two(t + 12, sod / 3600);
	two(t + 15, sod / 60 % 60);
	two(t + 18, sod % 60);
	api_buf_put(b, t, 22);
}

/* A one-dimensional bytea[] as an array of hex strings; anything else as []. */
static void put_hex_array(struct api_buf *b, const uint8_t *p, int n)
{
	size_t off = 20;
	int64_t count;
	bool first = true;

	api_buf_put(b, "[", 1);
	if (p && n >= 12 && be(p, 4) == 1 && n >= 20) {
		count = (int64_t)be(p + 12, 4);
		for (int64_t i = 0; i < count && off + 4 <= (size_t)n; i++) {
			uint32_t len = (uint32_t)be(p + off, 4);

			off += 4;
			if (len == UINT32_MAX) /* a NULL element */
				continue;
			if (len > (size_t)n - off)
				break;
			if (!first)
				api_buf_put(b, ",", 1);
			first = false;
			put_hex(b, p + off, (int)len);
			off += len;
		}
	}
	api_buf_put(b, "]", 1);
}

static bool is_true(const uint8_t *p, int n)
{
	return p && n == 1 && p[0];
}

void api_lease_row_json(const PGresult *res, int row, struct api_buf *b)
{
	const uint8_t *v[API_LEASE_NCOLS];
	int len[API_LEASE_NCOLS] = {0};
	bool na;

	for (int c = 0; c < API_LEASE_NCOLS; c++)
		v[c] = val(res, row, c, &len[c]);
	/* an address shows without its /128 */
	na = len[0] == 2 && memcmp(v[0], "na", 2) == 0 && len[1] == 20 && v[1][1] == 128;
	api_buf_put(b, "{\"address\":", 11);
	put_inet(b, v[1], len[1], !na);
	KEY(b, "\"type\"");
	put_text(b, res, row, 0);
	KEY(b, "\"state\"");
	put_text(b, res, row, 2);
	KEY(b, "\"duid\"");
	put_hex(b, v[3], len[3]);
	KEY(b, "\"iaid\"");
	put_numcol(b, v[4], len[4]);
	KEY(b, "\"subnet_id\"");
	put_numcol(b, v[5], len[5]);
	KEY(b, "\"link_address\"");
	put_inet(b, v[6], len[6], false);
	KEY(b, "\"preferred_lifetime\"");
	put_numcol(b, v[7], len[7]);
	KEY(b, "\"valid_lifetime\"");
	put_numcol(b, v[8], len[8]);
	KEY(b, "\"cltt\"");
	put_ts(b, v[9], len[9]);
	KEY(b, "\"expires_at\"");
	put_ts(b, v[10], len[10]);
	KEY(b, "\"state_at\"");
	put_ts(b, v[11], len[11]);
	KEY(b, "\"granted_by\"");
	put_text(b, res, row, 12);
	KEY(b, "\"hostname\"");
	put_text(b, res, row, 13);
	KEY(b, "\"fqdn_flags\"");
	put_numcol(b, v[14], len[14]);
	KEY(b, "\"dns\"");
	api_buf_puts(b, is_true(v[15], len[15]) ? "{\"forward\":true" : "{\"forward\":false");
	api_buf_puts(b, is_true(v[16], len[16]) ? ",\"reverse\":true}" : ",\"reverse\":false}");
	KEY(b, "\"hwtype\"");
	put_numcol(b, v[17], len[17]);
	KEY(b, "\"hwaddr\"");
	put_hex(b, v[18], len[18]);
	KEY(b, "\"relay\"");
	api_buf_put(b, "{\"source\":", 10);
	put_inet(b, v[19], len[19], false);
	KEY(b, "\"link_address\"");
	put_inet(b, v[20], len[20], false);
	KEY(b, "\"peer_address\"");
	put_inet(b, v[21], len[21], false);
	KEY(b, "\"relay_ids\"");
	put_hex_array(b, v[22], len[22]);
	KEY(b, "\"remote_ids\"");
	put_hex_array(b, v[23], len[23]);
	KEY(b, "\"interface_id\"");
	put_hex(b, v[24], len[24]);
	KEY(b, "\"subscriber_id\"");
	put_hex(b, v[25], len[25]);
	api_buf_put(b, "}", 1);
	KEY(b, "\"created_at\"");
	put_ts(b, v[26], len[26]);
	api_buf_put(b, "}", 1);
}

void api_lease_row_key(const PGresult *res, int row, char *addr, size_t cap, char *id, size_t idcap)
{
	const uint8_t *a = (const uint8_t *)PQgetvalue(res, row, 1);
	const uint8_t *i = (const uint8_t *)PQgetvalue(res, row, API_LEASE_NCOLS);
	struct addr6_prefix p;

	addr[0] = id[0] = '\0';
	if (PQgetlength(res, row, 1) != 20 || a[0] != PG_AF_INET6 ||
	    PQgetlength(res, row, API_LEASE_NCOLS) != 8)
		return;
	memcpy(p.addr.s6_addr, a + 4, 16);
	p.len = a[1];
	addr6_prefix_ntop(&p, addr, cap);
	snprintf(id, idcap, "%lld", (long long)num(i, 8));
}
