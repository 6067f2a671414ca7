/*
 * RENEW and REBIND (RFC 8415 §18.3.4, §18.3.5): find the bindings, extend
 * them, and for leases this instance does not hold apply the subnet's
 * rebind-policy (srv_ia.c). Without a database nothing can be extended:
 * the request is dropped so the client moves on to a healthy sibling.
 */
#include "srv_handlers.h"
#include "srv_ia.h"
#include "srv_reply.h"

/* RFC 8415 §18.3.5: a Rebind answer with no lease, no zeroed lease and no
 * status says nothing; such a Rebind is discarded. */
static bool says_something(const struct d6_msg *rep)
{
	for (int i = d6_msg_first(rep, D6_ROOT); i >= 0; i = d6_msg_next(rep, i)) {
		uint16_t c = rep->node[i].code;

		if ((c == D6_OPT_IA_NA || c == D6_OPT_IA_PD || c == D6_OPT_IA_TA) &&
		    d6_msg_first(rep, i) >= 0)
			return true;
	}
	return false;
}

void srv_renew(struct srv_txn *t)
{
	bool rebind = t->type == D6_MSG_REBIND;
	int err;

	if (!srv_txn_can_commit(t))
		return;
	err = srv_reply_init(t, D6_MSG_REPLY);
	if (!err)
		err = srv_ia_process(t, rebind ? SRV_IA_REBIND : SRV_IA_RENEW);
	if (!err)
		err = srv_reply_options(t, false);
	if (err >= 0 && rebind && !says_something(&t->srv->rep)) {
		srv_count(t->srv, SRV_CNT_DROP_REBIND);
		srv_txn_drop(t);
		return;
	}
	srv_reply_end(t, err, SRV_CNT_REPLY);
}
