/*
 * Building LEASEQUERY-REPLY, -DATA and -DONE with the bounded writer
 * (RFC 5007 §4.1.2, §4.4.2; RFC 5460 §6). Every function writes into w;
 * w->err says whether it fitted.
 */
#ifndef CHORUS_LQ_REPLY_H
#define CHORUS_LQ_REPLY_H

#include "lq.h"
#include "wire.h"

/* msg-type and transaction-id. */
void lq_reply_head(struct wire_wr *w, uint8_t type, uint32_t xid);
/* SERVERID (ours) and CLIENTID (the requestor's, copied from the query). */
void lq_reply_ids(struct wire_wr *w, const uint8_t *sduid, size_t sduid_len,
                  const struct lq_req *q);
void lq_reply_status(struct wire_wr *w, uint16_t code, const char *text);
/* One CLIENT_DATA: CLIENTID, every IAADDR / IAPREFIX with its remaining
 * lifetimes, CLT_TIME of the latest binding, and what want asks for;
 * with relay_inside, LQ_RELAY_DATA too (bulk, spec/leasequery.md §6.4). */
void lq_reply_client_data(struct wire_wr *w, const struct lq_client *c, const struct lq_want *want,
                          bool relay_inside);
/* LQ_RELAY_DATA of b (which must be relayed). */
void lq_reply_relay_data(struct wire_wr *w, const struct lq_bind *b);
/* LQ_CLIENT_LINK with n link-addresses of 16 octets each. */
void lq_reply_client_link(struct wire_wr *w, const uint8_t *links, size_t n);

/* The client's binding with the most recent transaction. */
const struct lq_bind *lq_client_latest(const struct lq_client *c);
/* The latest of the client's bindings that carries relay data, or NULL
 * (RFC 5007 §4.1.2.4: never LQ_RELAY_DATA without it). */
const struct lq_bind *lq_client_relayed(const struct lq_client *c);

#endif
