/*
 * UDP QUERY_BY_ADDRESS questions asked together. A question that arrives
 * while a batch is with the database waits for it, and every question
 * waiting then goes in one statement (lq_store_lookup_addrs): a busy daemon
 * pays one executor start and one round trip for many questions, and a
 * question alone goes at once. There is no timer: a question waits at
 * most for the batch before it. One batch at a time: with eight queries
 * in flight two batches carried 2.7 questions each and one carries 3.7,
 * for a fifth less of PostgreSQL's CPU per answer at the same rate
 * (contrib/bench/lq-bench). The first statement finds address leases
 * only; the questions it answers with nothing go again, together, for a
 * delegated prefix holding the address (RFC 5007 §4.4), so an address
 * nobody holds costs two statements.
 */
#ifndef CHORUS_LQ_BATCH_H
#define CHORUS_LQ_BATCH_H

#include "lq.h"

#define LQ_BATCH_MAX      64 /* questions per statement */
#define LQ_BATCH_INFLIGHT 1  /* statements with the database at once */

/*
 * The answer to one question: rows[0..n) are the row numbers of res that
 * belong to it, in the order the database sent them (n 0: no binding).
 * err is CH_EDB when the statement failed or the database went (res is
 * then NULL); res is cleared after the callback returns.
 */
typedef void (*lq_ask_cb)(struct lq *lq, const PGresult *res, const int *rows, size_t n, int err,
                          void *arg);

/* One question in the queue; the caller owns it, and it must live until
 * its callback ran. */
struct lq_ask {
	struct lq_ask *next;
	const struct lq_req *q;
	lq_ask_cb cb;
	void *arg;
};

/* Queues a (a->q is a BY_ADDRESS request). */
void lq_batch_add(struct lq *lq, struct lq_ask *a);
/* Before the loop sleeps: sends what waits, unless LQ_BATCH_INFLIGHT
 * batches are out. A batch the database cannot take fails at once. */
void lq_batch_flush(struct lq *lq);
/* At shutdown: every queued question's callback gets CH_EDB. */
void lq_batch_clear(struct lq *lq);

#endif
