/*
 * The Client FQDN option (RFC 4704) for IA_NA leases when ddns is enabled:
 * read the client's name and flags, sanitise it (lower case, characters a
 * host name cannot hold replaced or dropped), qualify a partial name with
 * ddns.qualifying-suffix, or make one from the address (generated-prefix);
 * decide who updates what under the subnet's fqdn-policy (honour, always,
 * never: §6.1 S, O, N) and answer with the option when the client asked for
 * it. The lease row and its outbox row are written in one statement
 * (srv_store_sql.c).
 */
#ifndef CHORUS_SRV_FQDN_H
#define CHORUS_SRV_FQDN_H

#include "srv_txn.h"

#define SRV_FQDN_S 0x1 /* server updates AAAA */
#define SRV_FQDN_O 0x2 /* server overrode the client */
#define SRV_FQDN_N 0x4 /* no server updates */

/* Reads CLIENT_FQDN of s->req into t (t->fqdn "" when absent, unusable,
 * to be generated, or ddns is off). Returns 0, or CH_EMALFORMED for a name
 * we cannot use. Call with t->subnet set. */
int srv_fqdn_get(struct srv_txn *t);

/* After the IAs: generates the name if due, and adds the server's
 * CLIENT_FQDN to s->rep when t has a name and the client sent the option
 * and listed it in its ORO (§6). */
int srv_fqdn_reply(struct srv_txn *t);

#endif
