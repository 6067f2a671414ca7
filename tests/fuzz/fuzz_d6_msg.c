/*
 * Fuzz target for lib/d6_msg.c (and the option table, IA, leasequery and
 * text helpers on top): whatever parses must build back to the identical
 * bytes and parse again to the same tree; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "d6_ia.h"
#include "d6_lq.h"
#include "d6_msg.h"
#include "d6_text.h"
#include "duid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct d6_msg m, m2;
static struct d6_relay_chain chain;
static uint8_t out[70000];

/* Helpers that read a parsed tree must not trip over any accepted input. */
static void poke_helpers(const struct d6_msg *pm)
{
	char text[2048];
	struct d6_lq_query q;
	uint8_t peer[16], excl[16];

	d6_text_msg(pm, text, sizeof(text));
	d6_lq_query_get(pm, &q);
	for (int i = 0; i < pm->n_nodes; i++) {
		const struct d6_node *n = &pm->node[i];

		if (n->space != D6_SPACE_MAIN)
			continue;
		if (n->code == D6_OPT_CLIENTID || n->code == D6_OPT_SERVERID)
			duid_describe(n->tail, n->tail_len, text, sizeof(text));
		if (n->code == D6_OPT_LQ_RELAY_DATA)
			d6_lq_relay_data_parse(pm, i, peer, &chain);
		if (n->code == D6_OPT_PD_EXCLUDE &&
		    d6_ia_pdx_decode(pm->node[n->parent].v.iaprefix.prefix,
		                     pm->node[n->parent].v.iaprefix.plen, &n->v, excl) < 0)
			abort(); /* the parser accepted it, so it must decode */
		d6_ia_status(pm, i, NULL, NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_wr w = wire_wr_init(out, size < sizeof(out) ? size : sizeof(out));

	d6_lq_frame(data, size);
	if (d6_msg_parse(data, size, &m) != 0)
		return 0;
	if (d6_msg_build(&m, &w) != 0 || w.len != size || memcmp(out, data, size) != 0)
		abort();
	if (d6_msg_parse(out, w.len, &m2) != 0 || m2.n_nodes != m.n_nodes || m2.type != m.type)
		abort();
	for (int i = 0; i < m.n_nodes; i++)
		if (m.node[i].code != m2.node[i].code || m.node[i].len != m2.node[i].len)
			abort();
	poke_helpers(&m);
	return 0;
}
