/*
 * One-line text rendering of a parsed DHCPv6 message for debug logs:
 * header, then every option with its fields and nested options in wire
 * order. Peer-supplied text (status messages, interface and subscriber ids,
 * domain names) is escaped, so a line never holds control characters.
 */
#ifndef CHORUS_D6_TEXT_H
#define CHORUS_D6_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "d6_msg.h"

/* Escapes n octets of peer text: printable ASCII stays, '"' and '\\' get a
 * backslash, anything else becomes \xNN. Returns the length written, or
 * CH_ENOSPACE (out truncated, still NUL-terminated when cap > 0). */
int d6_text_escape(const uint8_t *p, size_t n, char *out, size_t cap);

/* Renders m into out, always NUL-terminated when cap > 0. Returns the
 * length, or CH_ENOSPACE when the line was cut (it then ends in "..."). */
int d6_text_msg(const struct d6_msg *m, char *out, size_t cap);

#endif
