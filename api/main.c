/*
 * chorus-apid: the HTTP JSON admin API of one Chorus instance. main() reads
 * like a table of contents: options, configuration, log, tokens, listening
 * sockets, detach, database, signals, heartbeat, loop, shutdown. SIGHUP
 * reloads tokens and limits (listen addresses and TLS need a restart).
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "errors.h"
#include "log.h"
#include "reload.h"
#include "api.h"
#include "api_store.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: chorus-apid -c FILE [-t] [-d]\n"
	        "  -c FILE   instance configuration (JSON); the api section says where to listen\n"
	        "  -t        check the configuration, print the effective values, exit\n"
	        "  -d        stay in the foreground, log to stderr (default: detach,\n"
	        "            log to syslog unless logging.syslog is false)\n");
}

static void on_term(struct evl *l, int signo, void *arg)
{
	struct api *a = arg;

	log_notice("signal %d: stopping", signo);
	a->stopping = true;
	evl_stop(l);
}

/* Tokens and limits come from the new file; the rest waits for a restart. */
static const char *const restart_keys[] = {
    "/instance/schema",     "/instance/database/conninfo",
    "/api/listen",          "/api/tls",
    "/api/max-connections", "/api/max-body",
    "/api/db-connections",  NULL,
};

static int apply(void *arg, struct conf *c, char *err, size_t errlen)
{
	struct api *a = arg;

	if (api_tokens_load(a, c) < 0) {
		snprintf(err, errlen, "%s: out of memory loading its tokens", a->conf_path);
		return CH_ENOMEM;
	}
	/* the listen sockets were made with the old limits; keep its strings */
	c->api.max_connections = a->conf->api.max_connections;
	c->api.max_body = a->conf->api.max_body;
	conf_free(a->conf);
	a->conf = c;
	log_set_level(c->logging.level);
	return 0;
}

static const struct reload_ops reload_ops = {"apid", restart_keys, NULL, apply};
/* SIGHUP and <schema>_reload (lib/reload.h, api_reload.c) */
static struct reload_target reload_target;

static void on_beat(struct evl *l, uint64_t id, void *arg)
{
	struct api *a = arg;

	(void)id;
	api_store_beat(a);
	evl_timer(l, API_BEAT_MS, on_beat, a);
}

static int setup(struct api *a)
{
	int err;

	reload_target = (struct reload_target){&reload_ops, a, a->conf_path, &a->conf};
	if ((err = evl_new(&a->l)) < 0 || (err = api_tokens_load(a, a->conf)) < 0)
		return err;
	if ((err = api_http_start(a)) < 0 || (err = api_events_start(a)) < 0 ||
	    (err = api_reload_start(a, &reload_target)) < 0)
		return err;
	evl_signal(a->l, SIGTERM, on_term, a);
	evl_signal(a->l, SIGINT, on_term, a);
	evl_signal(a->l, SIGHUP, reload_on_hup, &reload_target);
	evl_timer(a->l, 1000, on_beat, a);
	return api_store_open(a);
}

static void teardown(struct api *a)
{
	/* streams end; requests waiting for the database get their 503 and resume */
	api_events_stop(a);
	api_reload_stop(a);
	api_store_close(a);
	api_http_stop(a);
	api_events_free(a);
	evl_free(a->l);
	free(a->tokens);
}

int main(int argc, char **argv)
{
	static struct api a;
	struct daemon_opts o;
	int r;

	if (daemon_opts_parse(argc, argv, 0, &o) < 0) {
		usage(stderr);
		return 1;
	}
	a.conf_path = o.conf;
	if ((r = daemon_conf("chorus-apid", &o, NULL, &a.conf)) != 0)
		return r > 0 ? 0 : 1;
	daemon_log_init("chorus-apid", &o, a.conf);
	if (daemon_detach(&o) < 0)
		return 1;
	a.started_at = (int64_t)time(NULL);
	/* A page of leases is a buffer of 60 KB to 1 MB, and its result as
	 * much again: freed pages stay in the heap for the next request, rather
	 * than going back to the kernel (brk, munmap) and coming back as fresh
	 * zeroed pages (strace: about one brk a page, and its page faults). */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	r = setup(&a);
	if (r == 0) {
		log_notice("instance %s: API ready", a.conf->instance.name);
		r = evl_run(a.l);
	}
	teardown(&a);
	conf_free(a.conf);
	return r < 0 ? 1 : 0;
}
