/*
 * Fuzz target for the bulk leasequery TCP framing of lib/d6_lq.c (RFC 5460
 * §5.1), walked the way chorus-leasequeryd's connections walk their input:
 * take whole frames off the front until one is incomplete or broken. A
 * frame never claims more than the buffer holds; a frame whose message
 * parses frames back (d6_lq_frame_put) to the identical bytes; its
 * LQ_QUERY, if any, reads without harm.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "d6_lq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct d6_msg m;
static uint8_t out[70000];

static void check_frame(const uint8_t *f, size_t n)
{
	struct wire_wr w = wire_wr_init(out, sizeof(out));
	struct d6_lq_query q = {.node = D6_NONE};

	if (d6_msg_parse(f + 2, n - 2, &m) != 0)
		return;
	if (!d6_lq_is_lq_type(m.type))
		abort();
	if (d6_lq_frame_put(&m, &w) != 0 || w.len != n || memcmp(out, f, n) != 0)
		abort();
	d6_lq_query_get(&m, &q);
	if (q.node != D6_NONE &&
	    (q.node < 0 || q.node >= m.n_nodes || m.node[q.node].code != D6_OPT_LQ_QUERY))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		int f = d6_lq_frame(data + off, size - off);

		if (f <= 0)
			break;
		if ((size_t)f > size - off || f < 2 + D6_HDR_LEN)
			abort();
		check_frame(data + off, (size_t)f);
		off += (size_t)f;
	}
	return 0;
}
