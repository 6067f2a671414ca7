/*
 * chorus-dhcp6d: the DHCPv6 server of one Chorus instance (RFC 8415, RFC
 * 6853 semi-redundant models). main() reads like a table of contents:
 * options, configuration, log, pid file, sockets, database, watchers, loop,
 * shutdown. SIGTERM stops after the commits in flight; SIGHUP reloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "srv.h"
#include "srv_alloc.h"
#include "srv_health.h"
#include "srv_history.h"
#include "srv_lq.h"
#include "srv_reclaim.h"
#include "srv_resv.h"
#include "srv_rx.h"
#include "srv_store.h"

#define MAX_TXNS    4096  /* transactions waiting for a commit */
#define STATS_MS    10000 /* counters to the stats table */
#define STOP_MAX_MS 5000  /* longest wait for commits at SIGTERM */

static const char *conf_path;
static struct reload_chan *reload_ch;

static void usage(FILE *f)
{
	fprintf(f, "Usage: chorus-dhcp6d -c FILE [-t] [-d] [-p PORT]\n"
	           "  -c FILE   instance configuration (JSON)\n"
	           "  -t        check the configuration, print the effective values, exit\n"
	           "  -d        stay in the foreground, log to stderr (default: detach,\n"
	           "            log to syslog unless logging.syslog is false)\n"
	           "  -p PORT   UDP port to listen on (default 547; for tests)\n");
}

static void on_stats(struct evl *l, uint64_t id, void *arg)
{
	struct srv *s = arg;

	(void)id;
	srv_store_stats(s);
	evl_timer(l, STATS_MS, on_stats, s);
}

static void on_reclaim(struct evl *l, uint64_t id, void *arg)
{
	struct srv *s = arg;

	(void)id;
	srv_reclaim_tick(s, (int64_t)time(NULL));
	evl_timer(l, SRV_RECLAIM_MS, on_reclaim, s);
}

static void on_health(struct evl *l, uint64_t id, void *arg)
{
	struct srv *s = arg;

	(void)id;
	srv_health_tick(s, (int64_t)time(NULL));
	evl_timer(l, SRV_HEALTH_MS, on_health, s);
}

static void on_stop_timeout(struct evl *l, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	log_warning("commits still in flight after %d ms, stopping anyway", STOP_MAX_MS);
	evl_stop(l);
}

static void on_term(struct evl *l, int signo, void *arg)
{
	struct srv *s = arg;

	log_notice("signal %d: stopping after the commits in flight", signo);
	s->stopping = true;
	for (size_t i = 0; i < s->sock.n; i++) {
		evl_unwatch(l, s->sock.fd[i]);
		if (s->sock.steered)
			evl_unwatch(l, s->sock.steer[i]);
	}
	srv_store_stats(s);
	if (srv_store_idle(s)) {
		evl_stop(l);
		return;
	}
	evl_timer(l, STOP_MAX_MS, on_stop_timeout, s);
}

/* What the engine sets up only at start: sockets, database, identity. */
static const char *const restart_keys[] = {
    "/instance/name",      "/instance/schema",         "/instance/database/conninfo",
    "/instance/pid-file",  "/instance/server-duid",    "/dhcp6/interfaces",
    "/leasequery/enabled", "/leasequery/local-socket", NULL,
};

/* The new pools and reservations are set up before the swap; leases stay. */
static int apply(void *arg, struct conf *c, char *err, size_t errlen)
{
	struct srv *s = arg;

	if (srv_alloc_setup(s, c) < 0 || srv_resv_merge(s, c, true) < 0) {
		snprintf(err, errlen, "%s: out of memory setting up its pools", conf_path);
		return CH_ENOMEM;
	}
	conf_free(s->conf);
	s->conf = c;
	log_set_level(c->logging.level);
	srv_lq_reloaded(s);
	return 0;
}

static const struct reload_ops reload_ops = {"dhcp6d", restart_keys, NULL, apply};
static struct reload_target reload_target; /* SIGHUP and <schema>_reload (lib/reload.h) */

