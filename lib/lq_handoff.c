/* The 32-octet header of the leasequery hand-off datagrams (lq_handoff.h). */
#include <string.h>

#include "errors.h"
#include "lq_handoff.h"
#include "wire.h"

void lq_handoff_put(uint8_t out[LQ_HANDOFF_HDR_LEN], const struct lq_handoff_hdr *h)
{
	struct wire_wr w = wire_wr_init(out, LQ_HANDOFF_HDR_LEN);

	wire_put_bytes(&w, LQ_HANDOFF_MAGIC, 4);
	wire_put_u8(&w, LQ_HANDOFF_VERSION);
	wire_put_u8(&w, h->kind);
	wire_put_u16(&w, LQ_HANDOFF_HDR_LEN);
	wire_put_bytes(&w, h->peer, 16);
	wire_put_u16(&w, h->port);
	wire_put_u16(&w, 0);
	wire_put_u32(&w, h->ifindex);
}

int lq_handoff_get(const uint8_t *buf, size_t len, struct lq_handoff_hdr *out)
{
	struct wire_rd r = wire_rd_init(buf, len);
	struct lq_handoff_hdr h;
	uint8_t magic[4], version;
	uint16_t hlen;

	wire_get_bytes(&r, magic, 4);
	version = wire_get_u8(&r);
	h.kind = wire_get_u8(&r);
	hlen = wire_get_u16(&r);
	wire_get_bytes(&r, h.peer, 16);
	h.port = wire_get_u16(&r);
	wire_skip(&r, 2);
	h.ifindex = wire_get_u32(&r);
	if (r.err)
		return CH_ETRUNC;
	if (memcmp(magic, LQ_HANDOFF_MAGIC, 4) != 0 || hlen != LQ_HANDOFF_HDR_LEN ||
	    (h.kind != LQ_HANDOFF_QUERY && h.kind != LQ_HANDOFF_ANSWER))
		return CH_EMALFORMED;
	if (version != LQ_HANDOFF_VERSION)
		return CH_EVERSION;
	if (len == LQ_HANDOFF_HDR_LEN)
		return CH_ETRUNC;
	if (len - LQ_HANDOFF_HDR_LEN > LQ_HANDOFF_MAX_DGRAM)
		return CH_EMALFORMED;
	*out = h;
	return (int)(len - LQ_HANDOFF_HDR_LEN);
}
