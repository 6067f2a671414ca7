/*
 * IA processing for Solicit, Request, Renew and Rebind (see srv_ia.h).
 * RFC 8415 §18.3.1 (Advertise), §18.3.2 (Request), §18.3.4-18.3.5 (Renew,
 * Rebind and the table in spec/dhcpv6.md §8.2), RFC 6853 §4 (policies).
 */
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "d6_ia.h"
#include "log.h"
#include "srv_alloc.h"
#include "srv_fqdn.h"
#include "srv_history.h"
#include "srv_ia.h"
#include "srv_link.h"
#include "srv_reply.h"

#define IA_MAX_SEEN D6_MSG_MAX_KIDS

struct ia_ctx {
	struct srv_txn *t;
	struct srv *s;
	const struct conf_subnet *sn;
	enum srv_ia_mode mode;
	uint8_t type;
	uint32_t iaid;
	int req_ia;
	int rep_ia;
	size_t n_leases; /* leases with non-zero lifetimes in the reply IA */
	size_t n_hints;  /* addresses or prefixes the client listed */
	bool need_new;   /* a foreign lease was zeroed: give a fresh one */
	struct srv_lease *seen[IA_MAX_SEEN];
	size_t n_seen;
};

static int put_lease(struct ia_ctx *c, const struct in6_addr *a, uint8_t plen, uint32_t pref,
                     uint32_t valid)
{
	int i;

	if (c->type == SRV_NA)
		i = d6_ia_add_addr(&c->s->rep, c->rep_ia, a->s6_addr, pref, valid);
	else
		i = d6_ia_add_prefix(&c->s->rep, c->rep_ia, a->s6_addr, plen, pref, valid);
	if (i < 0)
		return i;
	srv_reply_lease(c->t, pref, valid);
	if (valid)
		c->n_leases++;
	return 0;
}

static int no_space(struct ia_ctx *c)
{
	srv_count(c->s, c->type == SRV_NA ? SRV_CNT_NO_ADDRS : SRV_CNT_NO_PREFIX);
	return srv_reply_status(
	    c->t, c->rep_ia, c->type == SRV_NA ? D6_STATUS_NOADDRSAVAIL : D6_STATUS_NOPREFIXAVAIL);
}

static int grant(struct ia_ctx *c, const struct in6_addr *a, uint8_t plen)
{
	const struct conf_timers *tm = &c->sn->timers;
	struct srv_lease *l;
	int err;

	if (c->mode == SRV_IA_ADVERTISE)
		return put_lease(c, a, plen, tm->preferred, tm->valid);
	l = srv_lease_new();
	if (!l)
		return CH_ENOMEM;
	l->type = c->type;
	l->addr = *a;
	l->plen = plen;
	l->iaid = c->iaid;
	l->subnet_id = c->sn->id;
	l->pref = tm->preferred;
	l->valid = tm->valid;
	l->cltt = c->t->now;
	l->expires = tm->valid == D6_INFINITY ? SRV_NEVER : c->t->now + tm->valid;
	l->duid_len = (uint8_t)c->t->clientid_len;
	memcpy(l->duid, c->t->clientid, c->t->clientid_len);
	err = srv_txn_grant(c->t, l);
	if (err) {
		free(l);
		return err;
	}
	if (c->n_seen < IA_MAX_SEEN)
		c->seen[c->n_seen++] = l;
	return put_lease(c, a, plen, l->pref, l->valid);
}

static int extend(struct ia_ctx *c, struct srv_lease *l)
{
	const struct conf_timers *tm = &c->sn->timers;
	int err = 0;

	if (c->n_seen < IA_MAX_SEEN)
		c->seen[c->n_seen++] = l;
	if (c->mode != SRV_IA_ADVERTISE)
		err = srv_txn_extend(c->t, l, tm->preferred, tm->valid);
	return err ? err : put_lease(c, &l->addr, l->plen, tm->preferred, tm->valid);
}

