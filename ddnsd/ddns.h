/*
 * chorus-ddnsd's state: the configuration, the database connection, one
 * UDP socket per DNS server, the TSIG keys in ldns's form, the updates in
 * flight (ddns_outbox.c) and the counters written to the stats table.
 */
#ifndef CHORUS_DDNS_H
#define CHORUS_DDNS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "evl.h"

struct ddns_key;
struct ddns_job;
struct ddns_batch;
struct ddns_conn;
struct ddns_udp;

/* Counters since the last flush to stats (scope 'ddns'). */
struct ddns_stats {
	uint64_t sent;      /* UPDATE messages sent */
	uint64_t tcp;       /* of which over TCP */
	uint64_t done;      /* outbox rows finished */
	uint64_t conflicts; /* names held by another client (RFC 4703 §5.3.3) */
	uint64_t splits;    /* batches not done as a whole, sent again row by row */
	uint64_t retries;   /* rows put back after a transient failure */
	uint64_t permanent; /* rows put back after a permanent failure */
	uint64_t timeouts;  /* a server that did not answer in time */
	uint64_t untrusted; /* answers dropped: unsigned or badly signed */
	uint64_t skipped;   /* prefixes off a nibble boundary: no PTR name of their own */
	uint64_t rcode[16]; /* answers by RCODE */
};

struct ddns {
	struct evl *l;
	struct conf *conf;
	struct conf *next_conf; /* a reload waiting for the updates in flight */
	const char *conf_path;
	struct db *db;
	bool db_up;
	struct ddns_udp *udp;     /* per conf->ddns.servers */
	struct ddns_conn **conns; /* per conf->ddns.servers: its TCP connection */
	struct ddns_key **keys;   /* per conf->ddns.keys */
	struct ddns_job *jobs;    /* in flight */
	size_t n_jobs;
	struct ddns_batch *batches; /* messages in flight or taking jobs */
	bool due_busy;              /* an outbox read is in flight */
	bool due_again;             /* and another was asked for meanwhile */
	uint64_t sweep_timer;
	uint64_t warn_at; /* rate limit of warnings a peer can cause */
	bool stopping;
	int64_t started_at;
	struct ddns_stats st;
};

#endif
