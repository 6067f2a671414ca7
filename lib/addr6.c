/*
 * IPv6 address and prefix math (see addr6.h). Addresses are handled as
 * 128-bit unsigned integers split into two 64-bit halves, so the results do
 * not depend on host endianness. The stable hash uses HMAC-SHA256 from
 * OpenSSL libcrypto.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "addr6.h"
#include "errors.h"

struct u128 {
	uint64_t hi;
	uint64_t lo;
};

static struct u128 u128_from(const struct in6_addr *a)
{
	struct u128 v = {0, 0};

	for (int i = 0; i < 8; i++) {
		v.hi = (v.hi << 8) | a->s6_addr[i];
		v.lo = (v.lo << 8) | a->s6_addr[i + 8];
	}
	return v;
}

static void u128_to(struct u128 v, struct in6_addr *a)
{
	for (int i = 7; i >= 0; i--) {
		a->s6_addr[i] = (uint8_t)(v.hi & 0xff);
		a->s6_addr[i + 8] = (uint8_t)(v.lo & 0xff);
		v.hi >>= 8;
		v.lo >>= 8;
	}
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* a + b; *carry set on overflow past 2^128 - 1. */
static struct u128 u128_add(struct u128 a, struct u128 b, bool *carry)
{
	struct u128 r;
	bool c = a.lo + b.lo < a.lo;

	r.lo = a.lo + b.lo;
	r.hi = a.hi + b.hi + (c ? 1 : 0);
	*carry = r.hi < a.hi || (r.hi == a.hi && (b.hi != 0 || c));
	return r;
}

static struct u128 u128_sub(struct u128 a, struct u128 b)
{
	struct u128 r = {a.hi - b.hi, a.lo - b.lo};

	if (a.lo < b.lo)
		r.hi--;
	return r;
}

static struct u128 u128_shl(struct u128 v, unsigned n)
{
	struct u128 r = {0, 0};

	if (n >= 128)
		return r;
	if (n >= 64) {
		r.hi = v.lo << (n - 64);
		return r;
	}
	if (n == 0)
		return v;
	r.hi = (v.hi << n) | (v.lo >> (64 - n));
	r.lo = v.lo << n;
	return r;
}

static struct u128 u128_shr(struct u128 v, unsigned n)
{
	struct u128 r = {0, 0};

	if (n >= 128)
		return r;
	if (n >= 64) {
		r.lo = v.hi >> (n - 64);
		return r;
	}
	if (n == 0)
		return v;
	r.lo = (v.lo >> n) | (v.hi << (64 - n));
	r.hi = v.hi >> n;
	return r;
}

/* a mod m by shift and subtract; m == 0 stands for 2^128 (a is returned). */
static struct u128 u128_mod(struct u128 a, struct u128 m)
{
	struct u128 r = {0, 0};

	if (m.hi == 0 && m.lo == 0)
		return a;
	for (int i = 127; i >= 0; i--) {
		bool top = (r.hi >> 63) != 0;

		r = u128_shl(r, 1);
		r.lo |= i >= 64 ? (a.hi >> (i - 64)) & 1 : (a.lo >> i) & 1;
		if (top || u128_cmp(r, m) >= 0)
			r = u128_sub(r, m);
	}
	return r;
}

static uint64_t u128_sat64(struct u128 v)
{
	return v.hi ? UINT64_MAX : v.lo;
}

int addr6_parse(const char *s, struct in6_addr *out)
{
	struct in6_addr a;

	if (!s || inet_pton(AF_INET6, s, &a) != 1)
		return CH_EINVAL;
	*out = a;
	return 0;
}

int addr6_prefix_parse(const char *s, struct addr6_prefix *out)
{
	char buf[ADDR6_PREFIX_STRLEN];
	const char *slash;
	struct addr6_prefix p;
	struct in6_addr masked;
	size_t alen;
	unsigned len = 0;

	if (!s || !(slash = strchr(s, '/')))
		return CH_EINVAL;
	alen = (size_t)(slash - s);
	if (alen >= ADDR6_STRLEN)
		return CH_EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr6_parse(buf, &p.addr) < 0)
		return CH_EINVAL;
	/* at most three decimal digits, no sign, no spaces, no leading zero */
	slash++;
	if (slash[0] == '\0' || strlen(slash) > 3 || (slash[0] == '0' && slash[1] != '\0'))
		return CH_EINVAL;
	for (const char *d = slash; *d; d++) {
		if (*d < '0' || *d > '9')
			return CH_EINVAL;
		len = len * 10 + (unsigned)(*d - '0');
	}
	if (len > 128)
		return CH_EINVAL;
	p.len = (uint8_t)len;
	masked = p.addr;
	addr6_mask(&masked, len);
	if (!addr6_eq(&masked, &p.addr))
		return CH_EINVAL;
	*out = p;
	return 0;
}

