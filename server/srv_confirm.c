/*
 * CONFIRM (RFC 8415 §18.3.3): Success when every address is on the
 * client's link (our subnet prefix or a sibling's foreign range), else
 * NotOnLink; no reply when the link is unknown or no address was listed.
 */
#include <string.h>

#include "srv_handlers.h"
#include "srv_link.h"
#include "srv_reply.h"

/* Returns the number of addresses seen; *off gets whether one is off-link. */
static size_t check(const struct srv_txn *t, bool *off, bool *foreign)
{
	const struct d6_msg *m = &t->srv->req;
	size_t n = 0;

	for (int i = d6_msg_first(m, D6_ROOT); i >= 0; i = d6_msg_next(m, i)) {
		if (m->node[i].code != D6_OPT_IA_NA && m->node[i].code != D6_OPT_IA_TA)
			continue;
		for (int k = d6_msg_find(m, i, D6_OPT_IAADDR); k >= 0;
		     k = d6_msg_find_next(m, k, D6_OPT_IAADDR)) {
			struct in6_addr a;

			memcpy(&a, m->node[k].v.iaaddr.addr, 16);
			n++;
			if (!srv_link_on_link(t->subnet, &a))
				*off = true;
			else if (srv_link_foreign(t->subnet, &a))
				*foreign = true;
		}
	}
	return n;
}

void srv_confirm(struct srv_txn *t)
{
	bool off = false, foreign = false;

	if (!t->subnet || check(t, &off, &foreign) == 0) {
		srv_count(t->srv, SRV_CNT_DROP_CONFIRM);
		t->drop = true;
		return;
	}
	if (!off && foreign)
		srv_count(t->srv, SRV_CNT_CONFIRM_FOREIGN);
	if (srv_reply_init(t, D6_MSG_REPLY) < 0 ||
	    srv_reply_status(t, D6_ROOT, off ? D6_STATUS_NOTONLINK : D6_STATUS_SUCCESS) < 0) {
		t->drop = true;
		return;
	}
	srv_count(t->srv, SRV_CNT_REPLY);
	srv_reply_finish(t);
}
