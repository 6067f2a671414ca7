/*
 * Relay data of a transaction as lease-row parameters (see
 * srv_relayinfo.h). Text parameters except the bytea ones, which go in
 * binary so no escaping is involved.
 */
#include <stdio.h>
#include <string.h>

#include "d6_relay.h"
#include "srv_relayinfo.h"

static uint8_t ri_chain[65536];
static uint8_t ri_copts[2048];

/* The client's options a leasequery's ORO may ask for (RFC 5007 §4.4.2):
 * the ones that say what the client is, not how this exchange went;
 * never the configured sensitive ones (leasequery.sensitive-options). */
static bool copt_kept(const struct conf_leasequery *c, uint16_t code)
{
	if (code != D6_OPT_USER_CLASS && code != D6_OPT_VENDOR_CLASS &&
	    code != D6_OPT_VENDOR_OPTS && code != D6_OPT_CLIENT_ARCH_TYPE)
		return false;
	for (size_t i = 0; i < c->n_sensitive_options; i++) {
		if (c->sensitive_options[i] == code)
			return false;
	}
	return true;
}

static void client_opts(const struct srv_txn *t, struct srv_relayinfo *out)
{
	const uint8_t *m = t->relayed ? t->chain.inner : t->pkt;
	size_t len = t->relayed ? t->chain.inner_len : t->pkt_len, n = 0;
	struct wire_rd r;
	struct d6_opt o;

	out->copts = NULL;
	out->copts_len = 0;
	if (!m || len < 4)
		return;
	r = wire_rd_init(m + 4, len - 4);
	while (d6_opt_next(&r, &o) > 0) {
		if (!copt_kept(&t->srv->conf->leasequery, o.code) ||
		    n + 4 + o.len > sizeof(ri_copts))
			continue;
		ri_copts[n++] = (uint8_t)(o.code >> 8);
		ri_copts[n++] = (uint8_t)o.code;
		ri_copts[n++] = (uint8_t)(o.len >> 8);
		ri_copts[n++] = (uint8_t)o.len;
		memcpy(ri_copts + n, o.data, o.len);
		n += o.len;
	}
	if (n) {
		out->copts = ri_copts;
		out->copts_len = n;
	}
}

/* Appends the option data as one hex element of a text[] literal. */
static void hex_append(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t len = strlen(out);

	if (len + 2 * n + 3 > cap)
		return;
	if (len > 1)
		out[len++] = ',';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%02x", p[i]);
	out[len] = '\0';
}

static void layer_opts(const struct d6_relay_layer *ly, bool inner, struct srv_relayinfo *ri)
{
	struct wire_rd r = wire_rd_init(ly->opts, ly->opts_len);
	struct d6_opt o;

	while (d6_opt_next(&r, &o) > 0) {
		if (o.code == D6_OPT_RELAY_ID)
			hex_append(ri->relay_ids, sizeof(ri->relay_ids), o.data, o.len);
		else if (o.code == D6_OPT_REMOTE_ID)
			hex_append(ri->remote_ids, sizeof(ri->remote_ids), o.data, o.len);
		else if (inner && o.code == D6_OPT_SUBSCRIBER_ID) {
			ri->subscriber = o.data;
			ri->subscriber_len = o.len;
		} else if (inner && o.code == D6_OPT_CLIENT_LLADDR && o.len > 2) {
			snprintf(ri->hwtype, sizeof(ri->hwtype), "%u",
			         (unsigned)(o.data[0] << 8 | o.data[1]));
			ri->hwaddr = o.data + 2;
			ri->hwaddr_len = o.len - 2u > 64 ? 64 : o.len - 2u;
		}
	}
}

