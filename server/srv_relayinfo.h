/*
 * The relay data a lease row keeps (sql/0001_schema.sql, spec/leasequery.md
 * §7): source of the outermost Relay-forward, the innermost relay's link-
 * and peer-address, INTERFACE_ID, SUBSCRIBER_ID and CLIENT_LINKLAYER_ADDR,
 * RELAY_ID and REMOTE_ID of every layer (outermost first), and the chain
 * without the client's message for LQ_RELAY_DATA (RFC 5007 §4.1.2.4),
 * and the client's own options a requestor may ask for (§4.4.2); turned into the parameters of the
 * INSERT and UPDATE statements.
 */
#ifndef CHORUS_SRV_RELAYINFO_H
#define CHORUS_SRV_RELAYINFO_H

#include <stddef.h>
#include <stdint.h>

#include "addr6.h"
#include "srv_txn.h"

#define SRV_RI_HEX 16384 /* text arrays of hex ids */

struct srv_relayinfo {
	bool relayed;
	char src[ADDR6_STRLEN], link[ADDR6_STRLEN], peer[ADDR6_STRLEN];
	char relay_ids[SRV_RI_HEX];
	char remote_ids[SRV_RI_HEX];
	const uint8_t *ifid, *subscriber, *hwaddr;
	size_t ifid_len, subscriber_len, hwaddr_len;
	char hwtype[8];
	uint8_t *chain; /* static buffer, valid until the next srv_relayinfo_get */
	size_t chain_len;
	/* the client's options a leasequery may ask for (leases.client_opts):
	 * static buffer too, NULL when the client sent none */
	uint8_t *copts;
	size_t copts_len;
};

enum { SRV_LP_N = 25 };

/* Parameters $1..$25 of the INSERT / UPDATE of one lease row: $21..$24 are
 * the FQDN, the client's flags and the DDNS updates to queue (srv_fqdn.c),
 * $25 the client's options. */
struct srv_lease_params {
	const char *v[SRV_LP_N];
	int len[SRV_LP_N];
	int fmt[SRV_LP_N];
	char addr[ADDR6_PREFIX_STRLEN], link[ADDR6_STRLEN];
	char iaid[12], subnet[12], pref[12], valid[12], cltt[24], fqdn_flags[4];
};

/* Reads t's relay chain (nothing when t was not relayed) and the client's
 * options leasequery may return into *out. */
void srv_relayinfo_get(const struct srv_txn *t, struct srv_relayinfo *out);

/* Fills *p for lease l of transaction t; p points into ri and l. */
void srv_relayinfo_params(const struct srv *s, const struct srv_txn *t,
                          const struct srv_relayinfo *ri, const struct srv_lease *l,
                          struct srv_lease_params *p);

#endif
