/*
 * Advertise/Reply construction shared by every handler (see srv_reply.h).
 * Option data the message points to lives in the transaction's scratch,
 * the configuration, or the request packet, all of which outlive the build.
 */
#include <stdlib.h>
#include <string.h>

#include "d6_ia.h"
#include "d6_relay.h"
#include "srv_opts.h"
#include "srv_reply.h"

#define SRV_MAX_MSG 65535

static const char *status_text(uint16_t code)
{
	switch (code) {
	case D6_STATUS_SUCCESS:
		return "success";
	case D6_STATUS_NOADDRSAVAIL:
		return "no addresses available";
	case D6_STATUS_NOBINDING:
		return "no binding for this IA";
	case D6_STATUS_NOTONLINK:
		return "address not on this link";
	case D6_STATUS_USEMULTICAST:
		return "use multicast";
	case D6_STATUS_NOPREFIXAVAIL:
		return "no prefixes available";
	case D6_STATUS_NOTCONFIGURED:
		return "leasequery not configured";
	default:
		return "failure";
	}
}

int srv_reply_init(struct srv_txn *t, uint8_t type)
{
	struct srv *s = t->srv;
	int i;

	d6_msg_init(&s->rep, type, t->xid);
	t->scratch_len = 0;
	t->min_pref = UINT32_MAX;
	t->min_valid = UINT32_MAX;
	t->granted = false;
	i = d6_msg_add_bytes(&s->rep, D6_ROOT, D6_OPT_SERVERID, s->duid, s->duid_len);
	if (i >= 0 && t->clientid)
		i = d6_msg_add_bytes(&s->rep, D6_ROOT, D6_OPT_CLIENTID, t->clientid,
		                     t->clientid_len);
	return i < 0 ? i : 0;
}

int srv_reply_status(struct srv_txn *t, int parent, uint16_t code)
{
	const char *txt = status_text(code);
	int i = d6_ia_add_status(&t->srv->rep, parent, code, txt, strlen(txt));

	return i < 0 ? i : 0;
}

/* Writes "example.com" as uncompressed labels (RFC 1035 §3.1); 0 on error. */
static size_t put_name(uint8_t *out, size_t cap, const char *name)
{
	size_t n = 0;

	while (*name) {
		size_t len = strcspn(name, ".");

		if (len == 0 || len > 63 || n + 1 + len + 1 > cap)
			return 0;
		out[n++] = (uint8_t)len;
		memcpy(out + n, name, len);
		n += len;
		name += len;
		if (*name == '.')
			name++;
	}
	if (n + 1 > cap)
		return 0;
	out[n++] = 0;
	return n;
}

static int add_domains(struct srv_txn *t, const struct conf_options *o)
{
	uint8_t buf[CONF_MAX_NAMES * 256], *p;
	size_t n = 0;

	for (size_t i = 0; i < o->n_domain_search; i++) {
		size_t k = put_name(buf + n, sizeof(buf) - n, o->domain_search[i]);

		if (!k)
			return CH_EINVAL;
		n += k;
	}
	p = srv_txn_scratch(t, n);
	if (!p)
		return CH_ENOSPACE;
	memcpy(p, buf, n);
	return d6_msg_add_bytes(&t->srv->rep, D6_ROOT, D6_OPT_DOMAIN_LIST, p, n);
}

/* NTP_SERVER is a container: its sub-options are child nodes (RFC 5908 §4). */
static int add_ntp(struct srv_txn *t, const struct conf_options *o)
{
	struct d6_msg *rep = &t->srv->rep;
	int ntp = d6_msg_add(rep, D6_ROOT, D6_OPT_NTP_SERVER);

	for (size_t i = 0; i < o->n_ntp_servers && ntp >= 0; i++) {
		const struct conf_ntp_server *ns = &o->ntp_servers[i];
		uint8_t name[256], *p;
		size_t k;
		int c;

		if (!ns->is_fqdn) {
			c = d6_msg_add(rep, ntp, D6_NTP_SRV_ADDR);
			if (c < 0)
				return c;
			memcpy(rep->node[c].v.addr, &ns->addr, 16);
			continue;
		}
		k = put_name(name, sizeof(name), ns->fqdn);
		p = k ? srv_txn_scratch(t, k) : NULL;
		if (!p)
			return CH_ENOSPACE;
		memcpy(p, name, k);
		c = d6_msg_add_bytes(rep, ntp, D6_NTP_SRV_FQDN, p, k);
		if (c < 0)
			return c;
	}
	return ntp;
}

static int add_u32(struct srv_txn *t, const struct srv_opts_sent *sent, uint16_t code, uint32_t v)
{
	if (!v || !d6_msg_oro_has(&t->srv->req, D6_ROOT, code) || srv_opts_has(sent, code))
		return 0;
	return d6_msg_add_u32(&t->srv->rep, D6_ROOT, code, v);
}

