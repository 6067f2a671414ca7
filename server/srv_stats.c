/*
 * Counter names (srv.h): the drop reasons of RFC 8415 §16 / §18.4, the
 * outcomes, and the redundancy cases of RFC 6853 §4 the API reports. The
 * names are the stats table's counter column; never rename one.
 */
#include "srv.h"

static const char *const cnt_names[SRV_CNT_MAX] = {
    [SRV_CNT_RX] = "rx",
    [SRV_CNT_TX] = "tx",
    [SRV_CNT_DROP_MALFORMED] = "drop-malformed",
    [SRV_CNT_DROP_RELAY] = "drop-relay-chain",
    [SRV_CNT_DROP_TYPE] = "drop-message-type",
    [SRV_CNT_DROP_NO_CLIENTID] = "drop-no-clientid",
    [SRV_CNT_DROP_SERVERID] = "drop-has-serverid",
    [SRV_CNT_DROP_NO_SERVERID] = "drop-no-serverid",
    [SRV_CNT_DROP_WRONG_SERVERID] = "drop-other-serverid",
    [SRV_CNT_DROP_UNICAST] = "drop-unicast",
    [SRV_CNT_DROP_IA_IN_INFOREQ] = "drop-ia-in-information-request",
    [SRV_CNT_DROP_NO_LINK] = "drop-unknown-link",
    [SRV_CNT_DROP_NOT_READY] = "drop-not-ready",
    [SRV_CNT_DROP_DB_DOWN] = "drop-database-down",
    [SRV_CNT_DROP_OVERLOAD] = "drop-overload",
    [SRV_CNT_DROP_COMMIT_FAIL] = "drop-commit-failed",
    [SRV_CNT_DROP_CONFIRM] = "drop-confirm-undecidable",
    [SRV_CNT_DROP_REBIND] = "drop-rebind-nothing-to-say",
    [SRV_CNT_USE_MULTICAST] = "use-multicast",
    [SRV_CNT_ADVERTISE] = "advertise",
    [SRV_CNT_REPLY] = "reply",
    [SRV_CNT_LEASE_GRANTED] = "lease-granted",
    [SRV_CNT_LEASE_EXTENDED] = "lease-extended",
    [SRV_CNT_LEASE_RELEASED] = "lease-released",
    [SRV_CNT_LEASE_DECLINED] = "lease-declined",
    [SRV_CNT_LEASE_EXPIRED] = "lease-expired",
    [SRV_CNT_LEASE_UNFIT] = "lease-no-longer-configured",
    [SRV_CNT_NO_ADDRS] = "no-addrs-avail",
    [SRV_CNT_NO_PREFIX] = "no-prefix-avail",
    [SRV_CNT_CONFIRM_FOREIGN] = "confirm-foreign-range",
    [SRV_CNT_REBIND_REPLACED] = "rebind-replaced",
    [SRV_CNT_REBIND_REFUSED] = "rebind-refused",
    [SRV_CNT_REBIND_ADOPTED] = "rebind-adopted",
    [SRV_CNT_REBIND_ADOPT_CONFLICT] = "rebind-adopt-conflict",
    [SRV_CNT_COMMIT_BATCHES] = "commit-batches",
    [SRV_CNT_COMMIT_CONFLICT] = "commit-conflict",
    [SRV_CNT_HEALTH_DEGRADED] = "health-degraded",
    [SRV_CNT_ADVERTISE_DEGRADED] = "advertise-degraded",
    [SRV_CNT_LQ_PASSED] = "leasequery-passed",
    [SRV_CNT_LQ_NOT_CONFIGURED] = "leasequery-not-configured",
    [SRV_CNT_LQ_BUSY] = "leasequery-busy",
    [SRV_CNT_LQ_BAD_ANSWER] = "leasequery-bad-answer",
    [SRV_CNT_LQ_SEND_FAIL] = "leasequery-send-failed",
    [SRV_CNT_LQ_ANSWERS] = "leasequery-answers-sent",
    [SRV_CNT_LQ_SOCKETS] = "leasequery-sockets-passed",
    [SRV_CNT_LQ_STEER_OFF] = "leasequery-steered-to-responder",
    [SRV_CNT_LQ_STEER_ON] = "leasequery-steered-to-engine",
};

const char *srv_cnt_name(enum srv_cnt c)
{
	return c < SRV_CNT_MAX && cnt_names[c] ? cnt_names[c] : "unknown";
}
