/*
 * One handler per client message type (RFC 8415 §18.3), each in its own
 * file. A handler runs with s->req parsed and validated (srv_rx.c), builds
 * s->rep and finishes it into t->out, or sets t->drop; lease changes are
 * recorded on t and committed before the reply leaves (srv_store.c).
 */
#ifndef CHORUS_SRV_HANDLERS_H
#define CHORUS_SRV_HANDLERS_H

#include "srv_txn.h"

void srv_solicit(struct srv_txn *t);
void srv_request(struct srv_txn *t);
void srv_confirm(struct srv_txn *t);
void srv_renew(struct srv_txn *t);   /* Renew and Rebind */
void srv_release(struct srv_txn *t); /* Release and Decline */
void srv_inforeq(struct srv_txn *t);
/* LEASEQUERY reaching UDP 547: hand-off or NotConfigured (srv_lq.c). */
void srv_leasequery(struct srv_txn *t);

#endif
