/*
 * chorus-lq: asks one or more Chorus instances (or any RFC 5007/5460
 * server) who holds an address, a client, or everything behind a relay,
 * a link or a remote-id, and shows which binding is current where
 * (lq_cli.h). Exit status: 0 every server answered, 1 some did not,
 * 2 usage error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "addr6.h"
#include "conf.h"
#include "d6_lq.h"
#include "lq_cli.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: chorus-lq {--server ADDR | -c FILE} [...] QUERY [options]\n"
	           "  --server ADDR | [ADDR]:PORT  a server (port 547 unless given); repeat for "
	           "every instance\n"
	           "  -c, --config FILE     an instance config file: its leasequery.address "
	           "(UDP) and\n"
	           "                        bulk-address/bulk-port (TCP); repeat for every "
	           "instance\n"
	           "QUERY, one of:\n"
	           "  --address ADDR        who leases ADDR (or a delegated prefix holding it)\n"
	           "  --client-id HEX       the bindings of a client DUID\n"
	           "  --relay-id HEX        everything behind a relay (RELAY_ID DUID; bulk, TCP)\n"
	           "  --link-address ADDR   everything on a link (bulk, TCP)\n"
	           "  --remote-id HEX       everything with a REMOTE_ID: enterprise number (8 hex "
	           "digits) then the id (bulk, TCP)\n"
	           "options:\n"
	           "  --link ADDR           restrict to the link of ADDR\n"
	           "  --tcp                 bulk leasequery (RFC 5460) for every query type\n"
	           "  --json | --csv        output format (default: an aligned table)\n"
	           "  --timeout SECS        per server (default 3)\n");
}

/* Hex with optional ':' between octets. Returns the length or -1. */
static int hex_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		unsigned v;

		if (*s == ':') {
			s++;
			continue;
		}
		if (n == cap || sscanf(s, "%2x", &v) != 1 || !s[1] || s[1] == ':')
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n ? (int)n : -1;
}

static void sa_set(struct sockaddr_in6 *sa, const struct in6_addr *a, unsigned port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_addr = *a;
	sa->sin6_port = htons((uint16_t)port);
}

static int server_parse(const char *arg, struct lqc_server *s)
{
	char host[64];
	const char *port = NULL;
	struct in6_addr a;

	snprintf(s->name, sizeof(s->name), "%s", arg);
	snprintf(host, sizeof(host), "%s", arg);
	if (host[0] == '[') {
		char *e = strchr(host, ']');

		if (!e || (e[1] && e[1] != ':'))
			return -1;
		*e = '\0';
		port = e[1] ? e + 2 : NULL;
		memmove(host, host + 1, strlen(host));
	}
	if (addr6_parse(host, &a) < 0)
		return -1;
	sa_set(&s->sa_udp, &a, port ? (unsigned)atoi(port) : D6_SERVER_PORT);
	s->sa_tcp = s->sa_udp;
	return port && (atoi(port) <= 0 || atoi(port) > 65535) ? -1 : 0;
}

/*
 * An instance config file (the deployment's own): UDP to leasequery.address,
 * bulk TCP to bulk-address (or that address when it is ::) at bulk-port.
 * Returns 0, or -1 with the reason on stderr.
 */
