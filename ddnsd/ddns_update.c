/*
 * DNS messages (see ddns_update.h). RFC 2136 §2 (sections, prerequisite
 * and update encodings), RFC 4703 §5 (the steps), RFC 8945 (TSIG, through
 * ldns: never by hand), RFC 4701 §3 (DHCID, SHA-256 from libcrypto).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "ddns_update.h"
#include "errors.h"

struct ddns_key {
	char name[CONF_NAME_LEN + 1]; /* absolute */
	const char *alg;              /* ldns's algorithm name */
	char *secret;                 /* base64, as ldns takes it */
	ldns_rdf *name_rdf, *alg_rdf; /* the same, to compare with an answer's TSIG */
};

struct ddns_msg {
	uint8_t *wire;
	size_t len;
	uint16_t id;
	ldns_pkt_opcode opcode;
	ldns_rdf *qname; /* a query's name, whose AAAA records the answer gives */
	ldns_rdf *mac;   /* the request's MAC, which the answer's digest starts with */
};

/* RFC 8945 §6 names, in conf_tsig_alg order. */
static const char *const alg_ldns[] = {"hmac-md5.sig-alg.reg.int.",
                                       "hmac-sha1.",
                                       "hmac-sha224.",
                                       "hmac-sha256.",
                                       "hmac-sha384.",
                                       "hmac-sha512."};
#define N_ALGS (sizeof(alg_ldns) / sizeof(alg_ldns[0]))

/* ldns 1.8.3 leaks the fields of a TSIG it fails to sign (an algorithm it
 * lacks), once per algorithm since the probe is cached: not ours to report.
 * The suppression needs whole allocation stacks through ldns, which has no
 * frame pointers: hence the slow unwinder, in sanitizer builds only. */
#ifdef __SANITIZE_ADDRESS__
#define DDNS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DDNS_ASAN 1
#endif
#endif
#ifdef DDNS_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:ldns_pkt_tsig_sign_next\n";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}
#endif

const char *ddns_update_ldns_version(void)
{
	static char v[32];

	snprintf(v, sizeof(v), "ldns %s", ldns_version());
	return v;
}

/* ---- names ---------------------------------------------------------- */

/* Length of s without its trailing dots. */
static size_t bare_len(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '.')
		n--;
	return n;
}

