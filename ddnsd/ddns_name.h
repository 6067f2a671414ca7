/*
 * Domain names in DNS messages (RFC 1035 §3.1, §4.1.4): the wire form of a
 * text name, and a name read from an answer, compression pointers
 * followed, in canonical form (RFC 4034 §6.2: lower case).
 */
#ifndef CHORUS_DDNS_NAME_H
#define CHORUS_DDNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define DDNS_NAME_WIRE 255 /* RFC 1035 §3.1: octets of a name in wire form */

/* Length of s without its trailing dots. */
size_t ddns_name_bare_len(const char *s);

/*
 * Writes text name s ("a.b", "a.b." or "" for the root; no escapes) as an
 * absolute wire name: case kept, or lower case when canonical. 0, or
 * CH_EINVAL for an empty label, a label over 63 octets, a backslash, or a
 * name over 255 octets or cap.
 */
int ddns_name_to_wire(const char *s, bool canonical, uint8_t *out, size_t cap, size_t *len);

/*
 * Reads the name at r, a cursor on the whole message msg (compression
 * pointers lead back into it): r moves past the name's own octets, out
 * gets the name in canonical wire form. 0, CH_ETRUNC, or CH_EMALFORMED (a
 * pointer forward or to itself, a label type other than 0 and 0xc0, a name
 * over 255 octets).
 */
int ddns_name_read(struct wire_rd *r, const uint8_t *msg, size_t msg_len,
                   uint8_t out[DDNS_NAME_WIRE], size_t *len);

#endif
