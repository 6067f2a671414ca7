/*
 * The packet path: one datagram in, validated against the drop rules of
 * RFC 8415 §16 and §18.4 (each reason counted), dispatched to its handler,
 * then answered at once or queued for the commit. srv_rx_send puts a
 * finished reply on the wire: to the client, or to the relay's address and
 * port.
 */
#ifndef CHORUS_SRV_RX_H
#define CHORUS_SRV_RX_H

#include <stddef.h>
#include <stdint.h>

#include "srv_txn.h"

/* Handles one datagram. The transaction it creates is freed here, or
 * queued for the commit (srv_store.c), which then sends and frees it. */
void srv_rx_packet(struct srv *s, const uint8_t *buf, size_t len, const struct srv_pktinfo *pi);

/* Runs validation and the handler only: the transaction stays the
 * caller's (unit tests inspect it). NULL when the packet was dropped
 * before a transaction existed. */
struct srv_txn *srv_rx_handle(struct srv *s, const uint8_t *buf, size_t len,
                              const struct srv_pktinfo *pi);

/* The loop's callback of a readable UDP socket (arg: the struct srv):
 * reads up to SRV_RX_BURST datagrams and handles each. */
#define SRV_RX_BURST 64
void srv_rx_on_read(struct evl *l, int fd, uint32_t events, void *arg);

/* Sends t->out to where the request came from. */
void srv_rx_send(struct srv *s, struct srv_txn *t);

#endif
