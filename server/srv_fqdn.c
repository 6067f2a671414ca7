/*
 * Client FQDN (see srv_fqdn.h). RFC 4704 §4 (option), §5 and §6 (flags,
 * the server's decision, when the Reply carries it), RFC 1035 §3.1
 * (labels, no compression), RFC 952/1123 (host name characters).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr6.h"
#include "srv_fqdn.h"
#include "srv_lease.h"

static enum conf_fqdn_policy policy_of(const struct srv_txn *t)
{
	return t->subnet ? t->subnet->fqdn_policy : t->srv->conf->ddns.fqdn_policy;
}

/* A host name character, lower-cased; 0 when it is not allowed. */
static char host_char(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
		return (char)c;
	return 0;
}

/* Appends the labels at p (len octets) as dotted text, sanitised: letters
 * lower-cased, other characters replaced by repl (or dropped when repl is
 * 0), '-' trimmed from the ends of a label. *full: the name ended in the
 * root label. An empty name is a request for one (RFC 4704 §4.2). 0, or
 * CH_EMALFORMED for broken framing or a label left empty. */
static int labels_to_text(const uint8_t *p, size_t len, char repl, char *out, size_t cap,
                          bool *full)
{
	size_t i = 0, n = 0;

	*full = false;
	while (i < len) {
		size_t l = p[i++], start = n;

		if (l == 0) {
			*full = i == len;
			break;
		}
		if (l > 63 || l > len - i || n + l + 2 > cap)
			return CH_EMALFORMED;
		for (size_t k = 0; k < l; k++) {
			char c = host_char(p[i + k]);

			if (c || repl)
				out[n++] = c ? c : repl;
		}
		while (n > start && out[n - 1] == '-')
			n--;
		while (n > start && out[start] == '-') {
			memmove(out + start, out + start + 1, n - start - 1);
			n--;
		}
		if (n == start)
			return CH_EMALFORMED;
		out[n++] = '.';
		i += l;
	}
	if (i < len && !*full)
		return CH_EMALFORMED;
	out[n] = '\0';
	return 0;
}

/* RFC 4704 §6.1 under the policy: the Reply's flags and what we update. */
static void decide(struct srv_txn *t, uint8_t cflags)
{
	const struct conf_ddns *d = &t->srv->conf->ddns;
	bool cs = cflags & SRV_FQDN_S;

	t->fqdn_flags = cflags & 0x7;
	switch (policy_of(t)) {
	case CONF_FQDN_NEVER:
		t->fqdn_fwd = t->fqdn_rev = false;
		t->fqdn_reply_flags = SRV_FQDN_N | (cs ? SRV_FQDN_O : 0);
		return;
	case CONF_FQDN_ALWAYS:
		t->fqdn_fwd = t->fqdn_rev = true;
		break;
	case CONF_FQDN_HONOUR:
	default:
		if (cflags & SRV_FQDN_N) {
			t->fqdn_reply_flags = SRV_FQDN_N;
			t->fqdn_fwd = t->fqdn_rev = false;
			return;
		}
		t->fqdn_rev = true;
		t->fqdn_fwd = cs || d->override_client_update;
		break;
	}
	t->fqdn_reply_flags = t->fqdn_fwd ? SRV_FQDN_S : 0;
	if (t->fqdn_fwd != cs) /* §6.1: O when our S differs from the client's */
		t->fqdn_reply_flags |= SRV_FQDN_O;
}

/* Completes a partial name with qualifying-suffix; 0 or CH_EMALFORMED. */
static int qualify(struct srv_txn *t)
{
	const char *sfx = t->srv->conf->ddns.qualifying_suffix;
	size_t n = strlen(t->fqdn), l = strlen(sfx);

	if (!l || n + l + 2 > sizeof(t->fqdn))
		return CH_EMALFORMED;
	snprintf(t->fqdn + n, sizeof(t->fqdn) - n, "%s%s", sfx, sfx[l - 1] == '.' ? "" : ".");
	return 0;
}

