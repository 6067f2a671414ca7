/*
 * TSIG (see ddns_tsig.h). RFC 8945 §4.2 (the RR), §4.3.3 (the TSIG
 * variables), §5.3 (the request's digest), §5.3.1 and §4.3.1 (an answer's
 * digest starts with the request's MAC), §6 (algorithm names). The HMAC is
 * libcrypto's (EVP_MAC); the test vectors of spec/ddns.md §3.2 and peers
 * (named, knotd, ldns in the unit tests) check the framing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ddns_tsig.h"
#include "errors.h"
#include "wire.h"

#define TYPE_TSIG 250
#define CLASS_ANY 255

struct ddns_key {
	uint8_t name[DDNS_NAME_WIRE], alg[DDNS_NAME_WIRE];
	size_t name_len, alg_len;
	const char *digest; /* libcrypto's name of the HMAC's digest */
	size_t mac_len;
	uint8_t secret[CONF_KEY_MAX];
	size_t secret_len;
};

/* RFC 8945 §6, in conf_tsig_alg order: the algorithm name, the digest, its size. */
static const struct {
	const char *name, *digest;
	size_t mac_len;
} algs[] = {
    {"hmac-md5.sig-alg.reg.int.", "MD5", 16}, {"hmac-sha1.", "SHA1", 20},
    {"hmac-sha224.", "SHA224", 28},           {"hmac-sha256.", "SHA256", 32},
    {"hmac-sha384.", "SHA384", 48},           {"hmac-sha512.", "SHA512", 64},
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

/* HMAC, fetched once and one context kept (chorus-ddnsd is one thread). */
static EVP_MAC_CTX *mac_ctx(void)
{
	static EVP_MAC_CTX *c;

	if (!c) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);

		c = m ? EVP_MAC_CTX_new(m) : NULL;
		EVP_MAC_free(m); /* the context holds its own reference */
	}
	return c;
}

/* Starts an HMAC with k's secret and digest; NULL when libcrypto fails. */
static EVP_MAC_CTX *mac_start(const char *digest, const uint8_t *secret, size_t n)
{
	static const uint8_t none = 0;
	EVP_MAC_CTX *c = mac_ctx();
	char name[16]; /* OSSL_PARAM takes no const */
	OSSL_PARAM p[2];

	/* the name first: the parameter takes its length from it */
	snprintf(name, sizeof(name), "%s", digest);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, strlen(name));
	p[1] = OSSL_PARAM_construct_end();
	if (!c || !EVP_MAC_init(c, n ? secret : &none, n, p))
		return NULL;
	return c;
}

static bool mac_end(EVP_MAC_CTX *c, uint8_t *out, size_t want)
{
	size_t got = 0;

	return EVP_MAC_final(c, out, &got, DDNS_MAC_MAX) && got == want;
}

bool ddns_tsig_alg_supported(enum conf_tsig_alg a)
{
	static int known[N_ALGS]; /* 0 not probed, 1 yes, -1 no */
	static const uint8_t probe[] = "chorus-probe-key";
	uint8_t mac[DDNS_MAC_MAX];
	EVP_MAC_CTX *c;

	if ((unsigned)a >= N_ALGS)
		return false;
	if (!known[a]) {
		c = mac_start(algs[a].digest, probe, sizeof(probe) - 1);
		known[a] =
		    c && EVP_MAC_update(c, probe, sizeof(probe)) && mac_end(c, mac, algs[a].mac_len)
		        ? 1
		        : -1;
	}
	return known[a] > 0;
}

const char *ddns_tsig_crypto_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

int ddns_tsig_key_new(const struct conf_tsig_key *c, struct ddns_key **out)
{
	struct ddns_key *k;

	if (!ddns_tsig_alg_supported(c->algorithm) || c->secret_len > sizeof(k->secret) ||
	    ddns_name_bare_len(c->name) == 0)
		return CH_EINVAL;
	if (!(k = calloc(1, sizeof(*k))))
		return CH_ENOMEM;
	if (ddns_name_to_wire(c->name, true, k->name, sizeof(k->name), &k->name_len) < 0 ||
	    ddns_name_to_wire(algs[c->algorithm].name, true, k->alg, sizeof(k->alg), &k->alg_len) <
	        0) {
		free(k);
		return CH_EINVAL;
	}
	k->digest = algs[c->algorithm].digest;
	k->mac_len = algs[c->algorithm].mac_len;
	memcpy(k->secret, c->secret, c->secret_len);
	k->secret_len = c->secret_len;
	*out = k;
	return 0;
}

void ddns_tsig_key_free(struct ddns_key *k)
{
	if (!k)
		return;
	OPENSSL_cleanse(k->secret, sizeof(k->secret));
	free(k);
}

const uint8_t *ddns_tsig_key_name(const struct ddns_key *k, size_t *len)
{
	*len = k->name_len;
	return k->name;
}

const uint8_t *ddns_tsig_alg_name(const struct ddns_key *k, size_t *len)
{
	*len = k->alg_len;
	return k->alg;
}

size_t ddns_tsig_mac_len(const struct ddns_key *k)
{
	return k->mac_len;
}