const char *addr6_ntop(const struct in6_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len) && len > 0)
		buf[0] = '\0';
	return buf;
}

const char *addr6_prefix_ntop(const struct addr6_prefix *p, char *buf, size_t len)
{
	char a[ADDR6_STRLEN];

	addr6_ntop(&p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, (unsigned)p->len);
	return buf;
}

int addr6_cmp(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a->s6_addr, b->s6_addr, 16);
}

bool addr6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a->s6_addr, b->s6_addr, 16) == 0;
}

void addr6_mask(struct in6_addr *a, unsigned len)
{
	if (len >= 128)
		return;
	a->s6_addr[len / 8] &= (uint8_t)(0xff00u >> (len % 8));
	for (unsigned i = len / 8 + 1; i < 16; i++)
		a->s6_addr[i] = 0;
}

/* The last address of the prefix of length len containing a. */
static void addr6_fill(struct in6_addr *a, unsigned len)
{
	if (len >= 128)
		return;
	a->s6_addr[len / 8] |= (uint8_t)(0xffu >> (len % 8));
	for (unsigned i = len / 8 + 1; i < 16; i++)
		a->s6_addr[i] = 0xff;
}

bool addr6_in_prefix(const struct in6_addr *a, const struct addr6_prefix *p)
{
	struct in6_addr m = *a;

	addr6_mask(&m, p->len);
	return addr6_eq(&m, &p->addr);
}

bool addr6_prefix_in_prefix(const struct addr6_prefix *inner, const struct addr6_prefix *outer)
{
	return inner->len >= outer->len && addr6_in_prefix(&inner->addr, outer);
}

bool addr6_prefix_overlap(const struct addr6_prefix *a, const struct addr6_prefix *b)
{
	return addr6_prefix_in_prefix(a, b) || addr6_prefix_in_prefix(b, a);
}

void addr6_prefix_range(const struct addr6_prefix *p, struct addr6_range *out)
{
	out->start = p->addr;
	addr6_mask(&out->start, p->len);
	out->end = out->start;
	addr6_fill(&out->end, p->len);
}

int addr6_range_make(const struct in6_addr *start, const struct in6_addr *end,
                     struct addr6_range *out)
{
	if (addr6_cmp(start, end) > 0)
		return CH_EINVAL;
	out->start = *start;
	out->end = *end;
	return 0;
}

bool addr6_range_contains(const struct addr6_range *r, const struct in6_addr *a)
{
	return addr6_cmp(&r->start, a) <= 0 && addr6_cmp(a, &r->end) <= 0;
}

bool addr6_range_overlap(const struct addr6_range *a, const struct addr6_range *b)
{
	return addr6_cmp(&a->start, &b->end) <= 0 && addr6_cmp(&b->start, &a->end) <= 0;
}

bool addr6_range_in_prefix(const struct addr6_range *r, const struct addr6_prefix *p)
{
	return addr6_in_prefix(&r->start, p) && addr6_in_prefix(&r->end, p);
}

/* end - start + 1 as a u128; 0 stands for 2^128 (the whole space). */
static struct u128 range_size(const struct addr6_range *r)
{
	struct u128 one = {0, 1};
	bool carry;

	return u128_add(u128_sub(u128_from(&r->end), u128_from(&r->start)), one, &carry);
}

uint64_t addr6_range_count(const struct addr6_range *r)
{
	struct u128 n = range_size(r);

	if (n.hi == 0 && n.lo == 0)
		return UINT64_MAX;
	return u128_sat64(n);
}

bool addr6_add(struct in6_addr *a, uint64_t n)
{
	struct u128 b = {0, n};
	bool carry;
	struct u128 r = u128_add(u128_from(a), b, &carry);

	if (carry) {
		memset(a->s6_addr, 0xff, 16);
		return false;
	}
	u128_to(r, a);
	return true;
}

