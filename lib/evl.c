/* epoll event loop with a timer heap and signalfd; see evl.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "evl.h"

#define EVL_MAX_EVENTS 64

struct evl_watch {
	evl_io_cb cb;
	void *arg;
	uint32_t events;
};

struct evl_tm {
	uint64_t when;
	uint64_t id;
	evl_timer_cb cb;
	void *arg;
};

struct evl_sig {
	evl_signal_cb cb;
	void *arg;
};

struct evl {
	int epfd;
	int sigfd;
	sigset_t sigs;
	bool stop;
	uint64_t now;
	uint64_t next_id;
	struct evl_watch *watch; /* indexed by fd */
	size_t n_watch;
	struct evl_tm *heap; /* min-heap on (when, id) */
	size_t n_heap, cap_heap;
	struct evl_sig sig[65];
	evl_hook_cb hook;
	void *hook_arg;
};

static uint64_t evl_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int evl_new(struct evl **out)
{
	struct evl *l = calloc(1, sizeof(*l));

	if (!l)
		return CH_ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int err = -errno;

		free(l);
		return err;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigs);
	l->now = evl_clock();
	*out = l;
	return 0;
}

void evl_free(struct evl *l)
{
	if (!l)
		return;
	close(l->epfd);
	if (l->sigfd >= 0) {
		close(l->sigfd);
		sigprocmask(SIG_UNBLOCK, &l->sigs, NULL);
	}
	free(l->watch);
	free(l->heap);
	free(l);
}

static int evl_grow_watch(struct evl *l, int fd)
{
	size_t n = l->n_watch ? l->n_watch : 16;
	struct evl_watch *w;

	if ((size_t)fd < l->n_watch)
		return 0;
	while (n <= (size_t)fd)
		n *= 2;
	w = realloc(l->watch, n * sizeof(*w));
	if (!w)
		return CH_ENOMEM;
	memset(w + l->n_watch, 0, (n - l->n_watch) * sizeof(*w));
	l->watch = w;
	l->n_watch = n;
	return 0;
}

int evl_watch(struct evl *l, int fd, uint32_t events, evl_io_cb cb, void *arg)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	int op, err;

	if (fd < 0)
		return CH_EINVAL;
	err = evl_grow_watch(l, fd);
	if (err)
		return err;
	op = l->watch[fd].cb ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->epfd, op, fd, &ev) < 0)
		return -errno;
	l->watch[fd] = (struct evl_watch){.cb = cb, .arg = arg, .events = events};
	return 0;
}

void evl_unwatch(struct evl *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->n_watch || !l->watch[fd].cb)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watch[fd].cb = NULL;
}

static bool evl_tm_before(const struct evl_tm *a, const struct evl_tm *b)
{
	return a->when < b->when || (a->when == b->when && a->id < b->id);
}

static void evl_heap_swap(struct evl *l, size_t i, size_t j)
{
	struct evl_tm t = l->heap[i];

	l->heap[i] = l->heap[j];
	l->heap[j] = t;
}

static void evl_heap_up(struct evl *l, size_t i)
{
	while (i > 0 && evl_tm_before(&l->heap[i], &l->heap[(i - 1) / 2])) {
		evl_heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void evl_heap_down(struct evl *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->n_heap && evl_tm_before(&l->heap[c], &l->heap[m]))
			m = c;
		if (c + 1 < l->n_heap && evl_tm_before(&l->heap[c + 1], &l->heap[m]))
			m = c + 1;
		if (m == i)
			return;
		evl_heap_swap(l, i, m);
		i = m;
	}
}

static void evl_heap_remove(struct evl *l, size_t i)
{
	l->heap[i] = l->heap[--l->n_heap];
	if (i < l->n_heap) {
		evl_heap_down(l, i);
		evl_heap_up(l, i);
	}
}

uint64_t evl_timer(struct evl *l, uint64_t ms, evl_timer_cb cb, void *arg)
{
	if (l->n_heap == l->cap_heap) {
		size_t cap = l->cap_heap ? 2 * l->cap_heap : 16;
		struct evl_tm *h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return 0;
		l->heap = h;
		l->cap_heap = cap;
	}
	l->heap[l->n_heap] =
	    (struct evl_tm){.when = l->now + ms, .id = ++l->next_id, .cb = cb, .arg = arg};
	evl_heap_up(l, l->n_heap++);
	return l->next_id;
}

void evl_timer_cancel(struct evl *l, uint64_t id)
{
	for (size_t i = 0; i < l->n_heap; i++) {
		if (l->heap[i].id == id) {
			evl_heap_remove(l, i);
			return;
		}
	}
}

static void evl_on_signal(struct evl *l, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < 65 && l->sig[si.ssi_signo].cb)
			l->sig[si.ssi_signo].cb(l, (int)si.ssi_signo, l->sig[si.ssi_signo].arg);
	}
}

int evl_signal(struct evl *l, int signo, evl_signal_cb cb, void *arg)
{
	int fd;

	if (signo <= 0 || signo >= 65)
		return CH_EINVAL;
	sigaddset(&l->sigs, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigs, NULL) < 0)
		return -errno;
	fd = signalfd(l->sigfd, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	l->sig[signo] = (struct evl_sig){.cb = cb, .arg = arg};
	if (l->sigfd < 0) {
		l->sigfd = fd;
		return evl_watch(l, fd, EPOLLIN, evl_on_signal, NULL);
	}
	return 0;
}

void evl_before_sleep(struct evl *l, evl_hook_cb cb, void *arg)
{
	l->hook = cb;
	l->hook_arg = arg;
}

uint64_t evl_now(const struct evl *l)
{
	return l->now;
}

/* Fires every timer that is due; a timer added meanwhile waits a turn. */
static void evl_run_timers(struct evl *l)
{
	uint64_t last = l->next_id;

	while (l->n_heap && l->heap[0].when <= l->now && l->heap[0].id <= last) {
		struct evl_tm t = l->heap[0];

		evl_heap_remove(l, 0);
		t.cb(l, t.id, t.arg);
	}
}

static int evl_wait_ms(const struct evl *l)
{
	uint64_t d;

	if (!l->n_heap)
		return -1;
	if (l->heap[0].when <= l->now)
		return 0;
	d = l->heap[0].when - l->now;
	return d > 60000 ? 60000 : (int)d;
}

static void evl_dispatch(struct evl *l, const struct epoll_event *ev)
{
	int fd = ev->data.fd;

	if ((size_t)fd < l->n_watch && l->watch[fd].cb)
		l->watch[fd].cb(l, fd, ev->events, l->watch[fd].arg);
}

int evl_run(struct evl *l)
{
	struct epoll_event ev[EVL_MAX_EVENTS];

	l->stop = false;
	while (!l->stop) {
		int n;

		if (l->hook)
			l->hook(l, l->hook_arg);
		if (l->stop)
			break;
		n = epoll_wait(l->epfd, ev, EVL_MAX_EVENTS, evl_wait_ms(l));
		if (n < 0 && errno != EINTR)
			return -errno;
		l->now = evl_clock();
		for (int i = 0; i < n && !l->stop; i++)
			evl_dispatch(l, &ev[i]);
		evl_run_timers(l);
	}
	return 0;
}

void evl_stop(struct evl *l)
{
	l->stop = true;
}
