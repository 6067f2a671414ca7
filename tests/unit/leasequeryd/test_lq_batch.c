/*
 * Unit tests for leasequeryd/lq_batch.c: a question alone goes at once (no
 * timer); questions that arrive while LQ_BATCH_INFLIGHT batches are out
 * wait and go as one, at most LQ_BATCH_MAX to a statement; the rows of a
 * result reach their own questions by ordinal, in the order they came,
 * whatever the order of the ordinals (one naming no question: ignored); a
 * question with none is asked again for a delegated prefix, and with none
 * there either has no binding; a failed statement, a lost database and a statement
 * the database does not take answer every question of the batch with
 * CH_EDB; a clear at shutdown does the same for the waiting ones. Every
 * expectation follows LQ_BATCH_INFLIGHT, whatever its value. The
 * statement is stood in for at link time (-Wl,--wrap=lq_store_lookup_addrs);
 * results are real PGresults made with libpq's PQmakeEmptyPGresult.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lq_batch.h"
#include "lq_store.h"

#define N_COLS 18 /* the columns of lq_by_addrs: COLS, then the ordinal */

/* ---- the statement, stood in for ---- */

struct call {
	size_t n;
	bool prefixes; /* lq_by_prefixes */
	const struct lq_req *q[LQ_BATCH_MAX];
	db_result_cb cb;
	void *arg;
	bool done; /* answered (the batch is freed) */
};

static struct call calls[LQ_BATCH_INFLIGHT + 16];
static size_t n_calls;
static int send_err; /* what the next send returns */

int __wrap_lq_store_lookup_addrs(struct lq *lq, const struct lq_req *const *qs, size_t n,
                                 bool prefixes, db_result_cb cb, void *arg);
int __wrap_lq_store_lookup_addrs(struct lq *lq, const struct lq_req *const *qs, size_t n,
                                 bool prefixes, db_result_cb cb, void *arg)
{
	struct call *c = &calls[n_calls];

	(void)lq;
	assert_true(n >= 1 && n <= LQ_BATCH_MAX);
	if (send_err)
		return send_err;
	assert_true(n_calls < sizeof(calls) / sizeof(calls[0]));
	c->n = n;
	c->prefixes = prefixes;
	memcpy(c->q, qs, n * sizeof(*qs));
	c->cb = cb;
	c->arg = arg;
	n_calls++;
	return 0;
}

/* ---- questions and what they got ---- */

struct got {
	int calls;
	int err;
	bool res;
	size_t n;
	int rows[64];
};

/* questions 0 .. N_Q-1, room for test_inflight_cap's; hold_slots uses 100 and up */
#define N_Q (LQ_BATCH_MAX * (LQ_BATCH_INFLIGHT + 1) + 128)

static struct lq lq;
static struct lq_req req[N_Q];
static struct lq_ask ask[N_Q];
static struct got got[N_Q];

static void on_answer(struct lq *l, const PGresult *res, const int *rows, size_t n, int err,
                      void *arg)
{
	struct got *g = arg;

	assert_ptr_equal(l, &lq);
	g->calls++;
	g->err = err;
	g->res = res != NULL;
	g->n = n;
	assert_true(n <= 64);
	if (n)
		memcpy(g->rows, rows, n * sizeof(*rows));
}

static int setup(void **state)
{
	(void)state;
	memset(&lq, 0, sizeof(lq));
	memset(calls, 0, sizeof(calls));
	memset(got, 0, sizeof(got));
	n_calls = 0;
	send_err = 0;
	return 0;
}

/* Answers what is still out and fails what still waits: every batch freed. */
static int teardown(void **state)
{
	(void)state;
	for (size_t k = 0; k < n_calls; k++) {
		if (!calls[k].done)
			calls[k].cb(NULL, NULL, CH_EDB, calls[k].arg);
		calls[k].done = true;
	}
	lq_batch_clear(&lq);
	return 0;
}

static void add(int i)
{
	assert_true(i >= 0 && i < N_Q);
	req[i] = (struct lq_req){.xid = (uint32_t)i, .qtype = LQ_QUERY_BY_ADDRESS};
	ask[i] = (struct lq_ask){.q = &req[i], .cb = on_answer, .arg = &got[i]};
	lq_batch_add(&lq, &ask[i]);
}

