/*
 * The messages in flight for the outbox worker (ddns_outbox.h): the steps of
 * several rows for one zone, server and key share an UPDATE (up to
 * ddns.batch rows, one owner name once per message), sent when full, before
 * the loop sleeps, or HOLD_MS after its first step while a message of its
 * zone is in flight; over the server's UDP socket, or its one pipelined TCP
 * connection (ddns_conn.h) when too big or truncated; matched to its answer
 * by id, with a fresh id per message and server. RFC 2136 §3 applies all of
 * a message or none of it, so a batch answered with anything but NOERROR is
 * handed back step by step, to go again alone.
 */
#ifndef CHORUS_DDNS_BATCH_H
#define CHORUS_DDNS_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ddns.h"
#include "ddns_update.h"

/* One row's current step as the messages see it: the worker fills in all
 * but batch before ddns_batch_put, and embeds it in its job. */
struct ddns_attempt {
	const struct conf_zone *zone;
	int server; /* index into ddns.servers */
	struct ddns_key *key;
	bool query;               /* a query for req.name's AAAA records, not an update */
	struct ddns_req req;      /* the step's update */
	uint32_t name_hash;       /* of req.name, case-folded (ddns_batch_name_hash) */
	struct ddns_batch *batch; /* the message it waits for; NULL: none */
};

/* What became of an attempt; each is called once, with the attempt out of
 * its batch, and may put it again at once. */
struct ddns_batch_ops {
	/* The server answered, trusted: its RCODE (a query's AAAA records in a). */
	void (*answered)(struct ddns_attempt *at, int rcode, const struct ddns_answer *a);
	/* This server could not do it (no answer, a transport error, a key it
	 * refuses): permanent, or worth trying again. */
	void (*failed)(struct ddns_attempt *at, bool permanent, const char *why);
	/* Its message cannot be built, for any server. */
	void (*unbuildable)(struct ddns_attempt *at, const char *why);
	/* Its batch was not done as a whole: the step goes again, alone. */
	void (*split)(struct ddns_attempt *at);
};

/* A socket and a TCP connection per server of d->conf. 0 or a CH_E*. */
int ddns_batch_open(struct ddns *d, const struct ddns_batch_ops *ops);
/* Closes them; the batches must be gone (no attempt in flight). */
void ddns_batch_close(struct ddns *d);

/* Puts at in an open batch it can join, or a new one (alone: a message of
 * its own, sent now); a full batch is sent. 0, or CH_ENOMEM (at is in no
 * batch). */
int ddns_batch_put(struct ddns *d, struct ddns_attempt *at, bool alone);
/* at no longer waits for its message (which goes on for the others). */
void ddns_batch_leave(struct ddns_attempt *at);
/* Sends the batches due, and those waiting for room among the messages in
 * flight (before the loop sleeps). */
void ddns_batch_flush(struct ddns *d);

/* "[address]:port" of server (an index into ddns.servers) into buf. */
const char *ddns_server_text(const struct ddns *d, int server, char *buf, size_t cap);

/* FNV-1a of an owner name, case-folded. */
uint32_t ddns_batch_name_hash(const char *name);

#endif
