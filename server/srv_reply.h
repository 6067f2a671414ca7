/*
 * Building Advertise and Reply messages (RFC 8415 §18.3, §21): SERVERID and
 * the client's CLIENTID, status codes, configuration options as the ORO
 * asks, one T1/T2 for every IA, then the bytes, wrapped back through every
 * relay hop when the request was relayed (§19.3).
 */
#ifndef CHORUS_SRV_REPLY_H
#define CHORUS_SRV_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "srv_txn.h"

/* Empties s->rep as a message of type with the request's xid, SERVERID and
 * CLIENTID (if the request had one). Returns 0 or a d6_msg_add error. */
int srv_reply_init(struct srv_txn *t, uint8_t type);

/* Adds STATUS_CODE with a fixed text under parent (D6_ROOT: top level). */
int srv_reply_status(struct srv_txn *t, int parent, uint16_t code);

/* Adds the configured options the ORO asks for: option-data (srv_opts.c),
 * then the named options (the subnet's when the link is known, else
 * /dhcp6's) of codes option-data did not send. INFORMATION_REFRESH_TIME
 * only when info is set. */
int srv_reply_options(struct srv_txn *t, bool info);

/* Notes a lease placed in the reply, for T1/T2. */
void srv_reply_lease(struct srv_txn *t, uint32_t pref, uint32_t valid);

/*
 * Sets one T1/T2 on every IA of s->rep (RFC 8415 §21.4: the subnet's
 * timers, shortened to 0.5/0.8 of the shortest preferred lifetime granted),
 * builds the message and, when relayed, the Relay-reply chain, into t->out.
 * Returns 0, CH_ENOMEM or a build error (t->drop is then set).
 */
int srv_reply_finish(struct srv_txn *t);

/* Ends a handler: err < 0 drops t (srv_txn_drop); otherwise counts cnt
 * and finishes the reply (srv_reply_finish). */
void srv_reply_end(struct srv_txn *t, int err, enum srv_cnt cnt);

#endif
