/*
 * IA_NA, IA_TA, IA_PD, IAADDR, IAPREFIX, STATUS_CODE and PD_EXCLUDE:
 * builders, status reader and the RFC 6603 §4.2 subnet-ID arithmetic.
 * RFC 8415 §21.4-21.6, §21.13, §21.21-21.22. Parsing is table-driven in d6_msg.c.
 */
#include <string.h>

#include "d6_ia.h"

static int ia_add(struct d6_msg *m, uint16_t code, uint32_t iaid, uint32_t t1, uint32_t t2)
{
	int i = d6_msg_add(m, D6_ROOT, code);

	if (i >= 0) {
		m->node[i].v.ia.iaid = iaid;
		m->node[i].v.ia.t1 = t1;
		m->node[i].v.ia.t2 = t2;
	}
	return i;
}

int d6_ia_add_na(struct d6_msg *m, uint32_t iaid, uint32_t t1, uint32_t t2)
{
	return ia_add(m, D6_OPT_IA_NA, iaid, t1, t2);
}

int d6_ia_add_ta(struct d6_msg *m, uint32_t iaid)
{
	return ia_add(m, D6_OPT_IA_TA, iaid, 0, 0);
}

int d6_ia_add_pd(struct d6_msg *m, uint32_t iaid, uint32_t t1, uint32_t t2)
{
	return ia_add(m, D6_OPT_IA_PD, iaid, t1, t2);
}

int d6_ia_add_addr(struct d6_msg *m, int ia, const uint8_t addr[16], uint32_t pref, uint32_t valid)
{
	int i = d6_msg_add(m, ia, D6_OPT_IAADDR);

	if (i >= 0) {
		memcpy(m->node[i].v.iaaddr.addr, addr, 16);
		m->node[i].v.iaaddr.pref = pref;
		m->node[i].v.iaaddr.valid = valid;
	}
	return i;
}

int d6_ia_add_prefix(struct d6_msg *m, int ia, const uint8_t prefix[16], uint8_t plen,
                     uint32_t pref, uint32_t valid)
{
	int i;

	if (plen > 128)
		return CH_EINVAL;
	i = d6_msg_add(m, ia, D6_OPT_IAPREFIX);
	if (i >= 0) {
		memcpy(m->node[i].v.iaprefix.prefix, prefix, 16);
		m->node[i].v.iaprefix.plen = plen;
		m->node[i].v.iaprefix.pref = pref;
		m->node[i].v.iaprefix.valid = valid;
	}
	return i;
}

int d6_ia_add_status(struct d6_msg *m, int parent, uint16_t code, const char *text, size_t len)
{
	int i = d6_msg_add_bytes(m, parent, D6_OPT_STATUS_CODE, text, len);

	if (i >= 0)
		m->node[i].v.u16 = code;
	return i;
}

int d6_ia_add_pd_exclude(struct d6_msg *m, int iaprefix, const uint8_t excluded[16], uint8_t xlen)
{
	union d6_val v;
	int i, err;

	if (iaprefix < 0 || iaprefix >= m->n_nodes || m->node[iaprefix].code != D6_OPT_IAPREFIX)
		return CH_EINVAL;
	err = d6_ia_pdx_encode(m->node[iaprefix].v.iaprefix.prefix,
	                       m->node[iaprefix].v.iaprefix.plen, excluded, xlen, &v);
	if (err < 0)
		return err;
	i = d6_msg_add(m, iaprefix, D6_OPT_PD_EXCLUDE);
	if (i >= 0)
		m->node[i].v = v;
	return i;
}

uint16_t d6_ia_status(const struct d6_msg *m, int parent, const uint8_t **text, size_t *len)
{
	int i = d6_msg_find(m, parent, D6_OPT_STATUS_CODE);

	if (text)
		*text = i == D6_NONE ? NULL : m->node[i].tail;
	if (len)
		*len = i == D6_NONE ? 0 : m->node[i].tail_len;
	return i == D6_NONE ? D6_STATUS_SUCCESS : m->node[i].v.u16;
}

static bool bit_get(const uint8_t *p, unsigned bit)
{
	return (p[bit / 8] >> (7 - bit % 8)) & 1;
}

static void bit_set(uint8_t *p, unsigned bit, bool on)
{
	uint8_t mask = (uint8_t)(1u << (7 - bit % 8));

	p[bit / 8] = on ? (uint8_t)(p[bit / 8] | mask) : (uint8_t)(p[bit / 8] & ~mask);
}

int d6_ia_pdx_encode(const uint8_t prefix[16], uint8_t plen, const uint8_t excluded[16],
                     uint8_t xlen, union d6_val *out)
{
	union d6_val v;

	if (plen >= xlen || xlen > 128)
		return CH_EINVAL;
	for (unsigned b = 0; b < plen; b++)
		if (bit_get(prefix, b) != bit_get(excluded, b))
			return CH_EINVAL;
	memset(&v, 0, sizeof(v));
	v.pdx.plen = xlen;
	v.pdx.id_len = (uint8_t)((xlen - plen + 7) / 8);
	/* RFC 6603 §4.2: bits plen..xlen-1, moved to start at an octet boundary. */
	for (unsigned b = plen; b < xlen; b++)
		bit_set(v.pdx.id, b - plen, bit_get(excluded, b));
	*out = v;
	return 0;
}

int d6_ia_pdx_decode(const uint8_t prefix[16], uint8_t plen, const union d6_val *pdx,
                     uint8_t out[16])
{
	union d6_val pv;
	uint8_t tmp[16];
	int err;

	memset(&pv, 0, sizeof(pv));
	pv.iaprefix.plen = plen;
	if ((err = d6_opt_check_pdx(&pv, pdx)) < 0)
		return err;
	memset(tmp, 0, sizeof(tmp));
	for (unsigned b = 0; b < plen; b++)
		bit_set(tmp, b, bit_get(prefix, b));
	for (unsigned b = plen; b < pdx->pdx.plen; b++)
		bit_set(tmp, b, bit_get(pdx->pdx.id, b - plen));
	memcpy(out, tmp, 16);
	return pdx->pdx.plen;
}
