/*
 * RELEASE and DECLINE (RFC 8415 §18.3.7, §18.3.8): free (or quarantine for
 * decline-quarantine seconds) the listed leases that belong to the client's
 * IA; NoBinding for an IA we do not know; top-level Success. Decline never
 * covers prefixes, so IA_PD in a Decline is ignored.
 */
#include <string.h>

#include "d6_ia.h"
#include "log.h"
#include "srv_handlers.h"
#include "srv_reply.h"

static int one_ia(struct srv_txn *t, int ia, bool decline)
{
	struct srv *s = t->srv;
	const struct d6_msg *m = &s->req;
	uint8_t type = m->node[ia].code == D6_OPT_IA_NA ? SRV_NA : SRV_PD;
	uint16_t kid = type == SRV_NA ? D6_OPT_IAADDR : D6_OPT_IAPREFIX;
	uint32_t iaid = m->node[ia].v.ia.iaid;
	int err = 0, r;

	if (!srv_cache_bind_first(&s->cache, t->clientid, t->clientid_len, type, iaid)) {
		r = type == SRV_NA ? d6_ia_add_na(&s->rep, iaid, 0, 0)
		                   : d6_ia_add_pd(&s->rep, iaid, 0, 0);
		return r < 0 ? r : srv_reply_status(t, r, D6_STATUS_NOBINDING);
	}
	for (int k = d6_msg_find(m, ia, kid); k >= 0 && !err; k = d6_msg_find_next(m, k, kid)) {
		const struct d6_node *n = &m->node[k];
		struct in6_addr a;
		uint8_t plen = type == SRV_NA ? 128 : n->v.iaprefix.plen;
		struct srv_lease *l;

		memcpy(&a, type == SRV_NA ? n->v.iaaddr.addr : n->v.iaprefix.prefix, 16);
		l = srv_cache_find(&s->cache, &a, plen);
		if (!l || l->state != SRV_LEASE_ACTIVE ||
		    !srv_lease_is(l, t->clientid, t->clientid_len, type, iaid)) {
			srv_log(t, LOG_DEBUG, "lease listed in %s is not the client's, ignored",
			        decline ? "Decline" : "Release");
			continue;
		}
		err = decline ? srv_txn_decline(t, l, s->conf->dhcp6.decline_quarantine)
		              : srv_txn_release(t, l);
	}
	return err;
}

void srv_release(struct srv_txn *t)
{
	const struct d6_msg *m = &t->srv->req;
	bool decline = t->type == D6_MSG_DECLINE;
	int err;

	if (!srv_txn_can_commit(t))
		return;
	err = srv_reply_init(t, D6_MSG_REPLY);
	if (!err)
		err = srv_reply_status(t, D6_ROOT, D6_STATUS_SUCCESS);
	for (int i = d6_msg_first(m, D6_ROOT); i >= 0 && err >= 0; i = d6_msg_next(m, i)) {
		uint16_t c = m->node[i].code;

		if (c == D6_OPT_IA_NA || (c == D6_OPT_IA_PD && !decline))
			err = one_ia(t, i, decline);
	}
	srv_reply_end(t, err, SRV_CNT_REPLY);
}
