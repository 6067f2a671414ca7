/*
 * A DNS server's answer to one of chorus-ddnsd's requests (RFC 1035 §4.1,
 * RFC 2136 §3.8): the header's id, opcode, RCODE and TC, the AAAA records
 * of a query's answer, and the TSIG RR, which must be the last and must
 * verify over the request's MAC (RFC 8945 §5.3.1, ddns_tsig.c) with its
 * time within the fudge. Read on lib/wire.h cursors; no allocation.
 */
#ifndef CHORUS_DDNS_ANSWER_H
#define CHORUS_DDNS_ANSWER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddns_update.h"

#define DDNS_MAX_AAAA 16 /* AAAA records read from the answer to a query */

struct ddns_answer {
	int rcode;           /* RFC 2136 RCODE of the header */
	uint16_t tsig_error; /* TSIG Error field, 0 when none */
	bool truncated;      /* TC: ask again over TCP */
	bool trusted;        /* signed with our key, MAC and time verified */
	bool has_tsig;       /* a TSIG RR was there, verified or not */
	const char *why;     /* when not trusted, or malformed: what failed, for the log */
	int64_t server_time; /* Time Signed of the answer's TSIG, 0 when none */
	/* the answer to a query (ddns_query_build): the name's AAAA records */
	struct in6_addr aaaa[DDNS_MAX_AAAA];
	size_t n_aaaa;
};

/*
 * Reads wire as the answer to m: 0 and *out filled when it is a response
 * with m's id and opcode (trusted says whether its TSIG verified
 * against k and m's MAC with the time within the fudge of now, seconds
 * since the epoch; why says what failed); CH_ENOENT when it answers
 * something else; CH_EMALFORMED when it is no DNS message (cut short, a
 * bad name, a TSIG not last), with out->why saying where. out->why is
 * always set, static text.
 */
int ddns_answer_parse(const struct ddns_msg *m, const struct ddns_key *k, const uint8_t *wire,
                      size_t len, int64_t now, struct ddns_answer *out);

#endif
