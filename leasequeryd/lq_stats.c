/* Counter names for the stats table (scope 'leasequery'). */
#include "lq.h"

static const char *const names[LQ_CNT_MAX] = {
    [LQ_CNT_UDP_QUERIES] = "udp-queries",
    [LQ_CNT_TCP_QUERIES] = "tcp-queries",
    [LQ_CNT_BY_ADDRESS] = "query-by-address",
    [LQ_CNT_BY_CLIENTID] = "query-by-clientid",
    [LQ_CNT_BY_RELAY_ID] = "query-by-relay-id",
    [LQ_CNT_BY_LINK_ADDRESS] = "query-by-link-address",
    [LQ_CNT_BY_REMOTE_ID] = "query-by-remote-id",
    [LQ_CNT_BY_UNKNOWN] = "query-by-unknown-type",
    [LQ_CNT_REPLY_DATA] = "reply-data",
    [LQ_CNT_REPLY_EMPTY] = "reply-no-binding",
    [LQ_CNT_CLIENT_LINK] = "reply-client-link",
    [LQ_CNT_UNKNOWN_QTYPE] = "unknown-query-type",
    [LQ_CNT_MALFORMED] = "malformed-query",
    [LQ_CNT_NOT_CONFIGURED] = "not-configured",
    [LQ_CNT_NOT_ALLOWED] = "not-allowed",
    [LQ_CNT_DB_FAILED] = "database-failed",
    [LQ_CNT_TERMINATED] = "query-terminated",
    [LQ_CNT_DROPPED] = "dropped",
    [LQ_CNT_RATE_LIMITED] = "rate-limited",
    [LQ_CNT_BINDINGS] = "bulk-bindings",
    [LQ_CNT_CONN_ACCEPTED] = "tcp-accepted",
    [LQ_CNT_CONN_DENIED] = "tcp-denied",
    [LQ_CNT_CONN_REFUSED] = "tcp-refused-limit",
    [LQ_CNT_CONN_IDLE] = "tcp-idle-closed",
    [LQ_CNT_CONN_STALLED] = "tcp-stalled-dropped",
    [LQ_CNT_CONN_BAD] = "tcp-bad-framing",
    [LQ_CNT_UDP_BATCHES] = "udp-address-batches",
    [LQ_CNT_UDP_DIRECT] = "udp-answers-direct",
    [LQ_CNT_UDP_STEERED] = "udp-queries-steered",
    [LQ_CNT_UDP_SEND_FAIL] = "udp-send-failed",
};

const char *lq_cnt_name(enum lq_cnt c)
{
	return c < LQ_CNT_MAX && names[c] ? names[c] : "unknown";
}

void lq_count_qtype(struct lq *lq, unsigned qtype)
{
	static const enum lq_cnt by[] = {LQ_CNT_BY_UNKNOWN,      LQ_CNT_BY_ADDRESS,
	                                 LQ_CNT_BY_CLIENTID,     LQ_CNT_BY_RELAY_ID,
	                                 LQ_CNT_BY_LINK_ADDRESS, LQ_CNT_BY_REMOTE_ID};

	lq_count(lq, qtype < sizeof(by) / sizeof(by[0]) ? by[qtype] : LQ_CNT_BY_UNKNOWN);
}