int srv_fqdn_get(struct srv_txn *t)
{
	const struct conf_ddns *d = &t->srv->conf->ddns;
	const struct d6_msg *m = &t->srv->req;
	int i = d6_msg_find(m, D6_ROOT, D6_OPT_CLIENT_FQDN);
	bool full;

	t->fqdn[0] = '\0';
	t->fqdn_generate = false;
	t->fqdn_fwd = t->fqdn_rev = false;
	if (!d->enabled)
		return 0;
	if (i < 0) {
		/* §6.1: the server MAY update for a client that sent no option */
		if (d->generated_prefix[0] && d->qualifying_suffix[0] &&
		    policy_of(t) != CONF_FQDN_NEVER) {
			t->fqdn_generate = true;
			t->fqdn_fwd = t->fqdn_rev = true;
		}
		return 0;
	}
	if (labels_to_text(m->node[i].tail, m->node[i].tail_len, d->hostname_char_replacement[0],
	                   t->fqdn, sizeof(t->fqdn), &full) < 0)
		t->fqdn[0] = '\0';
	decide(t, m->node[i].v.u8);
	if (!t->fqdn[0]) {
		/* an empty (or unusable) name: one made from the address, if configured */
		t->fqdn_generate = d->generated_prefix[0] && d->qualifying_suffix[0];
		if (!t->fqdn_generate)
			t->fqdn_fwd = t->fqdn_rev = false;
		return t->fqdn_generate || m->node[i].tail_len <= 1 ? 0 : CH_EMALFORMED;
	}
	if (!full && qualify(t) < 0) {
		t->fqdn[0] = '\0';
		t->fqdn_fwd = t->fqdn_rev = false;
		return CH_EMALFORMED;
	}
	return 0;
}

/* "<prefix>-2001-db8-1--5.<suffix>" from the first address of an IA_NA. */
static void generate(struct srv_txn *t)
{
	const struct conf_ddns *d = &t->srv->conf->ddns;
	char a[INET6_ADDRSTRLEN];

	for (size_t k = 0; k < t->n_ops; k++) {
		const struct srv_op *op = &t->ops[k];

		if ((op->kind != SRV_OP_GRANT && op->kind != SRV_OP_EXTEND) ||
		    op->lease->type != SRV_NA || !op->lease->valid)
			continue;
		addr6_ntop(&op->lease->addr, a, sizeof(a));
		for (char *c = a; *c; c++)
			*c = *c == ':' ? '-' : *c;
		/* a label may not end in '-' (an address ending in "::") */
		snprintf(t->fqdn, sizeof(t->fqdn), "%s-%s%s.", d->generated_prefix, a,
		         a[strlen(a) - 1] == '-' ? "0" : "");
		if (qualify(t) < 0)
			t->fqdn[0] = '\0';
		break;
	}
	if (!t->fqdn[0])
		t->fqdn_fwd = t->fqdn_rev = false;
}

int srv_fqdn_reply(struct srv_txn *t)
{
	uint8_t wire[256], *p;
	size_t n = 0;
	int i;

	if (t->fqdn_generate && !t->fqdn[0])
		generate(t);
	/* §6: only when the client sent the option and asked for it */
	if (!t->fqdn[0] || d6_msg_find(&t->srv->req, D6_ROOT, D6_OPT_CLIENT_FQDN) < 0 ||
	    !d6_msg_oro_has(&t->srv->req, D6_ROOT, D6_OPT_CLIENT_FQDN))
		return 0;
	for (const char *s = t->fqdn; *s;) {
		size_t l = strcspn(s, ".");

		wire[n++] = (uint8_t)l;
		memcpy(wire + n, s, l);
		n += l;
		s += l + (s[l] == '.');
	}
	wire[n++] = 0;
	p = srv_txn_scratch(t, n);
	if (!p)
		return CH_ENOSPACE;
	memcpy(p, wire, n);
	i = d6_msg_add_bytes(&t->srv->rep, D6_ROOT, D6_OPT_CLIENT_FQDN, p, n);
	if (i < 0)
		return i;
	t->srv->rep.node[i].v.u8 = t->fqdn_reply_flags;
	return 0;
}
