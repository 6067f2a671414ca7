/*
 * Configured "option-data" in Advertise and Reply (lib/conf_optdata.c):
 * the lists of the client's reservation, of the pools its leases come
 * from, of its subnet and of the instance, most specific first. Per code
 * (and enterprise, for VENDOR_OPTS) the first entry whose client-arch fits
 * the client's CLIENT_ARCH_TYPE wins; it goes out when the ORO asks for it
 * or the entry says always-send. RFC 8415 §21.7, §21.17; RFC 5970 §3.
 */
#ifndef CHORUS_SRV_OPTS_H
#define CHORUS_SRV_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv_txn.h"

#define SRV_OPTS_MAX 64 /* options one reply takes from option-data */

/* The codes option-data put in the reply; the named options skip them. */
struct srv_opts_sent {
	uint16_t code[SRV_OPTS_MAX];
	size_t n;
};

/* Adds the winning option-data entries to s->rep. Returns 0 or a
 * d6_msg_add error; *sent lists the codes added. */
int srv_opts_add(struct srv_txn *t, struct srv_opts_sent *sent);

/* True if code is in sent. */
bool srv_opts_has(const struct srv_opts_sent *sent, uint16_t code);

#endif
