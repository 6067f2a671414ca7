/*
 * IPv6 address and prefix math on struct in6_addr: parse and print, prefix
 * and range containment and overlap, 128-bit offsets with saturation, PD pool
 * iteration, and the keyed stable hash that lets sibling instances that never
 * talk pick the same address for the same client (RFC 6853 section 4.3).
 * Nothing here allocates or logs.
 */
#ifndef CHORUS_ADDR6_H
#define CHORUS_ADDR6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR6_STRLEN        46 /* INET6_ADDRSTRLEN */
#define ADDR6_PREFIX_STRLEN 50 /* address, '/', up to 3 digits, NUL */

struct addr6_prefix {
	struct in6_addr addr; /* host bits are always zero */
	uint8_t len;          /* 0..128 */
};

struct addr6_range {
	struct in6_addr start; /* inclusive, start <= end */
	struct in6_addr end;   /* inclusive */
};

/* Parses a textual IPv6 address (no prefix, no zone). 0 or CH_EINVAL. */
int addr6_parse(const char *s, struct in6_addr *out);

/*
 * Parses "2001:db8::/64". The host bits must be zero (a typo such as
 * 2001:db8::1/64 is rejected, not masked). 0 or CH_EINVAL; *out is written
 * only on success.
 */
int addr6_prefix_parse(const char *s, struct addr6_prefix *out);

/* Prints in RFC 5952 form into buf (ADDR6_STRLEN bytes); returns buf. */
const char *addr6_ntop(const struct in6_addr *a, char *buf, size_t len);
/* Prints "addr/len" into buf (ADDR6_PREFIX_STRLEN bytes); returns buf. */
const char *addr6_prefix_ntop(const struct addr6_prefix *p, char *buf, size_t len);

/* Compares as 128-bit unsigned integers: <0, 0, >0. */
int addr6_cmp(const struct in6_addr *a, const struct in6_addr *b);
bool addr6_eq(const struct in6_addr *a, const struct in6_addr *b);
/* Zeroes the bits after the first len (len > 128 counts as 128). */
void addr6_mask(struct in6_addr *a, unsigned len);

bool addr6_in_prefix(const struct in6_addr *a, const struct addr6_prefix *p);
/* True if inner lies wholly inside outer (inner->len >= outer->len). */
bool addr6_prefix_in_prefix(const struct addr6_prefix *inner, const struct addr6_prefix *outer);
bool addr6_prefix_overlap(const struct addr6_prefix *a, const struct addr6_prefix *b);
/* The first and last address of p. */
void addr6_prefix_range(const struct addr6_prefix *p, struct addr6_range *out);

/* Builds a range; CH_EINVAL (and *out untouched) if start > end. */
int addr6_range_make(const struct in6_addr *start, const struct in6_addr *end,
                     struct addr6_range *out);
bool addr6_range_contains(const struct addr6_range *r, const struct in6_addr *a);
bool addr6_range_overlap(const struct addr6_range *a, const struct addr6_range *b);
bool addr6_range_in_prefix(const struct addr6_range *r, const struct addr6_prefix *p);
/* Number of addresses in r, saturating at UINT64_MAX (a /64 reports UINT64_MAX). */
uint64_t addr6_range_count(const struct addr6_range *r);

/*
 * 128-bit arithmetic. add and sub saturate at ffff:...:ffff and :: and
 * return false when they did; diff returns b - a (0 if b < a), saturating
 * at UINT64_MAX.
 */
bool addr6_add(struct in6_addr *a, uint64_t n);
bool addr6_sub(struct in6_addr *a, uint64_t n);
uint64_t addr6_diff(const struct in6_addr *a, const struct in6_addr *b);

/*
 * Splits p into 2^k equal parts and writes part i (0-based) to *out.
 * CH_EINVAL if p->len + k > 128, k > 64 or i >= 2^k.
 */
int addr6_prefix_split(const struct addr6_prefix *p, unsigned k, uint64_t i,
                       struct addr6_prefix *out);

/* Advances *a by one within r; false (and *a untouched) past r's end. */
bool addr6_range_next(const struct addr6_range *r, struct in6_addr *a);
/* The n-th address of r (0-based); CH_ENOENT if r has fewer. */
int addr6_range_nth(const struct addr6_range *r, uint64_t n, struct in6_addr *out);

