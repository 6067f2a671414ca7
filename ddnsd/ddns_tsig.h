/*
 * TSIG of chorus-ddnsd (RFC 8945): a key in wire form, signing a request
 * (the TSIG RR appended to the message) and checking the MAC of an answer
 * over the request's MAC, the answer without its TSIG and the TSIG
 * variables (§4.3.3). HMAC comes from libcrypto; no I/O, no allocation
 * after ddns_tsig_key_new.
 */
#ifndef CHORUS_DDNS_TSIG_H
#define CHORUS_DDNS_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ddns_name.h"

#define DDNS_FUDGE     300 /* seconds of clock difference allowed (RFC 8945 §10) */
#define DDNS_MAC_MAX   64  /* hmac-sha512 */
#define DDNS_TSIG_ROOM 512 /* the octets a TSIG RR takes at most: two names, fixed fields, MAC */

struct ddns_key; /* a TSIG key: its names in wire form, the secret, the digest */

/* True when libcrypto has HMAC with algorithm a's digest (probed once). */
bool ddns_tsig_alg_supported(enum conf_tsig_alg a);
/* "OpenSSL 3.0.2 15 Mar 2022", for the messages that refuse an algorithm. */
const char *ddns_tsig_crypto_version(void);

/* Returns 0, CH_ENOMEM, or CH_EINVAL for a name we cannot encode or an
 * algorithm libcrypto lacks. */
int ddns_tsig_key_new(const struct conf_tsig_key *c, struct ddns_key **out);
void ddns_tsig_key_free(struct ddns_key *k);

/* The key's name and algorithm in canonical wire form (RFC 4034 §6.2). */
const uint8_t *ddns_tsig_key_name(const struct ddns_key *k, size_t *len);
const uint8_t *ddns_tsig_alg_name(const struct ddns_key *k, size_t *len);
/* The length of the key's full MAC. */
size_t ddns_tsig_mac_len(const struct ddns_key *k);

/*
 * Signs the request w[0..*len) (its ARCOUNT not counting the TSIG, its id
 * the Original ID) at time now with fudge DDNS_FUDGE: appends the TSIG RR,
 * counts it in ARCOUNT, writes the MAC to mac (ddns_tsig_mac_len octets).
 * 0, CH_ENOSPACE when cap has no room, CH_EIO when libcrypto fails.
 */
int ddns_tsig_sign(const struct ddns_key *k, uint8_t *w, size_t *len, size_t cap, int64_t now,
                   uint8_t mac[DDNS_MAC_MAX]);

/* The fields of a TSIG RR read from an answer (names canonical). */
struct ddns_tsig_rr {
	uint8_t name[DDNS_NAME_WIRE], alg[DDNS_NAME_WIRE];
	size_t name_len, alg_len;
	uint16_t cls;
	uint32_t ttl;
	int64_t time_signed; /* u48 */
	uint16_t fudge;
	const uint8_t *mac;
	size_t mac_len;
	uint16_t orig_id;
	uint16_t error;
	const uint8_t *other;
	size_t other_len;
};

/*
 * Checks an answer's MAC: w[0..tsig_off) is the answer up to its TSIG RR
 * (ARCOUNT still counting it), t that RR's fields, req_mac the request's
 * MAC. True when key, algorithm and MAC match; the time is the caller's.
 * *why says what failed otherwise.
 */
bool ddns_tsig_verify(const struct ddns_key *k, const uint8_t *w, size_t tsig_off,
                      const struct ddns_tsig_rr *t, const uint8_t *req_mac, size_t req_mac_len,
                      const char **why);

#endif
