/*
 * Domain names inside DHCPv6 options (DOMAIN_LIST 24, CLIENT_FQDN 39, the
 * NTP SRV_FQDN sub-option): RFC 1035 §3.1 label sequences, uncompressed as
 * RFC 8415 §10 requires. Validation and log rendering only; DNS messages
 * live in dns_name.c.
 */
#ifndef CHORUS_D6_DNAME_H
#define CHORUS_D6_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define D6_DNAME_MAX_LABEL 63
#define D6_DNAME_MAX_LEN   255

/*
 * Consumes one name from r. With full, it must end in the root label;
 * without, it may also stop at the end of r (an RFC 4704 partial name).
 * Returns 0, CH_ETRUNC (a label runs past r), or CH_EMALFORMED (a label
 * over 63 octets, a compression pointer, a name over 255 octets).
 */
int d6_dname_check(struct wire_rd *r, bool full);

/* Checks that the window holds nothing but full names. Same errors. */
int d6_dname_check_list(const uint8_t *p, size_t len);

/*
 * Writes the names in p (one or more, full or partial) as dotted text,
 * separated by spaces, into out (always NUL-terminated when cap > 0).
 * Octets other than letters, digits, '-' and '_' come out as \DDD.
 * Returns the text length, or CH_ENOSPACE when truncated.
 */
int d6_dname_to_text(const uint8_t *p, size_t len, char *out, size_t cap);

#endif