bool ddns_name_in_zone(const char *name, const char *zone, size_t *labels)
{
	size_t n = bare_len(name), z = bare_len(zone), l = z ? 1 : 0;

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

/* Canonical wire form (RFC 4034 §6.2: lowercase, uncompressed, root label). */
static int name_wire(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = bare_len(s), o = 0, i = 0;

	while (i < n) {
		size_t l = strcspn(s + i, ".");

		if (l > n - i)
			l = n - i;
		if (l == 0 || l > 63 || o + 1 + l + 1 > cap)
			return CH_EINVAL;
		out[o++] = (uint8_t)l;
		for (size_t k = 0; k < l; k++)
			out[o++] = (uint8_t)tolower((unsigned char)s[i + k]);
		i += l + 1;
	}
	if (o + 1 > cap || o + 1 > 255)
		return CH_EINVAL;
	out[o++] = 0;
	*len = o;
	return 0;
}

int ddns_dhcid(const uint8_t *duid, size_t duid_len, const char *fqdn, uint8_t out[DDNS_DHCID_LEN])
{
	/* kept: OpenSSL 3 looks the algorithm up at every init otherwise */
	static EVP_MD *sha256;
	static EVP_MD_CTX *c;
	uint8_t wire[256], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t wlen;

	if (name_wire(fqdn, wire, sizeof(wire), &wlen) < 0)
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

static ldns_rdf *dname(const char *s)
{
	char buf[CONF_NAME_LEN + 2];
	size_t n = bare_len(s);

	if (n == 0 || n >= CONF_NAME_LEN)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '.';
	buf[n + 1] = '\0';
	return ldns_dname_new_frm_str(buf);
}

/* ---- keys ------------------------------------------------------------- */

static int key_make(const char *name, enum conf_tsig_alg alg, const uint8_t *secret, size_t n,
                    struct ddns_key **out)
{
	struct ddns_key *k;
	size_t nl = bare_len(name);

	if ((unsigned)alg >= N_ALGS || nl == 0 || nl + 2 > sizeof(k->name))
		return CH_EINVAL;
	k = calloc(1, sizeof(*k));
	if (!k || !(k->secret = malloc(4 * ((n + 2) / 3) + 1))) {
		free(k);
		return CH_ENOMEM;
	}
	memcpy(k->name, name, nl);
	k->name[nl] = '.';
	k->alg = alg_ldns[alg];
	EVP_EncodeBlock((unsigned char *)k->secret, secret, (int)n);
	k->name_rdf = ldns_dname_new_frm_str(k->name);
	k->alg_rdf = ldns_dname_new_frm_str(k->alg);
	if (!k->name_rdf || !k->alg_rdf) {
		ddns_key_free(k);
		return CH_EINVAL;
	}
	*out = k;
	return 0;
}

void ddns_key_free(struct ddns_key *k)
{
	if (!k)
		return;
	free(k->secret);
	ldns_rdf_deep_free(k->name_rdf);
	ldns_rdf_deep_free(k->alg_rdf);
	free(k);
}

/* Signs and verifies a small UPDATE with a: what ldns cannot do, we refuse. */
static bool alg_probe(enum conf_tsig_alg a)
{
	static const uint8_t secret[16] = "chorus-probe-key";
	static const struct in6_addr one = {{{0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
	struct ddns_req r = {.kind = DDNS_FWD_FORCE_NODHCID,
	                     .zone = "example.",
	                     .name = "probe.example.",
	                     .addrs = &one,
	                     .n_addrs = 1,
	                     .ttl = 60,
	                     .id = 1};
	struct ddns_key *k = NULL;
	struct ddns_msg *m = NULL;
	ldns_pkt *p = NULL;
	bool ok = false;

	if (key_make("probe.", a, secret, sizeof(secret), &k) == 0 &&
	    ddns_update_build(&r, k, &m) == 0 &&
	    ldns_wire2pkt(&p, m->wire, m->len) == LDNS_STATUS_OK)
		ok = ldns_pkt_tsig_verify(p, m->wire, m->len, k->name, k->secret, NULL);
	ldns_pkt_free(p);
	ddns_msg_free(m);
	ddns_key_free(k);
	return ok;
}

bool ddns_update_alg_supported(enum conf_tsig_alg a)
{
	static int known[N_ALGS]; /* 0 not probed, 1 yes, -1 no */

	if ((unsigned)a >= N_ALGS)
		return false;
	if (!known[a])
		known[a] = alg_probe(a) ? 1 : -1;
	return known[a] > 0;
}

int ddns_key_new(const struct conf_tsig_key *c, struct ddns_key **out)
{
	if (!ddns_update_alg_supported(c->algorithm))
		return CH_EINVAL;
	return key_make(c->name, c->algorithm, c->secret, c->secret_len, out);
}

/* ---- building ------------------------------------------------------------ */

struct build {
	const struct ddns_req *r;
	ldns_rdf *name, *target; /* shared by r's RRs, freed by upool_clear */
	ldns_rr_list *pr, *up;
	int err;
};

/*
 * The UPDATE is kept from one message to the next (chorus-ddnsd is one
 * thread), as the stand-in is: the packet, its question the zone (whose
 * name stays while the zone does), and its RRs, each made once with an rdf
 * of its own. A use points that rdf at the request's bytes (an address, the
 * DHCID, the PTR's target) or leaves it out (no RDATA), and sets the owner
 * to the request's name, made once per request and shared by its RRs. So a
 * batch costs no allocation per RR, and ldns is never given a pooled
 * object to free: upool_clear empties the lists and frees the names.
 */
static struct {
	ldns_pkt *p;
	char zone[CONF_NAME_LEN + 2];
	ldns_rr **rrs;
	size_t n_rrs, used;
	ldns_rdf **names; /* the owners and targets of the message being built */
	size_t n_names, cap_names;
} upool;

/* A pooled RR for the next record, or NULL when out of memory. */
static ldns_rr *upool_rr(void)
{
	if (upool.used == upool.n_rrs) {
		size_t cap = upool.n_rrs ? 2 * upool.n_rrs : 256;
		ldns_rr **rrs = realloc(upool.rrs, cap * sizeof(*rrs));

		if (!rrs)
			return NULL;
		upool.rrs = rrs;
		while (upool.n_rrs < cap) {
			ldns_rr *rr = ldns_rr_new();
			ldns_rdf *d = ldns_rdf_new(LDNS_RDF_TYPE_NONE, 0, NULL);

			if (!rr || !d || !ldns_rr_push_rdf(rr, d)) {
				ldns_rr_free(rr);
				free(d);
				return NULL;
			}
			upool.rrs[upool.n_rrs++] = rr;
		}
	}
	return upool.rrs[upool.used++];
}

/* Keeps name until upool_clear; false (and name freed) when out of memory. */
static bool upool_keep(ldns_rdf *name)
{
	if (upool.n_names == upool.cap_names) {
		size_t cap = upool.cap_names ? 2 * upool.cap_names : 256;
		ldns_rdf **n = realloc(upool.names, cap * sizeof(*n));

		if (!n) {
			ldns_rdf_deep_free(name);
			return false;
		}
		upool.names = n;
		upool.cap_names = cap;
	}
	upool.names[upool.n_names++] = name;
	return true;
}

/* After a message: its lists empty, its RRs back, its names freed. */
static void upool_clear(void)
{
	if (upool.p) {
		ldns_rr_list_set_rr_count(ldns_pkt_answer(upool.p), 0);
		ldns_rr_list_set_rr_count(ldns_pkt_authority(upool.p), 0);
	}
	upool.used = 0;
	for (size_t i = 0; i < upool.n_names; i++)
		ldns_rdf_deep_free(upool.names[i]);
	upool.n_names = 0;
}

/* The pooled UPDATE for zone (RFC 2136 §2.3: the zone section, class IN),
 * its lists empty. 0, CH_EINVAL for a zone that is no name, CH_ENOMEM. */
static int upool_pkt(const char *zone, ldns_pkt **out)
{
	ldns_rdf *z;

	if (upool.p && strcmp(upool.zone, zone) == 0) {
		*out = upool.p;
		return 0;
	}
	if (strlen(zone) >= sizeof(upool.zone) || !(z = dname(zone)))
		return CH_EINVAL;
	if (!upool.p) {
		/* ldns would copy the lists it is given: they stay empty, ours */
		ldns_rr_list *empty = ldns_rr_list_new();

		upool.p =
		    empty ? ldns_update_pkt_new(z, LDNS_RR_CLASS_IN, empty, empty, NULL) : NULL;
		ldns_rr_list_free(empty);
		if (!upool.p) {
			ldns_rdf_deep_free(z);
			return CH_ENOMEM;
		}
	} else {
		ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(upool.p), 0);

		ldns_rdf_deep_free(ldns_rr_owner(q));
		ldns_rr_set_owner(q, z);
	}
	strcpy(upool.zone, zone);
	*out = upool.p;
	return 0;
}

/* Appends an RR owned by b's name to list, with no RDATA when data is NULL,
 * else with the len octets at data (the caller's, read while the message is built). */
static void rr_add(struct build *b, ldns_rr_list *list, ldns_rr_type type, ldns_rr_class cls,
                   uint32_t ttl, ldns_rdf_type dt, size_t len, const uint8_t *data)
{
	ldns_rr *rr = upool_rr();

	if (!rr || !ldns_rr_list_push_rr(list, rr)) {
		b->err = CH_ENOMEM;
		return;
	}
	ldns_rr_set_owner(rr, b->name);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_set_rd_count(rr, data ? 1 : 0);
	if (data) {
		ldns_rdf *d = ldns_rr_rdf(rr, 0);

		ldns_rdf_set_type(d, dt);
		ldns_rdf_set_size(d, len);
		ldns_rdf_set_data(d, (void *)(uintptr_t)data); /* ldns only reads it */
	}
}

/* An RR with no RDATA. */
static void rr_bare(struct build *b, ldns_rr_list *list, ldns_rr_type type, ldns_rr_class cls)
{
	rr_add(b, list, type, cls, 0, LDNS_RDF_TYPE_NONE, 0, NULL);
}

static void rr_dhcid(struct build *b, ldns_rr_list *list, uint32_t ttl)
{
	rr_add(b, list, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_IN, ttl, LDNS_RDF_TYPE_B64,
	       DDNS_DHCID_LEN, b->r->dhcid);
}

/* A PTR RR whose RDATA is the target. */
static void rr_ptr(struct build *b, ldns_rr_list *list, ldns_rr_class cls, uint32_t ttl)
{
	rr_add(b, list, LDNS_RR_TYPE_PTR, cls, ttl, LDNS_RDF_TYPE_DNAME, ldns_rdf_size(b->target),
	       ldns_rdf_data(b->target));
}

static void aaaa_each(struct build *b, ldns_rr_class cls, uint32_t ttl)
{
	for (size_t i = 0; i < b->r->n_addrs; i++)
		rr_add(b, b->up, LDNS_RR_TYPE_AAAA, cls, ttl, LDNS_RDF_TYPE_AAAA, 16,
		       b->r->addrs[i].s6_addr);
}

/* Prerequisite "the DHCID RRset is exactly ours" (RFC 2136 §2.4.2). */
static void pre_our_dhcid(struct build *b)
{
	rr_dhcid(b, b->pr, 0);
}

static void k_fwd_add(struct build *b)
{
	rr_bare(b, b->pr, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_NONE);
	aaaa_each(b, LDNS_RR_CLASS_IN, b->r->ttl);
	rr_dhcid(b, b->up, b->r->ttl);
}

static void k_fwd_replace(struct build *b)
{
	rr_bare(b, b->pr, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_ANY);
	pre_our_dhcid(b);
	rr_bare(b, b->up, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY);
	aaaa_each(b, LDNS_RR_CLASS_IN, b->r->ttl);
}

/* Replaces the AAAA RRset and, with dhcid, the DHCID: the "take it" tail. */
static void replace_all(struct build *b, bool dhcid)
{
	rr_bare(b, b->up, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY);
	if (dhcid)
		rr_bare(b, b->up, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_ANY);
	aaaa_each(b, LDNS_RR_CLASS_IN, b->r->ttl);
	if (dhcid)
		rr_dhcid(b, b->up, b->r->ttl);
}

static void k_fwd_exists(struct build *b)
{
	rr_bare(b, b->pr, LDNS_RR_TYPE_DHCID, LDNS_RR_CLASS_ANY);
	replace_all(b, true);
}

static void k_fwd_force(struct build *b)
{
	replace_all(b, true);
}

static void k_fwd_force_nodhcid(struct build *b)
{
	replace_all(b, false);
}

static void k_fwd_rem_addr(struct build *b)
{
	pre_our_dhcid(b);
	aaaa_each(b, LDNS_RR_CLASS_NONE, 0);
}

static void k_fwd_rem_name(struct build *b)
{
	pre_our_dhcid(b);
	rr_bare(b, b->pr, LDNS_RR_TYPE_A, LDNS_RR_CLASS_NONE);
	rr_bare(b, b->pr, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_NONE);
	rr_bare(b, b->up, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_ANY);
}

static void k_fwd_rem_nodhcid(struct build *b)
{
	aaaa_each(b, LDNS_RR_CLASS_NONE, 0);
}

static void k_rev_add(struct build *b)
{
	rr_bare(b, b->up, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_ANY);
	rr_ptr(b, b->up, LDNS_RR_CLASS_IN, b->r->ttl);
}

static void k_rev_rem(struct build *b)
{
	rr_ptr(b, b->pr, LDNS_RR_CLASS_IN, 0);
	rr_bare(b, b->up, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_ANY);
}

static void k_rev_rem_ptr(struct build *b)
{
	rr_ptr(b, b->pr, LDNS_RR_CLASS_IN, 0);
	rr_ptr(b, b->up, LDNS_RR_CLASS_NONE, 0);
}

static void (*const kinds[DDNS_KIND_MAX])(struct build *) = {
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

/* A new message with the MAC of w's TSIG and wire: w's wire form, or when
 * given, the bytes in buf followed by the TSIG (ARCOUNT counting it). */
static int msg_take(ldns_pkt *w, ldns_buffer *buf, ldns_pkt_opcode opcode, struct ddns_msg **out)
{
	ldns_rr *tsig = ldns_pkt_tsig(w);
	struct ddns_msg *m;
	ldns_status st;

	if (!tsig || ldns_rr_rd_count(tsig) < 4)
		return CH_EIO;
	m = calloc(1, sizeof(*m));
	if (!m)
		return CH_ENOMEM;
	m->id = ldns_pkt_id(w);
	m->opcode = opcode;
	m->mac = ldns_rdf_clone(ldns_rr_rdf(tsig, 3));
	if (buf) {
		/* RFC 8945 §4.2: the TSIG goes last, its names uncompressed */
		st = ldns_rr2buffer_wire(buf, tsig, LDNS_SECTION_ADDITIONAL);
		if (st == LDNS_STATUS_OK) {
			m->len = ldns_buffer_position(buf);
			m->wire = malloc(m->len);
		}
		if (m->wire) {
			memcpy(m->wire, ldns_buffer_begin(buf), m->len);
			ldns_write_uint16(m->wire + 10, ldns_read_uint16(m->wire + 10) + 1);
		}
	} else {
		st = ldns_pkt2wire(&m->wire, w, &m->len);
	}
	if (!m->mac || st != LDNS_STATUS_OK || !m->wire) {
		ddns_msg_free(m);
		return CH_ENOMEM;
	}
	*out = m;
	return 0;
}

/*
 * ldns signs the wire form ldns_pkt2wire gives a packet, and that function
 * compresses names through a tree ordered by ldns_dname_compare, which is
 * quadratic in the labels of a name (a reverse name has 34): it was most of
 * ddnsd's CPU, twice per message (once for the MAC, once for the bytes
 * sent). So p is written once without compression (RFC 1035 §4.1.4 makes
 * it optional), and ldns signs a stand-in with p's header whose question
 * section carries those bytes: an entry with no owner is written as its
 * TYPE and CLASS, 4 octets; one owned by the root as a 0 octet and 4 more.
 * ldns_pkt2wire of the stand-in is byte for byte our message, so the MAC
 * ldns computes covers exactly what is sent. body_split finds the entries:
 * 4- and 5-octet steps whose 5-octet steps start at a 0 octet, which every
 * name's end and nearly every TYPE and CLASS give. 0, or CH_ENOENT when no
 * split exists (p is then signed as it is, compressed).
 */
/* The split in one pass: n = 4a + 5b needs b = n mod 4 entries of 5, each
 * at a 0 octet; taken at the first ones met. 0, or CH_ENOENT when that
 * finds none (body_split then searches all splits). */
static int body_split_greedy(const uint8_t *b, size_t n, uint8_t *step)
{
	size_t i = 0, fives = n % 4;

	while (i < n) {
		size_t s = fives && n - i >= 5 && b[i] == 0 ? 5 : 4;

		if (n - i < s)
			return CH_ENOENT;
		fives -= s == 5;
		step[i] = (uint8_t)s;
		i += s;
	}
	return fives ? CH_ENOENT : 0;
}

/* step[i] becomes the length of the entry at each entry's offset i. */
static int body_split(const uint8_t *b, size_t n, uint8_t *step)
{
	size_t at = n, s;

	if (body_split_greedy(b, n, step) == 0)
		return 0;
	/* step[i]: the step that reached offset i (0: unreached) */
	memset(step, 0, n + 1);
	step[0] = 1;
	for (size_t i = 0; i < n; i++) {
		if (!step[i])
			continue;
		if (n - i >= 4 && !step[i + 4])
			step[i + 4] = 4;
		if (n - i >= 5 && b[i] == 0 && !step[i + 5])
			step[i + 5] = 5;
	}
	if (!step[n])
		return CH_ENOENT;
	/* step[] back from n gives the entries last first: turn it into the
	 * length of the entry that starts at each entry's offset */
	for (s = step[n]; at > 0;) {
		size_t s_next;

		at -= s;
		s_next = at ? step[at] : 0;
		step[at] = (uint8_t)s;
		s = s_next;
	}
	return 0;
}

/*
 * The stand-in is kept from one message to the next (chorus-ddnsd is one
 * thread): its question entries are ldns_rr objects that only change TYPE,
 * CLASS and owner (none, or the one root name they share), so a message of
 * several kilobytes (a batch) costs no allocation per 4 octets. Its list
 * holds n_rrs entries between uses; a use shortens it to the entries it
 * needs and standin_release puts it back.
 */
static struct {
	ldns_pkt *w;
	ldns_rdf *root;
	ldns_rr **rrs; /* the entries of w's list, in its order */
	bool *rooted;  /* rrs[k] is owned by root */
	size_t n_rrs, cap;
} standin_pool;

static void standin_header(ldns_pkt *w, const ldns_pkt *p)
{
	ldns_pkt_set_id(w, ldns_pkt_id(p));
	ldns_pkt_set_qr(w, ldns_pkt_qr(p));
	ldns_pkt_set_opcode(w, ldns_pkt_get_opcode(p));
	ldns_pkt_set_aa(w, ldns_pkt_aa(p));
	ldns_pkt_set_tc(w, ldns_pkt_tc(p));
	ldns_pkt_set_rd(w, ldns_pkt_rd(p));
	ldns_pkt_set_ra(w, ldns_pkt_ra(p));
	ldns_pkt_set_ad(w, ldns_pkt_ad(p));
	ldns_pkt_set_cd(w, ldns_pkt_cd(p));
	ldns_pkt_set_rcode(w, ldns_pkt_get_rcode(p));
	ldns_pkt_set_qdcount(w, ldns_pkt_qdcount(p));
	ldns_pkt_set_ancount(w, ldns_pkt_ancount(p));
	ldns_pkt_set_nscount(w, ldns_pkt_nscount(p));
	ldns_pkt_set_arcount(w, ldns_pkt_arcount(p));
}

/* The pool's stand-in with at least k question entries, or NULL. */
static ldns_pkt *standin_get(size_t k)
{
	if (!standin_pool.w && !(standin_pool.w = ldns_pkt_new()))
		return NULL;
	if (!standin_pool.root) {
		static const uint8_t zero = 0;

		if (!(standin_pool.root = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, 1, &zero)))
			return NULL;
	}
	if (k > standin_pool.cap) {
		size_t cap = k > 2 * standin_pool.cap ? k : 2 * standin_pool.cap;
		ldns_rr **rrs = realloc(standin_pool.rrs, cap * sizeof(*rrs));
		bool *rooted = rrs ? realloc(standin_pool.rooted, cap * sizeof(*rooted)) : NULL;

		if (rrs)
			standin_pool.rrs = rrs;
		if (!rooted)
			return NULL;
		standin_pool.rooted = rooted;
		standin_pool.cap = cap;
	}
	while (standin_pool.n_rrs < k) {
		ldns_rr *rr = ldns_rr_new();

		if (!rr || !ldns_rr_list_push_rr(ldns_pkt_question(standin_pool.w), rr)) {
			ldns_rr_free(rr);
			return NULL;
		}
		standin_pool.rrs[standin_pool.n_rrs] = rr;
		standin_pool.rooted[standin_pool.n_rrs++] = false;
	}
	return standin_pool.w;
}

/* After signing: the TSIG ldns added goes, the entries come back. */
static void standin_release(ldns_pkt *w)
{
	ldns_rr_free(ldns_pkt_tsig(w));
	ldns_pkt_set_tsig(w, NULL);
	ldns_rr_list_set_rr_count(ldns_pkt_question(w), standin_pool.n_rrs);
}

/* The stand-in for p, whose body is b[0..n) split at step[] (body_split). */
static ldns_pkt *standin(const ldns_pkt *p, const uint8_t *b, size_t n, uint8_t *step)
{
	ldns_pkt *w;
	size_t i, k = 0;

	for (i = 0; i < n; i += step[i])
		k++;
	if (!(w = standin_get(k)))
		return NULL;
	standin_header(w, p);
	for (i = 0, k = 0; i < n; i += step[i], k++) {
		ldns_rr *rr = standin_pool.rrs[k];
		const uint8_t *e = b + i;
		bool five = step[i] == 5;

		/* an entry of 5 octets: the root owner (its 0 octet), TYPE, CLASS */
		if (standin_pool.rooted[k] != five)
			ldns_rr_set_owner(rr, five ? standin_pool.root : NULL);
		standin_pool.rooted[k] = five;
		e += five;
		ldns_rr_set_type(rr, (ldns_rr_type)(e[0] << 8 | e[1]));
		ldns_rr_set_class(rr, (ldns_rr_class)(e[2] << 8 | e[3]));
	}
	ldns_rr_list_set_rr_count(ldns_pkt_question(w), k);
	return w;
}

/* Signs p (with the stand-in when the body splits) into a new message. */
static int sign(ldns_pkt *p, const struct ddns_key *k, struct ddns_msg **out)
{
	static ldns_buffer *buf; /* kept: 64 KiB per message is no small allocation */
	static uint8_t step[LDNS_MAX_PACKETLEN + 1];
	ldns_pkt *w = NULL;
	size_t n;
	int err = CH_ENOMEM;

	if (buf && ldns_buffer_status(buf) != LDNS_STATUS_OK) { /* a failure sticks to it */
		ldns_buffer_free(buf);
		buf = NULL;
	}
	if (!buf && !(buf = ldns_buffer_new(LDNS_MAX_PACKETLEN)))
		return CH_ENOMEM;
	ldns_buffer_clear(buf);
	/* no compression data: names as they are (ldns 1.8 host2wire.c) */
	if (ldns_pkt2buffer_wire_compress(buf, p, NULL) != LDNS_STATUS_OK ||
	    (n = ldns_buffer_position(buf)) < LDNS_HEADER_SIZE)
		goto done;
	n -= LDNS_HEADER_SIZE;
	err = CH_EINVAL;
	if (n + LDNS_HEADER_SIZE > LDNS_MAX_PACKETLEN - 512) /* no room for the TSIG: too big */
		goto done;
	err = CH_ENOMEM;
	if (body_split(ldns_buffer_at(buf, LDNS_HEADER_SIZE), n, step) == 0 &&
	    !(w = standin(p, ldns_buffer_at(buf, LDNS_HEADER_SIZE), n, step)))
		goto done;
	err = CH_EIO;
	if (ldns_pkt_tsig_sign(w ? w : p, k->name, k->secret, DDNS_FUDGE, k->alg, NULL) !=
	    LDNS_STATUS_OK)
		goto done;
	err = msg_take(w ? w : p, w ? buf : NULL, ldns_pkt_get_opcode(p), out);
done:
	if (w) {
		standin_release(w);
	} else { /* p may be kept (the pooled UPDATE): its TSIG goes */
		ldns_rr_free(ldns_pkt_tsig(p));
		ldns_pkt_set_tsig(p, NULL);
	}
	return err;
}

/* Appends the prerequisites and updates of r to b's lists. */
static int build_one(struct build *b, const struct ddns_req *r)
{
	b->r = r;
	b->name = b->target = NULL;
	if ((unsigned)r->kind >= DDNS_KIND_MAX || !(b->name = dname(r->name)) ||
	    (kind_has_ptr(r->kind) && !(b->target = dname(r->target)))) {
		ldns_rdf_deep_free(b->name);
		return CH_EINVAL;
	}
	if (!upool_keep(b->name)) {
		ldns_rdf_deep_free(b->target);
		return CH_ENOMEM;
	}
	if (b->target && !upool_keep(b->target))
		return CH_ENOMEM;
	kinds[r->kind](b);
	return b->err;
}

static bool same_zone(const char *a, const char *b)
{
	return bare_len(a) == bare_len(b) && strncasecmp(a, b, bare_len(b)) == 0;
}

int ddns_update_build_n(const struct ddns_req *r, size_t n, const struct ddns_key *k,
                        struct ddns_msg **out)
{
	struct build b = {0};
	ldns_pkt *p;
	int err;

	if (!n || n > UINT16_MAX / 2)
		return CH_EINVAL;
	if ((err = upool_pkt(r[0].zone, &p)) < 0)
		return err;
	b.pr = ldns_pkt_answer(p);
	b.up = ldns_pkt_authority(p);
	/* RFC 2136 §3.2 and §3.4: the prerequisites of all hold, or nothing is
	 * done; the updates apply in order. One zone per message (§2.3). */
	for (size_t i = 0; i < n; i++) {
		err = CH_EINVAL;
		if (i && !same_zone(r[i].zone, r[0].zone))
			goto done;
		if ((err = build_one(&b, &r[i])) < 0)
			goto done;
	}
	ldns_update_set_prcount(p, (uint16_t)ldns_rr_list_rr_count(b.pr));
	ldns_update_set_upcount(p, (uint16_t)ldns_rr_list_rr_count(b.up));
	ldns_pkt_set_id(p, r[0].id);
	ldns_pkt_set_rd(p, false); /* ldns sets RD on every new packet */
	err = sign(p, k, out);
done:
	upool_clear();
	return err;
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
	size_t owner = bare_len(r->name) + 2, rdata = DDNS_DHCID_LEN;

	if (r->target && bare_len(r->target) + 2 > rdata)
		rdata = bare_len(r->target) + 2;
	return (kind_has_ptr(r->kind) ? 2 : 4 + r->n_addrs) * (owner + 10 + rdata);
}

int ddns_query_build(const char *name, uint16_t id, const struct ddns_key *k, struct ddns_msg **out)
{
	ldns_rdf *q = dname(name), *copy = q ? ldns_rdf_clone(q) : NULL;
	ldns_pkt *p =
	    copy ? ldns_pkt_query_new(copy, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, 0) : NULL;
	struct ddns_msg *m = NULL;
	int err = q ? CH_ENOMEM : CH_EINVAL;

	if (!p) {
		ldns_rdf_deep_free(copy);
		goto fail;
	}
	ldns_pkt_set_id(p, id);
	if ((err = sign(p, k, &m)) < 0)
		goto fail;
	m->qname = q;
	q = NULL;
	*out = m;
fail:
	ldns_pkt_free(p);
	ldns_rdf_deep_free(q);
	return err;
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

void ddns_msg_free(struct ddns_msg *m)
{
	if (!m)
		return;
	free(m->wire);
	ldns_rdf_deep_free(m->qname);
	ldns_rdf_deep_free(m->mac);
	free(m);
}

/* ---- answers ----------------------------------------------------------------- */

static int64_t tsig_time(const ldns_rr *tsig)
{
	const ldns_rdf *t = ldns_rr_rdf(tsig, 1);
	const uint8_t *d;
	int64_t v = 0;

	if (!t || ldns_rdf_size(t) != 6)
		return 0;
	d = ldns_rdf_data(t);
	for (int i = 0; i < 6; i++)
		v = (v << 8) | d[i];
	return v;
}

/* RFC 8945 §5.2: our key name and algorithm, the MAC over the request's
 * MAC and this answer, and the time within the fudge (§5.2.3). */
static bool tsig_trusted(ldns_pkt *p, const ldns_rr *tsig, const struct ddns_msg *m,
                         const struct ddns_key *k, const uint8_t *wire, size_t len, int64_t now)
{
	const ldns_rdf *alg = ldns_rr_rdf(tsig, 0), *fudge = ldns_rr_rdf(tsig, 2);
	bool ok = alg && fudge && ldns_dname_compare(ldns_rr_owner(tsig), k->name_rdf) == 0 &&
	          ldns_dname_compare(alg, k->alg_rdf) == 0;
	int64_t t = tsig_time(tsig), f = fudge ? ldns_rdf2native_int16(fudge) : 0;

	if (!ok || (now - t > f) || (t - now > f))
		return false;
	return ldns_pkt_tsig_verify(p, wire, len, k->name, k->secret, m->mac);
}

/* The AAAA records the answer section holds for qname (RFC 1035 §4.1.3). */
static void answer_aaaa(const ldns_pkt *p, const ldns_rdf *qname, struct ddns_answer *a)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an) && a->n_aaaa < DDNS_MAX_AAAA; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *d = ldns_rr_rd_count(rr) == 1 ? ldns_rr_rdf(rr, 0) : NULL;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA || !d || ldns_rdf_size(d) != 16 ||
		    ldns_dname_compare(ldns_rr_owner(rr), qname) != 0)
			continue;
		memcpy(a->aaaa[a->n_aaaa++].s6_addr, ldns_rdf_data(d), 16);
	}
}

/* RFC 8945 §5.1: at most one TSIG, the last record of the additional
 * section; anything else is malformed. Checked record by record with ldns
 * before ldns_wire2pkt, which (ldns 1.8.3) keeps the last of several TSIG
 * records and leaks the others. */
static bool tsig_placed_right(const uint8_t *wire, size_t len)
{
	size_t pos = LDNS_HEADER_SIZE, count[4];

	if (len < LDNS_HEADER_SIZE)
		return false;
	for (int s = 0; s < 4; s++)
		count[s] = (size_t)wire[4 + 2 * s] << 8 | wire[5 + 2 * s];
	for (int s = 0; s < 4; s++)
		for (size_t i = 0; i < count[s]; i++) {
			ldns_rr *rr = NULL;
			bool tsig;

			if (ldns_wire2rr(&rr, wire, len, &pos, (ldns_pkt_section)s) !=
			    LDNS_STATUS_OK) {
				ldns_rr_free(rr);
				return false;
			}
			tsig = ldns_rr_get_type(rr) == LDNS_RR_TYPE_TSIG;
			ldns_rr_free(rr);
			if (tsig && (s != LDNS_SECTION_ADDITIONAL || i + 1 != count[s]))
				return false;
		}
	return true;
}

int ddns_update_parse(const struct ddns_msg *m, const struct ddns_key *k, const uint8_t *wire,
                      size_t len, int64_t now, struct ddns_answer *out)
{
	struct ddns_answer a = {0};
	ldns_pkt *p = NULL;
	ldns_rr *tsig;

	if (!tsig_placed_right(wire, len))
		return CH_EMALFORMED;
	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK || !p) {
		ldns_pkt_free(p);
		return CH_EMALFORMED;
	}
	if (ldns_pkt_id(p) != m->id || !ldns_pkt_qr(p) || ldns_pkt_get_opcode(p) != m->opcode) {
		ldns_pkt_free(p);
		return CH_ENOENT;
	}
	a.rcode = (int)ldns_pkt_get_rcode(p);
	a.truncated = ldns_pkt_tc(p);
	tsig = ldns_pkt_tsig(p);
	if (tsig && ldns_rr_rd_count(tsig) >= 6) {
		const ldns_rdf *e = ldns_rr_rdf(tsig, 5);

		a.has_tsig = true;
		a.tsig_error = e && ldns_rdf_size(e) == 2 ? ldns_rdf2native_int16(e) : 0;
		a.server_time = tsig_time(tsig);
		a.trusted = tsig_trusted(p, tsig, m, k, wire, len, now);
	}
	if (m->qname)
		answer_aaaa(p, m->qname, &a);
	ldns_pkt_free(p);
	*out = a;
	return 0;
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
