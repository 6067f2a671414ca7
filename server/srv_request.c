/*
 * REQUEST (RFC 8415 §18.3.2): assign or confirm a lease for every IA,
 * NotOnLink for an IA with an address off the link, NoAddrsAvail /
 * NoPrefixAvail when nothing is free. The Reply waits for the commit.
 */
#include "srv_handlers.h"
#include "srv_ia.h"
#include "srv_reply.h"

void srv_request(struct srv_txn *t)
{
	int err;

	if (!srv_can_commit(t->srv)) {
		srv_count(t->srv, SRV_CNT_DROP_DB_DOWN);
		t->drop = true; /* no lease-granting Reply without a commit */
		return;
	}
	err = srv_reply_init(t, D6_MSG_REPLY);
	if (!err)
		err = srv_ia_process(t, SRV_IA_REQUEST);
	if (!err)
		err = srv_reply_options(t, false);
	if (err < 0) {
		srv_txn_undo(t);
		t->drop = true;
		return;
	}
	srv_count(t->srv, SRV_CNT_REPLY);
	srv_reply_finish(t);
}