static bool was_seen(const struct ia_ctx *c, const struct srv_lease *l)
{
	for (size_t i = 0; i < c->n_seen; i++) {
		if (c->seen[i] == l)
			return true;
	}
	return false;
}

/* Address or prefix of the IAADDR/IAPREFIX at k; false for anything else. */
static bool hint_at(const struct ia_ctx *c, int k, struct in6_addr *a, uint8_t *plen)
{
	const struct d6_node *n = &c->s->req.node[k];

	if (c->type == SRV_NA && n->code == D6_OPT_IAADDR) {
		memcpy(a, n->v.iaaddr.addr, 16);
		*plen = 128;
		return true;
	}
	if (c->type == SRV_PD && n->code == D6_OPT_IAPREFIX) {
		memcpy(a, n->v.iaprefix.prefix, 16);
		*plen = n->v.iaprefix.plen;
		return !IN6_IS_ADDR_UNSPECIFIED(a); /* ::/len is a length hint (RFC 8168) */
	}
	return false;
}

static bool ours(const struct ia_ctx *c, const struct srv_lease *l)
{
	return l && l->state == SRV_LEASE_ACTIVE &&
	       srv_lease_is(l, c->t->clientid, c->t->clientid_len, c->type, c->iaid);
}

static bool suits_link(const struct ia_ctx *c, const struct srv_lease *l)
{
	if (c->type == SRV_NA)
		return srv_link_on_link(c->sn, &l->addr);
	return srv_link_own_prefix(c->sn, &l->addr, l->plen) != NULL || l->subnet_id == c->sn->id;
}

/* A lease of the client's that the configuration no longer allows (its
 * pool, PD pool or reservation changed): never offered or extended again.
 * In Request, Renew and Rebind it goes back with lifetimes 0, its row is
 * expired in the same commit, and a fresh lease takes its place, whatever
 * the rebind-policy (RFC 8415 §18.3.4, §18.3.5). */
static int retire(struct ia_ctx *c, struct srv_lease *l)
{
	struct in6_addr a = l->addr;
	uint8_t plen = l->plen;
	int err;

	c->need_new = true;
	if (c->n_seen < IA_MAX_SEEN)
		c->seen[c->n_seen++] = l;
	if (c->mode == SRV_IA_ADVERTISE)
		return 0;
	err = srv_txn_expire(c->t, l);
	if (err)
		return err;
	srv_count(c->s, SRV_CNT_LEASE_UNFIT);
	srv_log(c->t, LOG_INFO, "a lease no longer fits the configuration: lifetimes 0, a new one");
	return put_lease(c, &a, plen, 0, 0);
}

static int extend_binding(struct ia_ctx *c)
{
	struct srv_lease *l = srv_cache_bind_first(&c->s->cache, c->t->clientid, c->t->clientid_len,
	                                           c->type, c->iaid);
	struct srv_lease *next;
	int err = 0;

	for (; l && !err; l = next) {
		next = srv_cache_bind_next(l); /* retire takes l out of the cache */
		if (!ours(c, l) || was_seen(c, l) || !suits_link(c, l))
			continue;
		err = srv_alloc_fits(c->sn, l) ? extend(c, l) : retire(c, l);
	}
	return err;
}

static bool any_hint_off_link(const struct ia_ctx *c)
{
	struct in6_addr a;
	uint8_t plen;

	for (int k = d6_msg_first(&c->s->req, c->req_ia); k >= 0; k = d6_msg_next(&c->s->req, k)) {
		if (hint_at(c, k, &a, &plen) && c->type == SRV_NA && !srv_link_on_link(c->sn, &a))
			return true;
	}
	return false;
}

static int grant_new(struct ia_ctx *c)
{
	struct in6_addr a;
	uint8_t plen;

	if (srv_alloc(c->s, c->sn, c->type, c->t->clientid, c->t->clientid_len, c->iaid, &a,
	              &plen) < 0)
		return no_space(c);
	return grant(c, &a, plen);
}