/* §4.3.3: the TSIG variables after the message in every digest. */
static bool mac_variables(EVP_MAC_CTX *c, const struct ddns_tsig_rr *t)
{
	uint8_t v[2 * DDNS_NAME_WIRE + 32];
	struct wire_wr w = wire_wr_init(v, sizeof(v));

	wire_put_bytes(&w, t->name, t->name_len);
	wire_put_u16(&w, t->cls);
	wire_put_u32(&w, t->ttl);
	wire_put_bytes(&w, t->alg, t->alg_len);
	wire_put_u16(&w, (uint16_t)(t->time_signed >> 32));
	wire_put_u32(&w, (uint32_t)t->time_signed);
	wire_put_u16(&w, t->fudge);
	wire_put_u16(&w, t->error);
	wire_put_u16(&w, (uint16_t)t->other_len);
	return !w.err && EVP_MAC_update(c, v, w.len) &&
	       (!t->other_len || EVP_MAC_update(c, t->other, t->other_len));
}

/* §4.2: the RR after the message, its names uncompressed. */
static void put_rr(struct wire_wr *w, const struct ddns_tsig_rr *t, uint16_t id)
{
	size_t rdlen;

	wire_put_bytes(w, t->name, t->name_len);
	wire_put_u16(w, TYPE_TSIG);
	wire_put_u16(w, t->cls);
	wire_put_u32(w, t->ttl);
	rdlen = wire_put_reserve(w, 2);
	wire_put_bytes(w, t->alg, t->alg_len);
	wire_put_u16(w, (uint16_t)(t->time_signed >> 32));
	wire_put_u32(w, (uint32_t)t->time_signed);
	wire_put_u16(w, t->fudge);
	wire_put_u16(w, (uint16_t)t->mac_len);
	wire_put_bytes(w, t->mac, t->mac_len);
	wire_put_u16(w, id);
	wire_put_u16(w, t->error);
	wire_put_u16(w, (uint16_t)t->other_len);
	if (!w->err)
		wire_patch_u16(w, rdlen, (uint16_t)(w->len - rdlen - 2));
}

int ddns_tsig_sign(const struct ddns_key *k, uint8_t *w, size_t *len, size_t cap, int64_t now,
                   uint8_t mac[DDNS_MAC_MAX])
{
	struct ddns_tsig_rr t = {.name_len = k->name_len,
	                         .alg_len = k->alg_len,
	                         .cls = CLASS_ANY,
	                         .time_signed = now & 0xffffffffffffLL,
	                         .fudge = DDNS_FUDGE,
	                         .mac = mac,
	                         .mac_len = k->mac_len};
	EVP_MAC_CTX *c = mac_start(k->digest, k->secret, k->secret_len);
	struct wire_wr out;

	if (*len < 12)
		return CH_EINVAL;
	memcpy(t.name, k->name, k->name_len);
	memcpy(t.alg, k->alg, k->alg_len);
	if (!c || !EVP_MAC_update(c, w, *len) || !mac_variables(c, &t) ||
	    !mac_end(c, mac, k->mac_len))
		return CH_EIO;
	out = wire_wr_init(w, cap);
	out.len = *len;
	put_rr(&out, &t, (uint16_t)(w[0] << 8 | w[1]));
	if (out.err || (w[10] == 0xff && w[11] == 0xff))
		return CH_ENOSPACE;
	wire_patch_u16(&out, 10, (uint16_t)((w[10] << 8 | w[11]) + 1));
	*len = out.len;
	return 0;
}

/* Both names in canonical wire form: equal octets. */
static bool same_name(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && memcmp(a, b, an) == 0;
}

static bool refuse(const char **why, const char *what)
{
	*why = what;
	return false;
}

bool ddns_tsig_verify(const struct ddns_key *k, const uint8_t *w, size_t tsig_off,
                      const struct ddns_tsig_rr *t, const uint8_t *req_mac, size_t req_mac_len,
                      const char **why)
{
	uint8_t head[12], pre[2], mac[DDNS_MAC_MAX];
	EVP_MAC_CTX *c;

	if (!same_name(t->name, t->name_len, k->name, k->name_len))
		return refuse(why, "signed with another key");
	if (!same_name(t->alg, t->alg_len, k->alg, k->alg_len))
		return refuse(why, "signed with another algorithm");
	if (t->mac_len != k->mac_len) /* §5.2.2.1: we never ask for a truncated MAC */
		return refuse(why, "MAC of the wrong size");
	if (tsig_off < 12 || (w[10] == 0 && w[11] == 0))
		return refuse(why, "no message before the TSIG");
	/* §4.3.2: the answer as it was before its TSIG: the Original ID, ARCOUNT less one */
	memcpy(head, w, 12);
	head[0] = (uint8_t)(t->orig_id >> 8);
	head[1] = (uint8_t)t->orig_id;
	{
		uint16_t ar = (uint16_t)((w[10] << 8 | w[11]) - 1);

		head[10] = (uint8_t)(ar >> 8);
		head[11] = (uint8_t)ar;
	}
	pre[0] = (uint8_t)(req_mac_len >> 8);
	pre[1] = (uint8_t)req_mac_len;
	c = mac_start(k->digest, k->secret, k->secret_len);
	if (!c || !EVP_MAC_update(c, pre, 2) || !EVP_MAC_update(c, req_mac, req_mac_len) ||
	    !EVP_MAC_update(c, head, 12) || !EVP_MAC_update(c, w + 12, tsig_off - 12) ||
	    !mac_variables(c, t) || !mac_end(c, mac, k->mac_len))
		return refuse(why, "libcrypto failed");
	if (CRYPTO_memcmp(mac, t->mac, k->mac_len) != 0)
		return refuse(why, "MAC does not verify");
	return true;
}
