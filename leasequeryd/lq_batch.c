/*
 * The queues of UDP questions by address and their batches (lq_batch.h):
 * one statement per batch, its rows handed to each question by their
 * ordinal (the question's place in the batch, lq_store_row_ord); a
 * question no address lease answers goes to the prefix queue.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lq_batch.h"
#include "lq_store.h"

struct lq_batch {
	struct lq *lq;
	bool prefixes; /* lq_by_prefixes: questions no address lease answered */
	size_t n;
	struct lq_ask *ask[LQ_BATCH_MAX];
};

static void queue_push(struct lq_ask **head, struct lq_ask **tail, struct lq_ask *a)
{
	a->next = NULL;
	if (*tail)
		(*tail)->next = a;
	else
		*head = a;
	*tail = a;
}

static struct lq_ask *queue_pop(struct lq_ask **head, struct lq_ask **tail)
{
	struct lq_ask *a = *head;

	if (!a)
		return NULL;
	*head = a->next;
	if (!*head)
		*tail = NULL;
	a->next = NULL;
	return a;
}

void lq_batch_add(struct lq *lq, struct lq_ask *a)
{
	queue_push(&lq->ask_head, &lq->ask_tail, a);
	lq->n_asks++;
}

/* The next question of the address queue, or with prefixes of the prefix
 * queue. */
static struct lq_ask *batch_pop(struct lq *lq, bool prefixes)
{
	struct lq_ask *a;

	if (prefixes) {
		if ((a = queue_pop(&lq->pfx_head, &lq->pfx_tail)))
			lq->n_pfx--;
	} else if ((a = queue_pop(&lq->ask_head, &lq->ask_tail))) {
		lq->n_asks--;
	}
	return a;
}

static void batch_fail(struct lq *lq, struct lq_ask *const *ask, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ask[i]->cb(lq, NULL, NULL, 0, CH_EDB, ask[i]->arg);
}

/* Hands each question its rows: a stable counting sort of the row numbers
 * by ordinal, so each question sees its rows in the order they came. */
static void batch_dispatch(struct lq_batch *b, const PGresult *res)
{
	size_t start[LQ_BATCH_MAX + 1] = {0}, fill[LQ_BATCH_MAX];
	int nt = PQntuples(res), none, *rows = nt ? malloc((size_t)nt * sizeof(*rows)) : &none;
	size_t bad = 0;

	if (!rows) {
		log_warning("out of memory reading %d rows for %zu leasequeries; UnspecFail", nt,
		            b->n);
		batch_fail(b->lq, b->ask, b->n);
		return;
	}
	for (int i = 0; i < nt; i++) {
		int64_t ord = lq_store_row_ord(res, i);

		if (ord >= 1 && (size_t)ord <= b->n)
			start[ord]++;
	}
	for (size_t k = 1; k <= b->n; k++)
		start[k] += start[k - 1];
	memcpy(fill, start, sizeof(fill));
	for (int i = 0; i < nt; i++) {
		int64_t ord = lq_store_row_ord(res, i);

		if (ord >= 1 && (size_t)ord <= b->n)
			rows[fill[ord - 1]++] = i;
		else
			bad++;
	}
	if (bad)
		log_warning("%zu rows of a leasequery batch name no question, ignored", bad);
	for (size_t k = 0; k < b->n; k++) {
		/* no address lease: maybe a delegated prefix holds the address
		 * (RFC 5007 §4.4), asked with the next flush */
		if (start[k + 1] == start[k] && !b->prefixes) {
			queue_push(&b->lq->pfx_head, &b->lq->pfx_tail, b->ask[k]);
			b->lq->n_pfx++;
			continue;
		}
		b->ask[k]->cb(b->lq, res, rows + start[k], start[k + 1] - start[k], 0,
		              b->ask[k]->arg);
	}
	if (nt)
		free(rows);
}

static void on_batch(struct db *d, const PGresult *res, int err, void *arg)
{
	struct lq_batch *b = arg;

	(void)d;
	b->lq->batches--;
	if (err)
		batch_fail(b->lq, b->ask, b->n);
	else
		batch_dispatch(b, res);
	free(b);
}

static void batch_send(struct lq *lq, bool prefixes)
{
	const struct lq_req *q[LQ_BATCH_MAX];
	struct lq_batch *b = malloc(sizeof(*b));
	struct lq_ask *a;

	if (!b) {
		struct lq_ask *one = batch_pop(lq, prefixes);

		batch_fail(lq, &one, 1); /* the others wait for the next flush */
		return;
	}
	b->lq = lq;
	b->prefixes = prefixes;
	b->n = 0;
	while (b->n < LQ_BATCH_MAX && (a = batch_pop(lq, prefixes))) {
		q[b->n] = a->q;
		b->ask[b->n++] = a;
	}
	if (prefixes)
		log_debug("%zu leasequeries for a delegated prefix in one statement", b->n);
	else
		log_debug("%zu leasequeries by address in one statement", b->n);
	if (lq_store_lookup_addrs(lq, q, b->n, prefixes, on_batch, b) < 0) {
		batch_fail(lq, b->ask, b->n);
		free(b);
		return;
	}
	lq->batches++;
	lq_count(lq, LQ_CNT_UDP_BATCHES);
}

void lq_batch_flush(struct lq *lq)
{
	/* a batch the database does not take fails at once and counts for nothing */
	/* the questions asked again for a prefix first: they waited longest */
	while ((lq->pfx_head || lq->ask_head) && lq->batches < LQ_BATCH_INFLIGHT)
		batch_send(lq, lq->pfx_head != NULL);
}

void lq_batch_clear(struct lq *lq)
{
	struct lq_ask *a;

	while ((a = batch_pop(lq, true)) || (a = batch_pop(lq, false)))
		a->cb(lq, NULL, NULL, 0, CH_EDB, a->arg);
}
