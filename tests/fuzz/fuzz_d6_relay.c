/*
 * Fuzz target for lib/d6_relay.c: a chain that parses (full or stripped,
 * up to the legacy cap of 32 hops) must build back to the identical bytes;
 * its Relay-reply and stripped forms must parse back with the same layers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "d6_msg.h"
#include "d6_relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct d6_relay_chain c, c2;
static struct d6_msg m;
static uint8_t out[140000];

static void same_layers(const struct d6_relay_chain *a, const struct d6_relay_chain *b, bool reply)
{
	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		const struct d6_relay_layer *x = &a->layer[i], *y = &b->layer[i];

		if (x->hops != y->hops || memcmp(x->link, y->link, 16) != 0 ||
		    memcmp(x->peer, y->peer, 16) != 0 || (reply && y->type != D6_MSG_RELAY_REPL))
			abort();
		if ((x->ifid == NULL) != (y->ifid == NULL) || x->ifid_len != y->ifid_len ||
		    (x->ifid && memcmp(x->ifid, y->ifid, x->ifid_len) != 0))
			abort();
	}
}

static void check_rebuild(const uint8_t *data, size_t size, const struct d6_relay_chain *pc)
{
	struct wire_wr w = wire_wr_init(out, sizeof(out));

	if (d6_relay_build(pc, &w) != 0 || w.len != size || memcmp(out, data, size) != 0)
		abort();
}

static void check_full(const uint8_t *data, size_t size)
{
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	uint8_t link[16];

	check_rebuild(data, size, &c);
	d6_relay_link_addr(&c, link);
	d6_msg_parse(c.inner, c.inner_len, &m);
	if (d6_relay_build_reply(&c, c.inner, c.inner_len, &w) != 0)
		abort();
	if (d6_relay_parse(out, w.len, D6_HOP_COUNT_CAP, 0, &c2) != 0)
		abort();
	same_layers(&c, &c2, true);
	if (c2.inner_len != c.inner_len || memcmp(c2.inner, c.inner, c.inner_len) != 0)
		abort();
	w = wire_wr_init(out, sizeof(out));
	if (d6_relay_build_stripped(&c, &w) != 0)
		abort();
	if (d6_relay_parse(out, w.len, D6_HOP_COUNT_CAP, D6_RELAY_STRIPPED, &c2) != 0)
		abort();
	same_layers(&c, &c2, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (d6_relay_parse(data, size, D6_HOP_COUNT_CAP, 0, &c) == 0)
		check_full(data, size);
	if (d6_relay_parse(data, size, D6_HOP_COUNT_CAP, D6_RELAY_STRIPPED, &c) == 0)
		check_rebuild(data, size, &c);
	d6_relay_parse(data, size, HOP_COUNT_LIMIT, 0, &c);
	return 0;
}
