/*
 * ddnsd/ddns_update.c against the spec digest's vectors (spec/ddns.md):
 * RFC 4701 §3.6 DHCIDs, the reverse name, the hmac-sha256 signed RFC 4703
 * initial add, and the TSIG checks of answers. The clock is faked at link
 * time (gettimeofday, which ldns signs with); ldns itself is real.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "ddns_update.h"
#include "errors.h"

static time_t fake_now = 1700000000;

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	tv->tv_sec = fake_now;
	tv->tv_usec = 0;
	return 0;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; s[0] && s[1] && n < cap; s += 2) {
		unsigned v;

		while (*s == ' ' || *s == '\n')
			s++;
		if (!s[0] || sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* spec/ddns.md §3.2 "Derived vector": the initial add, hmac-sha256, no compression. */
static const char vector_hex[] = "123428000001000100020001076578616d706c6503636f6d0000060001046368"
                                 "6936076578616d706c6503636f6d0000ff00fe00000000000004636869360765"
                                 "78616d706c6503636f6d00001c000100000e10001020010db800000000000000"
                                 "00123456780463686936076578616d706c6503636f6d000031000100000e1000"
                                 "23000201636fc0b8271c82825bb1ac5c41cf5351aa69b4febd94e8f17cdb9500"
                                 "0da48c400864646e732d6b6579076578616d706c650000fa00ff00000000003d"
                                 "0b686d61632d7368613235360000006553f100012c00205b790a0e24f916e639"
                                 "f00b89c2cb62c3ed6982e8f289d778e98da2fa9f39cadb123400000000";
#define VEC_MAC_OFF 215 /* the 32 MAC octets after MAC Size 0x0020 */

static const uint8_t duid1[] = {0x00, 0x01, 0x00, 0x06, 0x41, 0x2d, 0xf1,
                                0x66, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};

static struct conf_tsig_key conf_key(enum conf_tsig_alg alg)
{
	struct conf_tsig_key k = {.name = "ddns-key.example.", .algorithm = alg, .secret_len = 32};

	for (int i = 0; i < 32; i++)
		k.secret[i] = (uint8_t)i;
	return k;
}

static void test_dhcid_rfc4701_vectors(void **state)
{
	static const uint8_t duid2[] = {0, 1, 2, 3, 4, 5, 6};
	uint8_t d[DDNS_DHCID_LEN], want[DDNS_DHCID_LEN];

	(void)state;
	assert_int_equal(ddns_dhcid(duid1, sizeof(duid1), "chi6.example.com", d), 0);
	unhex("000201636fc0b8271c82825bb1ac5c41cf5351aa69b4febd94e8f17cdb95000da48c40", want,
	      sizeof(want));
	assert_memory_equal(d, want, sizeof(want));
	/* absolute, upper case: the same canonical wire form (RFC 4701 §3.5) */
	assert_int_equal(ddns_dhcid(duid1, sizeof(duid1), "CHI6.Example.COM.", d), 0);
	assert_memory_equal(d, want, sizeof(want));
	assert_int_equal(ddns_dhcid(duid2, sizeof(duid2), "myhost.example.com", d), 0);
	unhex("0002012191B7B21AF97E0E656DF887C5E2DEF30E7758A207EDF4CCB2DE8CA37066021C", want,
	      sizeof(want));
	assert_memory_equal(d, want, sizeof(want));
	assert_int_equal(ddns_dhcid(duid2, sizeof(duid2), "bad..name", d), CH_EINVAL);
	assert_int_equal(
	    ddns_dhcid(duid2, sizeof(duid2),
	               "a234567890123456789012345678901234567890123456789012345678901234"
	               ".example",
	               d),
	    CH_EINVAL);
}