/* Before detaching: what can fail for reasons the operator must see. */
static int open_socket(struct srv *s, const struct daemon_opts *o)
{
	int err;

	s->lq_fd = -1;
	s->lq_peer_life = -1;
	s->lq_life[0] = s->lq_life[1] = -1;
	s->sock.n = 0;
	/* leasequery on: unicast LEASEQUERY steered to a socket of its own,
	 * which the responder reads (srv_lq.c) */
	err = srv_sock_open(&s->sock, (uint16_t)o->port, s->conf->dhcp6.interfaces,
	                    s->conf->dhcp6.n_interfaces,
	                    s->conf->leasequery.enabled && s->conf->leasequery.local_socket[0]);
	if (err == -ENODEV)
		log_err("none of the configured interfaces exists");
	else if (err < 0)
		log_err("cannot open UDP port %u: %s", o->port, strerror(-err));
	return err;
}

/* the store answers committed transactions and lets deleted leases go */
static const struct srv_store_hooks store_hooks = {
    .committed = srv_rx_send,
    .deleted = srv_reclaim_deleted,
};

static int setup(struct srv *s)
{
	int err;

	s->max_txns = MAX_TXNS;
	if ((err = srv_cache_init(&s->cache)) < 0 || (err = srv_alloc_setup(s, s->conf)) < 0 ||
	    (err = srv_resv_merge(s, s->conf, true)) < 0 || (err = evl_new(&s->l)) < 0)
		return err;
	if (s->conf->leasequery.enabled && srv_lq_open(s) < 0)
		log_warning("no leasequery hand-off socket; LEASEQUERY gets NotConfigured");
	/* the steered sockets too, until the responder says it reads them */
	for (size_t i = 0; i < s->sock.n; i++) {
		evl_watch(s->l, s->sock.fd[i], EPOLLIN, srv_rx_on_read, s);
		if (s->sock.steered)
			evl_watch(s->l, s->sock.steer[i], EPOLLIN, srv_rx_on_read, s);
	}
	evl_signal(s->l, SIGTERM, on_term, s);
	evl_signal(s->l, SIGINT, on_term, s);
	reload_target = (struct reload_target){&reload_ops, s, conf_path, &s->conf};
	evl_signal(s->l, SIGHUP, reload_on_hup, &reload_target);
	evl_timer(s->l, STATS_MS, on_stats, s);
	evl_timer(s->l, SRV_RECLAIM_MS, on_reclaim, s);
	evl_timer(s->l, SRV_HEALTH_MS, on_health, s);
	if ((err = reload_chan_new(s->l,
	                           &(struct reload_chan_cfg){.conninfo = s->conf->instance.conninfo,
	                                                     .schema = s->conf->instance.schema,
	                                                     .on_request = reload_target_run,
	                                                     .daemon = "dhcp6d",
	                                                     .arg = &reload_target},
	                           &reload_ch)) < 0)
		return err;
	return srv_store_open(s, &store_hooks);
}

static void teardown(struct srv *s)
{
	reload_chan_free(reload_ch);
	srv_store_close(s);
	srv_lq_close(s);
	srv_sock_close(&s->sock);
	evl_free(s->l);
	srv_cache_clear(&s->cache);
	srv_history_clear(s);
	srv_health_clear(s);
	free(s->iter_cursor);
}

int main(int argc, char **argv)
{
	static struct srv s;
	struct daemon_opts o;
	int r;

	if (daemon_opts_parse(argc, argv, DAEMON_OPT_PORT, &o) < 0) {
		usage(stderr);
		return 1;
	}
	if (!o.port)
		o.port = 547;
	conf_path = o.conf;
	if ((r = daemon_conf("chorus-dhcp6d", &o, NULL, &s.conf)) != 0)
		return r > 0 ? 0 : 1;
	daemon_log_init("chorus-dhcp6d", &o, s.conf);
	if (open_socket(&s, &o) < 0 || daemon_detach(&o) < 0 ||
	    daemon_pid_write(s.conf->instance.pid_file) < 0)
		return 1;
	r = setup(&s);
	if (r == 0) {
		log_notice("instance %s listening on UDP %u", s.conf->instance.name, o.port);
		r = evl_run(s.l);
	}
	teardown(&s);
	unlink(s.conf->instance.pid_file);
	conf_free(s.conf);
	return r < 0 ? 1 : 0;
}
