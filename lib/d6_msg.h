/*
 * DHCPv6 messages (RFC 8415 §8, §9, §21): parse a datagram into a view that
 * points into the packet, and build a datagram from the same struct. The
 * view is a tree of options in wire order; parse -> build gives back the
 * identical bytes. Relay chains (d6_relay.c), IAs (d6_ia.c) and leasequery
 * (d6_lq.c) add helpers on top; RELAY_MSG and LQ_RELAY_DATA stay opaque here.
 */
#ifndef CHORUS_D6_MSG_H
#define CHORUS_D6_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_consts.h"
#include "d6_opt.h"
#include "wire.h"

#define D6_MSG_MAX_NODES 256  /* options per message, all levels */
#define D6_MSG_MAX_IAS   16   /* IA_NA + IA_TA + IA_PD per message */
#define D6_MSG_MAX_KIDS  32   /* IAADDR / IAPREFIX per container */
#define D6_ROOT          (-1) /* "parent" of top-level options */
#define D6_NONE          (-1)

/* One option. Indices link the tree; tail is the variable part after the
 * fixed fields (for containers, the encapsulated options as bytes). */
struct d6_node {
	uint16_t code;
	uint8_t space; /* enum d6_space */
	int16_t parent, child, last, next;
	const uint8_t *data; /* option-data in the packet; NULL when built */
	size_t len;
	const uint8_t *tail; /* bytes we do not own: the packet, or the caller's */
	size_t tail_len;
	union d6_val v;
};

struct d6_msg {
	uint8_t type;
	uint32_t xid; /* client/server messages: 24 bits */
	uint8_t hops; /* relay messages */
	uint8_t link[16];
	uint8_t peer[16];
	int16_t first, last; /* top-level options */
	uint16_t n_nodes;
	uint16_t n_ias;
	struct d6_node node[D6_MSG_MAX_NODES];
};

/* True for RELAY-FORW and RELAY-REPL, which have the 34-octet header. */
bool d6_msg_is_relay(unsigned type);

/* Empties m and sets its header. */
void d6_msg_init(struct d6_msg *m, uint8_t type, uint32_t xid);
void d6_msg_init_relay(struct d6_msg *m, uint8_t type, uint8_t hops, const uint8_t link[16],
                       const uint8_t peer[16]);

/*
 * Parses len octets at buf into *out, which then points into buf.
 * Returns 0, or: CH_ETRUNC (input ends inside the header or an option),
 * CH_EBADLEN (option-len outside the option's layout), CH_ENEST (an option
 * where its parent forbids it), CH_EDUP (a repeated singleton, or a
 * repeated IAID), CH_ELIMIT (more options or IAs than our caps),
 * CH_EMALFORMED (unknown message type, bad field or domain name).
 * On error *out holds a partial parse and must not be used.
 */
int d6_msg_parse(const uint8_t *buf, size_t len, struct d6_msg *out);

/* Writes m to w. Returns 0, CH_ENOSPACE, or CH_EBADLEN (an option over 64 KiB). */
int d6_msg_build(const struct d6_msg *m, struct wire_wr *w);

/*
 * Appends an option with the given code under parent (D6_ROOT for the top
 * level) and returns its index, or CH_ELIMIT when m is full, CH_EINVAL for
 * a bad parent. Fixed fields are zero; set them in m->node[i].v, and
 * tail/tail_len for variable data (not copied: it must outlive m).
 */
int d6_msg_add(struct d6_msg *m, int parent, uint16_t code);
/* d6_msg_add, then tail = data. */
int d6_msg_add_bytes(struct d6_msg *m, int parent, uint16_t code, const void *data, size_t len);
int d6_msg_add_u8(struct d6_msg *m, int parent, uint16_t code, uint8_t v);
int d6_msg_add_u16(struct d6_msg *m, int parent, uint16_t code, uint16_t v);
int d6_msg_add_u32(struct d6_msg *m, int parent, uint16_t code, uint32_t v);

/* First child of parent (D6_ROOT: first top-level option), or D6_NONE. */
int d6_msg_first(const struct d6_msg *m, int parent);
/* Next sibling of i, or D6_NONE. */
int d6_msg_next(const struct d6_msg *m, int i);
/* First child of parent with this code, or D6_NONE. */
int d6_msg_find(const struct d6_msg *m, int parent, uint16_t code);
/* First child of parent with this code after sibling i, or D6_NONE. */
int d6_msg_find_next(const struct d6_msg *m, int i, uint16_t code);
/* True if the ORO under parent lists code (RFC 8415 §21.7). */
bool d6_msg_oro_has(const struct d6_msg *m, int parent, uint16_t code);
/* Number of children of parent with this code. */
size_t d6_msg_count(const struct d6_msg *m, int parent, uint16_t code);

/* Rule for node i (NULL for an unknown option, kept as opaque bytes). */
const struct d6_opt_rule *d6_msg_rule(const struct d6_msg *m, int i);

#endif