void srv_relayinfo_get(const struct srv_txn *t, struct srv_relayinfo *out)
{
	const struct d6_relay_chain *c = &t->chain;
	struct wire_wr w = wire_wr_init(ri_chain, sizeof(ri_chain));

	memset(out, 0, offsetof(struct srv_relayinfo, relay_ids));
	strcpy(out->relay_ids, "{");
	strcpy(out->remote_ids, "{");
	out->ifid = out->subscriber = out->hwaddr = NULL;
	out->ifid_len = out->subscriber_len = out->hwaddr_len = 0;
	out->hwtype[0] = '\0';
	out->chain = NULL;
	out->chain_len = 0;
	if (t->relayed && c->n) {
		const struct d6_relay_layer *in = &c->layer[c->n - 1];

		out->relayed = true;
		addr6_ntop(&t->pi.src.sin6_addr, out->src, sizeof(out->src));
		addr6_ntop((const struct in6_addr *)(const void *)in->link, out->link,
		           sizeof(out->link));
		addr6_ntop((const struct in6_addr *)(const void *)in->peer, out->peer,
		           sizeof(out->peer));
		out->ifid = in->ifid;
		out->ifid_len = in->ifid_len;
		for (size_t i = 0; i < c->n; i++)
			layer_opts(&c->layer[i], i == c->n - 1, out);
		if (d6_relay_build_stripped(c, &w) == 0) {
			out->chain = ri_chain;
			out->chain_len = w.len;
		}
	}
	strcat(out->relay_ids, "}");
	strcat(out->remote_ids, "}");
	client_opts(t, out);
}

static void set(struct srv_lease_params *p, int i, const void *v, size_t len, bool bin)
{
	p->v[i] = v;
	p->len[i] = (int)len;
	p->fmt[i] = bin;
}

void srv_relayinfo_params(const struct srv *s, const struct srv_txn *t,
                          const struct srv_relayinfo *ri, const struct srv_lease *l,
                          struct srv_lease_params *p)
{
	struct addr6_prefix pf = {.addr = l->addr, .len = l->plen};

	memset(p->v, 0, sizeof(p->v));
	memset(p->len, 0, sizeof(p->len));
	memset(p->fmt, 0, sizeof(p->fmt));
	addr6_prefix_ntop(&pf, p->addr, sizeof(p->addr));
	addr6_ntop(&t->link_addr, p->link, sizeof(p->link));
	snprintf(p->iaid, sizeof(p->iaid), "%u", l->iaid);
	snprintf(p->subnet, sizeof(p->subnet), "%u", l->subnet_id);
	snprintf(p->pref, sizeof(p->pref), "%u", l->pref);
	snprintf(p->valid, sizeof(p->valid), "%u", l->valid);
	snprintf(p->cltt, sizeof(p->cltt), "%lld", (long long)l->cltt);
	set(p, 0, l->type == SRV_NA ? "na" : "pd", 0, false);
	set(p, 1, p->addr, 0, false);
	set(p, 2, l->duid, l->duid_len, true);
	set(p, 3, p->iaid, 0, false);
	set(p, 4, p->subnet, 0, false);
	set(p, 5, p->link, 0, false);
	set(p, 6, p->pref, 0, false);
	set(p, 7, p->valid, 0, false);
	set(p, 8, p->cltt, 0, false);
	set(p, 9, s->conf->instance.name, 0, false);
	set(p, 10, ri->relayed ? ri->src : NULL, 0, false);
	set(p, 11, ri->relayed ? ri->link : NULL, 0, false);
	set(p, 12, ri->relayed ? ri->peer : NULL, 0, false);
	set(p, 13, ri->relay_ids, 0, false);
	set(p, 14, ri->remote_ids, 0, false);
	set(p, 15, ri->ifid, ri->ifid_len, true);
	set(p, 16, ri->subscriber, ri->subscriber_len, true);
	set(p, 17, ri->chain, ri->chain_len, true);
	set(p, 18, ri->hwaddr ? ri->hwtype : NULL, 0, false);
	set(p, 19, ri->hwaddr, ri->hwaddr_len, true);
	/* a delegated prefix takes the client's name for its PTR only (ddns.prefix-ptr):
	 * a prefix is no address, so no AAAA */
	if (t->fqdn[0] && (l->type == SRV_NA || s->conf->ddns.prefix_ptr)) {
		snprintf(p->fqdn_flags, sizeof(p->fqdn_flags), "%u", t->fqdn_flags);
		set(p, 20, t->fqdn, 0, false);
		set(p, 21, p->fqdn_flags, 0, false);
	}
	set(p, 22, t->fqdn_fwd && l->type == SRV_NA ? "t" : "f", 0, false);
	set(p, 23, t->fqdn_rev ? "t" : "f", 0, false);
	set(p, 24, ri->copts, ri->copts_len, true);
}
