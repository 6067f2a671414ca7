/*
 * DHCPv6 option TLVs: iterator, length back-filling writer, the per-option
 * rule table and the codecs for fixed fields and simple bodies.
 * RFC 8415 §21, RFC 3646, 4580, 4649, 4704, 5007, 5460, 5908, 6603, 6939.
 */
#include <string.h>

#include "d6_dname.h"
#include "d6_opt.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ANY      0xffff
/* General options: top level, relay layers, CLIENT_DATA, LQ_QUERY. */
#define GEN (D6_IN_MSG | D6_IN_RELAY | D6_IN_CDATA | D6_IN_LQQUERY)

int d6_opt_next(struct wire_rd *r, struct d6_opt *out)
{
	struct d6_opt o;

	if (r->err)
		return r->err;
	if (wire_left(r) == 0)
		return 0;
	o.code = wire_get_u16(r);
	o.len = wire_get_u16(r);
	o.data = wire_get_ptr(r, o.len);
	if (r->err)
		return CH_ETRUNC;
	if (!o.data)
		o.data = r->buf + r->off; /* zero-length option: empty window */
	*out = o;
	return 1;
}

struct wire_rd d6_opt_body(const struct d6_opt *o)
{
	return wire_rd_init(o->data, o->len);
}

size_t d6_put_begin(struct wire_wr *w, uint16_t code)
{
	size_t start = w->len;

	wire_put_u16(w, code);
	wire_put_u16(w, 0);
	return start;
}

void d6_put_end(struct wire_wr *w, size_t start)
{
	size_t body;

	if (w->err)
		return;
	body = w->len - start - 4;
	if (body > 0xffff) {
		w->err = CH_EBADLEN;
		return;
	}
	wire_patch_u16(w, start + 2, (uint16_t)body);
}

void d6_put_opt(struct wire_wr *w, uint16_t code, const void *data, size_t len)
{
	size_t start = d6_put_begin(w, code);

	wire_put_bytes(w, data, len);
	d6_put_end(w, start);
}

