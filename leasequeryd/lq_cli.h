/*
 * chorus-lq, the leasequery requestor: one query (any of the five types)
 * to every --server (or every instance whose config file -c names), over UDP (RFC 5007) or bulk TCP
 * (RFC 5460), then one view across the instances: per client, the binding of the most recent client
 * transaction is current (RFC 5007 §4.3.4: the smallest CLT_TIME, taken as of when each answer
 * arrived), the others stale, and the servers that did not answer are named.
 */
#ifndef CHORUS_LQ_CLI_H
#define CHORUS_LQ_CLI_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_consts.h"

#define LQC_MAX_SERVERS 16

enum lqc_format { LQC_TABLE, LQC_JSON, LQC_CSV };

struct lqc_server {
	char name[64];              /* as given, or the instance name of a config file */
	struct sockaddr_in6 sa_udp; /* RFC 5007 */
	struct sockaddr_in6 sa_tcp; /* RFC 5460 */
	bool answered;
	int status;       /* STATUS_CODE of the answer, -1 when none */
	char error[96];   /* why there is no answer */
	size_t n_clients; /* CLIENT_DATA received */
};

/* One IAADDR or IAPREFIX of one CLIENT_DATA. */
struct lqc_bind {
	size_t server;
	uint8_t duid[D6_DUID_MAX_LEN];
	size_t duid_len;
	bool pd;
	uint8_t addr[16];
	uint8_t plen;
	uint32_t pref, valid;
	uint32_t clt_time;
	double last_contact; /* receive time - CLT_TIME, seconds since the epoch */
	bool current;
};

struct lqc {
	bool tcp;
	enum lqc_format format;
	double timeout; /* seconds per server */
	uint8_t qtype;
	uint8_t link[16];
	uint8_t target[256];
	size_t target_len;
	uint8_t duid[16]; /* ours */
	size_t duid_len;
	struct lqc_server server[LQC_MAX_SERVERS];
	size_t n_servers;
	struct lqc_bind *bind;
	size_t n_bind, cap_bind;
	bool progress; /* stderr is a terminal */
};

/* lq_cli_ask.c: asks every server; fills servers and bindings. 0 or CH_E*. */
int lqc_ask(struct lqc *q);
/* Adds a binding (copied). 0 or CH_ENOMEM. */
int lqc_add(struct lqc *q, const struct lqc_bind *b);

/* lq_cli_merge.c: marks current and stale bindings, then prints. */
void lqc_merge(struct lqc *q);
void lqc_print(const struct lqc *q);

#endif
