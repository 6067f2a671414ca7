/*
 * The Client FQDN option (RFC 4704) for IA_NA leases when ddns is enabled:
 * read the client's name and flags, qualify a partial name with
 * ddns.qualifying-suffix, decide who updates what (§5: S, O, N flags and
 * override-client-update), and answer with the option. The lease row and
 * its DDNS outbox row are written in one statement (srv_store.c).
 */
#ifndef CHORUS_SRV_FQDN_H
#define CHORUS_SRV_FQDN_H

#include "srv_txn.h"

#define SRV_FQDN_S 0x1 /* server updates AAAA */
#define SRV_FQDN_O 0x2 /* server overrode the client */
#define SRV_FQDN_N 0x4 /* no server updates */

/* Reads CLIENT_FQDN of s->req into t (t->fqdn "" when absent, unusable or
 * ddns is off). Returns 0, or CH_EMALFORMED for a name we cannot use. */
int srv_fqdn_get(struct srv_txn *t);

/* Adds the server's CLIENT_FQDN to s->rep when t has a name. */
int srv_fqdn_reply(struct srv_txn *t);

#endif
