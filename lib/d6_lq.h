/*
 * Leasequery (RFC 5007) and Bulk Leasequery (RFC 5460) on top of d6_msg:
 * LQ_QUERY reading and checks per query type, builders for CLIENT_DATA,
 * CLT_TIME, LQ_RELAY_DATA, LQ_CLIENT_LINK and RELAY_ID, and the TCP
 * framing (u16 msg-size, then the message). Answering queries is the
 * daemon's job (leasequeryd/).
 */
#ifndef CHORUS_D6_LQ_H
#define CHORUS_D6_LQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_msg.h"
#include "d6_relay.h"

/* A parsed LQ_QUERY, indices into the message it came from. */
struct d6_lq_query {
	uint8_t qtype; /* enum d6_lq_query_type, possibly one we do not know */
	uint8_t link[16];
	int node;   /* the LQ_QUERY option */
	int target; /* the required query-option (IAADDR, CLIENTID, ...), or D6_NONE */
	int oro;    /* ORO inside the LQ_QUERY, or D6_NONE */
};

/* True for LEASEQUERY, LEASEQUERY-REPLY, -DONE and -DATA. */
bool d6_lq_is_lq_type(unsigned type);
/* True for the query types only allowed over TCP (RFC 5460). */
bool d6_lq_is_bulk_query(unsigned qtype);

/*
 * Reads the LQ_QUERY of a LEASEQUERY message (RFC 5007 §4.2).
 * Returns 0, CH_EMISSING (no LQ_QUERY; or the query-option its type
 * needs, or a zero link-address for BY_LINK_ADDRESS: answer MalformedQuery),
 * CH_ENOENT for a query type we do not know (answer UnknownQueryType).
 * *out is written on 0 and on CH_EMISSING/CH_ENOENT when LQ_QUERY exists.
 */
int d6_lq_query_get(const struct d6_msg *m, struct d6_lq_query *out);

/* Builders; each returns the new option's index or a d6_msg_add error. */
int d6_lq_add_query(struct d6_msg *m, uint8_t qtype, const uint8_t link[16]);
int d6_lq_add_client_data(struct d6_msg *m);
int d6_lq_add_clt_time(struct d6_msg *m, int client_data, uint32_t secs);
/* chain (len octets, a Relay-forward chain without the client's message)
 * is not copied and must outlive m. parent is D6_ROOT or a CLIENT_DATA. */
int d6_lq_add_relay_data(struct d6_msg *m, int parent, const uint8_t peer[16], const uint8_t *chain,
                         size_t len);
/* addrs: n addresses of 16 octets, not copied. */
int d6_lq_add_client_link(struct d6_msg *m, const uint8_t *addrs, size_t n);
int d6_lq_add_relay_id(struct d6_msg *m, int parent, const uint8_t *duid, size_t len);

/* Parses the relay chain of the LQ_RELAY_DATA at index i. Returns 0 or a
 * d6_relay_parse error; *peer (optional) gets its peer-address. */
int d6_lq_relay_data_parse(const struct d6_msg *m, int i, uint8_t peer[16],
                           struct d6_relay_chain *out);

/* Outcome of d6_lq_frame. */
enum d6_lq_frame_res {
	D6_LQ_FRAME_NEED = 0, /* not a whole frame yet: read more */
};

/*
 * Looks at the start of a bulk leasequery byte stream (RFC 5460 §5.1).
 * Returns D6_LQ_FRAME_NEED when more bytes are needed, the frame's total
 * size (2 + msg-size) when a whole frame is there (the message starts at
 * buf + 2), or CH_EMALFORMED when msg-size is below a message header or the
 * message type is not a leasequery type. Consumes nothing.
 */
int d6_lq_frame(const uint8_t *buf, size_t len);

/* Writes msg-size and the message m. Returns 0, CH_ENOSPACE or CH_EBADLEN. */
int d6_lq_frame_put(const struct d6_msg *m, struct wire_wr *w);

#endif
