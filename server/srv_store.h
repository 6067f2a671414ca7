/*
 * All of chorus-dhcp6d's SQL: the statement table, startup (server DUID,
 * lease cache load), and the group commit. Transactions with lease
 * operations queue here; before the loop sleeps, every queued
 * transaction's statements go out in one pipeline segment closed by ONE
 * db_sync, and the sync callback with err == 0 is what sends their
 * replies. A failed segment undoes the cache changes and drops the replies
 * (clients retransmit). ARCHITECTURE.md: "a lease granted is a lease stored".
 * Files: srv_store.c (queues, flush, counters), srv_store_group.c (commit
 * groups), srv_store_conn.c (connection, startup reads, NOTIFY),
 * srv_store_sql.c (the statements).
 */
#ifndef CHORUS_SRV_STORE_H
#define CHORUS_SRV_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "srv_txn.h"

/* What the store calls back into the engine. main.c wires them, so the
 * store depends on neither the packet path nor the reclaim. */
struct srv_store_hooks {
	/* t committed: put its reply on the wire (srv_rx_send) */
	void (*committed)(struct srv *s, struct srv_txn *t);
	/* NOTIFY <schema>_dhcp other than "reservations", which the store
	 * handles itself: a lease chorus-apid deleted (srv_reclaim_deleted) */
	void (*deleted)(struct srv *s, const char *payload, int64_t now);
};

/* Creates the connection and starts it; h must outlive the store.
 * Returns 0 or CH_ENOMEM. */
int srv_store_open(struct srv *s, const struct srv_store_hooks *h);
void srv_store_close(struct srv *s);

/* Takes t: it is sent with the next batch and answered after the commit,
 * or undone and dropped (cap reached, database down, commit failed). */
void srv_store_queue(struct srv *s, struct srv_txn *t);

/* Before-sleep hook: sends the queued transactions as one batch. */
void srv_store_flush(struct evl *l, void *arg);

/* Writes the counters to the stats table (own segment). */
void srv_store_stats(struct srv *s);

/* True when nothing waits for the database. */
bool srv_store_idle(const struct srv *s);

/* Undoes and drops every queued and in-flight transaction. */
void srv_store_abort(struct srv *s);

#endif
