/* Ethernet/IPv6/UDP frames into a classic pcap file; see pcap_write.h. */
#include <string.h>

#include "errors.h"
#include "pcap_write.h"
#include "wire.h"

#define FRAME_HDR_LEN (14 + 40 + 8)

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

int pcap_write_header(FILE *f)
{
	uint8_t h[24] = {0};

	put_le32(h, 0xa1b2c3d4);
	h[4] = 2; /* version 2.4 */
	h[6] = 4;
	put_le32(h + 16, 65535); /* snaplen */
	put_le32(h + 20, 1);     /* LINKTYPE_ETHERNET */
	return fwrite(h, 1, sizeof(h), f) == sizeof(h) ? 0 : CH_EIO;
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

/* RFC 8200 §8.1: the UDP checksum covers a pseudo-header of both addresses. */
static uint16_t udp6_checksum(const struct in6_addr *src, const struct in6_addr *dst,
                              const uint8_t *udp, size_t len)
{
	uint32_t acc = 0;
	uint8_t tail[8] = {0, 0, (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0, 17};

	acc = sum16(acc, src->s6_addr, 16);
	acc = sum16(acc, dst->s6_addr, 16);
	acc = sum16(acc, tail, sizeof(tail));
	acc = sum16(acc, udp, len);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	acc = ~acc & 0xffff;
	return acc ? (uint16_t)acc : 0xffff;
}

int pcap_write_udp6(FILE *f, const struct in6_addr *src, uint16_t sport, const struct in6_addr *dst,
                    uint16_t dport, const uint8_t *payload, size_t len)
{
	static uint8_t frame[FRAME_HDR_LEN + 65535];
	static const uint8_t macs[12] = {0x33, 0x33, 0, 1, 0, 2, 0x02, 0, 0, 0, 0, 1};
	struct wire_wr w = wire_wr_init(frame, sizeof(frame));
	uint8_t rec[16] = {0};
	size_t udp_at;
	uint16_t sum;

	if (len > 65535 - 8)
		return CH_EINVAL;
	wire_put_bytes(&w, macs, sizeof(macs));
	wire_put_u16(&w, 0x86dd);
	wire_put_u32(&w, 0x60000000);
	wire_put_u16(&w, (uint16_t)(len + 8));
	wire_put_u8(&w, 17);
	wire_put_u8(&w, 64);
	wire_put_bytes(&w, src, 16);
	wire_put_bytes(&w, dst, 16);
	udp_at = w.len;
	wire_put_u16(&w, sport);
	wire_put_u16(&w, dport);
	wire_put_u16(&w, (uint16_t)(len + 8));
	wire_put_u16(&w, 0);
	wire_put_bytes(&w, payload, len);
	if (w.err)
		return CH_EINVAL;
	sum = udp6_checksum(src, dst, frame + udp_at, len + 8);
	frame[udp_at + 6] = sum >> 8;
	frame[udp_at + 7] = sum & 0xff;
	put_le32(rec + 8, (uint32_t)w.len);
	put_le32(rec + 12, (uint32_t)w.len);
	if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec) || fwrite(frame, 1, w.len, f) != w.len)
		return CH_EIO;
	return 0;
}