/* A result of lq_by_addrs whose rows carry the ordinals ord[0..n) (int8,
 * binary); the other columns are NULL. */
static PGresult *result(const int64_t *ord, int n)
{
	PGresAttDesc att[N_COLS];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	assert_non_null(res);
	memset(att, 0, sizeof(att));
	for (int c = 0; c < N_COLS; c++) {
		att[c].name = (char *)"c";
		att[c].format = 1;
		att[c].typlen = -1;
	}
	assert_true(PQsetResultAttrs(res, N_COLS, att));
	for (int i = 0; i < n; i++) {
		char be[8];

		for (int k = 0; k < 8; k++)
			be[k] = (char)((uint64_t)ord[i] >> (56 - 8 * k));
		assert_true(PQsetvalue(res, i, N_COLS - 1, be, 8));
	}
	return res;
}

/* The database answers call k with rows of these ordinals. */
static void answer(size_t k, const int64_t *ord, int n)
{
	PGresult *res = result(ord, n);

	calls[k].cb(NULL, res, 0, calls[k].arg);
	calls[k].done = true;
	PQclear(res);
}

static void test_alone_goes_at_once(void **state)
{
	static const int64_t ord[] = {1};

	(void)state;
	add(0);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, 1);
	assert_int_equal(calls[0].n, 1);
	assert_ptr_equal(calls[0].q[0], &req[0]);
	assert_int_equal(lq.batches, 1);
	assert_int_equal(lq.cnt[LQ_CNT_UDP_BATCHES], 1);
	answer(0, ord, 1);
	assert_int_equal(lq.batches, 0);
	assert_int_equal(got[0].calls, 1);
	assert_int_equal(got[0].err, 0);
	assert_int_equal(got[0].n, 1);
	assert_int_equal(got[0].rows[0], 0);
}

static void test_waiters_go_together(void **state)
{
	static const int64_t one[] = {1};

	(void)state;
	for (int b = 0; b < LQ_BATCH_INFLIGHT; b++) {
		add(b);
		lq_batch_flush(&lq);
	}
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT);
	for (int i = 10; i < 15; i++)
		add(i);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT); /* they wait */
	assert_int_equal(lq.n_asks, 5);
	answer(0, one, 1);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT + 1);
	assert_int_equal(calls[LQ_BATCH_INFLIGHT].n, 5);
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(calls[LQ_BATCH_INFLIGHT].q[i], &req[10 + i]);
	assert_int_equal(lq.n_asks, 0);
	for (int i = 10; i < 15; i++)
		assert_int_equal(got[i].calls, 0);
}

static void test_rows_reach_their_questions(void **state)
{
	/* rows of questions 1 and 3 interleaved, one naming question 9 of 4, one 0 */
	static const int64_t ord[] = {3, 1, 3, 9, 1, 0, 3};

	(void)state;
	for (int i = 0; i < 4; i++)
		add(i);
	lq_batch_flush(&lq);
	assert_int_equal(calls[0].n, 4);
	answer(0, ord, 7);
	for (int i = 0; i < 4; i += 2) {
		assert_int_equal(got[i].calls, 1);
		assert_int_equal(got[i].err, 0);
		assert_true(got[i].res);
	}
	assert_int_equal(got[0].n, 2);
	assert_int_equal(got[0].rows[0], 1);
	assert_int_equal(got[0].rows[1], 4);
	assert_int_equal(got[1].calls, 0); /* no address lease: asked again */
	assert_int_equal(got[2].n, 3);
	assert_int_equal(got[2].rows[0], 0);
	assert_int_equal(got[2].rows[1], 2);
	assert_int_equal(got[2].rows[2], 6);
	assert_int_equal(got[3].calls, 0);
	assert_int_equal(lq.n_pfx, 2);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, 2);
	assert_true(calls[1].prefixes);
	assert_int_equal(calls[1].n, 2);
	assert_ptr_equal(calls[1].q[0], &req[1]);
	assert_ptr_equal(calls[1].q[1], &req[3]);
	answer(1, NULL, 0);
	assert_int_equal(got[1].calls, 1);
	assert_int_equal(got[1].n, 0); /* no binding */
	assert_int_equal(got[3].calls, 1);
	assert_int_equal(got[3].n, 0);
}

