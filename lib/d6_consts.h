/*
 * DHCPv6 wire constants: message types, option codes, status codes,
 * leasequery query types and protocol limits, named as in the RFCs.
 * RFC 8415 §7 and §24, RFC 5007 §5, RFC 5460, option RFCs in spec/dhcpv6.md.
 * The *_name() functions (d6_consts.c) turn codes into log text.
 */
#ifndef CHORUS_D6_CONSTS_H
#define CHORUS_D6_CONSTS_H

#include <stdint.h>

enum d6_msg_type {
	D6_MSG_SOLICIT = 1,
	D6_MSG_ADVERTISE = 2,
	D6_MSG_REQUEST = 3,
	D6_MSG_CONFIRM = 4,
	D6_MSG_RENEW = 5,
	D6_MSG_REBIND = 6,
	D6_MSG_REPLY = 7,
	D6_MSG_RELEASE = 8,
	D6_MSG_DECLINE = 9,
	D6_MSG_RECONFIGURE = 10,
	D6_MSG_INFO_REQUEST = 11,
	D6_MSG_RELAY_FORW = 12,
	D6_MSG_RELAY_REPL = 13,
	D6_MSG_LEASEQUERY = 14,
	D6_MSG_LQ_REPLY = 15,
	D6_MSG_LQ_DONE = 16,
	D6_MSG_LQ_DATA = 17,
	D6_MSG_MAX = 17,
};

enum d6_opt_code {
	D6_OPT_CLIENTID = 1,
	D6_OPT_SERVERID = 2,
	D6_OPT_IA_NA = 3,
	D6_OPT_IA_TA = 4,
	D6_OPT_IAADDR = 5,
	D6_OPT_ORO = 6,
	D6_OPT_PREFERENCE = 7,
	D6_OPT_ELAPSED_TIME = 8,
	D6_OPT_RELAY_MSG = 9,
	D6_OPT_AUTH = 11,
	D6_OPT_UNICAST = 12,
	D6_OPT_STATUS_CODE = 13,
	D6_OPT_RAPID_COMMIT = 14,
	D6_OPT_USER_CLASS = 15,
	D6_OPT_VENDOR_CLASS = 16,
	D6_OPT_VENDOR_OPTS = 17,
	D6_OPT_INTERFACE_ID = 18,
	D6_OPT_RECONF_MSG = 19,
	D6_OPT_RECONF_ACCEPT = 20,
	D6_OPT_DNS_SERVERS = 23,
	D6_OPT_DOMAIN_LIST = 24,
	D6_OPT_IA_PD = 25,
	D6_OPT_IAPREFIX = 26,
	D6_OPT_INFO_REFRESH = 32,
	D6_OPT_REMOTE_ID = 37,
	D6_OPT_SUBSCRIBER_ID = 38,
	D6_OPT_CLIENT_FQDN = 39,
	D6_OPT_LQ_QUERY = 44,
	D6_OPT_CLIENT_DATA = 45,
	D6_OPT_CLT_TIME = 46,
	D6_OPT_LQ_RELAY_DATA = 47,
	D6_OPT_LQ_CLIENT_LINK = 48,
	D6_OPT_RELAY_ID = 53,
	D6_OPT_NTP_SERVER = 56,
	D6_OPT_BOOTFILE_URL = 59,     /* RFC 5970 §3.1 */
	D6_OPT_BOOTFILE_PARAM = 60,   /* RFC 5970 §3.2 */
	D6_OPT_CLIENT_ARCH_TYPE = 61, /* RFC 5970 §3.3 */
	D6_OPT_PD_EXCLUDE = 67,
	D6_OPT_CLIENT_LLADDR = 79,
	D6_OPT_SOL_MAX_RT = 82,
	D6_OPT_INF_MAX_RT = 83,
};

/* NTP_SERVER (56) sub-option codes, RFC 5908 §4. */
enum d6_ntp_subopt {
	D6_NTP_SRV_ADDR = 1,
	D6_NTP_MC_ADDR = 2,
	D6_NTP_SRV_FQDN = 3,
};

enum d6_status {
	D6_STATUS_SUCCESS = 0,
	D6_STATUS_UNSPECFAIL = 1,
	D6_STATUS_NOADDRSAVAIL = 2,
	D6_STATUS_NOBINDING = 3,
	D6_STATUS_NOTONLINK = 4,
	D6_STATUS_USEMULTICAST = 5,
	D6_STATUS_NOPREFIXAVAIL = 6,
	D6_STATUS_UNKNOWNQUERYTYPE = 7,
	D6_STATUS_MALFORMEDQUERY = 8,
	D6_STATUS_NOTCONFIGURED = 9,
	D6_STATUS_NOTALLOWED = 10,
	D6_STATUS_QUERYTERMINATED = 11,
};

/* LQ_QUERY query-type, RFC 5007 §4.1.2.1 and RFC 5460. */
enum d6_lq_query_type {
	LQ_QUERY_BY_ADDRESS = 1,
	LQ_QUERY_BY_CLIENTID = 2,
	LQ_QUERY_BY_RELAY_ID = 3,
	LQ_QUERY_BY_LINK_ADDRESS = 4,
	LQ_QUERY_BY_REMOTE_ID = 5,
};

/* RFC 8415 §7.6; RFC 3315 had 32, which we allow as a configurable cap. */
#define HOP_COUNT_LIMIT  8
#define D6_HOP_COUNT_CAP 32
#define D6_INFINITY      0xffffffffu
#define D6_IRT_DEFAULT   86400u
#define D6_IRT_MINIMUM   600u
#define D6_CLIENT_PORT   546
#define D6_SERVER_PORT   547
#define D6_HDR_LEN       4  /* msg-type + transaction-id */
#define D6_RELAY_HDR_LEN 34 /* msg-type + hop-count + link + peer */
#define D6_DUID_MAX_LEN  130
#define D6_DUID_MIN_LEN  3

/* Static names for logs; "unknown" for codes we do not know. Never NULL. */
const char *d6_msg_name(unsigned type);
const char *d6_opt_name(unsigned code);
const char *d6_status_name(unsigned code);
const char *d6_lq_query_name(unsigned qtype);

#endif
