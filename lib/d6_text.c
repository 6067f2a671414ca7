/* One-line log rendering of DHCPv6 messages, peer text escaped: see d6_text.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "d6_dname.h"
#include "d6_text.h"

#define TEXT_HEX_MAX 32 /* octets of opaque data shown before "..." */

struct tbuf {
	char *out;
	size_t cap;
	size_t len;
	bool cut;
};

__attribute__((format(printf, 2, 3))) static void tb_printf(struct tbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cut || t->cap == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->out + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->cut = true;
		t->len = t->cap - 1;
		return;
	}
	t->len += (size_t)n;
}

int d6_text_escape(const uint8_t *p, size_t n, char *out, size_t cap)
{
	struct tbuf t = {out, cap, 0, false};

	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < n && !t.cut; i++) {
		if (p[i] == '"' || p[i] == '\\')
			tb_printf(&t, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			tb_printf(&t, "%c", p[i]);
		else
			tb_printf(&t, "\\x%02x", p[i]);
	}
	return t.cut || cap == 0 ? CH_ENOSPACE : (int)t.len;
}

static void tb_addr(struct tbuf *t, const uint8_t a[16])
{
	char s[INET6_ADDRSTRLEN];

	tb_printf(t, "%s", inet_ntop(AF_INET6, a, s, sizeof(s)) ? s : "?");
}

static void tb_hex(struct tbuf *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && i < TEXT_HEX_MAX; i++)
		tb_printf(t, "%s%02x", i ? ":" : "", p[i]);
	if (n > TEXT_HEX_MAX)
		tb_printf(t, "...");
}

static void tb_quoted(struct tbuf *t, const uint8_t *p, size_t n)
{
	char esc[4 * 64 + 1];

	d6_text_escape(p, n > 64 ? 64 : n, esc, sizeof(esc));
	tb_printf(t, "\"%s%s\"", esc, n > 64 ? "..." : "");
}

static void tb_names(struct tbuf *t, const uint8_t *p, size_t n)
{
	char s[512];

	d6_dname_to_text(p, n, s, sizeof(s));
	tb_printf(t, "%s", s);
}

/* Fixed fields, as "name=value" pairs. */
static void tb_fixed(struct tbuf *t, const struct d6_node *n, const struct d6_opt_rule *rule)
{
	const union d6_val *v = &n->v;

	switch ((enum d6_fixed)rule->fixed) {
	case D6_FX_NONE:
		break;
	case D6_FX_U8:
	case D6_FX_U32:
		tb_printf(t, "%u ", rule->fixed == D6_FX_U8 ? v->u8 : v->u32);
		break;
	case D6_FX_U16:
		if (n->code == D6_OPT_STATUS_CODE)
			tb_printf(t, "%s ", d6_status_name(v->u16));
		else
			tb_printf(t, "%u ", v->u16);
		break;
	case D6_FX_IA:
		tb_printf(t, "iaid=%u t1=%u t2=%u ", v->ia.iaid, v->ia.t1, v->ia.t2);
		break;
	case D6_FX_IATA:
		tb_printf(t, "iaid=%u ", v->ia.iaid);
		break;
	case D6_FX_IAADDR:
		tb_addr(t, v->iaaddr.addr);
		tb_printf(t, " pref=%u valid=%u ", v->iaaddr.pref, v->iaaddr.valid);
		break;
	case D6_FX_IAPREFIX:
		tb_addr(t, v->iaprefix.prefix);
		tb_printf(t, "/%u pref=%u valid=%u ", v->iaprefix.plen, v->iaprefix.pref,
		          v->iaprefix.valid);
		break;
	case D6_FX_AUTH:
		tb_printf(t, "proto=%u alg=%u rdm=%u replay=%llu ", v->auth.proto, v->auth.alg,
		          v->auth.rdm, (unsigned long long)v->auth.replay);
		break;
	case D6_FX_ADDR:
		tb_addr(t, v->addr);
		tb_printf(t, " ");
		break;
	case D6_FX_LQQUERY:
		tb_printf(t, "%s link=", d6_lq_query_name(v->lq.qtype));
		tb_addr(t, v->lq.link);
		tb_printf(t, " ");
		break;
	case D6_FX_PDX:
		tb_printf(t, "/%u id=", v->pdx.plen);
		tb_hex(t, v->pdx.id, v->pdx.id_len);
		break;
	}
}

