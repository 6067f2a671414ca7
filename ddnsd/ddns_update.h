/*
 * DNS messages of chorus-ddnsd: RFC 2136 UPDATEs for the RFC 4703 steps,
 * signed with TSIG (RFC 8945, ddns_tsig.c), and the check of a server's
 * answer (ddns_answer.c: id, opcode, TSIG verified against the request's
 * MAC, time within fudge); the RFC 4701 DHCID. Written and read here, on
 * lib/wire.h cursors; no I/O.
 */
#ifndef CHORUS_DDNS_UPDATE_H
#define CHORUS_DDNS_UPDATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ddns_tsig.h"

#define DDNS_DHCID_LEN 35 /* RFC 4701 §3.3: type 2, digest 1, SHA-256 */
#define DDNS_REV_LEN   74 /* 32 nibbles "x." + "ip6.arpa." + NUL */

/* RFC 2136 §2.2 RCODEs and RFC 8945 §5.3 TSIG errors we name. */
enum {
	DDNS_NOERROR = 0,
	DDNS_FORMERR = 1,
	DDNS_SERVFAIL = 2,
	DDNS_NXDOMAIN = 3,
	DDNS_NOTIMP = 4,
	DDNS_REFUSED = 5,
	DDNS_YXDOMAIN = 6,
	DDNS_YXRRSET = 7,
	DDNS_NXRRSET = 8,
	DDNS_NOTAUTH = 9,
	DDNS_NOTZONE = 10,
};

/* The update of one RFC 4703 step (spec/ddns.md §5). */
enum ddns_kind {
	DDNS_FWD_ADD,           /* §5.3.1: name not in use; AAAA + DHCID */
	DDNS_FWD_REPLACE,       /* §5.3.2: in use with our DHCID; replace the AAAA RRset */
	DDNS_FWD_EXISTS,        /* check-exists-with-dhcid: in use with any DHCID; take it */
	DDNS_FWD_FORCE,         /* no-check-with-dhcid: replace AAAA and DHCID */
	DDNS_FWD_FORCE_NODHCID, /* no-check-without-dhcid: replace AAAA only */
	DDNS_FWD_REM_ADDR,      /* §5.5 A: our DHCID; delete these AAAA RRs */
	DDNS_FWD_REM_NAME,      /* §5.5 B: our DHCID, no A/AAAA left; delete the name */
	DDNS_FWD_REM_NODHCID,   /* no-check-without-dhcid: delete these AAAA RRs */
	DDNS_REV_ADD,           /* §5.4: replace the PTR RRset */
	DDNS_REV_REM,           /* §5.5 C: PTR points at us; delete the name */
	DDNS_REV_REM_PTR,       /* §5.5 C for a prefix: PTR points at us; delete that PTR only
	                           (the prefix's name may hold a delegation's NS too) */
	DDNS_KIND_MAX,
};

struct ddns_req {
	enum ddns_kind kind;
	const char *zone;   /* the zone apex, text, absolute */
	const char *name;   /* owner: the FQDN, or the reverse name */
	const char *target; /* the FQDN, for PTR kinds */
	const struct in6_addr *addrs;
	size_t n_addrs;
	const uint8_t *dhcid; /* DDNS_DHCID_LEN octets */
	uint32_t ttl;
	uint16_t id;
};

struct ddns_msg; /* a signed request, kept to verify its answer */

/* RFC 4701 §3.3 with identifier type 2 (the DUID) and SHA-256 of DUID and
 * the FQDN in canonical wire form. 0, or CH_EINVAL for a name we cannot encode. */
int ddns_dhcid(const uint8_t *duid, size_t duid_len, const char *fqdn, uint8_t out[DDNS_DHCID_LEN]);

/* The ip6.arpa name of a: 32 nibbles, reversed (RFC 3596 §2.5). */
void ddns_rev_name(const struct in6_addr *a, char out[DDNS_REV_LEN]);
/* The ip6.arpa name of prefix a/len: its len / 4 leading nibbles, reversed
 * (a /56 is 14 nibbles). 0, or CH_EINVAL when len is not a multiple of 4. */
int ddns_rev_prefix(const struct in6_addr *a, unsigned len, char out[DDNS_REV_LEN]);

/* True when name equals zone or lies under it (case-insensitive, both
 * absolute or both relative); *labels gets zone's label count. */
bool ddns_name_in_zone(const char *name, const char *zone, size_t *labels);

/* Builds and signs r with k. Returns 0, CH_EINVAL (a name or kind we cannot
 * encode, or a message over 64 KiB), CH_ENOMEM, or CH_EIO when libcrypto
 * failed to sign; *out is written only on success. */
int ddns_update_build(const struct ddns_req *r, const struct ddns_key *k, struct ddns_msg **out);
/* One UPDATE carrying the prerequisites and updates of r[0..n) in that
 * order, all in r[0].zone (CH_EINVAL for another zone), with r[0].id: the
 * server does all or none of it (RFC 2136 §3). n == 1 is ddns_update_build. */
int ddns_update_build_n(const struct ddns_req *r, size_t n, const struct ddns_key *k,
                        struct ddns_msg **out);
/* An upper bound of the octets r adds to a message (uncompressed). */
size_t ddns_update_size(const struct ddns_req *r);
/* A signed query for the AAAA RRset of name (remove-stale-ptr reads the
 * addresses a name had before it is replaced). Same returns as above. */
int ddns_query_build(const char *name, uint16_t id, const struct ddns_key *k,
                     struct ddns_msg **out);
const uint8_t *ddns_msg_wire(const struct ddns_msg *m, size_t *len);
uint16_t ddns_msg_id(const struct ddns_msg *m);
uint8_t ddns_msg_opcode(const struct ddns_msg *m);
/* The request's MAC; the query's name (canonical wire form), NULL for an UPDATE. */
const uint8_t *ddns_msg_mac(const struct ddns_msg *m, size_t *len);
const uint8_t *ddns_msg_qname(const struct ddns_msg *m, size_t *len);
void ddns_msg_free(struct ddns_msg *m);

/* "NOERROR", "NXRRSET" ... ("RCODE17" beyond the table). */
const char *ddns_rcode_name(int rcode);
/* "BADSIG", "BADKEY", "BADTIME" ... */
const char *ddns_tsig_error_name(uint16_t err);

#endif
