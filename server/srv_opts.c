/*
 * option-data into Advertise and Reply (see srv_opts.h). The bodies were
 * encoded by the loader; this file picks and copies them.
 */
#include <string.h>

#include "addr6.h"
#include "srv_link.h"
#include "srv_opts.h"

#define LEVELS_MAX (2 + 2 * D6_MSG_MAX_KIDS) /* reservation, pools, subnet, instance */

struct levels {
	const struct conf_optlist *v[LEVELS_MAX];
	size_t n;
};

static void level_add(struct levels *lv, const struct conf_optlist *l)
{
	for (size_t i = 0; i < lv->n; i++) {
		if (lv->v[i] == l)
			return;
	}
	if (l->n && lv->n < LEVELS_MAX)
		lv->v[lv->n++] = l;
}

static const struct conf_reservation *reservation(const struct srv_txn *t)
{
	const struct conf_subnet *sn = t->subnet;

	for (size_t i = 0; sn && t->clientid && i < sn->n_reservations; i++) {
		const struct conf_reservation *r = &sn->reservations[i];

		if (r->duid_len == t->clientid_len &&
		    memcmp(r->duid, t->clientid, r->duid_len) == 0)
			return r;
	}
	return NULL;
}

/* The pools of the leases with lifetimes the reply holds, in reply order. */
static void pool_levels(const struct srv_txn *t, struct levels *lv)
{
	const struct d6_msg *rep = &t->srv->rep;
	const struct conf_subnet *sn = t->subnet;

	for (int i = d6_msg_first(rep, D6_ROOT); sn && i >= 0; i = d6_msg_next(rep, i)) {
		for (int k = d6_msg_first(rep, i); k >= 0; k = d6_msg_next(rep, k)) {
			const struct d6_node *n = &rep->node[k];
			struct in6_addr a;

			if (n->code == D6_OPT_IAADDR && n->v.iaaddr.valid) {
				memcpy(&a, n->v.iaaddr.addr, 16);
				for (size_t p = 0; p < sn->n_pools; p++) {
					if (addr6_range_contains(&sn->pools[p].range, &a))
						level_add(lv, &sn->pools[p].option_data);
				}
			} else if (n->code == D6_OPT_IAPREFIX && n->v.iaprefix.valid) {
				const struct conf_pd_pool *pd;

				memcpy(&a, n->v.iaprefix.prefix, 16);
				pd = srv_link_own_prefix(sn, &a, n->v.iaprefix.plen);
				if (pd)
					level_add(lv, &pd->option_data);
			}
		}
	}
}

/* RFC 5970 §3.3: an entry for some architectures fits a client that
 * names one of them in CLIENT_ARCH_TYPE; an entry for none fits all. */
static bool arch_fits(const struct srv_txn *t, const struct conf_optdata *e)
{
	const struct d6_msg *req = &t->srv->req;
	int o = d6_msg_find(req, D6_ROOT, D6_OPT_CLIENT_ARCH_TYPE);

	if (!e->n_arch)
		return true;
	if (o < 0)
		return false;
	for (size_t k = 0; k + 1 < req->node[o].tail_len; k += 2) {
		const uint8_t *p = req->node[o].tail + k;

		for (size_t j = 0; j < e->n_arch; j++) {
			if ((uint16_t)(p[0] << 8 | p[1]) == e->arch[j])
				return true;
		}
	}
	return false;
}

struct chosen {
	const struct conf_optdata *e[SRV_OPTS_MAX];
	size_t n;
};

static bool taken(const struct chosen *ch, const struct conf_optdata *e)
{
	for (size_t i = 0; i < ch->n; i++) {
		if (ch->e[i]->code == e->code &&
		    (e->code != D6_OPT_VENDOR_OPTS || ch->e[i]->enterprise == e->enterprise))
			return true;
	}
	return false;
}

/* Within one level, entries for the client's architecture come before the
 * general ones; across levels the more specific wins. */
static void choose(const struct srv_txn *t, const struct levels *lv, struct chosen *ch)
{
	for (size_t i = 0; i < lv->n; i++) {
		for (int pass = 0; pass < 2; pass++) {
			for (size_t k = 0; k < lv->v[i]->n && ch->n < SRV_OPTS_MAX; k++) {
				const struct conf_optdata *e = &lv->v[i]->v[k];

				if ((pass == 0) != (e->n_arch > 0) || !arch_fits(t, e) ||
				    taken(ch, e))
					continue;
				ch->e[ch->n++] = e;
			}
		}
	}
}

/* Options whose layout has a fixed 32-bit field take it out of the body. */
static int put(struct d6_msg *rep, const struct conf_optdata *e)
{
	bool u32 = e->code == D6_OPT_VENDOR_OPTS || e->code == D6_OPT_INFO_REFRESH ||
	           e->code == D6_OPT_SOL_MAX_RT || e->code == D6_OPT_INF_MAX_RT;
	int i;

	if (!u32 || e->len < 4)
		return d6_msg_add_bytes(rep, D6_ROOT, e->code, e->data, e->len);
	i = d6_msg_add_bytes(rep, D6_ROOT, e->code, e->data + 4, e->len - 4u);
	if (i >= 0)
		rep->node[i].v.u32 = (uint32_t)e->data[0] << 24 | (uint32_t)e->data[1] << 16 |
		                     (uint32_t)e->data[2] << 8 | e->data[3];
	return i;
}

int srv_opts_add(struct srv_txn *t, struct srv_opts_sent *sent)
{
	const struct conf_reservation *r = reservation(t);
	struct levels lv = {.n = 0};
	struct chosen ch = {.n = 0};
	int err = 0;

	sent->n = 0;
	if (r)
		level_add(&lv, &r->option_data);
	pool_levels(t, &lv);
	if (t->subnet)
		level_add(&lv, &t->subnet->option_data);
	level_add(&lv, &t->srv->conf->dhcp6.option_data);
	if (!lv.n)
		return 0;
	choose(t, &lv, &ch);
	for (size_t i = 0; i < ch.n && err >= 0; i++) {
		const struct conf_optdata *e = ch.e[i];

		if (!e->always_send && !d6_msg_oro_has(&t->srv->req, D6_ROOT, e->code))
			continue;
		err = put(&t->srv->rep, e);
		if (err >= 0 && !srv_opts_has(sent, e->code))
			sent->code[sent->n++] = e->code;
	}
	return err < 0 ? err : 0;
}

bool srv_opts_has(const struct srv_opts_sent *sent, uint16_t code)
{
	for (size_t i = 0; i < sent->n; i++) {
		if (sent->code[i] == code)
			return true;
	}
	return false;
}