/* A Request naming a lease this instance ended early for the client (it
 * was reclaimed before the client came back): it goes back with lifetimes
 * 0, as a held one would (retire), beside the fresh lease; unless the
 * configuration allows it again, and the hint is granted as such. */
static int zero_ended(struct ia_ctx *c)
{
	struct in6_addr a;
	uint8_t plen;
	int err = 0;

	for (int k = d6_msg_first(&c->s->req, c->req_ia); k >= 0 && !err;
	     k = d6_msg_next(&c->s->req, k)) {
		if (hint_at(c, k, &a, &plen) && !srv_cache_find(&c->s->cache, &a, plen) &&
		    srv_history_ended(c->s, &a, plen, c->t->clientid, c->t->clientid_len, c->type,
		                      c->t->now) &&
		    !srv_alloc_usable(c->s, c->sn, c->type, &a, plen, c->t->clientid,
		                      c->t->clientid_len))
			err = put_lease(c, &a, plen, 0, 0);
	}
	return err;
}

/* Solicit and Request (§18.3.1, §18.3.2). */
static int assign(struct ia_ctx *c)
{
	struct in6_addr a;
	uint8_t plen;
	int err;

	if (c->mode == SRV_IA_REQUEST && any_hint_off_link(c))
		return srv_reply_status(c->t, c->rep_ia, D6_STATUS_NOTONLINK);
	err = c->mode == SRV_IA_REQUEST ? zero_ended(c) : 0;
	if (!err)
		err = extend_binding(c);
	if (err || c->n_leases)
		return err;
	if (c->mode == SRV_IA_ADVERTISE && !srv_can_commit(c->s))
		return no_space(c); /* offer nothing we could not commit */
	for (int k = d6_msg_first(&c->s->req, c->req_ia); k >= 0; k = d6_msg_next(&c->s->req, k)) {
		if (hint_at(c, k, &a, &plen) &&
		    srv_alloc_usable(c->s, c->sn, c->type, &a, plen, c->t->clientid,
		                     c->t->clientid_len))
			return grant(c, &a, plen);
	}
	return grant_new(c);
}

/* A lease this instance held before its configuration changed, reclaimed
 * already: one it ended early for this client (srv_history.h), an address
 * in no pool of this subnet and in no sibling's range, or a prefix inside
 * the link prefix but in no PD pool and no sibling's range. Nobody's by the
 * configuration, so it is replaced whatever the rebind-policy (RFC 8415
 * §18.3.4, §18.3.5; issue 10 item 2). A prefix outside the link and the
 * PD pools may be a sibling's: only the history can tell it is ours. */
static bool stale(const struct ia_ctx *c, const struct in6_addr *a, uint8_t plen)
{
	const struct conf_subnet *sn = c->sn;

	if (srv_history_ended(c->s, a, plen, c->t->clientid, c->t->clientid_len, c->type,
	                      c->t->now))
		return true;
	if (srv_link_foreign(sn, a))
		return false;
	if (c->type == SRV_NA)
		return !srv_link_own_addr(sn, a);
	return addr6_in_prefix(a, &sn->prefix) && !srv_link_own_prefix(sn, a, plen);
}

/* A lease the client lists and this instance does not hold for it:
 * the subnet's rebind-policy decides (RFC 6853 §4, issue 3 item 3). */
static int foreign(struct ia_ctx *c, const struct in6_addr *a, uint8_t plen,
                   const struct srv_lease *holder)
{
	enum conf_rebind_policy pol = c->sn->rebind_policy;

	if (pol == CONF_REBIND_REFUSE && stale(c, a, plen))
		pol = CONF_REBIND_REPLACE;

	if (!holder && pol != CONF_REBIND_REFUSE && c->sn->renew_creates &&
	    srv_alloc_usable(c->s, c->sn, c->type, a, plen, c->t->clientid, c->t->clientid_len)) {
		srv_count(c->s, SRV_CNT_REBIND_ADOPTED);
		srv_log(c->t, LOG_INFO, "adopting a lease this instance did not grant");
		return grant(c, a, plen);
	}
	if (pol == CONF_REBIND_ADOPT)
		srv_count(c->s, SRV_CNT_REBIND_ADOPT_CONFLICT);
	if (pol == CONF_REBIND_REFUSE) {
		srv_count(c->s, SRV_CNT_REBIND_REFUSED);
	} else {
		srv_count(c->s, SRV_CNT_REBIND_REPLACED);
		c->need_new = true;
	}
	return put_lease(c, a, plen, 0, 0);
}

