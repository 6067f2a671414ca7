/*
 * All of chorus-ddnsd's SQL: the statement table, reading the due outbox
 * rows (the oldest row of each name only, so one name's changes apply in
 * order), finishing a row (deleted with the lease's DNS done flags in one
 * commit), putting it back with a backoff, and the counters and heartbeat.
 */
#ifndef CHORUS_DDNS_STORE_H
#define CHORUS_DDNS_STORE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ddns.h"

/* One outbox row, with what the update needs from its lease. */
struct ddns_row {
	int64_t id;
	int64_t lease_id; /* 0: none */
	bool add;         /* 'add', else 'remove' */
	bool fwd, rev;    /* AAAA + DHCID, PTR */
	bool stale;       /* an add whose lease has ended or changed name */
	char fqdn[CONF_NAME_LEN];
	struct in6_addr addr;
	unsigned plen; /* 128: an address; less: a delegated prefix, which gets a PTR only */
	uint8_t duid[CONF_DUID_MAX];
	size_t duid_len;
	uint32_t attempts;
	uint32_t valid; /* the lease's valid lifetime, 0 when unknown */
	/* for an add: addr, then the client's other active addresses under fqdn */
	struct in6_addr addrs[CONF_MAX_ADDRS];
	size_t n_addrs;
};

typedef void (*ddns_due_cb)(struct ddns *d, struct ddns_row *rows, size_t n, int err);
typedef void (*ddns_wake_cb)(struct ddns *d);

/* Connects (LISTEN chorus_ddns) and starts; on_work is called whenever the
 * outbox may hold due rows (the database ready again, a NOTIFY of this
 * schema). 0 or CH_ENOMEM. */
int ddns_store_open(struct ddns *d, ddns_wake_cb on_work);
void ddns_store_close(struct ddns *d);

/* Reads up to max due rows whose ids are not among busy[0..n_busy) (the
 * rows in flight). 0 or CH_EDB. */
int ddns_store_due(struct ddns *d, size_t max, const int64_t *busy, size_t n_busy, ddns_due_cb cb);

/* Records the rows finished or put back since the last call, and commits
 * (before the loop sleeps). */
void ddns_store_flush(struct ddns *d);

/* Deletes r, records fwd/rev on its lease, and an event when conflict is
 * not NULL; queues the removal itself when the lease ended meanwhile. */
int ddns_store_done(struct ddns *d, const struct ddns_row *r, bool fwd, bool rev,
                    const char *conflict);

/* Puts r back for delay_ms with why as last_error. */
int ddns_store_retry(struct ddns *d, const struct ddns_row *r, uint64_t delay_ms, const char *why,
                     bool permanent);

/* Adds the counters since the last flush, the gauges and the heartbeat. */
void ddns_store_stats(struct ddns *d);
/* True while the counters' commit is in flight (SIGTERM waits for it). */
bool ddns_store_busy(const struct ddns *d);

#endif
