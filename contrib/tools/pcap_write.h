/*
 * Writes DHCPv6 payloads into a pcap file as Ethernet/IPv6/UDP frames, so
 * tshark can decode messages we built (chorus-pcap --wrap).
 */
#ifndef CHORUS_PCAP_WRITE_H
#define CHORUS_PCAP_WRITE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes the file header. Returns 0 or CH_EIO. */
int pcap_write_header(FILE *f);
/* Writes one frame carrying payload from src:sport to dst:dport, with a
 * correct UDP checksum. Returns 0, CH_EINVAL (payload too large) or CH_EIO. */
int pcap_write_udp6(FILE *f, const struct in6_addr *src, uint16_t sport, const struct in6_addr *dst,
                    uint16_t dport, const uint8_t *payload, size_t len);

#endif
