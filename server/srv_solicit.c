/*
 * SOLICIT (RFC 8415 §18.3.1, §18.3.9): an Advertise with the leases a
 * Request would get and PREFERENCE always (issue 3 item 10), lower or none
 * while this instance is degraded (srv_health.c); with Rapid
 * Commit configured and asked for, a committed Reply with RAPID_COMMIT.
 */
#include "srv_handlers.h"
#include "srv_health.h"
#include "srv_ia.h"
#include "srv_reply.h"

static bool rapid(const struct srv_txn *t)
{
	return t->subnet->rapid_commit &&
	       d6_msg_find(&t->srv->req, D6_ROOT, D6_OPT_RAPID_COMMIT) >= 0;
}

void srv_solicit(struct srv_txn *t)
{
	struct srv *s = t->srv;
	bool rc = rapid(t);
	uint8_t pref;
	int err;

	if (rc && !srv_can_commit(s))
		rc = false; /* nothing to commit to: advertise NoAddrsAvail instead */
	err = srv_reply_init(t, rc ? D6_MSG_REPLY : D6_MSG_ADVERTISE);
	if (!err && rc)
		err = d6_msg_add(&s->rep, D6_ROOT, D6_OPT_RAPID_COMMIT);
	if (err >= 0 && !rc && srv_health_preference(s, t->subnet, &pref))
		err = d6_msg_add_u8(&s->rep, D6_ROOT, D6_OPT_PREFERENCE, pref);
	if (err >= 0)
		err = srv_ia_process(t, rc ? SRV_IA_REQUEST : SRV_IA_ADVERTISE);
	if (err >= 0)
		err = srv_reply_options(t, false);
	srv_reply_end(t, err, rc ? SRV_CNT_REPLY : SRV_CNT_ADVERTISE);
}
