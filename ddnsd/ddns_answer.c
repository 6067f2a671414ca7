/*
 * Answers (see ddns_answer.h). RFC 1035 §4.1 (header, question, RRs),
 * RFC 8945 §4.2 (the TSIG RR, last in the additional section), §5.2.3 (the
 * time check), §5.3.1 (the answer's MAC over the request's).
 */
#include <string.h>

#include "ddns_answer.h"
#include "ddns_name.h"
#include "ddns_tsig.h"
#include "errors.h"
#include "wire.h"

#define TYPE_AAAA 28
#define TYPE_TSIG 250
#define CLASS_IN  1

/* What one pass over the answer found. */
struct scan {
	const struct ddns_msg *m;
	const uint8_t *msg;
	size_t len;
	const uint8_t *qname; /* the query's, or NULL */
	size_t qname_len;
	struct ddns_answer *a;
	size_t tsig_off; /* where the TSIG RR starts */
	struct ddns_tsig_rr t;
};

static int bad(struct scan *s, const char *why)
{
	s->a->why = why;
	return CH_EMALFORMED;
}

/* The TSIG RR's RDATA at r[off..end): its fields into s->t. */
static int tsig_read(struct scan *s, size_t off, size_t end)
{
	struct wire_rd r = wire_rd_init(s->msg, end);
	struct ddns_tsig_rr *t = &s->t;

	wire_skip(&r, off);
	if (ddns_name_read(&r, s->msg, s->len, t->alg, &t->alg_len) < 0)
		return CH_EMALFORMED;
	t->time_signed = (int64_t)wire_get_u16(&r) << 32;
	t->time_signed |= wire_get_u32(&r);
	t->fudge = wire_get_u16(&r);
	t->mac_len = wire_get_u16(&r);
	t->mac = wire_get_ptr(&r, t->mac_len);
	t->orig_id = wire_get_u16(&r);
	t->error = wire_get_u16(&r);
	t->other_len = wire_get_u16(&r);
	t->other = wire_get_ptr(&r, t->other_len);
	return wire_done(&r) ? 0 : CH_EMALFORMED;
}

/* One RR of section sec (1 answer, 2 authority, 3 additional); last: the
 * message's last RR. 0 or CH_EMALFORMED with a->why set. */
static int rr_read(struct scan *s, struct wire_rd *r, int sec, bool last)
{
	uint8_t owner[DDNS_NAME_WIRE];
	size_t owner_len, start = r->off, rd_off;
	uint16_t type, cls, rdlen;
	uint32_t ttl;

	if (ddns_name_read(r, s->msg, s->len, owner, &owner_len) < 0)
		return bad(s, "a bad owner name or cut short");
	type = wire_get_u16(r);
	cls = wire_get_u16(r);
	ttl = wire_get_u32(r);
	rdlen = wire_get_u16(r);
	rd_off = r->off;
	wire_skip(r, rdlen);
	if (r->err)
		return bad(s, "an RR cut short");
	if (type == TYPE_TSIG) {
		/* RFC 8945 §5.1: one TSIG, the last RR of the additional section */
		if (sec != 3 || !last)
			return bad(s, "a TSIG RR that is not the last");
		if (tsig_read(s, rd_off, rd_off + rdlen) < 0)
			return bad(s, "a TSIG RR with bad RDATA");
		memcpy(s->t.name, owner, owner_len);
		s->t.name_len = owner_len;
		s->t.cls = cls;
		s->t.ttl = ttl;
		s->tsig_off = start;
		s->a->has_tsig = true;
		return 0;
	}
	if (sec == 1 && s->qname && type == TYPE_AAAA && cls == CLASS_IN && rdlen == 16 &&
	    s->a->n_aaaa < DDNS_MAX_AAAA && owner_len == s->qname_len &&
	    memcmp(owner, s->qname, owner_len) == 0)
		memcpy(s->a->aaaa[s->a->n_aaaa++].s6_addr, s->msg + rd_off, 16);
	return 0;
}

/* The sections after the header: questions, then the RRs counted in n[1..3]. */
static int body_read(struct scan *s, struct wire_rd *r, const uint16_t n[4])
{
	uint8_t name[DDNS_NAME_WIRE];
	size_t len, total = (size_t)n[1] + n[2] + n[3], seen = 0;

	for (size_t i = 0; i < n[0]; i++) {
		if (ddns_name_read(r, s->msg, s->len, name, &len) < 0)
			return bad(s, "a bad question name or cut short");
		wire_skip(r, 4);
		if (r->err)
			return bad(s, "a question cut short");
	}
	for (int sec = 1; sec <= 3; sec++)
		for (size_t i = 0; i < n[sec]; i++)
			if (rr_read(s, r, sec, ++seen == total) < 0)
				return CH_EMALFORMED;
	return 0;
}

/* RFC 8945 §5.3.1 and §5.2.3: our key, the MAC over the request's, the time. */
static bool trusted(struct scan *s, const struct ddns_key *k, int64_t now)
{
	const uint8_t *mac;
	size_t mac_len;
	int64_t t = s->t.time_signed, f = s->t.fudge;

	mac = ddns_msg_mac(s->m, &mac_len);
	if (!ddns_tsig_verify(k, s->msg, s->tsig_off, &s->t, mac, mac_len, &s->a->why))
		return false;
	if (now - t > f || t - now > f) {
		s->a->why = "time signed outside the fudge of our clock";
		return false;
	}
	return true;
}

int ddns_answer_parse(const struct ddns_msg *m, const struct ddns_key *k, const uint8_t *wire,
                      size_t len, int64_t now, struct ddns_answer *out)
{
	struct ddns_answer a = {.why = "a header cut short"};
	struct scan s = {.m = m, .msg = wire, .len = len, .a = &a};
	struct wire_rd r = wire_rd_init(wire, len);
	uint16_t id = wire_get_u16(&r), flags = wire_get_u16(&r), n[4];

	for (int i = 0; i < 4; i++)
		n[i] = wire_get_u16(&r);
	if (r.err) {
		*out = a;
		return CH_EMALFORMED;
	}
	a.why = "not the answer to this request";
	if (id != ddns_msg_id(m) || !(flags & 0x8000) ||
	    ((flags >> 11) & 0xf) != ddns_msg_opcode(m)) {
		*out = a;
		return CH_ENOENT;
	}
	a.rcode = flags & 0xf;
	a.truncated = flags & 0x0200;
	s.qname = ddns_msg_qname(m, &s.qname_len);
	if (body_read(&s, &r, n) < 0) {
		a.trusted = a.has_tsig = false;
		a.n_aaaa = 0;
		*out = a;
		return CH_EMALFORMED;
	}
	a.why = "unsigned";
	if (a.has_tsig) {
		a.tsig_error = s.t.error;
		a.server_time = s.t.time_signed;
		a.trusted = trusted(&s, k, now);
		if (a.trusted)
			a.why = "";
	}
	*out = a;
	return 0;
}