bool addr6_sub(struct in6_addr *a, uint64_t n)
{
	struct u128 v = u128_from(a);
	struct u128 b = {0, n};

	if (u128_cmp(v, b) < 0) {
		memset(a->s6_addr, 0, 16);
		return false;
	}
	u128_to(u128_sub(v, b), a);
	return true;
}

uint64_t addr6_diff(const struct in6_addr *a, const struct in6_addr *b)
{
	struct u128 va = u128_from(a), vb = u128_from(b);

	if (u128_cmp(vb, va) <= 0)
		return 0;
	return u128_sat64(u128_sub(vb, va));
}

int addr6_prefix_split(const struct addr6_prefix *p, unsigned k, uint64_t i,
                       struct addr6_prefix *out)
{
	struct addr6_prefix r;
	struct u128 v;

	if (k > 64 || p->len + k > 128 || (k < 64 && i >> k != 0))
		return CH_EINVAL;
	v = u128_from(&p->addr);
	v.hi |= u128_shl((struct u128){0, i}, 128 - p->len - k).hi;
	v.lo |= u128_shl((struct u128){0, i}, 128 - p->len - k).lo;
	u128_to(v, &r.addr);
	r.len = (uint8_t)(p->len + k);
	*out = r;
	return 0;
}

bool addr6_range_next(const struct addr6_range *r, struct in6_addr *a)
{
	struct in6_addr n = *a;

	if (addr6_cmp(a, &r->end) >= 0 || addr6_cmp(a, &r->start) < 0)
		return false;
	addr6_add(&n, 1);
	*a = n;
	return true;
}

int addr6_range_nth(const struct addr6_range *r, uint64_t n, struct in6_addr *out)
{
	struct u128 size = range_size(r);
	struct u128 idx = {0, n};
	bool carry;

	if ((size.hi != 0 || size.lo != 0) && u128_cmp(idx, size) >= 0)
		return CH_ENOENT;
	u128_to(u128_add(u128_from(&r->start), idx, &carry), out);
	return 0;
}

uint64_t addr6_pd_count(const struct addr6_prefix *pool, unsigned dlen)
{
	unsigned bits;

	if (dlen < pool->len || dlen > 128)
		return 0;
	bits = dlen - pool->len;
	return bits >= 64 ? UINT64_MAX : (uint64_t)1 << bits;
}

bool addr6_pd_next(const struct addr6_prefix *pool, unsigned dlen, struct addr6_prefix *p)
{
	struct u128 v, step;
	struct addr6_prefix n;
	bool carry;

	if (dlen < pool->len || dlen > 128 || p->len != dlen || !addr6_prefix_in_prefix(p, pool))
		return false;
	step = u128_shl((struct u128){0, 1}, 128 - dlen);
	v = u128_add(u128_from(&p->addr), step, &carry);
	if (carry)
		return false;
	u128_to(v, &n.addr);
	n.len = (uint8_t)dlen;
	if (!addr6_in_prefix(&n.addr, pool))
		return false;
	*p = n;
	return true;
}

int addr6_pd_nth(const struct addr6_prefix *pool, unsigned dlen, uint64_t n,
                 struct addr6_prefix *out)
{
	struct addr6_prefix r;
	struct u128 v, off;
	unsigned bits;

	if (dlen < pool->len || dlen > 128)
		return CH_EINVAL;
	bits = dlen - pool->len;
	if (bits < 64 && n >> bits != 0)
		return CH_ENOENT;
	v = u128_from(&pool->addr);
	off = u128_shl((struct u128){0, n}, 128 - dlen);
	v.hi |= off.hi;
	v.lo |= off.lo;
	u128_to(v, &r.addr);
	r.len = (uint8_t)dlen;
	*out = r;
	return 0;
}

uint64_t addr6_pd_index(const struct addr6_prefix *pool, unsigned dlen, const struct in6_addr *a)
{
	struct u128 va = u128_from(&pool->addr), vb = u128_from(a);

	if (dlen > 128 || u128_cmp(vb, va) <= 0)
		return 0;
	return u128_sat64(u128_shr(u128_sub(vb, va), 128 - dlen));
}

int addr6_hash_key(uint8_t *buf, size_t len, const uint8_t *duid, size_t duid_len, uint32_t iaid,
                   uint32_t subnet_id)
{
	if (duid_len > len || len - duid_len < 8 || duid_len > ADDR6_HASH_KEYMAX - 8)
		return CH_ENOSPACE;
	if (duid_len)
		memcpy(buf, duid, duid_len);
	for (int i = 0; i < 4; i++) {
		buf[duid_len + (size_t)i] = (uint8_t)(iaid >> (24 - 8 * i));
		buf[duid_len + 4 + (size_t)i] = (uint8_t)(subnet_id >> (24 - 8 * i));
	}
	return (int)(duid_len + 8);
}

