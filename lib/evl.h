/*
 * The event loop every Chorus daemon runs: epoll for descriptors, a timer
 * heap, signals through signalfd, a before-sleep hook, and a monotonic clock
 * cached once per iteration (evl_now). Single-threaded; callbacks must not
 * block. A callback may unwatch or cancel anything, itself included.
 */
#ifndef CHORUS_EVL_H
#define CHORUS_EVL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct evl;

typedef void (*evl_io_cb)(struct evl *l, int fd, uint32_t events, void *arg);
typedef void (*evl_timer_cb)(struct evl *l, uint64_t id, void *arg);
typedef void (*evl_signal_cb)(struct evl *l, int signo, void *arg);
typedef void (*evl_hook_cb)(struct evl *l, void *arg);

/* Returns 0 or a negative CH_E*; *out is written only on success. */
int evl_new(struct evl **out);
void evl_free(struct evl *l);

/* Watches fd for events (EPOLLIN, EPOLLOUT ...), replacing an earlier watch
 * of the same fd. Returns 0 or -errno. */
int evl_watch(struct evl *l, int fd, uint32_t events, evl_io_cb cb, void *arg);
/* Stops watching fd; harmless if it was not watched. */
void evl_unwatch(struct evl *l, int fd);

/* Calls cb once, ms milliseconds from now. Returns the timer id (> 0), or
 * 0 when out of memory. */
uint64_t evl_timer(struct evl *l, uint64_t ms, evl_timer_cb cb, void *arg);
/* Cancels a pending timer; harmless for an id that already fired. */
void evl_timer_cancel(struct evl *l, uint64_t id);

/* Blocks signo and delivers it to cb from the loop. Returns 0 or -errno. */
int evl_signal(struct evl *l, int signo, evl_signal_cb cb, void *arg);

/* Called before each wait, e.g. to flush batched work. */
void evl_before_sleep(struct evl *l, evl_hook_cb cb, void *arg);

/* Monotonic milliseconds, read once per loop iteration. */
uint64_t evl_now(const struct evl *l);

/* Runs until evl_stop. Returns 0, or -errno if epoll itself fails. */
int evl_run(struct evl *l);
void evl_stop(struct evl *l);

#endif
