/*
 * The messages of chorus-ddnsd in flight: the steps of several rows for one
 * zone, server and key share an UPDATE (up to ddns.batch rows, one owner
 * name once); a message goes over the server's UDP socket, or its TCP
 * connection when too big or truncated, with its own id and timeout, at
 * most 64 per server. Answers are matched by id and checked
 * (ddns_answer.c); what they mean for each row goes back to its job
 * through struct ddns_step_ops (ddns_outbox.c).
 */
#ifndef CHORUS_DDNS_BATCH_H
#define CHORUS_DDNS_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddns.h"
#include "ddns_answer.h"
#include "ddns_update.h"

/* One row's current step as its message sees it (inside the row's job). */
struct ddns_step {
	struct ddns *d;
	struct ddns_req req; /* the update; a query asks for req.name's AAAA records */
	bool query;          /* remove-stale-ptr's query, in a message of its own */
	bool alone;          /* in a message of its own (its batch was split) */
	const struct conf_zone *zone;
	int server;               /* index into ddns.servers */
	uint32_t name_hash;       /* of req.name, case-folded: one owner once per message */
	struct ddns_batch *batch; /* the message the step waits for, or NULL */
};

/* What a message's outcome means for each of its steps: given to
 * ddns_batch_open by the jobs. A step has left its batch when one is called. */
struct ddns_step_ops {
	/* a trusted answer from server (its text), for this step */
	void (*answered)(struct ddns_step *s, const struct ddns_answer *a, const char *server);
	/* this server could not do it (timeout, network, TSIG): why */
	void (*failed)(struct ddns_step *s, bool permanent, const char *why);
	/* the step's message cannot be built (no other server would do better) */
	void (*broken)(struct ddns_step *s, const char *why);
	/* its batch was answered as a whole with a failure: s->alone is set,
	 * the step goes again in a message of its own (ddns_batch_put) */
	void (*again)(struct ddns_step *s);
	/* a line about the step's row */
	void (*log)(const struct ddns_step *s, int level, const char *msg);
};

/* Opens a UDP socket and a TCP connection per server of d->conf. 0 or a CH_E*. */
int ddns_batch_open(struct ddns *d, const struct ddns_step_ops *ops);
void ddns_batch_close(struct ddns *d);

/* Puts s (its req filled in, for s->server, signed with key) in a batch:
 * one still taking steps, or a new one; sent at once when alone or full,
 * else before the loop sleeps (ddns_batch_flush). 0, or CH_ENOMEM (s is in
 * no batch then). The outcome comes through the ops. */
int ddns_batch_put(struct ddns_step *s, struct ddns_key *key);
/* s leaves its batch (which goes on for the others) before its outcome. */
void ddns_batch_leave(struct ddns_step *s);

/* Sends the batches due, and those waiting for room among the messages in
 * flight (before the loop sleeps). */
void ddns_batch_flush(struct ddns *d);

/* "[2001:db8::53]:53" */
const char *ddns_batch_server_text(const struct ddns *d, int server, char *buf, size_t cap);

#endif
