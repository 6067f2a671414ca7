/* Unit tests for lib/evl.c with real descriptors, timers and signals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include "evl.h"

struct seen {
	int order[8];
	int n;
	int fd_reads;
	int signo;
	int hooks;
};

static void on_timer(struct evl *l, uint64_t id, void *arg)
{
	struct seen *s = arg;

	(void)l;
	if (s->n < 8)
		s->order[s->n++] = (int)id;
}

static void on_timer_stop(struct evl *l, uint64_t id, void *arg)
{
	on_timer(l, id, arg);
	evl_stop(l);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct evl *l;
	struct seen s = {0};
	uint64_t a, b, c, start;

	(void)state;
	assert_int_equal(evl_new(&l), 0);
	start = evl_now(l);
	c = evl_timer(l, 30, on_timer_stop, &s);
	a = evl_timer(l, 10, on_timer, &s);
	b = evl_timer(l, 20, on_timer, &s);
	assert_int_equal(evl_run(l), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.order[0], (int)a);
	assert_int_equal(s.order[1], (int)b);
	assert_int_equal(s.order[2], (int)c);
	assert_true(evl_now(l) - start >= 30);
	evl_free(l);
}

static void test_cancelled_timer_never_fires(void **state)
{
	struct evl *l;
	struct seen s = {0};
	uint64_t a, b;

	(void)state;
	assert_int_equal(evl_new(&l), 0);
	a = evl_timer(l, 5, on_timer, &s);
	b = evl_timer(l, 15, on_timer_stop, &s);
	evl_timer_cancel(l, a);
	evl_timer_cancel(l, 999); /* unknown id: no effect */
	assert_int_equal(evl_run(l), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.order[0], (int)b);
	evl_free(l);
}

static void on_readable(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct seen *s = arg;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	s->fd_reads++;
	evl_unwatch(l, fd);
	evl_stop(l);
}

static void test_descriptor_callback_runs_once_data_arrives(void **state)
{
	struct evl *l;
	struct seen s = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(evl_new(&l), 0);
	assert_int_equal(evl_watch(l, p[0], EPOLLIN, on_readable, &s), 0);
	/* re-watching the same fd replaces the watch instead of failing */
	assert_int_equal(evl_watch(l, p[0], EPOLLIN, on_readable, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(evl_run(l), 0);
	assert_int_equal(s.fd_reads, 1);
	assert_true(evl_watch(l, -1, EPOLLIN, on_readable, &s) < 0);
	evl_free(l);
	close(p[0]);
	close(p[1]);
}

static void on_signal(struct evl *l, int signo, void *arg)
{
	struct seen *s = arg;

	s->signo = signo;
	evl_stop(l);
}

static void test_signal_is_delivered_through_the_loop(void **state)
{
	struct evl *l;
	struct seen s = {0};

	(void)state;
	assert_int_equal(evl_new(&l), 0);
	assert_int_equal(evl_signal(l, SIGUSR1, on_signal, &s), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(evl_run(l), 0);
	assert_int_equal(s.signo, SIGUSR1);
	assert_true(evl_signal(l, 0, on_signal, &s) < 0);
	evl_free(l);
}

static void on_hook(struct evl *l, void *arg)
{
	struct seen *s = arg;

	if (++s->hooks == 3)
		evl_stop(l);
}

static void on_tick(struct evl *l, uint64_t id, void *arg)
{
	(void)id;
	evl_timer(l, 1, on_tick, arg);
}

static void test_before_sleep_hook_runs_every_iteration(void **state)
{
	struct evl *l;
	struct seen s = {0};

	(void)state;
	assert_int_equal(evl_new(&l), 0);
	evl_before_sleep(l, on_hook, &s);
	evl_timer(l, 1, on_tick, &s);
	assert_int_equal(evl_run(l), 0);
	assert_int_equal(s.hooks, 3);
	evl_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_fire_in_deadline_order),
	    cmocka_unit_test(test_cancelled_timer_never_fires),
	    cmocka_unit_test(test_descriptor_callback_runs_once_data_arrives),
	    cmocka_unit_test(test_signal_is_delivered_through_the_loop),
	    cmocka_unit_test(test_before_sleep_hook_runs_every_iteration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
