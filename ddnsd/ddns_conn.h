/*
 * chorus-ddnsd's TCP connection to a DNS server, shared by every message
 * to it that goes over TCP (RFC 7766 §6.2.1: several requests on one
 * connection, answers in any order, matched by their id). Opened at the
 * first message, opened again at the next one after the server closed it
 * (RFC 7766 §6.2.3: servers close idle connections).
 */
#ifndef CHORUS_DDNS_CONN_H
#define CHORUS_DDNS_CONN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "evl.h"

struct ddns_conn;

/* A message that arrived, without its length prefix. */
typedef void (*ddns_conn_msg_cb)(void *arg, const uint8_t *msg, size_t len);
/* The connection of generation gen is gone (why: "closed by the server",
 * or an errno text); the messages sent on it have no answer coming. */
typedef void (*ddns_conn_down_cb)(void *arg, uint64_t gen, const char *why);

struct ddns_conn *ddns_conn_new(struct evl *l, const struct in6_addr *a, uint16_t port,
                                ddns_conn_msg_cb on_msg, ddns_conn_down_cb on_down, void *arg);
/* Queues msg (framed with its length) and opens the connection when it is
 * not. 0 and *gen the connection's generation, or a CH_E* / -errno (the
 * message is not sent; nothing else changes). */
int ddns_conn_send(struct ddns_conn *c, const uint8_t *msg, size_t len, uint64_t *gen);
void ddns_conn_free(struct ddns_conn *c);

#endif
