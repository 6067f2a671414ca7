/*
 * DHCPv6 option TLVs (RFC 8415 §21.1): the iterator that tells option,
 * done and malformed apart, the writer that back-fills option-len, and the
 * one table of per-option rules (length bounds, fixed fields, what the body
 * holds, where the option may appear, whether it may repeat). Fixed fields
 * of every known option are decoded into union d6_val and encoded back.
 * Message-level walking is d6_msg.c's job.
 */
#ifndef CHORUS_D6_OPT_H
#define CHORUS_D6_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_consts.h"
#include "wire.h"

/* One option as found on the wire: a window on its option-data. */
struct d6_opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *data;
};

/*
 * Takes the next option from r. Returns 1 and fills *out, 0 when r is
 * cleanly exhausted, or CH_ETRUNC when a header or body runs past r
 * (r is then poisoned). *out is written only when 1 is returned.
 */
int d6_opt_next(struct wire_rd *r, struct d6_opt *out);

/* The option-data of o as its own window. */
struct wire_rd d6_opt_body(const struct d6_opt *o);

/* Writes code and a placeholder length; returns the offset to pass to d6_put_end. */
size_t d6_put_begin(struct wire_wr *w, uint16_t code);
/* Back-fills the length of the option opened at start; a body over 65535
 * octets sets w->err to CH_EBADLEN. */
void d6_put_end(struct wire_wr *w, size_t start);
/* Writes a whole option from a byte buffer. */
void d6_put_opt(struct wire_wr *w, uint16_t code, const void *data, size_t len);

/* Option namespaces: top-level codes, and NTP_SERVER sub-options. */
enum d6_space {
	D6_SPACE_MAIN = 0,
	D6_SPACE_NTP = 1,
};

/* Where an option may sit (bit set of enclosing contexts). */
enum d6_where {
	D6_IN_MSG = 1u << 0,   /* top level of a client/server message */
	D6_IN_RELAY = 1u << 1, /* top level of RELAY-FORW / RELAY-REPL */
	D6_IN_IA = 1u << 2,    /* IA_NA, IA_TA */
	D6_IN_IAPD = 1u << 3,  /* IA_PD */
	D6_IN_IAADDR = 1u << 4,
	D6_IN_IAPREFIX = 1u << 5,
	D6_IN_CDATA = 1u << 6,   /* CLIENT_DATA */
	D6_IN_LQQUERY = 1u << 7, /* LQ_QUERY query-options */
	D6_IN_NTP = 1u << 8,     /* NTP_SERVER sub-options */
};

/* Fixed fields at the start of option-data. */
enum d6_fixed {
	D6_FX_NONE,
	D6_FX_U8,       /* PREFERENCE, RECONF_MSG, CLIENT_FQDN flags */
	D6_FX_U16,      /* ELAPSED_TIME, STATUS_CODE code, CLIENT_LINKLAYER_ADDR type */
	D6_FX_U32,      /* times; enterprise numbers of 16, 17, 37 */
	D6_FX_IA,       /* IA_NA, IA_PD: IAID, T1, T2 */
	D6_FX_IATA,     /* IA_TA: IAID */
	D6_FX_IAADDR,   /* address, preferred, valid */
	D6_FX_IAPREFIX, /* preferred, valid, length, prefix */
	D6_FX_AUTH,     /* protocol, algorithm, RDM, replay detection */
	D6_FX_ADDR,     /* one address: UNICAST, NTP addresses, LQ_RELAY_DATA peer */
	D6_FX_LQQUERY,  /* query-type, link-address */
	D6_FX_PDX,      /* PD_EXCLUDE: prefix-len and subnet ID (the whole body) */
};

/* What follows the fixed fields. */
enum d6_body {
	D6_BD_OPAQUE,   /* kept as a window, not interpreted */
	D6_BD_OPTS,     /* encapsulated options in the main space */
	D6_BD_NTP,      /* NTP sub-options */
	D6_BD_CLASSES,  /* {u16 len, data} list: USER_CLASS, VENDOR_CLASS */
	D6_BD_TLVS,     /* vendor sub-options {u16 code, u16 len, data} */
	D6_BD_NAMES,    /* one or more full domain names */
	D6_BD_PNAME,    /* one full or partial domain name (RFC 4704) */
	D6_BD_NAME,     /* exactly one full domain name */
	D6_BD_RELAYMSG, /* a relay message, checked by d6_relay.c */
};

struct d6_opt_rule {
	uint16_t code;
	uint16_t min; /* option-len bounds */
	uint16_t max;
	uint8_t step;  /* the part after min must be a multiple of this (0: any) */
	uint8_t fixed; /* enum d6_fixed */
	uint8_t body;  /* enum d6_body */
	bool multi;    /* may repeat at one level (RFC 8415 §21) */
	uint16_t where;
};

/* Returns the rule for code in space, or NULL for an unknown option. */
const struct d6_opt_rule *d6_opt_rule(enum d6_space space, uint16_t code);

/* Decoded fixed fields. PD_EXCLUDE keeps its subnet ID here too. */
union d6_val {
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	struct {
		uint32_t iaid, t1, t2;
	} ia;
	struct {
		uint8_t addr[16];
		uint32_t pref, valid;
	} iaaddr;
	struct {
		uint32_t pref, valid;
		uint8_t plen;
		uint8_t prefix[16];
	} iaprefix;
	struct {
		uint8_t proto, alg, rdm;
		uint64_t replay;
	} auth;
	uint8_t addr[16];
	struct {
		uint8_t qtype;
		uint8_t link[16];
	} lq;
	struct {
		uint8_t plen;
		uint8_t id_len;
		uint8_t id[16];
	} pdx;
};

/* Reads rule's fixed fields from r into *out. Returns 0 or CH_ETRUNC. */
int d6_opt_get_fixed(const struct d6_opt_rule *rule, struct wire_rd *r, union d6_val *out);
/* Checks decoded fixed values (RECONF_MSG type, prefix lengths, multicast
 * NTP address). Returns 0 or CH_EMALFORMED. */
int d6_opt_check_fixed(const struct d6_opt_rule *rule, const union d6_val *v);
/* Checks a PD_EXCLUDE value against its IAPREFIX value: prefix-len beyond
 * the delegated length (CH_EMALFORMED), subnet ID of exactly
 * ceil((xlen - plen) / 8) octets (CH_EBADLEN). */
int d6_opt_check_pdx(const union d6_val *iaprefix, const union d6_val *pdx);
/* Writes rule's fixed fields from *v. */
void d6_opt_put_fixed(const struct d6_opt_rule *rule, struct wire_wr *w, const union d6_val *v);
/* Octets the fixed fields take in an option of len octets (len >= rule->min). */
size_t d6_opt_fixed_len(const struct d6_opt_rule *rule, size_t len);
/* Checks option-len against rule. Returns 0 or CH_EBADLEN. */
int d6_opt_check_len(const struct d6_opt_rule *rule, size_t len);
/*
 * Checks a non-container body (what follows the fixed fields).
 * Returns 0, CH_ETRUNC or CH_EMALFORMED.
 */
int d6_opt_check_body(const struct d6_opt_rule *rule, const union d6_val *v, const uint8_t *p,
                      size_t len);

#endif
