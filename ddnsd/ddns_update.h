/*
 * DNS messages of chorus-ddnsd: RFC 2136 UPDATEs for the RFC 4703 steps,
 * signed with TSIG (RFC 8945), and the check of a server's answer (id,
 * opcode, TSIG verified against the request's MAC, time within fudge); the
 * RFC 4701 DHCID. The only file that calls ldns; it does no I/O.
 */
#ifndef CHORUS_DDNS_UPDATE_H
#define CHORUS_DDNS_UPDATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define DDNS_DHCID_LEN 35 /* RFC 4701 §3.3: type 2, digest 1, SHA-256 */
#define DDNS_FUDGE     300
#define DDNS_REV_LEN   74 /* 32 nibbles "x." + "ip6.arpa." + NUL */
#define DDNS_MAX_AAAA  16 /* AAAA records read from the answer to a query */

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

struct ddns_answer {
	int rcode;           /* RFC 2136 RCODE of the header */
	uint16_t tsig_error; /* TSIG Error field, 0 when none */
	bool truncated;      /* TC: ask again over TCP */
	bool trusted;        /* signed with our key, MAC and time verified */
	bool has_tsig;       /* a TSIG RR was there, verified or not */
	int64_t server_time; /* Time Signed of the answer's TSIG, 0 when none */
	/* the answer to a query (ddns_query_build): the name's AAAA records */
	struct in6_addr aaaa[DDNS_MAX_AAAA];
	size_t n_aaaa;
};

struct ddns_key; /* a TSIG key in the form ldns takes */
struct ddns_msg; /* a signed request, kept to verify its answer */

/* True when ldns can sign and verify with algorithm a (probed once). */
bool ddns_update_alg_supported(enum conf_tsig_alg a);
/* "ldns 1.8.3", for the messages that refuse an algorithm. */
const char *ddns_update_ldns_version(void);

/* Returns 0, CH_ENOMEM, or CH_EINVAL when ldns lacks k's algorithm. */
int ddns_key_new(const struct conf_tsig_key *k, struct ddns_key **out);
void ddns_key_free(struct ddns_key *k);

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
 * encode), CH_ENOMEM, or CH_EIO when ldns refused to sign; *out is written
 * only on success. */
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
void ddns_msg_free(struct ddns_msg *m);

/*
 * Reads wire as the answer to m: 0 and *out filled when it is a response
 * with m's id and opcode (trusted says whether its TSIG verified
 * against k and m's MAC with the time within the fudge of now, seconds
 * since the epoch); CH_ENOENT when it answers something else; CH_EMALFORMED
 * when it is no DNS message.
 */
int ddns_update_parse(const struct ddns_msg *m, const struct ddns_key *k, const uint8_t *wire,
                      size_t len, int64_t now, struct ddns_answer *out);

/* "NOERROR", "NXRRSET" ... ("RCODE17" beyond the table). */
const char *ddns_rcode_name(int rcode);
/* "BADSIG", "BADKEY", "BADTIME" ... */
const char *ddns_tsig_error_name(uint16_t err);

#endif