/* {code, min, max, step, fixed, body, multi, where} */
static const struct d6_opt_rule d6_main_rules[] = {
    {D6_OPT_CLIENTID, 3, 130, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_SERVERID, 3, 130, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_IA_NA, 12, ANY, 0, D6_FX_IA, D6_BD_OPTS, true, D6_IN_MSG},
    {D6_OPT_IA_TA, 4, ANY, 0, D6_FX_IATA, D6_BD_OPTS, true, D6_IN_MSG},
    {D6_OPT_IAADDR, 24, ANY, 0, D6_FX_IAADDR, D6_BD_OPTS, true,
     D6_IN_IA | D6_IN_CDATA | D6_IN_LQQUERY},
    {D6_OPT_ORO, 0, ANY, 2, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_PREFERENCE, 1, 1, 0, D6_FX_U8, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_ELAPSED_TIME, 2, 2, 0, D6_FX_U16, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_RELAY_MSG, D6_HDR_LEN, ANY, 0, D6_FX_NONE, D6_BD_RELAYMSG, false, D6_IN_RELAY},
    {D6_OPT_AUTH, 11, ANY, 0, D6_FX_AUTH, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_UNICAST, 16, 16, 0, D6_FX_ADDR, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_STATUS_CODE, 2, ANY, 0, D6_FX_U16, D6_BD_OPAQUE, false,
     D6_IN_MSG | D6_IN_RELAY | D6_IN_IA | D6_IN_IAPD | D6_IN_IAADDR | D6_IN_IAPREFIX},
    {D6_OPT_RAPID_COMMIT, 0, 0, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_USER_CLASS, 2, ANY, 0, D6_FX_NONE, D6_BD_CLASSES, false, GEN},
    {D6_OPT_VENDOR_CLASS, 4, ANY, 0, D6_FX_U32, D6_BD_CLASSES, true, GEN},
    {D6_OPT_VENDOR_OPTS, 4, ANY, 0, D6_FX_U32, D6_BD_TLVS, true, GEN},
    {D6_OPT_INTERFACE_ID, 1, ANY, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_RECONF_MSG, 1, 1, 0, D6_FX_U8, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_RECONF_ACCEPT, 0, 0, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_DNS_SERVERS, 16, ANY, 16, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_DOMAIN_LIST, 1, ANY, 0, D6_FX_NONE, D6_BD_NAMES, false, GEN},
    {D6_OPT_IA_PD, 12, ANY, 0, D6_FX_IA, D6_BD_OPTS, true, D6_IN_MSG},
    {D6_OPT_IAPREFIX, 25, ANY, 0, D6_FX_IAPREFIX, D6_BD_OPTS, true,
     D6_IN_IAPD | D6_IN_CDATA | D6_IN_LQQUERY},
    {D6_OPT_INFO_REFRESH, 4, 4, 0, D6_FX_U32, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_REMOTE_ID, 5, ANY, 0, D6_FX_U32, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_SUBSCRIBER_ID, 1, ANY, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_CLIENT_FQDN, 1, ANY, 0, D6_FX_U8, D6_BD_PNAME, false, GEN},
    {D6_OPT_LQ_QUERY, 17, ANY, 0, D6_FX_LQQUERY, D6_BD_OPTS, false, D6_IN_MSG},
    {D6_OPT_CLIENT_DATA, 0, ANY, 0, D6_FX_NONE, D6_BD_OPTS, false, D6_IN_MSG},
    {D6_OPT_CLT_TIME, 4, 4, 0, D6_FX_U32, D6_BD_OPAQUE, false, D6_IN_CDATA},
    {D6_OPT_LQ_RELAY_DATA, 16 + D6_RELAY_HDR_LEN, ANY, 0, D6_FX_ADDR, D6_BD_RELAYMSG, false,
     D6_IN_MSG | D6_IN_CDATA},
    {D6_OPT_LQ_CLIENT_LINK, 16, ANY, 16, D6_FX_NONE, D6_BD_OPAQUE, false, D6_IN_MSG},
    {D6_OPT_RELAY_ID, 3, 130, 0, D6_FX_NONE, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_NTP_SERVER, 4, ANY, 0, D6_FX_NONE, D6_BD_NTP, false, GEN},
    {D6_OPT_PD_EXCLUDE, 2, 17, 0, D6_FX_PDX, D6_BD_OPAQUE, false, D6_IN_IAPREFIX},
    {D6_OPT_CLIENT_LLADDR, 3, ANY, 0, D6_FX_U16, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_SOL_MAX_RT, 4, 4, 0, D6_FX_U32, D6_BD_OPAQUE, false, GEN},
    {D6_OPT_INF_MAX_RT, 4, 4, 0, D6_FX_U32, D6_BD_OPAQUE, false, GEN},
};

/* RFC 5908 §4: every sub-option may repeat (several servers). */
static const struct d6_opt_rule d6_ntp_rules[] = {
    {D6_NTP_SRV_ADDR, 16, 16, 0, D6_FX_ADDR, D6_BD_OPAQUE, true, D6_IN_NTP},
    {D6_NTP_MC_ADDR, 16, 16, 0, D6_FX_ADDR, D6_BD_OPAQUE, true, D6_IN_NTP},
    {D6_NTP_SRV_FQDN, 1, 255, 0, D6_FX_NONE, D6_BD_NAME, true, D6_IN_NTP},
};