static void test_rev_name_and_zones(void **state)
{
	struct in6_addr a = {{{0x20, 0x01, 0x0d, 0xb8, [12] = 0x12, 0x34, 0x56, 0x78}}};
	char rev[DDNS_REV_LEN];
	size_t l;

	(void)state;
	ddns_rev_name(&a, rev);
	assert_string_equal(
	    rev, "8.7.6.5.4.3.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	assert_true(ddns_name_in_zone(rev, "8.b.d.0.1.0.0.2.ip6.arpa", &l));
	assert_int_equal(l, 10);
	assert_true(ddns_name_in_zone("chi6.Example.com.", "example.COM", NULL));
	assert_true(ddns_name_in_zone("example.com.", "example.com.", NULL));
	assert_false(ddns_name_in_zone("chi6.badexample.com.", "example.com", NULL));
	assert_false(ddns_name_in_zone("com.", "example.com", NULL));
	/* a delegated prefix: its leading nibbles (2001:db8:100::/56, /64, /48) */
	a = (struct in6_addr){{{0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0xab, 0xcd}}};
	assert_int_equal(ddns_rev_prefix(&a, 56, rev), 0);
	assert_string_equal(rev, "b.a.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	assert_int_equal(ddns_rev_prefix(&a, 64, rev), 0);
	assert_string_equal(rev, "d.c.b.a.0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	assert_int_equal(ddns_rev_prefix(&a, 48, rev), 0);
	assert_string_equal(rev, "0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	assert_true(ddns_name_in_zone(rev, "8.b.d.0.1.0.0.2.ip6.arpa.", NULL));
	/* not on a nibble boundary: no name of its own */
	assert_int_equal(ddns_rev_prefix(&a, 58, rev), CH_EINVAL);
	assert_int_equal(ddns_rev_prefix(&a, 129, rev), CH_EINVAL);
}

static struct ddns_msg *build_vector_request(struct ddns_key *k)
{
	static struct in6_addr a = {{{0x20, 0x01, 0x0d, 0xb8, [12] = 0x12, 0x34, 0x56, 0x78}}};
	static uint8_t dhcid[DDNS_DHCID_LEN];
	struct ddns_req r = {.kind = DDNS_FWD_ADD,
	                     .zone = "example.com",
	                     .name = "chi6.example.com.",
	                     .addrs = &a,
	                     .n_addrs = 1,
	                     .dhcid = dhcid,
	                     .ttl = 3600,
	                     .id = 0x1234};
	struct ddns_msg *m = NULL;

	assert_int_equal(ddns_dhcid(duid1, sizeof(duid1), "chi6.example.com", dhcid), 0);
	assert_int_equal(ddns_update_build(&r, k, &m), 0);
	return m;
}

/* What we send is the vector byte for byte, MAC included: written without
 * name compression and signed by ldns over exactly those bytes; ldns reads
 * it back to the same form. */
static void test_update_encoding_matches_vector(void **state)
{
	struct conf_tsig_key ck = conf_key(CONF_TSIG_HMAC_SHA256);
	uint8_t want[512];
	size_t wn = unhex(vector_hex, want, sizeof(want)), n;
	struct ddns_key *k = NULL;
	struct ddns_msg *m;
	const uint8_t *w;
	ldns_pkt *p = NULL;
	ldns_buffer *b = ldns_buffer_new(1024);

	(void)state;
	assert_int_equal(ddns_key_new(&ck, &k), 0);
	m = build_vector_request(k);
	w = ddns_msg_wire(m, &n);
	assert_int_equal(ddns_msg_id(m), 0x1234);
	assert_int_equal(n, wn);
	assert_memory_equal(w, want, wn);
	assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2buffer_wire_compress(b, p, NULL), LDNS_STATUS_OK);
	assert_int_equal(ldns_buffer_position(b), wn);
	assert_memory_equal(ldns_buffer_begin(b), want, VEC_MAC_OFF);
	assert_memory_equal(ldns_buffer_begin(b) + VEC_MAC_OFF + 32, want + VEC_MAC_OFF + 32,
	                    wn - VEC_MAC_OFF - 32);
	/* and what we send verifies with the key */
	assert_true(ldns_pkt_tsig_verify(p, w, n, "ddns-key.example.",
	                                 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", NULL));
	ldns_buffer_free(b);
	ldns_pkt_free(p);
	ddns_msg_free(m);
	ddns_key_free(k);
}

/* The vector's own MAC verifies through ldns, and one flipped octet does not. */
static void test_tsig_vector_mac(void **state)
{
	uint8_t v[512];
	size_t n = unhex(vector_hex, v, sizeof(v));
	const char *secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	ldns_pkt *p = NULL;

	(void)state;
	assert_int_equal(ldns_wire2pkt(&p, v, n), LDNS_STATUS_OK);
	assert_true(ldns_pkt_tsig_verify(p, v, n, "ddns-key.example.", secret, NULL));
	ldns_pkt_free(p);
	p = NULL;
	v[40] ^= 1; /* inside the prerequisite's owner name */
	assert_int_equal(ldns_wire2pkt(&p, v, n), LDNS_STATUS_OK);
	assert_false(ldns_pkt_tsig_verify(p, v, n, "ddns-key.example.", secret, NULL));
	ldns_pkt_free(p);
}

/* A response the way a server makes it: QR, rcode, signed with key over the request's MAC. */
static size_t make_answer(const struct ddns_msg *m, int rcode, const char *keyname,
                          const char *secret, bool sign, uint8_t **out)
{
	size_t n;
	const uint8_t *w = ddns_msg_wire(m, &n);
	ldns_pkt *req = NULL, *p;
	ldns_rdf *mac;

	assert_int_equal(ldns_wire2pkt(&req, w, n), LDNS_STATUS_OK);
	mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(req), 3));
	p = ldns_pkt_new(); /* RFC 2136 §3.8: the answer may carry no sections */
	ldns_pkt_set_id(p, ldns_pkt_id(req));
	ldns_pkt_set_opcode(p, LDNS_PACKET_UPDATE);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	if (sign)
		assert_int_equal(ldns_pkt_tsig_sign(p, keyname, secret, 300, "hmac-sha256.", mac),
		                 LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(out, p, &n), LDNS_STATUS_OK);
	ldns_rdf_deep_free(mac);
	ldns_pkt_free(p);
	ldns_pkt_free(req);
	return n;
}

static void test_answer_checks(void **state)
{
	const char *secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	struct conf_tsig_key ck = conf_key(CONF_TSIG_HMAC_SHA256);
	struct ddns_answer a;
	struct ddns_key *k = NULL;
	struct ddns_msg *m;
	uint8_t *w;
	size_t n;

	(void)state;
	assert_int_equal(ddns_key_new(&ck, &k), 0);
	m = build_vector_request(k);

	n = make_answer(m, DDNS_NOERROR, "ddns-key.example.", secret, true, &w);
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now, &a), 0);
	assert_true(a.trusted);
	assert_int_equal(a.rcode, DDNS_NOERROR);
	assert_false(a.truncated);
	/* the same answer 301 s off our clock: outside the fudge */
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now + 301, &a), 0);
	assert_false(a.trusted);
	/* one octet changed: the MAC fails */
	w[n - 20] ^= 0x40; /* inside the MAC */
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now, &a), 0);
	assert_false(a.trusted);
	free(w);

	n = make_answer(m, DDNS_YXDOMAIN, "ddns-key.example.", secret, false, &w);
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now, &a), 0);
	assert_false(a.trusted);
	assert_false(a.has_tsig);
	assert_int_equal(a.rcode, DDNS_YXDOMAIN);
	free(w);

	/* signed with another secret, or another key name */
	n = make_answer(m, DDNS_NOERROR, "ddns-key.example.", "c2VjcmV0c2VjcmV0c2VjcmV0", true, &w);
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now, &a), 0);
	assert_false(a.trusted);
	free(w);
	n = make_answer(m, DDNS_NOERROR, "other.example.", secret, true, &w);
	assert_int_equal(ddns_update_parse(m, k, w, n, fake_now, &a), 0);
	assert_false(a.trusted);
	free(w);

	/* RFC 8945 §5.1: one TSIG, the last record; two are malformed (and
	 * ldns 1.8.3 would leak the first, which ASan sees) */
	n = make_answer(m, DDNS_NOERROR, "ddns-key.example.", secret, true, &w);
	{
		size_t rr = n - LDNS_HEADER_SIZE;
		uint8_t *two = malloc(n + rr);

		assert_non_null(two);
		memcpy(two, w, n);
		memcpy(two + n, w + LDNS_HEADER_SIZE, rr);
		two[11] = 2; /* ARCOUNT */
		assert_int_equal(ddns_update_parse(m, k, two, n + rr, fake_now, &a), CH_EMALFORMED);
		/* the TSIG alone in the answer section: not where it may be */
		two[7] = 1; /* ANCOUNT */
		two[11] = 0;
		assert_int_equal(ddns_update_parse(m, k, two, n, fake_now, &a), CH_EMALFORMED);
		free(two);
	}
	free(w);

	/* the request itself (QR 0) is no answer; nor is garbage */
	{
		size_t rn;
		const uint8_t *rw = ddns_msg_wire(m, &rn);
		uint8_t junk[5] = {0x12, 0x34, 0xa8, 0, 0};

		assert_int_equal(ddns_update_parse(m, k, rw, rn, fake_now, &a), CH_ENOENT);
		assert_int_equal(ddns_update_parse(m, k, junk, sizeof(junk), fake_now, &a),
		                 CH_EMALFORMED);
	}
	ddns_msg_free(m);
	ddns_key_free(k);
}

