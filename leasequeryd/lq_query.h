/*
 * Parse and decide: a LEASEQUERY message becomes a struct lq_req, or a
 * status to answer with, or nothing (RFC 5007 §4.2 discard rules). The
 * client's link comes from the configured subnets (RFC 5007 §4.4.1).
 */
#ifndef CHORUS_LQ_QUERY_H
#define CHORUS_LQ_QUERY_H

#include "lq.h"

#define LQ_Q_DROP  (-1) /* discard the message */
#define LQ_Q_STORE 0    /* look the bindings up */

/*
 * Parses the LEASEQUERY msg (len octets). tcp says whether it came over a
 * bulk connection (bulk query types are refused over UDP, RFC 5460 §5).
 * sduid is our Server Identifier (sduid_len 0: not known yet). Returns
 * LQ_Q_DROP, LQ_Q_STORE, or a status code to answer with (UnknownQueryType,
 * MalformedQuery, NotConfigured, NotAllowed). *out is written unless
 * LQ_Q_DROP is returned.
 */
int lq_query_parse(const uint8_t *msg, size_t len, bool tcp, const struct conf *c,
                   const uint8_t *sduid, size_t sduid_len, struct lq_req *out);

/* The id of the subnet whose prefix (or, with pd, one of whose PD pools)
 * holds a; 0 when none does. */
uint32_t lq_query_subnet(const struct conf *c, const uint8_t a[16], bool pd);

#endif