const struct d6_opt_rule *d6_opt_rule(enum d6_space space, uint16_t code)
{
	const struct d6_opt_rule *t = space == D6_SPACE_NTP ? d6_ntp_rules : d6_main_rules;
	size_t n = space == D6_SPACE_NTP ? COUNT(d6_ntp_rules) : COUNT(d6_main_rules);

	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

int d6_opt_check_len(const struct d6_opt_rule *rule, size_t len)
{
	if (len < rule->min || len > rule->max)
		return CH_EBADLEN;
	if (rule->step && (len - rule->min) % rule->step != 0)
		return CH_EBADLEN;
	return 0;
}

size_t d6_opt_fixed_len(const struct d6_opt_rule *rule, size_t len)
{
	static const uint8_t size[] = {
	    [D6_FX_NONE] = 0,  [D6_FX_U8] = 1,    [D6_FX_U16] = 2,      [D6_FX_U32] = 4,
	    [D6_FX_IA] = 12,   [D6_FX_IATA] = 4,  [D6_FX_IAADDR] = 24,  [D6_FX_IAPREFIX] = 25,
	    [D6_FX_AUTH] = 11, [D6_FX_ADDR] = 16, [D6_FX_LQQUERY] = 17, [D6_FX_PDX] = 0,
	};

	if (rule->fixed == D6_FX_PDX)
		return len;
	return size[rule->fixed];
}

static void get_iaprefix(struct wire_rd *r, union d6_val *v)
{
	v->iaprefix.pref = wire_get_u32(r);
	v->iaprefix.valid = wire_get_u32(r);
	v->iaprefix.plen = wire_get_u8(r);
	wire_get_bytes(r, v->iaprefix.prefix, 16);
}

static void get_fields(enum d6_fixed fx, struct wire_rd *r, union d6_val *v)
{
	switch (fx) {
	case D6_FX_NONE:
		break;
	case D6_FX_U8:
		v->u8 = wire_get_u8(r);
		break;
	case D6_FX_U16:
		v->u16 = wire_get_u16(r);
		break;
	case D6_FX_U32:
		v->u32 = wire_get_u32(r);
		break;
	case D6_FX_IA:
		v->ia.iaid = wire_get_u32(r);
		v->ia.t1 = wire_get_u32(r);
		v->ia.t2 = wire_get_u32(r);
		break;
	case D6_FX_IATA:
		v->ia.iaid = wire_get_u32(r);
		break;
	case D6_FX_IAADDR:
		wire_get_bytes(r, v->iaaddr.addr, 16);
		v->iaaddr.pref = wire_get_u32(r);
		v->iaaddr.valid = wire_get_u32(r);
		break;
	case D6_FX_IAPREFIX:
		get_iaprefix(r, v);
		break;
	case D6_FX_AUTH:
		v->auth.proto = wire_get_u8(r);
		v->auth.alg = wire_get_u8(r);
		v->auth.rdm = wire_get_u8(r);
		v->auth.replay = wire_get_u64(r);
		break;
	case D6_FX_ADDR:
		wire_get_bytes(r, v->addr, 16);
		break;
	case D6_FX_LQQUERY:
		v->lq.qtype = wire_get_u8(r);
		wire_get_bytes(r, v->lq.link, 16);
		break;
	case D6_FX_PDX:
		v->pdx.plen = wire_get_u8(r);
		v->pdx.id_len = (uint8_t)wire_left(r);
		wire_get_bytes(r, v->pdx.id, v->pdx.id_len);
		break;
	}
}

int d6_opt_get_fixed(const struct d6_opt_rule *rule, struct wire_rd *r, union d6_val *out)
{
	union d6_val v;

	memset(&v, 0, sizeof(v));
	if (rule->fixed == D6_FX_PDX && wire_left(r) > 17)
		return CH_EBADLEN;
	get_fields((enum d6_fixed)rule->fixed, r, &v);
	if (r->err)
		return CH_ETRUNC;
	*out = v;
	return 0;
}

int d6_opt_check_fixed(const struct d6_opt_rule *rule, const union d6_val *v)
{
	if (rule->fixed == D6_FX_IAPREFIX && v->iaprefix.plen > 128)
		return CH_EMALFORMED;
	if (rule->fixed == D6_FX_PDX && (v->pdx.plen == 0 || v->pdx.plen > 128))
		return CH_EMALFORMED;
	/* RFC 8415 §21.19: Renew, Rebind or Information-request only. */
	if (rule->code == D6_OPT_RECONF_MSG && rule->fixed == D6_FX_U8 && v->u8 != D6_MSG_RENEW &&
	    v->u8 != D6_MSG_REBIND && v->u8 != D6_MSG_INFO_REQUEST)
		return CH_EMALFORMED;
	/* RFC 5908 §4.2: MC_ADDR holds a multicast address. */
	if (rule->where == D6_IN_NTP && rule->code == D6_NTP_MC_ADDR && v->addr[0] != 0xff)
		return CH_EMALFORMED;
	return 0;
}

int d6_opt_check_pdx(const union d6_val *iaprefix, const union d6_val *pdx)
{
	uint8_t plen = iaprefix->iaprefix.plen;

	if (pdx->pdx.plen <= plen || pdx->pdx.plen > 128)
		return CH_EMALFORMED;
	if (pdx->pdx.id_len != (pdx->pdx.plen - plen + 7) / 8)
		return CH_EBADLEN;
	return 0;
}

static void put_iaprefix(struct wire_wr *w, const union d6_val *v)
{
	wire_put_u32(w, v->iaprefix.pref);
	wire_put_u32(w, v->iaprefix.valid);
	wire_put_u8(w, v->iaprefix.plen);
	wire_put_bytes(w, v->iaprefix.prefix, 16);
}

void d6_opt_put_fixed(const struct d6_opt_rule *rule, struct wire_wr *w, const union d6_val *v)
{
	switch ((enum d6_fixed)rule->fixed) {
	case D6_FX_NONE:
		break;
	case D6_FX_U8:
		wire_put_u8(w, v->u8);
		break;
	case D6_FX_U16:
		wire_put_u16(w, v->u16);
		break;
	case D6_FX_U32:
		wire_put_u32(w, v->u32);
		break;
	case D6_FX_IA:
		wire_put_u32(w, v->ia.iaid);
		wire_put_u32(w, v->ia.t1);
		wire_put_u32(w, v->ia.t2);
		break;
	case D6_FX_IATA:
		wire_put_u32(w, v->ia.iaid);
		break;
	case D6_FX_IAADDR:
		wire_put_bytes(w, v->iaaddr.addr, 16);
		wire_put_u32(w, v->iaaddr.pref);
		wire_put_u32(w, v->iaaddr.valid);
		break;
	case D6_FX_IAPREFIX:
		put_iaprefix(w, v);
		break;
	case D6_FX_AUTH:
		wire_put_u8(w, v->auth.proto);
		wire_put_u8(w, v->auth.alg);
		wire_put_u8(w, v->auth.rdm);
		wire_put_u64(w, v->auth.replay);
		break;
	case D6_FX_ADDR:
		wire_put_bytes(w, v->addr, 16);
		break;
	case D6_FX_LQQUERY:
		wire_put_u8(w, v->lq.qtype);
		wire_put_bytes(w, v->lq.link, 16);
		break;
	case D6_FX_PDX:
		wire_put_u8(w, v->pdx.plen);
		wire_put_bytes(w, v->pdx.id, v->pdx.id_len > 16 ? 16 : v->pdx.id_len);
		break;
	}
}

/* USER_CLASS / VENDOR_CLASS data: {u16 len, opaque} until the end. */
static int check_classes(const uint8_t *p, size_t len)
{
	struct wire_rd r = wire_rd_init(p, len);

	while (wire_left(&r) > 0) {
		uint16_t n = wire_get_u16(&r);

		wire_skip(&r, n);
		if (r.err)
			return CH_ETRUNC;
	}
	return 0;
}

/* VENDOR_OPTS sub-options: well-formed TLVs, codes belong to the vendor. */
static int check_tlvs(const uint8_t *p, size_t len)
{
	struct wire_rd r = wire_rd_init(p, len);
	struct d6_opt o;
	int ret;

	while ((ret = d6_opt_next(&r, &o)) > 0)
		;
	return ret;
}

static int check_one_name(const uint8_t *p, size_t len, bool full)
{
	struct wire_rd r = wire_rd_init(p, len);
	int ret = d6_dname_check(&r, full);

	if (ret == 0 && wire_left(&r) != 0)
		return CH_EMALFORMED;
	return ret;
}

int d6_opt_check_body(const struct d6_opt_rule *rule, const union d6_val *v, const uint8_t *p,
                      size_t len)
{
	(void)v;
	switch ((enum d6_body)rule->body) {
	case D6_BD_CLASSES:
		return check_classes(p, len);
	case D6_BD_TLVS:
		return check_tlvs(p, len);
	case D6_BD_NAMES:
		return d6_dname_check_list(p, len);
	case D6_BD_PNAME:
		/* RFC 4704 §4.2: the name may be empty, partial or full. */
		return len == 0 ? 0 : check_one_name(p, len, false);
	case D6_BD_NAME:
		return check_one_name(p, len, true);
	case D6_BD_RELAYMSG:
		/* RFC 5007 §4.1.2.4: LQ_RELAY_DATA holds a Relay-forward chain. */
		if (rule->code == D6_OPT_LQ_RELAY_DATA && (len == 0 || p[0] != D6_MSG_RELAY_FORW))
			return CH_EMALFORMED;
		return 0;
	case D6_BD_OPAQUE:
	case D6_BD_OPTS:
	case D6_BD_NTP:
		return 0;
	}
	return 0;
}
