/*
 * chorus-ddnsd's syscalls: a connected UDP socket per DNS server, one TCP
 * connection per update that needs it (RFC 1035 §4.2.2 two-octet length
 * prefix, RFC 7766), and random message ids. Everything non-blocking.
 */
#ifndef CHORUS_DDNS_NET_H
#define CHORUS_DDNS_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A non-blocking socket connected to [a]:port: UDP, or TCP with the
 * connection under way. Returns the descriptor or -errno. */
int ddns_net_udp_open(const struct in6_addr *a, uint16_t port);
int ddns_net_tcp_open(const struct in6_addr *a, uint16_t port);

/* send/recv on a connected socket: a count, or -errno (-EAGAIN: try later). */
ssize_t ddns_net_send(int fd, const void *buf, size_t len);
ssize_t ddns_net_recv(int fd, void *buf, size_t cap);
/* 0 when a TCP connect finished, or -errno. */
int ddns_net_tcp_error(int fd);
void ddns_net_close(int fd);

uint16_t ddns_net_random16(void);
/* Seconds since the epoch (TSIG Time Signed is wall-clock time). */
int64_t ddns_net_wallclock(void);

#endif
