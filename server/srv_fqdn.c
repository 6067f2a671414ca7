/*
 * Client FQDN (see srv_fqdn.h). RFC 4704 §4 (option), §5 (flags), RFC 1035
 * §3.1 (labels, no compression).
 */
#include <stdio.h>
#include <string.h>

#include "srv_fqdn.h"
#include "srv_reply.h"

/* Appends the labels at p (len octets) as dotted text; true if the name
 * ended in the root label (a full name). Only letters, digits and '-'. */
static int labels_to_text(const uint8_t *p, size_t len, char *out, size_t cap, bool *full)
{
	size_t i = 0, n = 0;

	*full = false;
	while (i < len) {
		size_t l = p[i++];

		if (l == 0) {
			*full = i == len;
			return *full && n ? 0 : CH_EMALFORMED;
		}
		if (l > 63 || l > len - i || n + l + 2 > cap)
			return CH_EMALFORMED;
		for (size_t k = 0; k < l; k++) {
			uint8_t c = p[i + k];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-'))
				return CH_EMALFORMED;
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		out[n++] = '.';
		i += l;
	}
	out[n] = '\0';
	return n ? 0 : CH_EMALFORMED;
}

static void decide(struct srv_txn *t, uint8_t cflags)
{
	const struct conf_ddns *d = &t->srv->conf->ddns;

	t->fqdn_flags = cflags & 0x7;
	if (cflags & SRV_FQDN_N) {
		t->fqdn_reply_flags = SRV_FQDN_N;
		t->fqdn_fwd = t->fqdn_rev = false;
		return;
	}
	t->fqdn_rev = true;
	t->fqdn_fwd = (cflags & SRV_FQDN_S) || d->override_client_update;
	t->fqdn_reply_flags = t->fqdn_fwd ? SRV_FQDN_S : 0;
	if (t->fqdn_fwd && !(cflags & SRV_FQDN_S))
		t->fqdn_reply_flags |= SRV_FQDN_O;
}

int srv_fqdn_get(struct srv_txn *t)
{
	const struct conf_ddns *d = &t->srv->conf->ddns;
	const struct d6_msg *m = &t->srv->req;
	int i = d6_msg_find(m, D6_ROOT, D6_OPT_CLIENT_FQDN);
	bool full;
	size_t n;

	t->fqdn[0] = '\0';
	if (i < 0 || !d->enabled)
		return 0;
	if (labels_to_text(m->node[i].tail, m->node[i].tail_len, t->fqdn, sizeof(t->fqdn), &full) <
	    0) {
		t->fqdn[0] = '\0';
		return CH_EMALFORMED;
	}
	n = strlen(t->fqdn);
	if (!full) {
		const char *sfx = d->qualifying_suffix;

		if (!sfx[0] || n + strlen(sfx) + 1 >= sizeof(t->fqdn)) {
			t->fqdn[0] = '\0';
			return CH_EMALFORMED;
		}
		snprintf(t->fqdn + n, sizeof(t->fqdn) - n, "%s%s", sfx,
		         sfx[strlen(sfx) - 1] == '.' ? "" : ".");
	}
	decide(t, m->node[i].v.u8);
	return 0;
}

int srv_fqdn_reply(struct srv_txn *t)
{
	uint8_t wire[256], *p;
	size_t n = 0;
	int i;

	if (!t->fqdn[0])
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