/* Puts LQ_BATCH_INFLIGHT - 1 batches out (questions 100, 101, ...), which
 * stay out: one slot is left, whatever the constant. Returns how many. */
static size_t hold_slots(void)
{
	for (int b = 0; b < LQ_BATCH_INFLIGHT - 1; b++) {
		add(100 + b);
		lq_batch_flush(&lq);
	}
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT - 1);
	return n_calls;
}

/* A question no address lease answers goes again for a delegated prefix,
 * before the questions that came meanwhile, and gets that statement's
 * rows; a prefix batch answering nothing does not ask a third time. With
 * one slot left, each statement waits for the one before. */
static void test_prefix_asked_second(void **state)
{
	static const int64_t two[] = {2}, one[] = {1};
	size_t k = hold_slots(); /* calls[k] is the first of this test */

	(void)state;
	add(0);
	add(1);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, k + 1);
	assert_false(calls[k].prefixes);
	add(5); /* waits behind the batch */
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, k + 1);
	answer(k, two, 1);
	assert_int_equal(got[1].calls, 1);
	assert_int_equal(got[0].calls, 0);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, k + 2);
	assert_true(calls[k + 1].prefixes);
	assert_int_equal(calls[k + 1].n, 1);
	assert_ptr_equal(calls[k + 1].q[0], &req[0]);
	assert_int_equal(lq.n_asks, 1); /* 5 waits for the prefix batch */
	answer(k + 1, one, 1);
	assert_int_equal(got[0].calls, 1);
	assert_int_equal(got[0].n, 1);
	assert_int_equal(got[0].rows[0], 0);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, k + 3);
	assert_false(calls[k + 2].prefixes);
	assert_ptr_equal(calls[k + 2].q[0], &req[5]);
	answer(k + 2, NULL, 0);
	lq_batch_flush(&lq);
	assert_true(calls[k + 3].prefixes);
	answer(k + 3, NULL, 0);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, k + 4);
	assert_int_equal(got[5].calls, 1);
	assert_int_equal(got[5].n, 0);
	assert_int_equal(lq.batches, (int)k); /* only the held ones */
}

/* With every slot free, the prefix questions and the waiting ones each
 * take a slot, the prefix ones first, until LQ_BATCH_INFLIGHT are out. */
static void test_prefix_and_waiters_share_the_slots(void **state)
{
	static const int64_t two[] = {2};

	(void)state;
	add(0);
	add(1);
	lq_batch_flush(&lq);
	add(5);
	answer(0, two, 1); /* 0: no address lease */
	lq_batch_flush(&lq);
	assert_true(calls[1].prefixes);
	assert_ptr_equal(calls[1].q[0], &req[0]);
	if (LQ_BATCH_INFLIGHT > 1) {
		assert_int_equal(n_calls, 3);
		assert_false(calls[2].prefixes);
		assert_ptr_equal(calls[2].q[0], &req[5]);
		assert_int_equal(lq.n_asks, 0);
	} else {
		assert_int_equal(n_calls, 2);
		assert_int_equal(lq.n_asks, 1);
	}
}

/* Never more than LQ_BATCH_INFLIGHT statements out, each a full batch;
 * an answer frees one slot, which the next batch of waiters takes. */
static void test_inflight_cap(void **state)
{
	static int64_t ord[LQ_BATCH_MAX];
	int total = LQ_BATCH_MAX * (LQ_BATCH_INFLIGHT + 1);

	(void)state;
	for (int i = 0; i < LQ_BATCH_MAX; i++)
		ord[i] = i + 1; /* every question of the batch has its row */
	for (int i = 0; i < total; i++)
		add(i);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT);
	assert_int_equal(lq.batches, LQ_BATCH_INFLIGHT);
	for (size_t k = 0; k < n_calls; k++)
		assert_int_equal(calls[k].n, LQ_BATCH_MAX);
	assert_int_equal(lq.n_asks, LQ_BATCH_MAX);
	answer(0, ord, LQ_BATCH_MAX);
	assert_int_equal(lq.n_pfx, 0);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, LQ_BATCH_INFLIGHT + 1);
	assert_int_equal(calls[LQ_BATCH_INFLIGHT].n, LQ_BATCH_MAX);
	assert_ptr_equal(calls[LQ_BATCH_INFLIGHT].q[0], &req[LQ_BATCH_MAX * LQ_BATCH_INFLIGHT]);
	assert_int_equal(lq.n_asks, 0);
	assert_int_equal(lq.batches, LQ_BATCH_INFLIGHT);
}

