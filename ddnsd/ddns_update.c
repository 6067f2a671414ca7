/*
 * DNS messages (see ddns_update.h). RFC 2136 §2 (sections, prerequisite
 * and update encodings), RFC 4703 §5 (the steps), RFC 1035 §4.1 (header,
 * question, RRs), RFC 4701 §3 (DHCID, SHA-256 from libcrypto). Each message
 * is written once into one buffer, names uncompressed (RFC 1035 §4.1.4
 * makes compression optional), then signed (ddns_tsig.c) and copied out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <openssl/evp.h>

#include "ddns_name.h"
#include "ddns_tsig.h"
#include "ddns_update.h"
#include "errors.h"
#include "wire.h"

/* RFC 1035 §3.2.2, RFC 2136 §1.3, RFC 4701 §3.1 */
enum { T_A = 1, T_PTR = 12, T_AAAA = 28, T_DHCID = 49, T_ANY = 255 };
enum { C_IN = 1, C_NONE = 254, C_ANY = 255 };
#define OPCODE_QUERY  0
#define OPCODE_UPDATE 5
#define MSG_MAX       65535

struct ddns_msg {
	uint16_t id;
	uint8_t opcode;
	uint8_t mac[DDNS_MAC_MAX]; /* the request's MAC, which the answer's digest starts with */
	size_t mac_len;
	uint8_t qname[DDNS_NAME_WIRE]; /* a query's name (canonical), whose AAAA the answer gives */
	size_t qname_len;
	size_t len;
	uint8_t wire[]; /* len octets, as sent */
};

/* ---- names ---------------------------------------------------------- */

bool ddns_name_in_zone(const char *name, const char *zone, size_t *labels)
{
	size_t n = ddns_name_bare_len(name), z = ddns_name_bare_len(zone), l = z ? 1 : 0;

	for (size_t i = 0; i < z; i++)
		l += zone[i] == '.';
	if (labels)
		*labels = l;
	if (z == 0)
		return true;
	if (z > n || strncasecmp(name + n - z, zone, z) != 0)
		return false;
	return z == n || name[n - z - 1] == '.';
}

int ddns_dhcid(const uint8_t *duid, size_t duid_len, const char *fqdn, uint8_t out[DDNS_DHCID_LEN])
{
	/* kept: OpenSSL 3 looks the algorithm up at every init otherwise */
	static EVP_MD *sha256;
	static EVP_MD_CTX *c;
	uint8_t wire[256], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t wlen;

	if (ddns_name_to_wire(fqdn, true, wire, sizeof(wire), &wlen) < 0)
		return CH_EINVAL;
	if (!sha256 && !(sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)))
		return CH_EIO;
	if (!c && !(c = EVP_MD_CTX_new()))
		return CH_ENOMEM;
	if (!EVP_DigestInit_ex(c, sha256, NULL) || !EVP_DigestUpdate(c, duid, duid_len) ||
	    !EVP_DigestUpdate(c, wire, wlen) || !EVP_DigestFinal_ex(c, md, &mdlen) || mdlen != 32)
		return CH_EIO;
	out[0] = 0x00; /* identifier type 2: a DUID */
	out[1] = 0x02;
	out[2] = 0x01; /* digest type 1: SHA-256 */
	memcpy(out + 3, md, 32);
	return 0;
}

