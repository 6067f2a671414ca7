/*
 * One lease row, as PostgreSQL sends it in binary (the raw columns of
 * LEASE_COLS in api_store.c), written as the API's Lease object
 * (api/openapi.yaml). Binary results spare the backend the text output of
 * inet, timestamptz, bytea and bytea[]; the JSON is written here straight
 * into the page buffer, without printf: room for the whole row is made
 * once (row_bound), then each field is written with no check of its own.
 * Binary forms: PostgreSQL's *_send
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

/* NULL for a NULL: libpq gives it length 0, so only an empty value is asked
 * whether it is one (one libpq call less a column: 2,700 a page). */
static const uint8_t *val(const PGresult *res, int row, int c, int *len)
{
	*len = PQgetlength(res, row, c);
	if (!*len && PQgetisnull(res, row, c))
		return NULL;
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

/* Writers into room the caller made (api_buf_room): each returns the end
 * of what it wrote, at most what row_bound counts for it. */
#define PUT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)
#define KEY(o, k)   PUT(o, "," k ":")

static char *put_i64(char *o, int64_t v)
{
	char t[24], *p = t + sizeof(t);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(t + sizeof(t) - p);
	memcpy(o, p, n);
	return o + n;
}

static char *put_numcol(char *o, const uint8_t *p, int n)
{
	if (!p || (n != 2 && n != 4 && n != 8))
		return PUT(o, "null");
	return put_i64(o, num(p, n));
}

/* Text as a JSON string (RFC 8259 §7: '"', '\\' and controls escaped); NULL as null. */
static char *put_text(char *o, const uint8_t *p, int n)
{
	static const char hex[] = "0123456789abcdef";

	if (!p)
		return PUT(o, "null");
	*o++ = '"';
	for (int i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			o = PUT(o, "\\u00");
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	return o;
}

static char *put_hex_raw(char *o, const uint8_t *p, int n)
{
	static const char hex[] = "0123456789abcdef";

	*o++ = '"';
	for (int i = 0; i < n; i++) {
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o++ = '"';
	return o;
}

static char *put_hex(char *o, const uint8_t *p, int n)
{
	return p ? put_hex_raw(o, p, n) : PUT(o, "null");
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

/* The text of the last few addresses written: a page's rows mostly share
 * their link and relay addresses, and api_ntop6 was nearly a tenth of apid's
 * time a page. apid has one thread. */
#define NTOP_CACHE 4
static struct {
	uint8_t a[16];
	size_t k;
	char t[ADDR6_STRLEN];
} ntop_cache[NTOP_CACHE];
static unsigned ntop_next;

static size_t ntop6_cached(const uint8_t *a, char *t)
{
	size_t k;

	for (int i = 0; i < NTOP_CACHE; i++) {
		if (ntop_cache[i].k && memcmp(ntop_cache[i].a, a, 16) == 0) {
			memcpy(t, ntop_cache[i].t, ntop_cache[i].k);
			return ntop_cache[i].k;
		}
	}
	k = api_ntop6(a, t);
	if (k) {
		unsigned i = ntop_next++ % NTOP_CACHE;

		memcpy(ntop_cache[i].a, a, 16);
		memcpy(ntop_cache[i].t, t, k);
		ntop_cache[i].k = k;
	}
	return k;
}

/* An inet as a JSON string: the address, and "/len" when with_len. */
static char *put_inet(char *o, const uint8_t *p, int n, bool with_len)
{
	char *t = o;
	size_t k;

	if (!p || n != 20 || p[0] != PG_AF_INET6 || p[3] != 16)
		return PUT(o, "null");
	*t++ = '"';
	if (!(k = ntop6_cached(p + 4, t)))
		return PUT(o, "null");
	t += k;
	if (with_len) {
		unsigned bits = p[1];

		*t++ = '/';
		if (bits >= 100)
			*t++ = (char)('0' + bits / 100);
		if (bits >= 10)
			*t++ = (char)('0' + bits / 10 % 10);
		*t++ = (char)('0' + bits % 10);
	}
	*t++ = '"';
	return t;
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
static char *put_ts(char *o, const uint8_t *p, int n)
{
	static int64_t last_s = INT64_MIN; /* the last one written, and its text */
	static char last[22];
	int64_t us, s, days, y;
	unsigned m, d, sod;

	if (!p || n != 8 || (us = num(p, 8)) == PG_TS_INF || us == INT64_MIN)
		return PUT(o, "null");
	s = (us >= 0 ? us / 1000000 : (us - 999999) / 1000000) + PG_EPOCH;
	if (s == last_s) { /* a row's times, and a page's rows, often share their second */
		memcpy(o, last, 22);
		return o + 22;
	}
	days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
	sod = (unsigned)(s - days * 86400);
	civil(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return PUT(o, "null");
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	memcpy(o, "\"0000-00-00T00:00:00Z\"", 22);
	two(o + 1, (unsigned)(y / 100));
	two(o + 3, (unsigned)(y % 100));
	two(o + 6, m);
	two(o + 9, d);
	two(o + 12, sod / 3600);
	two(o + 15, sod / 60 % 60);
	two(o + 18, sod % 60);
	memcpy(last, o, 22);
	last_s = s;
	return o + 22;
}

/* A one-dimensional bytea[] as an array of hex strings; anything else as []. */
static char *put_hex_array(char *o, const uint8_t *p, int n)
{
	size_t off = 20;
	int64_t count;
	bool first = true;

	*o++ = '[';
	if (p && n >= 20 && be(p, 4) == 1) {
		count = (int64_t)be(p + 12, 4);
		for (int64_t i = 0; i < count && off + 4 <= (size_t)n; i++) {
			uint32_t len = (uint32_t)be(p + off, 4);

			off += 4;
			if (len == UINT32_MAX) /* a NULL element */
				continue;
			if (len > (size_t)n - off)
				break;
			if (!first)
				*o++ = ',';
			first = false;
			o = put_hex_raw(o, p + off, (int)len);
			off += len;
		}
	}
	*o++ = ']';
	return o;
}

static bool is_true(const uint8_t *p, int n)
{
	return p && n == 1 && p[0];
}

/* What a row can write at most: the keys and the fixed-width values (an
 * inet is at most 52 octets, a number 20, null 4) fit in ROW_FIXED; text
 * escapes to at most 6 octets an octet, hex is 2, and a bytea[] element
 * (with its 4-octet length) at most 2 * len + 3. */
#define ROW_FIXED 2048
static size_t row_bound(const int *len, const char *const *known)
{
	static const unsigned char per_octet[API_LEASE_NCOLS] = {
	    [0] = 6,  [2] = 6,  [3] = 2,  [12] = 6, [13] = 6,
	    [18] = 2, [22] = 3, [23] = 3, [24] = 2, [25] = 2,
	};
	size_t n = ROW_FIXED;

	for (int c = 0; c < API_LEASE_NCOLS; c++)
		n += (size_t)per_octet[c] * (size_t)len[c];
	for (int i = 0; known && i < 2; i++)
		n += known[i] ? strlen(known[i]) + 4 : 0;
	return n;
}

/* An id array: the column, or [ID] when the statement sent NULL for it and
 * its one element is ID (hex, known from the filter). */
static char *put_ids(char *o, const uint8_t *p, int n, const char *id)
{
	size_t k;

	if (p || !id)
		return put_hex_array(o, p, n);
	k = strlen(id);
	o = PUT(o, "[\"");
	memcpy(o, id, k);
	return PUT(o + k, "\"]");
}

void api_lease_row_json(const PGresult *res, int row, const char *const *known, struct api_buf *b)
{
	const uint8_t *v[API_LEASE_NCOLS];
	int len[API_LEASE_NCOLS] = {0};
	bool na;
	char *o;

	for (int c = 0; c < API_LEASE_NCOLS; c++)
		v[c] = val(res, row, c, &len[c]);
	if (!(o = api_buf_room(b, row_bound(len, known))))
		return;
	/* an address shows without its /128 */
	na = len[0] == 2 && memcmp(v[0], "na", 2) == 0 && len[1] == 20 && v[1][1] == 128;
	o = PUT(o, "{\"address\":");
	o = put_inet(o, v[1], len[1], !na);
	o = KEY(o, "\"type\"");
	o = put_text(o, v[0], len[0]);
	o = KEY(o, "\"state\"");
	o = put_text(o, v[2], len[2]);
	o = KEY(o, "\"duid\"");
	o = put_hex(o, v[3], len[3]);
	o = KEY(o, "\"iaid\"");
	o = put_numcol(o, v[4], len[4]);
	o = KEY(o, "\"subnet_id\"");
	o = put_numcol(o, v[5], len[5]);
	o = KEY(o, "\"link_address\"");
	o = put_inet(o, v[6], len[6], false);
	o = KEY(o, "\"preferred_lifetime\"");
	o = put_numcol(o, v[7], len[7]);
	o = KEY(o, "\"valid_lifetime\"");
	o = put_numcol(o, v[8], len[8]);
	o = KEY(o, "\"cltt\"");
	o = put_ts(o, v[9], len[9]);
	o = KEY(o, "\"expires_at\"");
	o = put_ts(o, v[10], len[10]);
	o = KEY(o, "\"state_at\"");
	o = put_ts(o, v[11], len[11]);
	o = KEY(o, "\"granted_by\"");
	o = put_text(o, v[12], len[12]);
	o = KEY(o, "\"hostname\"");
	o = put_text(o, v[13], len[13]);
	o = KEY(o, "\"fqdn_flags\"");
	o = put_numcol(o, v[14], len[14]);
	o = KEY(o, "\"dns\"");
	o = is_true(v[15], len[15]) ? PUT(o, "{\"forward\":true") : PUT(o, "{\"forward\":false");
	o = is_true(v[16], len[16]) ? PUT(o, ",\"reverse\":true}") : PUT(o, ",\"reverse\":false}");
	o = KEY(o, "\"hwtype\"");
	o = put_numcol(o, v[17], len[17]);
	o = KEY(o, "\"hwaddr\"");
	o = put_hex(o, v[18], len[18]);
	o = KEY(o, "\"relay\"");
	o = PUT(o, "{\"source\":");
	o = put_inet(o, v[19], len[19], false);
	o = KEY(o, "\"link_address\"");
	o = put_inet(o, v[20], len[20], false);
	o = KEY(o, "\"peer_address\"");
	o = put_inet(o, v[21], len[21], false);
	o = KEY(o, "\"relay_ids\"");
	o = put_ids(o, v[22], len[22], known ? known[0] : NULL);
	o = KEY(o, "\"remote_ids\"");
	o = put_ids(o, v[23], len[23], known ? known[1] : NULL);
	o = KEY(o, "\"interface_id\"");
	o = put_hex(o, v[24], len[24]);
	o = KEY(o, "\"subscriber_id\"");
	o = put_hex(o, v[25], len[25]);
	*o++ = '}';
	o = KEY(o, "\"created_at\"");
	o = put_ts(o, v[26], len[26]);
	*o++ = '}';
	api_buf_done(b, o);
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