/* Every kind builds, and its sections carry what RFC 4703 §5 lists. */
static void test_kinds_sections(void **state)
{
	static const struct {
		enum ddns_kind kind;
		size_t pr, up;
	} want[] = {
	    {DDNS_FWD_ADD, 1, 3},      {DDNS_FWD_REPLACE, 2, 3},       {DDNS_FWD_EXISTS, 1, 5},
	    {DDNS_FWD_FORCE, 0, 5},    {DDNS_FWD_FORCE_NODHCID, 0, 3}, {DDNS_FWD_REM_ADDR, 1, 2},
	    {DDNS_FWD_REM_NAME, 3, 1}, {DDNS_FWD_REM_NODHCID, 0, 2},   {DDNS_REV_ADD, 0, 2},
	    {DDNS_REV_REM, 1, 1},      {DDNS_REV_REM_PTR, 1, 1},
	};
	struct in6_addr a[2] = {{{{0x20, 0x01, 0x0d, 0xb8, [15] = 1}}},
	                        {{{0x20, 0x01, 0x0d, 0xb8, [15] = 2}}}};
	struct conf_tsig_key ck = conf_key(CONF_TSIG_HMAC_SHA256);
	uint8_t dhcid[DDNS_DHCID_LEN] = {0, 2, 1};
	struct ddns_key *k = NULL;

	(void)state;
	assert_int_equal(ddns_key_new(&ck, &k), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ddns_req r = {.kind = want[i].kind,
		                     .zone = "example.com.",
		                     .name = "h.example.com.",
		                     .target = "h.example.com.",
		                     .addrs = a,
		                     .n_addrs = 2,
		                     .dhcid = dhcid,
		                     .ttl = 600,
		                     .id = (uint16_t)i};
		struct ddns_msg *m = NULL;
		const uint8_t *w;
		ldns_pkt *p = NULL;
		size_t n;

		assert_int_equal(ddns_update_build(&r, k, &m), 0);
		w = ddns_msg_wire(m, &n);
		assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
		assert_int_equal(ldns_pkt_qdcount(p), 1);
		assert_int_equal(ldns_pkt_ancount(p), want[i].pr);
		assert_int_equal(ldns_pkt_nscount(p), want[i].up);
		assert_non_null(ldns_pkt_tsig(p));
		/* signed over exactly the bytes sent */
		assert_true(
		    ldns_pkt_tsig_verify(p, w, n, "ddns-key.example.",
		                         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", NULL));
		if (want[i].kind == DDNS_REV_REM_PTR) {
			/* a prefix's name loses our PTR only, never the whole name */
			const ldns_rr *up = ldns_rr_list_rr(ldns_pkt_authority(p), 0);

			assert_int_equal(ldns_rr_get_class(up), LDNS_RR_CLASS_NONE);
			assert_int_equal(ldns_rr_get_type(up), LDNS_RR_TYPE_PTR);
		}
		ldns_pkt_free(p);
		ddns_msg_free(m);
	}
	ddns_key_free(k);
}

/* RFC 8945 §6: hmac-sha256 (MUST) works; an algorithm ldns lacks is refused. */
static void test_algorithms(void **state)
{
	(void)state;
	assert_true(ddns_update_alg_supported(CONF_TSIG_HMAC_SHA256));
	assert_true(ddns_update_alg_supported(CONF_TSIG_HMAC_SHA1));
	for (int a = CONF_TSIG_HMAC_MD5; a <= CONF_TSIG_HMAC_SHA512; a++) {
		struct conf_tsig_key ck = conf_key((enum conf_tsig_alg)a);
		struct ddns_key *k = NULL;
		int r = ddns_key_new(&ck, &k);

		assert_int_equal(r,
		                 ddns_update_alg_supported((enum conf_tsig_alg)a) ? 0 : CH_EINVAL);
		printf("# %s: %s by %s\n", conf_tsig_alg_name((enum conf_tsig_alg)a),
		       r == 0 ? "supported" : "not supported", ddns_update_ldns_version());
		ddns_key_free(k);
	}
}

/* remove-stale-ptr's query: a signed AAAA query, its signed answer's AAAAs
 * for the name only (not another owner's), and the id checked. */
static void test_query_and_aaaa_answer(void **state)
{
	const char *secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	struct conf_tsig_key ck = conf_key(CONF_TSIG_HMAC_SHA256);
	struct ddns_key *k = NULL;
	struct ddns_msg *m = NULL;
	struct ddns_answer a;
	ldns_pkt *req = NULL, *p;
	ldns_rdf *mac;
	ldns_rr *rr = NULL;
	const uint8_t *w;
	uint8_t *aw;
	size_t n;

	(void)state;
	assert_int_equal(ddns_key_new(&ck, &k), 0);
	assert_int_equal(ddns_query_build("Mover.example.com.", 0x4321, k, &m), 0);
	w = ddns_msg_wire(m, &n);
	assert_int_equal(ldns_wire2pkt(&req, w, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_opcode(req), LDNS_PACKET_QUERY);
	assert_false(ldns_pkt_rd(req));
	assert_non_null(ldns_pkt_tsig(req));
	mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(req), 3));
	p = ldns_pkt_new();
	ldns_pkt_set_id(p, 0x4321);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	assert_int_equal(
	    ldns_rr_new_frm_str(&rr, "mover.example.com. 60 IN AAAA 2001:db8::1", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	assert_int_equal(
	    ldns_rr_new_frm_str(&rr, "mover.example.com. 60 IN AAAA 2001:db8::2", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	assert_int_equal(
	    ldns_rr_new_frm_str(&rr, "other.example.com. 60 IN AAAA 2001:db8::3", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	assert_int_equal(
	    ldns_pkt_tsig_sign(p, "ddns-key.example.", secret, 300, "hmac-sha256.", mac),
	    LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(&aw, p, &n), LDNS_STATUS_OK);
	assert_int_equal(ddns_update_parse(m, k, aw, n, fake_now, &a), 0);
	assert_true(a.trusted);
	assert_int_equal(a.n_aaaa, 2);
	assert_int_equal(a.aaaa[0].s6_addr[15], 1);
	assert_int_equal(a.aaaa[1].s6_addr[15], 2);
	free(aw);
	ldns_pkt_set_id(p, 0x4322); /* another id: not the answer */
	assert_int_equal(ldns_pkt2wire(&aw, p, &n), LDNS_STATUS_OK);
	assert_int_equal(ddns_update_parse(m, k, aw, n, fake_now, &a), CH_ENOENT);
	free(aw);
	ldns_rdf_deep_free(mac);
	ldns_pkt_free(p);
	ldns_pkt_free(req);
	ddns_msg_free(m);
	ddns_key_free(k);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ddns_rcode_name(DDNS_NXRRSET), "NXRRSET");
	assert_string_equal(ddns_rcode_name(17), "RCODE17");
	assert_string_equal(ddns_tsig_error_name(16), "BADSIG");
}

/* The forward add of one batch row: name's AAAA a and its DHCID. */
static struct ddns_req fwd_add(const char *name, const struct in6_addr *a, const uint8_t *dhcid)
{
	return (struct ddns_req){.kind = DDNS_FWD_ADD,
	                         .zone = "example.com.",
	                         .name = name,
	                         .addrs = a,
	                         .n_addrs = 1,
	                         .dhcid = dhcid,
	                         .ttl = 600,
	                         .id = 0x4242};
}

/* A batch: the prerequisites and updates of several rows of one zone in
 * one message, in row order, one zone section and one TSIG (RFC 2136 §3:
 * all or nothing). Its MAC covers exactly the bytes sent, whatever the
 * batch size (the stand-in ldns signs is split differently each time).
 * With DDNS_BATCH_HEX set, the 3-row message is also written there as hex
 * for tshark (tests/integration/test_ddns_wire.sh). */
static void test_batch_encoding(void **state)
{
	static const char *const secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	struct conf_tsig_key ck = conf_key(CONF_TSIG_HMAC_SHA256);
	struct in6_addr a[64];
	uint8_t dhcid[64][DDNS_DHCID_LEN];
	char names[64][32], revs[64][DDNS_REV_LEN];
	struct ddns_req r[64];
	struct ddns_key *k = NULL;
	struct ddns_msg *m = NULL, *one = NULL;
	const uint8_t *w, *w1;
	size_t n, n1, size = 0;
	ldns_pkt *p = NULL;
	const char *hex = getenv("DDNS_BATCH_HEX");

	(void)state;
	assert_int_equal(ddns_key_new(&ck, &k), 0);
	for (int i = 0; i < 64; i++) {
		a[i] = (struct in6_addr){
		    {{0x20, 0x01, 0x0d, 0xb8, [14] = (uint8_t)(i >> 8), (uint8_t)(i + 1)}}};
		snprintf(names[i], sizeof(names[i]), "b%d.example.com.", i + 1);
		assert_int_equal(ddns_dhcid(duid1, sizeof(duid1), names[i], dhcid[i]), 0);
		r[i] = fwd_add(names[i], &a[i], dhcid[i]);
	}
	/* one row: the same bytes as ddns_update_build */
	assert_int_equal(ddns_update_build_n(r, 1, k, &m), 0);
	assert_int_equal(ddns_update_build(&r[0], k, &one), 0);
	w = ddns_msg_wire(m, &n);
	w1 = ddns_msg_wire(one, &n1);
	assert_int_equal(n, n1);
	assert_memory_equal(w, w1, n);
	ddns_msg_free(m);
	ddns_msg_free(one);
	m = NULL;
	/* three rows: zone 1, prerequisites 3 (each name not in use), updates 6 */
	assert_int_equal(ddns_update_build_n(r, 3, k, &m), 0);
	w = ddns_msg_wire(m, &n);
	assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
	assert_int_equal(ldns_pkt_id(p), 0x4242);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 3);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 6);
	for (size_t i = 0; i < 3; i++) {
		const ldns_rr *pr = ldns_rr_list_rr(ldns_pkt_answer(p), i);
		const ldns_rr *aaaa = ldns_rr_list_rr(ldns_pkt_authority(p), 2 * i);
		const ldns_rr *dh = ldns_rr_list_rr(ldns_pkt_authority(p), 2 * i + 1);
		char *o = ldns_rdf2str(ldns_rr_owner(pr));

		assert_string_equal(o, names[i]);
		free(o);
		assert_int_equal(ldns_rr_get_type(pr), LDNS_RR_TYPE_ANY);
		assert_int_equal(ldns_rr_get_class(pr), LDNS_RR_CLASS_NONE);
		assert_int_equal(ldns_rr_get_type(aaaa), LDNS_RR_TYPE_AAAA);
		assert_memory_equal(ldns_rdf_data(ldns_rr_rdf(aaaa, 0)), a[i].s6_addr, 16);
		assert_int_equal(ldns_rr_get_type(dh), LDNS_RR_TYPE_DHCID);
		assert_memory_equal(ldns_rdf_data(ldns_rr_rdf(dh, 0)), dhcid[i], DDNS_DHCID_LEN);
	}
	assert_true(ldns_pkt_tsig_verify(p, w, n, "ddns-key.example.", secret, NULL));
	if (hex) {
		FILE *f = fopen(hex, "w");

		assert_non_null(f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%02x", w[i]);
		fputc('\n', f);
		fclose(f);
	}
	ldns_pkt_free(p);
	p = NULL;
	ddns_msg_free(m);
	m = NULL;
	/* every size up to 64, forward adds and reverse PTRs: each verifies, and
	 * ddns_update_size bounds what each row adds */
	for (size_t b = 1; b <= 64; b++) {
		for (int rev = 0; rev < 2; rev++) {
			size_t est = 0;

			for (size_t i = 0; i < b; i++) {
				if (rev) {
					ddns_rev_name(&a[i], revs[i]);
					r[i].kind = DDNS_REV_ADD;
					r[i].zone = "8.b.d.0.1.0.0.2.ip6.arpa.";
					r[i].name = revs[i];
					r[i].target = names[i];
				}
				est += ddns_update_size(&r[i]);
			}
			assert_int_equal(ddns_update_build_n(r, b, k, &m), 0);
			w = ddns_msg_wire(m, &n);
			assert_true(n < est + 12 + 64 + 100); /* header, zone, TSIG */
			assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
			assert_int_equal(ldns_update_upcount(p), 2 * b);
			assert_true(
			    ldns_pkt_tsig_verify(p, w, n, "ddns-key.example.", secret, NULL));
			ldns_pkt_free(p);
			p = NULL;
			ddns_msg_free(m);
			m = NULL;
			size = n > size ? n : size;
		}
		for (size_t i = 0; i < b; i++) /* back to the forward adds */
			r[i] = fwd_add(names[i], &a[i], dhcid[i]);
	}
	assert_true(size > 512); /* big batches go over TCP */
	/* one zone per message (RFC 2136 §2.3) */
	r[1].zone = "example.net.";
	assert_int_equal(ddns_update_build_n(r, 2, k, &m), CH_EINVAL);
	assert_int_equal(ddns_update_build_n(r, 0, k, &m), CH_EINVAL);
	assert_null(m);
	ddns_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dhcid_rfc4701_vectors),
	    cmocka_unit_test(test_rev_name_and_zones),
	    cmocka_unit_test(test_update_encoding_matches_vector),
	    cmocka_unit_test(test_tsig_vector_mac),
	    cmocka_unit_test(test_answer_checks),
	    cmocka_unit_test(test_kinds_sections),
	    cmocka_unit_test(test_algorithms),
	    cmocka_unit_test(test_query_and_aaaa_answer),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_batch_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
