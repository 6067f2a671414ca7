/* Log names for the DHCPv6 codes of d6_consts.h (RFC 8415 §24, RFC 5007, RFC 5460). */
#include <stddef.h>

#include "d6_consts.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const d6_msg_names[] = {
    [D6_MSG_SOLICIT] = "SOLICIT",
    [D6_MSG_ADVERTISE] = "ADVERTISE",
    [D6_MSG_REQUEST] = "REQUEST",
    [D6_MSG_CONFIRM] = "CONFIRM",
    [D6_MSG_RENEW] = "RENEW",
    [D6_MSG_REBIND] = "REBIND",
    [D6_MSG_REPLY] = "REPLY",
    [D6_MSG_RELEASE] = "RELEASE",
    [D6_MSG_DECLINE] = "DECLINE",
    [D6_MSG_RECONFIGURE] = "RECONFIGURE",
    [D6_MSG_INFO_REQUEST] = "INFORMATION-REQUEST",
    [D6_MSG_RELAY_FORW] = "RELAY-FORW",
    [D6_MSG_RELAY_REPL] = "RELAY-REPL",
    [D6_MSG_LEASEQUERY] = "LEASEQUERY",
    [D6_MSG_LQ_REPLY] = "LEASEQUERY-REPLY",
    [D6_MSG_LQ_DONE] = "LEASEQUERY-DONE",
    [D6_MSG_LQ_DATA] = "LEASEQUERY-DATA",
};

static const char *const d6_opt_names[] = {
    [D6_OPT_CLIENTID] = "CLIENTID",
    [D6_OPT_SERVERID] = "SERVERID",
    [D6_OPT_IA_NA] = "IA_NA",
    [D6_OPT_IA_TA] = "IA_TA",
    [D6_OPT_IAADDR] = "IAADDR",
    [D6_OPT_ORO] = "ORO",
    [D6_OPT_PREFERENCE] = "PREFERENCE",
    [D6_OPT_ELAPSED_TIME] = "ELAPSED_TIME",
    [D6_OPT_RELAY_MSG] = "RELAY_MSG",
    [D6_OPT_AUTH] = "AUTH",
    [D6_OPT_UNICAST] = "UNICAST",
    [D6_OPT_STATUS_CODE] = "STATUS_CODE",
    [D6_OPT_RAPID_COMMIT] = "RAPID_COMMIT",
    [D6_OPT_USER_CLASS] = "USER_CLASS",
    [D6_OPT_VENDOR_CLASS] = "VENDOR_CLASS",
    [D6_OPT_VENDOR_OPTS] = "VENDOR_OPTS",
    [D6_OPT_INTERFACE_ID] = "INTERFACE_ID",
    [D6_OPT_RECONF_MSG] = "RECONF_MSG",
    [D6_OPT_RECONF_ACCEPT] = "RECONF_ACCEPT",
    [D6_OPT_DNS_SERVERS] = "DNS_SERVERS",
    [D6_OPT_DOMAIN_LIST] = "DOMAIN_LIST",
    [D6_OPT_IA_PD] = "IA_PD",
    [D6_OPT_IAPREFIX] = "IAPREFIX",
    [D6_OPT_INFO_REFRESH] = "INFORMATION_REFRESH_TIME",
    [D6_OPT_REMOTE_ID] = "REMOTE_ID",
    [D6_OPT_SUBSCRIBER_ID] = "SUBSCRIBER_ID",
    [D6_OPT_CLIENT_FQDN] = "CLIENT_FQDN",
    [D6_OPT_LQ_QUERY] = "LQ_QUERY",
    [D6_OPT_CLIENT_DATA] = "CLIENT_DATA",
    [D6_OPT_CLT_TIME] = "CLT_TIME",
    [D6_OPT_LQ_RELAY_DATA] = "LQ_RELAY_DATA",
    [D6_OPT_LQ_CLIENT_LINK] = "LQ_CLIENT_LINK",
    [D6_OPT_RELAY_ID] = "RELAY_ID",
    [D6_OPT_NTP_SERVER] = "NTP_SERVER",
    [D6_OPT_PD_EXCLUDE] = "PD_EXCLUDE",
    [D6_OPT_CLIENT_LLADDR] = "CLIENT_LINKLAYER_ADDR",
    [D6_OPT_SOL_MAX_RT] = "SOL_MAX_RT",
    [D6_OPT_INF_MAX_RT] = "INF_MAX_RT",
};

static const char *const d6_status_names[] = {
    [D6_STATUS_SUCCESS] = "Success",
    [D6_STATUS_UNSPECFAIL] = "UnspecFail",
    [D6_STATUS_NOADDRSAVAIL] = "NoAddrsAvail",
    [D6_STATUS_NOBINDING] = "NoBinding",
    [D6_STATUS_NOTONLINK] = "NotOnLink",
    [D6_STATUS_USEMULTICAST] = "UseMulticast",
    [D6_STATUS_NOPREFIXAVAIL] = "NoPrefixAvail",
    [D6_STATUS_UNKNOWNQUERYTYPE] = "UnknownQueryType",
    [D6_STATUS_MALFORMEDQUERY] = "MalformedQuery",
    [D6_STATUS_NOTCONFIGURED] = "NotConfigured",
    [D6_STATUS_NOTALLOWED] = "NotAllowed",
    [D6_STATUS_QUERYTERMINATED] = "QueryTerminated",
};

static const char *const d6_lq_query_names[] = {
    [LQ_QUERY_BY_ADDRESS] = "BY_ADDRESS",     [LQ_QUERY_BY_CLIENTID] = "BY_CLIENTID",
    [LQ_QUERY_BY_RELAY_ID] = "BY_RELAY_ID",   [LQ_QUERY_BY_LINK_ADDRESS] = "BY_LINK_ADDRESS",
    [LQ_QUERY_BY_REMOTE_ID] = "BY_REMOTE_ID",
};

static const char *lookup(const char *const *names, size_t n, unsigned code)
{
	if (code < n && names[code])
		return names[code];
	return "unknown";
}

const char *d6_msg_name(unsigned type)
{
	return lookup(d6_msg_names, COUNT(d6_msg_names), type);
}

const char *d6_opt_name(unsigned code)
{
	return lookup(d6_opt_names, COUNT(d6_opt_names), code);
}

const char *d6_status_name(unsigned code)
{
	return lookup(d6_status_names, COUNT(d6_status_names), code);
}

const char *d6_lq_query_name(unsigned qtype)
{
	return lookup(d6_lq_query_names, COUNT(d6_lq_query_names), qtype);
}