static int server_conf(const char *path, struct lqc_server *s)
{
	char err[CONF_ERR_LEN];
	struct conf *c;
	const struct conf_leasequery *l;
	bool any;

	if (conf_load(path, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "chorus-lq: %s\n", err);
		return -1;
	}
	l = &c->leasequery;
	any = IN6_IS_ADDR_UNSPECIFIED(&l->bulk_address);
	if (!l->has_address && any) {
		fprintf(stderr,
		        "chorus-lq: %s: /leasequery/address: absent, and bulk-address is ::, so "
		        "there is no address to reach instance %s at\n",
		        path, c->instance.name);
		conf_free(c);
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", c->instance.name);
	sa_set(&s->sa_udp, l->has_address ? &l->address : &l->bulk_address,
	       l->has_address ? l->address_port : D6_SERVER_PORT);
	sa_set(&s->sa_tcp, any ? &l->address : &l->bulk_address, l->bulk_port);
	conf_free(c);
	return 0;
}

static int query_set(struct lqc *q, uint8_t qtype, const char *arg)
{
	struct in6_addr a;
	int n;

	if (q->qtype)
		return -1; /* one query */
	q->qtype = qtype;
	if (qtype == LQ_QUERY_BY_ADDRESS || qtype == LQ_QUERY_BY_LINK_ADDRESS) {
		if (addr6_parse(arg, &a) < 0)
			return -1;
		memcpy(qtype == LQ_QUERY_BY_ADDRESS ? q->target : q->link, &a, 16);
		q->target_len = qtype == LQ_QUERY_BY_ADDRESS ? 16 : 0;
		return 0;
	}
	n = hex_parse(arg, q->target, sizeof(q->target));
	if (n < 0 || (qtype == LQ_QUERY_BY_REMOTE_ID && n <= 4))
		return -1;
	q->target_len = (size_t)n;
	return 0;
}

static int parse_opts(int argc, char **argv, struct lqc *q)
{
	static const struct option lo[] = {
	    {"server", 1, NULL, 's'},    {"config", 1, NULL, 'C'},   {"address", 1, NULL, 'a'},
	    {"client-id", 1, NULL, 'i'}, {"relay-id", 1, NULL, 'r'}, {"link-address", 1, NULL, 'L'},
	    {"remote-id", 1, NULL, 'R'}, {"link", 1, NULL, 'l'},     {"tcp", 0, NULL, 't'},
	    {"json", 0, NULL, 'j'},      {"csv", 0, NULL, 'v'},      {"timeout", 1, NULL, 'T'},
	    {"help", 0, NULL, 'h'},      {NULL, 0, NULL, 0}};
	struct in6_addr a;
	int c, r = 0;

	q->timeout = 3;
	while (r == 0 && (c = getopt_long(argc, argv, "c:", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			r = q->n_servers == LQC_MAX_SERVERS
			        ? -1
			        : server_parse(optarg, &q->server[q->n_servers++]);
			break;
		case 'c':
		case 'C':
			r = q->n_servers == LQC_MAX_SERVERS
			        ? -1
			        : server_conf(optarg, &q->server[q->n_servers++]);
			break;
		case 'a':
			r = query_set(q, LQ_QUERY_BY_ADDRESS, optarg);
			break;
		case 'i':
			r = query_set(q, LQ_QUERY_BY_CLIENTID, optarg);
			break;
		case 'r':
			r = query_set(q, LQ_QUERY_BY_RELAY_ID, optarg);
			break;
		case 'L':
			r = query_set(q, LQ_QUERY_BY_LINK_ADDRESS, optarg);
			break;
		case 'R':
			r = query_set(q, LQ_QUERY_BY_REMOTE_ID, optarg);
			break;
		case 'l':
			r = addr6_parse(optarg, &a);
			memcpy(q->link, &a, 16);
			break;
		case 't':
			q->tcp = true;
			break;
		case 'j':
			q->format = LQC_JSON;
			break;
		case 'v':
			q->format = LQC_CSV;
			break;
		case 'T':
			q->timeout = atof(optarg);
			r = q->timeout > 0 && q->timeout <= 3600 ? 0 : -1;
			break;
		default:
			r = -1;
			break;
		}
	}
	if (r < 0 || optind != argc || !q->qtype || !q->n_servers)
		return -1;
	/* RFC 5460: the bulk query types exist on TCP only */
	if (d6_lq_is_bulk_query(q->qtype))
		q->tcp = true;
	return 0;
}

static bool known(const struct lqc *q, const struct lqc_bind *b)
{
	for (size_t i = 0; i < q->n_bind; i++) {
		const struct lqc_bind *o = &q->bind[i];

		if (o->server == b->server && o->pd == b->pd && o->plen == b->plen &&
		    memcmp(o->addr, b->addr, 16) == 0 && o->duid_len == b->duid_len &&
		    memcmp(o->duid, b->duid, b->duid_len) == 0)
			return true;
	}
	return false;
}

/*
 * An address names a client, not where it is now: ask every server for
 * each client found (BY_CLIENTID) so its current binding can be told from
 * the stale one even when it holds another address elsewhere.
 */
static void follow_clients(struct lqc *q)
{
	static struct lqc q2;
	size_t n = q->n_bind;

	for (size_t i = 0; i < n && i < 16; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen = seen ||
			       (q->bind[k].duid_len == q->bind[i].duid_len &&
			        memcmp(q->bind[k].duid, q->bind[i].duid, q->bind[i].duid_len) == 0);
		if (seen)
			continue;
		memcpy(&q2, q, sizeof(q2));
		q2.bind = NULL;
		q2.n_bind = q2.cap_bind = 0;
		q2.qtype = LQ_QUERY_BY_CLIENTID;
		memcpy(q2.target, q->bind[i].duid, q->bind[i].duid_len);
		q2.target_len = q->bind[i].duid_len;
		q2.progress = false;
		if (lqc_ask(&q2) == 0) {
			for (size_t k = 0; k < q2.n_bind; k++) {
				if (!known(q, &q2.bind[k]))
					lqc_add(q, &q2.bind[k]);
			}
		}
		free(q2.bind);
	}
}

int main(int argc, char **argv)
{
	static struct lqc q;
	bool all = true;

	if (parse_opts(argc, argv, &q) < 0) {
		usage(stderr);
		return 2;
	}
	/* our DUID-LL (RFC 8415 §11.4) with a random, locally administered address */
	q.duid_len = 10;
	memcpy(q.duid, (const uint8_t[]){0, 3, 0, 1}, 4);
	if (getrandom(q.duid + 4, 6, 0) != 6)
		memset(q.duid + 4, 0x5a, 6);
	q.duid[4] = (uint8_t)((q.duid[4] | 0x02) & ~0x01);
	q.progress = isatty(2);
	if (lqc_ask(&q) < 0) {
		fprintf(stderr, "chorus-lq: poll failed\n");
		return 1;
	}
	if (q.qtype == LQ_QUERY_BY_ADDRESS)
		follow_clients(&q);
	lqc_merge(&q);
	lqc_print(&q);
	for (size_t i = 0; i < q.n_servers; i++)
		all = all && q.server[i].answered;
	free(q.bind);
	return all ? 0 : 1;
}