/* Renew and Rebind (§18.3.4, §18.3.5). */
static int renew(struct ia_ctx *c)
{
	struct in6_addr a;
	uint8_t plen;
	int err = 0;

	for (int k = d6_msg_first(&c->s->req, c->req_ia); k >= 0 && !err;
	     k = d6_msg_next(&c->s->req, k)) {
		struct srv_lease *l;

		if (!hint_at(c, k, &a, &plen))
			continue;
		c->n_hints++;
		l = srv_cache_find(&c->s->cache, &a, plen);
		if (ours(c, l) && suits_link(c, l) && srv_alloc_fits(c->sn, l))
			err = extend(c, l);
		else if (ours(c, l) && suits_link(c, l))
			err = retire(c, l);
		else if (ours(c, l))
			err = put_lease(c, &a, plen, 0, 0);
		else
			err = foreign(c, &a, plen, l);
	}
	if (!err)
		err = extend_binding(c);
	if (err || c->n_leases)
		return err;
	if (c->need_new)
		return grant_new(c);
	/* §18.3.4: an IA the client holds nothing in yet (a new IA_NA beside
	 * its IA_PD) gets a lease when the server creates bindings in Renew */
	if (!c->n_hints)
		return c->sn->renew_creates
		           ? grant_new(c)
		           : srv_reply_status(c->t, c->rep_ia, D6_STATUS_NOBINDING);
	return 0;
}

static int one_ia(struct srv_txn *t, enum srv_ia_mode mode, int req_ia)
{
	const struct d6_node *n = &t->srv->req.node[req_ia];
	struct ia_ctx c = {.t = t, .s = t->srv, .sn = t->subnet, .mode = mode, .req_ia = req_ia};

	c.iaid = n->v.ia.iaid;
	if (n->code == D6_OPT_IA_TA) {
		/* temporary addresses are optional (spec/dhcpv6.md, successor note) */
		c.rep_ia = d6_ia_add_ta(&t->srv->rep, n->v.ia.iaid);
		return c.rep_ia < 0 ? c.rep_ia
		                    : srv_reply_status(t, c.rep_ia, D6_STATUS_NOADDRSAVAIL);
	}
	c.type = n->code == D6_OPT_IA_NA ? SRV_NA : SRV_PD;
	c.rep_ia = c.type == SRV_NA ? d6_ia_add_na(&t->srv->rep, c.iaid, 0, 0)
	                            : d6_ia_add_pd(&t->srv->rep, c.iaid, 0, 0);
	if (c.rep_ia < 0)
		return c.rep_ia;
	if (mode == SRV_IA_ADVERTISE || mode == SRV_IA_REQUEST)
		return assign(&c);
	return renew(&c);
}

int srv_ia_process(struct srv_txn *t, enum srv_ia_mode mode)
{
	const struct d6_msg *req = &t->srv->req;
	int err = 0;

	if (srv_fqdn_get(t) < 0)
		srv_log(t, LOG_DEBUG, "Client FQDN unusable, no DNS update for this client");
	for (int i = d6_msg_first(req, D6_ROOT); i >= 0 && !err; i = d6_msg_next(req, i)) {
		uint16_t code = req->node[i].code;

		if (code == D6_OPT_IA_NA || code == D6_OPT_IA_PD || code == D6_OPT_IA_TA)
			err = one_ia(t, mode, i);
	}
	if (!err)
		err = srv_fqdn_reply(t);
	if (err)
		srv_txn_drop(t);
	return err;
}
