/*
 * All of chorus-dhcp6d's SQL: the statement table, startup (server DUID,
 * lease cache load), and the group commit. Transactions with lease
 * operations queue here; before the loop sleeps, every queued
 * transaction's statements go out in one pipeline segment closed by ONE
 * db_sync, and the sync callback with err == 0 is what sends their
 * replies. A failed segment undoes the cache changes and drops the replies
 * (clients retransmit). ARCHITECTURE.md: "a lease granted is a lease stored".
 */
#ifndef CHORUS_SRV_STORE_H
#define CHORUS_SRV_STORE_H

#include "srv_txn.h"

/* Creates the connection and starts it. Returns 0 or CH_ENOMEM. */
int srv_store_open(struct srv *s);
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
