/* Minimal pcap reader down to IPv6 UDP payloads; see pcap_read.h. */
#include <string.h>

#include "errors.h"
#include "pcap_read.h"
#include "wire.h"

enum {
	LINKTYPE_ETHERNET = 1,
	LINKTYPE_RAW = 101,
	LINKTYPE_LINUX_SLL = 113,
	LINKTYPE_IPV6 = 229,
};

static uint32_t pcap_u32(const struct pcap_file *pf, const uint8_t *p)
{
	if (pf->swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int pcap_open(struct pcap_file *pf, const char *path)
{
	uint8_t hdr[24];
	uint32_t magic;

	memset(pf, 0, sizeof(*pf));
	pf->f = fopen(path, "rb");
	if (!pf->f)
		return CH_EIO;
	if (fread(hdr, 1, sizeof(hdr), pf->f) != sizeof(hdr))
		goto fail;
	magic = (uint32_t)hdr[3] << 24 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[1] << 8 | hdr[0];
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		pf->swapped = 0;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		pf->swapped = 1;
	else
		goto fail;
	pf->linktype = pcap_u32(pf, hdr + 20) & 0x0fffffff;
	return 0;
fail:
	fclose(pf->f);
	pf->f = NULL;
	return CH_EMALFORMED;
}

void pcap_close(struct pcap_file *pf)
{
	if (pf->f)
		fclose(pf->f);
	pf->f = NULL;
}

/* Positions r at the IPv6 header of a frame; returns 0 if it carries none. */
static int pcap_link_to_ip6(const struct pcap_file *pf, struct wire_rd *r)
{
	uint16_t ethertype;

	switch (pf->linktype) {
	case LINKTYPE_ETHERNET:
		wire_skip(r, 12);
		ethertype = wire_get_u16(r);
		while (ethertype == 0x8100 || ethertype == 0x88a8) {
			wire_skip(r, 2);
			ethertype = wire_get_u16(r);
		}
		break;
	case LINKTYPE_LINUX_SLL:
		wire_skip(r, 14);
		ethertype = wire_get_u16(r);
		break;
	case LINKTYPE_RAW:
	case LINKTYPE_IPV6:
		ethertype = 0x86dd;
		break;
	default:
		return 0;
	}
	return !r->err && ethertype == 0x86dd;
}

/* Walks the IPv6 header and its extension headers up to UDP. */
static int pcap_ip6_to_udp(struct wire_rd *r, struct pcap_udp6 *out)
{
	uint8_t next;

	if ((wire_get_u8(r) >> 4) != 6)
		return 0;
	wire_skip(r, 5);
	next = wire_get_u8(r);
	wire_skip(r, 1);
	wire_get_bytes(r, &out->src, 16);
	wire_get_bytes(r, &out->dst, 16);
	while (!r->err && (next == 0 || next == 43 || next == 60)) {
		uint8_t hlen;

		next = wire_get_u8(r);
		hlen = wire_get_u8(r);
		wire_skip(r, (size_t)hlen * 8 + 6);
	}
	return !r->err && next == 17;
}

static int pcap_decode_frame(const struct pcap_file *pf, size_t caplen, struct pcap_udp6 *out)
{
	struct wire_rd r = wire_rd_init(pf->buf, caplen);
	uint16_t ulen;

	if (!pcap_link_to_ip6(pf, &r) || !pcap_ip6_to_udp(&r, out))
		return 0;
	out->sport = wire_get_u16(&r);
	out->dport = wire_get_u16(&r);
	ulen = wire_get_u16(&r);
	wire_skip(&r, 2);
	if (r.err || ulen < 8)
		return 0;
	out->payload = pf->buf + r.off;
	out->len = wire_left(&r) < (size_t)ulen - 8 ? wire_left(&r) : (size_t)ulen - 8;
	out->frame = pf->frame;
	return 1;
}

int pcap_next_udp6(struct pcap_file *pf, struct pcap_udp6 *out)
{
	uint8_t rec[16];

	while (fread(rec, 1, sizeof(rec), pf->f) == sizeof(rec)) {
		uint32_t caplen = pcap_u32(pf, rec + 8);

		if (caplen > sizeof(pf->buf))
			return CH_EMALFORMED;
		if (fread(pf->buf, 1, caplen, pf->f) != caplen)
			return CH_ETRUNC;
		pf->frame++;
		if (pcap_decode_frame(pf, caplen, out))
			return 1;
	}
	return 0;
}