static void test_no_rows(void **state)
{
	(void)state;
	add(0);
	add(1);
	lq_batch_flush(&lq);
	answer(0, NULL, 0);
	lq_batch_flush(&lq);
	assert_true(calls[1].prefixes);
	answer(1, NULL, 0);
	assert_int_equal(got[0].calls, 1);
	assert_int_equal(got[0].n, 0);
	assert_int_equal(got[1].calls, 1);
	assert_int_equal(got[1].n, 0);
}

static void test_database_error_answers_each(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		add(i);
	lq_batch_flush(&lq);
	add(3);
	calls[0].cb(NULL, NULL, CH_EDB, calls[0].arg); /* failed, or the connection went */
	calls[0].done = true;
	assert_int_equal(lq.batches, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(got[i].calls, 1);
		assert_int_equal(got[i].err, CH_EDB);
		assert_false(got[i].res);
	}
	assert_int_equal(got[3].calls, 0); /* not in that batch */
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, 2);
	assert_ptr_equal(calls[1].q[0], &req[3]);
}

static void test_send_refused_fails_at_once(void **state)
{
	(void)state;
	send_err = CH_EDB; /* the database is not there */
	for (int i = 0; i < 3; i++)
		add(i);
	lq_batch_flush(&lq);
	assert_int_equal(n_calls, 0);
	assert_int_equal(lq.batches, 0);
	assert_int_equal(lq.n_asks, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(got[i].calls, 1);
		assert_int_equal(got[i].err, CH_EDB);
	}
}

static void test_at_most_batch_max(void **state)
{
	(void)state;
	for (int i = 0; i < LQ_BATCH_MAX + 10; i++)
		add(i);
	lq_batch_flush(&lq);
	assert_int_equal(calls[0].n, LQ_BATCH_MAX);
	if (LQ_BATCH_INFLIGHT > 1)
		assert_int_equal(calls[1].n, 10);
	assert_int_equal(lq.n_asks, LQ_BATCH_INFLIGHT > 1 ? 0 : 10);
}

static void test_clear_fails_the_waiting(void **state)
{
	(void)state;
	for (int b = 0; b < LQ_BATCH_INFLIGHT; b++) {
		add(b);
		lq_batch_flush(&lq);
	}
	add(20);
	add(21);
	lq_batch_clear(&lq);
	assert_int_equal(got[20].err, CH_EDB);
	assert_int_equal(got[21].err, CH_EDB);
	assert_int_equal(got[20].calls, 1);
	assert_int_equal(lq.n_asks, 0);
	assert_null(lq.ask_head);
	assert_null(lq.ask_tail);
}

static void test_clear_fails_the_prefix_queue(void **state)
{
	(void)state;
	add(0);
	lq_batch_flush(&lq);
	answer(0, NULL, 0); /* 0 waits for its prefix batch */
	assert_int_equal(lq.n_pfx, 1);
	lq_batch_clear(&lq);
	assert_int_equal(got[0].calls, 1);
	assert_int_equal(got[0].err, CH_EDB);
	assert_int_equal(lq.n_pfx, 0);
	assert_null(lq.pfx_head);
	assert_null(lq.pfx_tail);
}

static void test_row_ord(void **state)
{
	static const int64_t ord[] = {7};
	PGresult *res = result(ord, 1);

	(void)state;
	assert_int_equal(lq_store_row_ord(res, 0), 7);
	PQclear(res);
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK); /* no ordinal column */
	assert_int_equal(lq_store_row_ord(res, 0), -1);
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_alone_goes_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_waiters_go_together, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows_reach_their_questions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prefix_asked_second, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prefix_and_waiters_share_the_slots, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_inflight_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_database_error_answers_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_refused_fails_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_at_most_batch_max, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clear_fails_the_waiting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clear_fails_the_prefix_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_row_ord, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
