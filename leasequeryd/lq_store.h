/*
 * All of chorus-leasequeryd's SQL: the statement table, the lookups of
 * UDP-style queries, keyset pages of bulk queries, the Server Identifier,
 * counters and heartbeat. Reads work with the read-only <schema>_lq role
 * and on a hot standby; the counter and heartbeat writes a standby
 * refuses are logged once and the daemon goes on serving.
 */
#ifndef CHORUS_LQ_STORE_H
#define CHORUS_LQ_STORE_H

#include "lq.h"

/* Connects (instance.database lq-conninfo, else conninfo). 0 or CH_ENOMEM. */
int lq_store_open(struct lq *lq);
void lq_store_close(struct lq *lq);
bool lq_store_ready(const struct lq *lq);

/*
 * BY_ADDRESS (the client's bindings on the address's link) or BY_CLIENTID
 * (the client's bindings on q->subnet, or on every link ordered by subnet).
 * cb gets the rows (read them with lq_store_row). Returns 0 or CH_EDB (cb
 * is then not called).
 */
int lq_store_lookup(struct lq *lq, const struct lq_req *q, db_result_cb cb, void *arg);

/*
 * BY_ADDRESS for n questions (1..LQ_BATCH_MAX) in one statement: the rows
 * of lq_store_lookup for each, tagged with the question's place in qs
 * (lq_store_row_ord); with prefixes false only the bindings of a client
 * holding the address itself as an address lease, with prefixes true
 * those of a client delegated a prefix holding it. 0 or CH_EDB (cb is
 * then not called).
 */
int lq_store_lookup_addrs(struct lq *lq, const struct lq_req *const *qs, size_t n, bool prefixes,
                          db_result_cb cb, void *arg);
/* The place (from 1) of the question row i of lq_store_lookup_addrs
 * answers, or -1. */
int64_t lq_store_row_ord(const PGresult *res, int i);

/*
 * The next page of a bulk query (RELAY_ID, LINK_ADDRESS, REMOTE_ID): at
 * most LQ_PAGE_ROWS rows of the clients after after_duid, grouped by DUID
 * (the last client of a full page may be cut short: read it again from
 * the next page); after_len 0 starts at the beginning. 0 or CH_EDB.
 */
int lq_store_page(struct lq *lq, const struct lq_req *q, const uint8_t *after_duid,
                  size_t after_len, db_result_cb cb, void *arg);

/* Reads row i of a lookup or page into *out (free with lq_bind_clear).
 * Returns 0, CH_EMALFORMED (a value we cannot read) or CH_ENOMEM. */
int lq_store_row(const PGresult *res, int i, struct lq_bind *out);
void lq_bind_clear(struct lq_bind *b);
/* The DUID of row i (its length, or CH_EMALFORMED). */
int lq_store_row_duid(const PGresult *res, int i, uint8_t *out, size_t cap);
/* True when rows i and k belong to one client. */
bool lq_store_same_client(const PGresult *res, int i, int k);
/* Moves *from into *to (to is overwritten, from no longer owns the chain). */
void lq_bind_move(struct lq_bind *to, struct lq_bind *from);

/* Ends the pipeline segment of the reads sent in this loop iteration
 * (call before the loop sleeps). */
void lq_store_flush(struct lq *lq);

/* Adds the counters since the last flush to stats, and beats. */
void lq_store_stats(struct lq *lq);

#endif