/* H of addr6.h: the first 16 octets of the HMAC, big-endian. */
static int hash_h(const uint8_t *hkey, size_t hkey_len, const uint8_t *key, size_t key_len,
                  uint32_t probe, struct u128 *out)
{
	uint8_t msg[sizeof(ADDR6_HASH_LABEL) - 1 + ADDR6_HASH_KEYMAX + 4];
	size_t lab = sizeof(ADDR6_HASH_LABEL) - 1;
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	struct in6_addr h;
	static const uint8_t empty[1] = {0};

	if (key_len > ADDR6_HASH_KEYMAX || hkey_len > INT32_MAX)
		return CH_EINVAL;
	memcpy(msg, ADDR6_HASH_LABEL, lab);
	if (key_len)
		memcpy(msg + lab, key, key_len);
	for (int i = 0; i < 4; i++)
		msg[lab + key_len + (size_t)i] = (uint8_t)(probe >> (24 - 8 * i));
	if (!HMAC(EVP_sha256(), hkey_len ? hkey : empty, (int)hkey_len, msg, lab + key_len + 4, mac,
	          &mac_len) ||
	    mac_len < 16)
		return CH_ENOMEM;
	memcpy(h.s6_addr, mac, 16);
	*out = u128_from(&h);
	return 0;
}

int addr6_hash_range(const uint8_t *hkey, size_t hkey_len, const uint8_t *key, size_t key_len,
                     uint32_t probe, const struct addr6_range *r, struct in6_addr *out)
{
	struct u128 h;
	bool carry;
	int rc;

	if (addr6_cmp(&r->start, &r->end) > 0)
		return CH_EINVAL;
	rc = hash_h(hkey, hkey_len, key, key_len, probe, &h);
	if (rc < 0)
		return rc;
	h = u128_mod(h, range_size(r));
	u128_to(u128_add(u128_from(&r->start), h, &carry), out);
	return 0;
}

int addr6_hash_pd(const uint8_t *hkey, size_t hkey_len, const uint8_t *key, size_t key_len,
                  uint32_t probe, const struct addr6_prefix *pool, unsigned dlen,
                  struct addr6_prefix *out)
{
	struct u128 h, n, v;
	struct addr6_prefix r;
	int rc;

	if (dlen < pool->len || dlen > 128)
		return CH_EINVAL;
	rc = hash_h(hkey, hkey_len, key, key_len, probe, &h);
	if (rc < 0)
		return rc;
	n = u128_shl((struct u128){0, 1}, dlen - pool->len); /* 0 stands for 2^128 */
	h = u128_shl(u128_mod(h, n), 128 - dlen);
	v = u128_from(&pool->addr);
	v.hi |= h.hi;
	v.lo |= h.lo;
	u128_to(v, &r.addr);
	r.len = (uint8_t)dlen;
	*out = r;
	return 0;
}

bool addr6_is_reserved_iid(const struct in6_addr *a, unsigned plen)
{
	struct u128 v = u128_from(a);
	struct u128 host = u128_shr(u128_shl(v, plen), plen);
	struct u128 ones = u128_shr((struct u128){UINT64_MAX, UINT64_MAX}, plen);

	if (plen >= 128)
		return false;
	/* RFC 4291 §2.6.1 Subnet-Router anycast; RFC 6164 §6 exempts /127 */
	if (plen < 127 && host.hi == 0 && host.lo == 0)
		return true;
	if (plen == 64) {
		/* RFC 5453 §3 registry: interface ids 0200:5EFF:FE00:0000 .. 0200:5EFF:FEFF:FFFF */
		if ((v.lo >> 24) == 0x02005efffeULL)
			return true;
		/* RFC 2526 §2: 1111110111111...111 (57 bits) + 7-bit anycast id */
		return (v.lo >> 7) == (0xfdffffffffffff80ULL >> 7);
	}
	/* RFC 2526 §2, non-EUI-64 interface ids: the highest 128 of the subnet */
	if (plen <= 120)
		return u128_cmp(u128_shr(host, 7), u128_shr(ones, 7)) == 0;
	return false;
}
