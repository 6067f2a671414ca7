/*
 * Fuzz target for leasequeryd/lq_query.c: any datagram through
 * lq_query_parse, as over UDP and over TCP, against a configuration with
 * two subnets and a PD pool. Whatever it decides, the request it fills is
 * consistent: a known verdict, bounded lengths, a subnet that exists, and
 * bulk query types never reach the store over UDP.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "d6_lq.h"
#include "lq_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf_text[] =
    "{\"instance\": {\"name\": \"fz\", \"schema\": \"fz\", \"database\": {\"conninfo\": "
    "\"dbname=fz\"}},"
    " \"dhcp6\": {\"hash-key\": \"fuzz-key-0000000001\", \"subnets\": ["
    "  {\"id\": 1, \"prefix\": \"2001:db8:1::/64\", \"pools\": [{\"prefix\": \"2001:db8:1::/65\"}],"
    "   \"pd-pools\": [{\"prefix\": \"2001:db8:100::/40\", \"delegated-length\": 56}]},"
    "  {\"id\": 2, \"prefix\": \"2001:db8:2::/64\","
    "   \"pools\": [{\"start\": \"2001:db8:2::100\", \"end\": \"2001:db8:2::1ff\"}]}]},"
    " \"leasequery\": {\"enabled\": true, \"sensitive-options\": [79]}}";
static const uint8_t sduid[] = {0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

static void check(const struct lq_req *q, int st, bool tcp)
{
	if (st != LQ_Q_DROP && st != LQ_Q_STORE && st != D6_STATUS_UNKNOWNQUERYTYPE &&
	    st != D6_STATUS_MALFORMEDQUERY && st != D6_STATUS_NOTCONFIGURED &&
	    st != D6_STATUS_NOTALLOWED)
		abort();
	if (st == LQ_Q_DROP)
		return;
	if (q->cid_len == 0 || q->cid_len > sizeof(q->cid) || q->target_len > sizeof(q->target) ||
	    q->xid > 0xffffff)
		abort();
	if (st != LQ_Q_STORE)
		return;
	if (!tcp && d6_lq_is_bulk_query(q->qtype))
		abort();
	if (q->subnet != 0 && q->subnet != 1 && q->subnet != 2)
		abort();
	if (q->qtype == LQ_QUERY_BY_ADDRESS && q->target_len != 16)
		abort();
	if (q->qtype == LQ_QUERY_BY_LINK_ADDRESS && !q->subnet)
		abort();
	if (q->want.lladdr) /* 79 is sensitive */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *c;
	struct lq_req q;
	int st;

	char err[CONF_ERR_LEN];

	if (!c && conf_load_string("fuzz.json", conf_text, sizeof(conf_text) - 1, &c, err,
	                           sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	st = lq_query_parse(data, size, false, c, sduid, sizeof(sduid), &q);
	check(&q, st, false);
	st = lq_query_parse(data, size, true, c, sduid, sizeof(sduid), &q);
	check(&q, st, true);
	return 0;
}