/* A named option the ORO asks for, unless option-data sent that code. */
static bool wants(const struct srv_txn *t, const struct srv_opts_sent *sent, uint16_t code)
{
	return d6_msg_oro_has(&t->srv->req, D6_ROOT, code) && !srv_opts_has(sent, code);
}

int srv_reply_options(struct srv_txn *t, bool info)
{
	const struct conf_options *o =
	    t->subnet ? &t->subnet->options : &t->srv->conf->dhcp6.options;
	struct d6_msg *rep = &t->srv->rep;
	struct srv_opts_sent sent;
	int r = srv_opts_add(t, &sent);

	if (r >= 0 && o->n_dns_servers && wants(t, &sent, D6_OPT_DNS_SERVERS))
		r = d6_msg_add_bytes(rep, D6_ROOT, D6_OPT_DNS_SERVERS, o->dns_servers,
		                     16 * o->n_dns_servers);
	if (r >= 0 && o->n_domain_search && wants(t, &sent, D6_OPT_DOMAIN_LIST))
		r = add_domains(t, o);
	if (r >= 0 && o->n_ntp_servers && wants(t, &sent, D6_OPT_NTP_SERVER))
		r = add_ntp(t, o);
	if (r >= 0)
		r = add_u32(t, &sent, D6_OPT_SOL_MAX_RT, o->sol_max_rt);
	if (r >= 0)
		r = add_u32(t, &sent, D6_OPT_INF_MAX_RT, o->inf_max_rt);
	if (r >= 0 && info)
		r = add_u32(t, &sent, D6_OPT_INFO_REFRESH, o->info_refresh_time);
	return r < 0 ? r : 0;
}

void srv_reply_lease(struct srv_txn *t, uint32_t pref, uint32_t valid)
{
	if (!valid)
		return;
	t->granted = true;
	if (pref < t->min_pref)
		t->min_pref = pref;
	if (valid < t->min_valid)
		t->min_valid = valid;
}

/* RFC 8415 §21.4: T1 = 0.5, T2 = 0.8 of the shortest preferred lifetime,
 * unless the configured timers are shorter; T1 <= T2. */
static void timers(const struct srv_txn *t, uint32_t *t1, uint32_t *t2)
{
	const struct conf_timers *tm = t->subnet ? &t->subnet->timers : &t->srv->conf->dhcp6.timers;
	uint32_t p = t->min_pref;

	*t1 = tm->t1;
	*t2 = tm->t2;
	if (!t->granted) {
		*t1 = *t2 = 0;
		return;
	}
	if (p != D6_INFINITY && p < tm->preferred) {
		*t1 = *t1 < p / 2 ? *t1 : p / 2;
		*t2 = *t2 < (uint32_t)((uint64_t)p * 4 / 5) ? *t2 : (uint32_t)((uint64_t)p * 4 / 5);
	}
	if (*t1 > *t2)
		*t1 = *t2;
}

static void set_timers(struct srv_txn *t)
{
	struct d6_msg *rep = &t->srv->rep;
	uint32_t t1, t2;

	timers(t, &t1, &t2);
	for (int i = d6_msg_first(rep, D6_ROOT); i >= 0; i = d6_msg_next(rep, i)) {
		if (rep->node[i].code == D6_OPT_IA_NA || rep->node[i].code == D6_OPT_IA_PD) {
			rep->node[i].v.ia.t1 = t1;
			rep->node[i].v.ia.t2 = t2;
		}
	}
}

int srv_reply_finish(struct srv_txn *t)
{
	static uint8_t inner[SRV_MAX_MSG], outer[SRV_MAX_MSG];
	struct wire_wr w = wire_wr_init(inner, sizeof(inner));
	struct wire_wr o = wire_wr_init(outer, sizeof(outer));
	const uint8_t *bytes = inner;
	int err;

	set_timers(t);
	err = d6_msg_build(&t->srv->rep, &w);
	if (!err && t->relayed) {
		err = d6_relay_build_reply(&t->chain, inner, w.len, &o);
		bytes = outer;
		w.len = o.len;
	}
	if (!err) {
		free(t->out);
		t->out = malloc(w.len);
		err = t->out ? 0 : CH_ENOMEM;
	}
	if (err) {
		t->drop = true;
		return err;
	}
	memcpy(t->out, bytes, w.len);
	t->out_len = w.len;
	return 0;
}

void srv_reply_end(struct srv_txn *t, int err, enum srv_cnt cnt)
{
	if (err < 0) {
		srv_txn_drop(t);
		return;
	}
	srv_count(t->srv, cnt);
	srv_reply_finish(t);
}
