/*
 * Relay chains (RFC 8415 §9, §19, §18.3.10): take a RELAY-FORW/RELAY-REPL
 * apart layer by layer with a bounded depth, build the Relay-reply chain
 * back through every hop (echoing each layer's INTERFACE_ID), and write a
 * chain without its innermost RELAY_MSG for LQ_RELAY_DATA (RFC 5007 §4.1.2.4).
 */
#ifndef CHORUS_D6_RELAY_H
#define CHORUS_D6_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "d6_consts.h"
#include "wire.h"

#define D6_RELAY_MAX_LAYERS (D6_HOP_COUNT_CAP + 1)

/* Flags for d6_relay_parse. */
enum d6_relay_flags {
	/* The innermost layer has no RELAY_MSG: the LQ_RELAY_DATA form. */
	D6_RELAY_STRIPPED = 1u << 0,
};

/* One layer, pointing into the packet. */
struct d6_relay_layer {
	uint8_t type; /* RELAY-FORW or RELAY-REPL */
	uint8_t hops;
	uint8_t link[16];
	uint8_t peer[16];
	const uint8_t *opts; /* this layer's options, RELAY_MSG included */
	size_t opts_len;
	const uint8_t *ifid; /* INTERFACE_ID data, or NULL */
	size_t ifid_len;
};

struct d6_relay_chain {
	size_t n; /* layers; [0] is the outermost */
	struct d6_relay_layer layer[D6_RELAY_MAX_LAYERS];
	const uint8_t *inner; /* the relayed client/server message; NULL when stripped */
	size_t inner_len;
};

/*
 * Parses a relay chain. max_hops is the largest hop-count accepted
 * (HOP_COUNT_LIMIT by default, at most D6_HOP_COUNT_CAP); at most
 * max_hops + 1 layers are accepted. Every layer's options are checked as
 * d6_msg_parse does; the inner message is not (parse it with d6_msg_parse).
 * Returns 0, or CH_EINVAL (max_hops over the cap), CH_EMALFORMED (not a
 * relay message, or RELAY-FORW and RELAY-REPL mixed), CH_EDEEP (too many
 * layers or a hop-count over max_hops), CH_EMISSING (no RELAY_MSG), or any
 * d6_msg_parse error. *out is written only on success.
 */
int d6_relay_parse(const uint8_t *buf, size_t len, unsigned max_hops, unsigned flags,
                   struct d6_relay_chain *out);

/* Writes the chain back as parsed (stripped chains stay stripped).
 * Returns 0, CH_ENOSPACE or CH_EBADLEN. */
int d6_relay_build(const struct d6_relay_chain *c, struct wire_wr *w);

/* Writes the chain without the innermost RELAY_MSG: the LQ_RELAY_DATA message. */
int d6_relay_build_stripped(const struct d6_relay_chain *c, struct wire_wr *w);

/*
 * Writes one RELAY-REPL per layer of the Relay-forward chain fwd, copying
 * hop-count, link- and peer-address and INTERFACE_ID, with msg (len
 * octets) innermost (RFC 8415 §19.3). Returns 0, CH_EINVAL (empty
 * chain), CH_ENOSPACE or CH_EBADLEN.
 */
int d6_relay_build_reply(const struct d6_relay_chain *fwd, const uint8_t *msg, size_t len,
                         struct wire_wr *w);

/* Copies the innermost non-zero link-address (RFC 8415 §13.1) to out.
 * Returns 0, or CH_ENOENT when every layer has link-address 0. */
int d6_relay_link_addr(const struct d6_relay_chain *c, uint8_t out[16]);

#endif