/* Variable part of a leaf option. */
static void tb_tail(struct tbuf *t, const struct d6_node *n, const struct d6_opt_rule *rule)
{
	bool main = n->space == D6_SPACE_MAIN;

	if (rule &&
	    (rule->body == D6_BD_NAMES || rule->body == D6_BD_PNAME || rule->body == D6_BD_NAME)) {
		tb_names(t, n->tail, n->tail_len);
	} else if (main && (n->code == D6_OPT_STATUS_CODE || n->code == D6_OPT_INTERFACE_ID ||
	                    n->code == D6_OPT_SUBSCRIBER_ID)) {
		tb_quoted(t, n->tail, n->tail_len);
	} else if (main && (n->code == D6_OPT_DNS_SERVERS || n->code == D6_OPT_LQ_CLIENT_LINK)) {
		for (size_t i = 0; i + 16 <= n->tail_len && !t->cut; i += 16) {
			tb_printf(t, i ? " " : "");
			tb_addr(t, n->tail + i);
		}
	} else if (main && n->code == D6_OPT_ORO) {
		for (size_t i = 0; i + 2 <= n->tail_len; i += 2)
			tb_printf(t, "%s%u", i ? "," : "", n->tail[i] << 8 | n->tail[i + 1]);
	} else if (rule && rule->body == D6_BD_RELAYMSG) {
		tb_printf(t, "%s len=%zu", n->tail_len ? d6_msg_name(n->tail[0]) : "-",
		          n->tail_len);
	} else {
		tb_hex(t, n->tail, n->tail_len);
	}
}

static const char *node_name(const struct d6_node *n)
{
	static const char *const ntp[] = {"?", "SRV_ADDR", "MC_ADDR", "SRV_FQDN"};

	if (n->space == D6_SPACE_NTP)
		return n->code <= D6_NTP_SRV_FQDN ? ntp[n->code] : "unknown";
	return d6_opt_name(n->code);
}

static void tb_node(struct tbuf *t, const struct d6_msg *m, int i)
{
	const struct d6_node *n = &m->node[i];
	const struct d6_opt_rule *rule = d6_msg_rule(m, i);

	if (rule)
		tb_printf(t, "%s(", node_name(n));
	else
		tb_printf(t, "OPT%u(", n->code);
	if (rule)
		tb_fixed(t, n, rule);
	if (rule && (rule->body == D6_BD_OPTS || rule->body == D6_BD_NTP)) {
		for (int c = n->child; c != D6_NONE && !t->cut; c = m->node[c].next) {
			tb_node(t, m, c);
			tb_printf(t, m->node[c].next != D6_NONE ? " " : "");
		}
	} else {
		tb_tail(t, n, rule);
	}
	/* drop a trailing space left by the fixed fields */
	if (!t->cut && t->len > 0 && t->out[t->len - 1] == ' ')
		t->len--;
	tb_printf(t, ")");
}

int d6_text_msg(const struct d6_msg *m, char *out, size_t cap)
{
	struct tbuf t = {out, cap, 0, false};

	if (cap == 0)
		return CH_ENOSPACE;
	out[0] = '\0';
	tb_printf(&t, "%s", d6_msg_name(m->type));
	if (d6_msg_is_relay(m->type)) {
		tb_printf(&t, " hops=%u link=", m->hops);
		tb_addr(&t, m->link);
		tb_printf(&t, " peer=");
		tb_addr(&t, m->peer);
	} else {
		tb_printf(&t, " xid=0x%06x", m->xid);
	}
	for (int i = m->first; i != D6_NONE && !t.cut; i = m->node[i].next) {
		tb_printf(&t, " ");
		tb_node(&t, m, i);
	}
	if (t.cut) {
		if (cap > 4)
			memcpy(out + cap - 4, "...", 4);
		return CH_ENOSPACE;
	}
	return (int)t.len;
}