int ddns_rev_prefix(const struct in6_addr *a, unsigned len, char out[DDNS_REV_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (len > 128 || len % 4)
		return CH_EINVAL;
	for (unsigned i = len / 4; i-- > 0;) {
		uint8_t b = a->s6_addr[i / 2];

		out[o++] = hex[i % 2 ? b & 0xf : b >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa.", 10);
	return 0;
}

void ddns_rev_name(const struct in6_addr *a, char out[DDNS_REV_LEN])
{
	ddns_rev_prefix(a, 128, out);
}

/* ---- building ------------------------------------------------------------ */

/* One message being written: the buffer, the section being written (the
 * prerequisites of every row first, then their updates) and its count. */
struct enc {
	struct wire_wr w;
	const struct ddns_req *r;
	uint8_t name[DDNS_NAME_WIRE], target[DDNS_NAME_WIRE]; /* r's, case kept */
	size_t name_len, target_len;
	bool updates; /* writing the update section, else the prerequisites */
	size_t count; /* RRs written in this section */
};

/* A name of a request: absolute, not the root (ldns's rule before us). */
static int req_name(const char *s, uint8_t *out, size_t *len)
{
	if (ddns_name_to_wire(s, false, out, DDNS_NAME_WIRE, len) < 0 || *len < 2)
		return CH_EINVAL;
	return 0;
}

/* An RR owned by r's name, with RDATA rd[0..n) (none: n 0), when the
 * section being written is updates (up) or the prerequisites (!up). */
static void rr(struct enc *e, bool up, uint16_t type, uint16_t cls, uint32_t ttl, const void *rd,
               size_t n)
{
	if (up != e->updates)
		return;
	wire_put_bytes(&e->w, e->name, e->name_len);
	wire_put_u16(&e->w, type);
	wire_put_u16(&e->w, cls);
	wire_put_u32(&e->w, ttl);
	wire_put_u16(&e->w, (uint16_t)n);
	wire_put_bytes(&e->w, rd, n);
	e->count++;
}

#define PR(e, type, cls, ttl, rd, n) rr(e, false, type, cls, ttl, rd, n)
#define UP(e, type, cls, ttl, rd, n) rr(e, true, type, cls, ttl, rd, n)

static void aaaa_each(struct enc *e, uint16_t cls, uint32_t ttl)
{
	for (size_t i = 0; i < e->r->n_addrs; i++)
		UP(e, T_AAAA, cls, ttl, e->r->addrs[i].s6_addr, 16);
}

/* Prerequisite "the DHCID RRset is exactly ours" (RFC 2136 §2.4.2). */
static void pre_our_dhcid(struct enc *e)
{
	PR(e, T_DHCID, C_IN, 0, e->r->dhcid, DDNS_DHCID_LEN);
}

static void k_fwd_add(struct enc *e)
{
	PR(e, T_ANY, C_NONE, 0, NULL, 0);
	aaaa_each(e, C_IN, e->r->ttl);
	UP(e, T_DHCID, C_IN, e->r->ttl, e->r->dhcid, DDNS_DHCID_LEN);
}

static void k_fwd_replace(struct enc *e)
{
	PR(e, T_ANY, C_ANY, 0, NULL, 0);
	pre_our_dhcid(e);
	UP(e, T_AAAA, C_ANY, 0, NULL, 0);
	aaaa_each(e, C_IN, e->r->ttl);
}

/* Replaces the AAAA RRset and, with dhcid, the DHCID: the "take it" tail. */
static void replace_all(struct enc *e, bool dhcid)
{
	UP(e, T_AAAA, C_ANY, 0, NULL, 0);
	if (dhcid)
		UP(e, T_DHCID, C_ANY, 0, NULL, 0);
	aaaa_each(e, C_IN, e->r->ttl);
	if (dhcid)
		UP(e, T_DHCID, C_IN, e->r->ttl, e->r->dhcid, DDNS_DHCID_LEN);
}

static void k_fwd_exists(struct enc *e)
{
	PR(e, T_DHCID, C_ANY, 0, NULL, 0);
	replace_all(e, true);
}

static void k_fwd_force(struct enc *e)
{
	replace_all(e, true);
}

static void k_fwd_force_nodhcid(struct enc *e)
{
	replace_all(e, false);
}

static void k_fwd_rem_addr(struct enc *e)
{
	pre_our_dhcid(e);
	aaaa_each(e, C_NONE, 0);
}

static void k_fwd_rem_name(struct enc *e)
{
	pre_our_dhcid(e);
	PR(e, T_A, C_NONE, 0, NULL, 0);
	PR(e, T_AAAA, C_NONE, 0, NULL, 0);
	UP(e, T_ANY, C_ANY, 0, NULL, 0);
}

static void k_fwd_rem_nodhcid(struct enc *e)
{
	aaaa_each(e, C_NONE, 0);
}

static void k_rev_add(struct enc *e)
{
	UP(e, T_PTR, C_ANY, 0, NULL, 0);
	UP(e, T_PTR, C_IN, e->r->ttl, e->target, e->target_len);
}

static void k_rev_rem(struct enc *e)
{
	PR(e, T_PTR, C_IN, 0, e->target, e->target_len);
	UP(e, T_ANY, C_ANY, 0, NULL, 0);
}

static void k_rev_rem_ptr(struct enc *e)
{
	PR(e, T_PTR, C_IN, 0, e->target, e->target_len);
	UP(e, T_PTR, C_NONE, 0, e->target, e->target_len);
}

static void (*const kinds[DDNS_KIND_MAX])(struct enc *) = {
    [DDNS_FWD_ADD] = k_fwd_add,
    [DDNS_FWD_REPLACE] = k_fwd_replace,
    [DDNS_FWD_EXISTS] = k_fwd_exists,
    [DDNS_FWD_FORCE] = k_fwd_force,
    [DDNS_FWD_FORCE_NODHCID] = k_fwd_force_nodhcid,
    [DDNS_FWD_REM_ADDR] = k_fwd_rem_addr,
    [DDNS_FWD_REM_NAME] = k_fwd_rem_name,
    [DDNS_FWD_REM_NODHCID] = k_fwd_rem_nodhcid,
    [DDNS_REV_ADD] = k_rev_add,
    [DDNS_REV_REM] = k_rev_rem,
    [DDNS_REV_REM_PTR] = k_rev_rem_ptr,
};

static bool kind_has_ptr(enum ddns_kind k)
{
	return k == DDNS_REV_ADD || k == DDNS_REV_REM || k == DDNS_REV_REM_PTR;
}

/* Writes the RRs of r in e's section. 0, or CH_EINVAL for a name or kind we cannot encode. */
static int put_req(struct enc *e, const struct ddns_req *r)
{
	e->r = r;
	if ((unsigned)r->kind >= DDNS_KIND_MAX || req_name(r->name, e->name, &e->name_len) < 0 ||
	    (kind_has_ptr(r->kind) && req_name(r->target, e->target, &e->target_len) < 0))
		return CH_EINVAL;
	kinds[r->kind](e);
	return 0;
}

static bool same_zone(const char *a, const char *b)
{
	size_t n = ddns_name_bare_len(a);

	return n == ddns_name_bare_len(b) && strncasecmp(a, b, n) == 0;
}

/* The header (RFC 1035 §4.1.1; RFC 2136 §2.2 names the counts ZO PR UP AD). */
static void put_header(struct wire_wr *w, uint16_t id, uint8_t opcode)
{
	wire_put_u16(w, id);
	wire_put_u16(w, (uint16_t)(opcode << 11));
	wire_put_u16(w, 1); /* ZOCOUNT / QDCOUNT */
	wire_put_u16(w, 0);
	wire_put_u16(w, 0);
	wire_put_u16(w, 0);
}

/* The zone section's one entry, or the question (RFC 2136 §2.3, RFC 1035 §4.1.2). */
static int put_question(struct wire_wr *w, const char *name, uint16_t type)
{
	uint8_t n[DDNS_NAME_WIRE];
	size_t len;

	if (req_name(name, n, &len) < 0)
		return CH_EINVAL;
	wire_put_bytes(w, n, len);
	wire_put_u16(w, type);
	wire_put_u16(w, C_IN);
	return 0;
}

/* The buffer every message is written in (chorus-ddnsd is one thread). */
static uint8_t scratch[MSG_MAX];

static int64_t now_signed(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec;
}

/* Signs scratch[0..len) with k into a new message. */
static int sign(size_t len, uint8_t opcode, const struct ddns_key *k, struct ddns_msg **out)
{
	struct ddns_msg *m;
	uint8_t mac[DDNS_MAC_MAX];
	int err;

	if ((err = ddns_tsig_sign(k, scratch, &len, sizeof(scratch), now_signed(), mac)) < 0)
		return err == CH_ENOSPACE ? CH_EINVAL : err;
	if (!(m = malloc(sizeof(*m) + len)))
		return CH_ENOMEM;
	m->id = (uint16_t)(scratch[0] << 8 | scratch[1]);
	m->opcode = opcode;
	m->mac_len = ddns_tsig_mac_len(k);
	memcpy(m->mac, mac, m->mac_len);
	m->qname_len = 0;
	m->len = len;
	memcpy(m->wire, scratch, len);
	*out = m;
	return 0;
}

int ddns_update_build_n(const struct ddns_req *r, size_t n, const struct ddns_key *k,
                        struct ddns_msg **out)
{
	/* room for the TSIG: a bigger message is one we cannot send */
	struct enc e = {.w = wire_wr_init(scratch, sizeof(scratch) - DDNS_TSIG_ROOM)};
	size_t count[2];

	if (!n || n > UINT16_MAX / 2)
		return CH_EINVAL;
	put_header(&e.w, r[0].id, OPCODE_UPDATE);
	if (put_question(&e.w, r[0].zone, 6 /* SOA */) < 0)
		return CH_EINVAL;
	/* RFC 2136 §3.2 and §3.4: the prerequisites of all hold, or nothing is
	 * done; the updates apply in order. One zone per message (§2.3). */
	for (int up = 0; up < 2; up++) {
		e.updates = up;
		e.count = 0;
		for (size_t i = 0; i < n; i++)
			if ((i && !same_zone(r[i].zone, r[0].zone)) || put_req(&e, &r[i]) < 0)
				return CH_EINVAL;
		count[up] = e.count;
	}
	if (e.w.err || count[0] > UINT16_MAX || count[1] > UINT16_MAX)
		return CH_EINVAL;
	wire_patch_u16(&e.w, 6, (uint16_t)count[0]);
	wire_patch_u16(&e.w, 8, (uint16_t)count[1]);
	return sign(e.w.len, OPCODE_UPDATE, k, out);
}

int ddns_update_build(const struct ddns_req *r, const struct ddns_key *k, struct ddns_msg **out)
{
	return ddns_update_build_n(r, 1, k, out);
}

size_t ddns_update_size(const struct ddns_req *r)
{
	/* an RR: owner, TYPE CLASS TTL RDLENGTH (10), RDATA; a PTR kind has 2
	 * RRs, a forward one at most 4 besides the addresses (k_fwd_exists);
	 * the largest RDATA a DHCID or the PTR's target */
	size_t owner = ddns_name_bare_len(r->name) + 2, rdata = DDNS_DHCID_LEN;

	if (r->target && ddns_name_bare_len(r->target) + 2 > rdata)
		rdata = ddns_name_bare_len(r->target) + 2;
	return (kind_has_ptr(r->kind) ? 2 : 4 + r->n_addrs) * (owner + 10 + rdata);
}

int ddns_query_build(const char *name, uint16_t id, const struct ddns_key *k, struct ddns_msg **out)
{
	struct wire_wr w = wire_wr_init(scratch, sizeof(scratch) - DDNS_TSIG_ROOM);
	struct ddns_msg *m;
	int err;

	put_header(&w, id, OPCODE_QUERY);
	if (put_question(&w, name, T_AAAA) < 0 || w.err)
		return CH_EINVAL;
	if ((err = sign(w.len, OPCODE_QUERY, k, &m)) < 0)
		return err;
	ddns_name_to_wire(name, true, m->qname, sizeof(m->qname), &m->qname_len);
	*out = m;
	return 0;
}

const uint8_t *ddns_msg_wire(const struct ddns_msg *m, size_t *len)
{
	*len = m->len;
	return m->wire;
}

uint16_t ddns_msg_id(const struct ddns_msg *m)
{
	return m->id;
}

uint8_t ddns_msg_opcode(const struct ddns_msg *m)
{
	return m->opcode;
}

const uint8_t *ddns_msg_mac(const struct ddns_msg *m, size_t *len)
{
	*len = m->mac_len;
	return m->mac;
}

const uint8_t *ddns_msg_qname(const struct ddns_msg *m, size_t *len)
{
	*len = m->qname_len;
	return m->qname_len ? m->qname : NULL;
}

void ddns_msg_free(struct ddns_msg *m)
{
	free(m);
}

const char *ddns_rcode_name(int rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
	                                    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
	                                    "NXRRSET", "NOTAUTH", "NOTZONE"};
	static char other[16];

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(other, sizeof(other), "RCODE%d", rcode);
	return other;
}

const char *ddns_tsig_error_name(uint16_t err)
{
	switch (err) {
	case 0:
		return "NOERROR";
	case 16:
		return "BADSIG";
	case 17:
		return "BADKEY";
	case 18:
		return "BADTIME";
	case 22:
		return "BADTRUNC";
	default:
		return "TSIG error";
	}
}
