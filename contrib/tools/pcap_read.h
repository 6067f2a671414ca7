/*
 * Minimal pcap file reader for captures of DHCPv6 traffic: classic pcap
 * (micro- or nanosecond, either byte order), Ethernet (with 802.1Q), Linux
 * cooked (SLL) and raw IPv6 link types; IPv6 with extension headers; UDP.
 * Used by chorus-pcap and the capture tests; not a general dissector.
 */
#ifndef CHORUS_PCAP_READ_H
#define CHORUS_PCAP_READ_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcap_file {
	FILE *f;
	int swapped;
	uint32_t linktype;
	unsigned frame; /* 1-based number of the last frame read, as tshark counts */
	uint8_t buf[65536];
};

struct pcap_udp6 {
	unsigned frame;
	struct in6_addr src, dst;
	uint16_t sport, dport;
	const uint8_t *payload; /* points into pcap_file.buf until the next read */
	size_t len;
};

/* Opens path and checks its header. Returns 0, CH_EIO or CH_EMALFORMED. */
int pcap_open(struct pcap_file *pf, const char *path);
void pcap_close(struct pcap_file *pf);
/* Reads frames until the next IPv6 UDP datagram. Returns 1 with *out
 * filled, 0 at end of file, or a negative CH_E* on a damaged file. */
int pcap_next_udp6(struct pcap_file *pf, struct pcap_udp6 *out);

#endif