/*
 * PD pools: the prefixes of length dlen inside pool (pool->len <= dlen <=
 * 128). count saturates at UINT64_MAX. next advances *p to the following
 * prefix of length dlen, false (and *p untouched) at the end of the pool or
 * if *p is not a dlen prefix of the pool.
 */
uint64_t addr6_pd_count(const struct addr6_prefix *pool, unsigned dlen);
bool addr6_pd_next(const struct addr6_prefix *pool, unsigned dlen, struct addr6_prefix *p);
int addr6_pd_nth(const struct addr6_prefix *pool, unsigned dlen, uint64_t n,
                 struct addr6_prefix *out);
/* The inverse of addr6_pd_nth: the 0-based index of the dlen prefix holding
 * a in pool, saturating at UINT64_MAX; 0 if a lies before the pool. */
uint64_t addr6_pd_index(const struct addr6_prefix *pool, unsigned dlen, const struct in6_addr *a);

/*
 * Stable hash. Sibling instances of the identical-prefix model must compute
 * the same candidate for the same client with no communication, on any host
 * and endianness, so the construction is fixed here and never changes
 * without a new version label:
 *
 *   msg  = "chorus-hash-v1" (14 octets, no NUL) || DUID || IAID (4 octets,
 *          network order) || subnet id (4 octets, network order)
 *          || probe i (4 octets, network order)
 *   mac  = HMAC-SHA256(hash-key, msg)                    (RFC 2104, FIPS 180-4)
 *   H    = the first 16 octets of mac, read as an unsigned big-endian integer
 *   N    = number of candidates: addresses in the range, or prefixes of the
 *          delegated length in the PD pool (1 .. 2^128)
 *   cand = element (H mod N) of the range / pool, in ascending order
 *
 * Probe i = 0 is the first choice; on conflict (held by another client,
 * declined, reserved interface id) the caller tries i = 1, 2, ... up to its
 * own bound n, then falls back to an iterative scan.
 */
#define ADDR6_HASH_LABEL  "chorus-hash-v1"
#define ADDR6_HASH_KEYMAX 256 /* longest DUID (130) + IAID + subnet id, rounded up */

/*
 * Writes DUID || IAID || subnet id into buf; returns the length or CH_ENOSPACE
 * if buf is too short.
 */
int addr6_hash_key(uint8_t *buf, size_t len, const uint8_t *duid, size_t duid_len, uint32_t iaid,
                   uint32_t subnet_id);

/* Candidate probe of range r for key (see above). 0, CH_EINVAL or CH_ENOMEM. */
int addr6_hash_range(const uint8_t *hkey, size_t hkey_len, const uint8_t *key, size_t key_len,
                     uint32_t probe, const struct addr6_range *r, struct in6_addr *out);
/* Candidate probe among the dlen prefixes of pool. 0, CH_EINVAL or CH_ENOMEM. */
int addr6_hash_pd(const uint8_t *hkey, size_t hkey_len, const uint8_t *key, size_t key_len,
                  uint32_t probe, const struct addr6_prefix *pool, unsigned dlen,
                  struct addr6_prefix *out);

/*
 * True if a must not be handed out on a link of prefix length plen
 * (RFC 8415 §13.1 via RFC 5453 / RFC 7136):
 *  - the Subnet-Router anycast address: all host bits zero (RFC 4291 §2.6.1),
 *    for plen < 127 (RFC 6164 exempts /127);
 *  - for plen == 64 (EUI-64 format interface ids), the IANA "Reserved IPv6
 *    Interface Identifiers" registry (RFC 5453 §3):
 *      0200:5EFF:FE00:0000 .. 0200:5EFF:FEFF:FFFF (RFC 4291, RFC 6543) and
 *      FDFF:FFFF:FFFF:FF80 .. FDFF:FFFF:FFFF:FFFF, the RFC 2526 §2 reserved
 *      subnet anycast ids: 57 bits 1111110111...111 (u bit zero) followed by
 *      a 7-bit anycast id;
 *  - for other plen <= 120, the RFC 2526 §2 non-EUI-64 form: the highest 128
 *    addresses of the subnet (all host bits one except the 7-bit anycast id).
 */
bool addr6_is_reserved_iid(const struct in6_addr *a, unsigned plen);

#endif
