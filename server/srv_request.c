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

	if (!srv_txn_can_commit(t))
		return;
	err = srv_reply_init(t, D6_MSG_REPLY);
	if (!err)
		err = srv_ia_process(t, SRV_IA_REQUEST);
	if (!err)
		err = srv_reply_options(t, false);
	srv_reply_end(t, err, SRV_CNT_REPLY);
}
