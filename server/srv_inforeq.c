/*
 * INFORMATION-REQUEST (RFC 8415 §18.3.6): configuration options only, as
 * the ORO asks, INFORMATION_REFRESH_TIME included. Needs no database, so it
 * is answered while PostgreSQL is down. The subnet's options when the link
 * is known, the /dhcp6 ones otherwise.
 */
#include "srv_handlers.h"
#include "srv_reply.h"

void srv_inforeq(struct srv_txn *t)
{
	if (srv_reply_init(t, D6_MSG_REPLY) < 0 || srv_reply_options(t, true) < 0) {
		t->drop = true;
		return;
	}
	srv_count(t->srv, SRV_CNT_REPLY);
	srv_reply_finish(t);
}
