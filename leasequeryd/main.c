/*
 * chorus-leasequeryd: the leasequery responder of one Chorus instance
 * (RFC 5007 over the engine's hand-off, RFC 5460 bulk leasequery on TCP).
 * main() reads like a table of contents: options, configuration, log,
 * sockets, database, watchers, loop, shutdown. SIGTERM ends every open
 * bulk stream with QueryTerminated; SIGHUP reloads.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "reload.h"
#include "lq.h"
#include "lq_batch.h"
#include "lq_local.h"
#include "lq_store.h"
#include "lq_tcp.h"

#define STATS_MS    10000 /* counters and heartbeat to the schema */
#define STOP_MAX_MS 2000  /* longest wait for QueryTerminated to leave */

static void usage(FILE *f)
{
	fprintf(f, "Usage: chorus-leasequeryd -c FILE [-t] [-d] [-p PORT]\n"
	           "  -c FILE   instance configuration (JSON)\n"
	           "  -t        check the configuration, print the effective values, exit\n"
	           "  -d        stay in the foreground, log to stderr\n"
	           "  -p PORT   TCP port of bulk leasequery (default: leasequery.bulk-port)\n");
}

static void on_stats(struct evl *l, uint64_t id, void *arg)
{
	struct lq *lq = arg;

	(void)id;
	lq_store_stats(lq);
	evl_timer(l, STATS_MS, on_stats, lq);
}

static void on_stop_check(struct evl *l, uint64_t id, void *arg)
{
	struct lq *lq = arg;
	static unsigned waited;

	(void)id;
	waited += 50;
	if ((lq_tcp_flushed(lq) && !lq->stats_busy) || waited >= STOP_MAX_MS) {
		evl_stop(l);
		return;
	}
	evl_timer(l, 50, on_stop_check, lq);
}

static void on_term(struct evl *l, int signo, void *arg)
{
	struct lq *lq = arg;

	if (lq->stopping)
		return;
	log_notice("signal %d: stopping, open bulk queries end with QueryTerminated", signo);
	lq->stopping = true;
	lq_local_close(lq);
	lq_tcp_stop(lq);
	lq_store_stats(lq);
	evl_timer(l, 50, on_stop_check, lq);
}

static struct reload_chan *reload_ch;

/* Sockets and the database connection keep their settings until a restart. */
static const char *const restart_keys[] = {
    "/instance/schema",
    "/instance/database/conninfo",
    "/instance/database/leasequery-conninfo",
    "/leasequery/local-socket",
    "/leasequery/bulk-address",
    "/leasequery/bulk-port",
    NULL,
};

static int apply(void *arg, struct conf *c, char *err, size_t errlen)
{
	struct lq *lq = arg;

	(void)err;
	(void)errlen;
	conf_free(lq->conf);
	lq->conf = c;
	log_set_level(c->logging.level);
	return 0;
}

static const struct reload_ops reload_ops = {"leasequeryd", restart_keys, NULL, apply};
static struct reload_target reload_target; /* SIGHUP and <schema>_reload (lib/reload.h) */

/* Before the loop: what can fail for reasons the operator must see. */
static int open_sockets(struct lq *lq)
{
	int err;

	lq->local_fd = lq->tcp_fd = -1;
	if ((err = evl_new(&lq->l)) < 0 || (err = lq_rate_new(&lq->rate)) < 0)
		return err;
	if ((err = lq_local_open(lq)) < 0) {
		log_err("cannot bind the hand-off socket %s: %s", lq->conf->leasequery.local_socket,
		        strerror(-err));
		return err;
	}
	if ((err = lq_tcp_open(lq)) < 0) {
		log_err("cannot listen on TCP %u: %s", lq->port, strerror(-err));
		return err;
	}
	return 0;
}

/* Before the loop sleeps: send the questions by address that wait, hand
 * the answers back, sync the reads of this iteration, free the
 * connections closed in it. */
static void on_before_sleep(struct evl *l, void *arg)
{
	struct lq *lq = arg;

	(void)l;
	lq_batch_flush(lq);
	lq_local_flush(lq);
	lq_store_flush(lq);
	lq_tcp_reap(lq);
}

static int setup(struct lq *lq)
{
	const struct conf_instance *in = &lq->conf->instance;
	struct reload_chan_cfg rc = {
	    .conninfo = in->lq_conninfo[0] ? in->lq_conninfo : in->conninfo,
	    .schema = in->schema,
	    .on_request = reload_target_run,
	    .daemon = "leasequeryd",
	    .arg = &reload_target,
	};
	int err;

	reload_target = (struct reload_target){&reload_ops, lq, lq->conf_path, &lq->conf};
	if ((err = reload_chan_new(lq->l, &rc, &reload_ch)) < 0)
		return err;
	evl_signal(lq->l, SIGTERM, on_term, lq);
	evl_signal(lq->l, SIGINT, on_term, lq);
	evl_signal(lq->l, SIGHUP, reload_on_hup, &reload_target);
	evl_timer(lq->l, STATS_MS, on_stats, lq);
	evl_before_sleep(lq->l, on_before_sleep, lq);
	return lq_store_open(lq);
}

static void teardown(struct lq *lq)
{
	/* the database first: its pending callbacks still find their connections */
	reload_chan_free(reload_ch);
	lq_batch_clear(lq);
	lq_store_close(lq);
	lq_tcp_close(lq);
	lq_local_close(lq);
	if (lq->conf && lq->conf->leasequery.local_socket[0])
		unlink(lq->conf->leasequery.local_socket);
	lq_rate_free(lq->rate);
	evl_free(lq->l);
}

int main(int argc, char **argv)
{
	static struct lq lq;
	struct daemon_opts o;
	int r;

	if (daemon_opts_parse(argc, argv, DAEMON_OPT_PORT, &o) < 0) {
		usage(stderr);
		return 2;
	}
	lq.conf_path = o.conf;
	if ((r = daemon_conf("chorus-leasequeryd", &o, NULL, &lq.conf)) != 0)
		return r > 0 ? 0 : 1;
	daemon_log_init("chorus-leasequeryd", &o, lq.conf);
	lq.port = (uint16_t)(o.port ? o.port : lq.conf->leasequery.bulk_port);
	if (!lq.conf->leasequery.enabled)
		log_warning("leasequery.enabled is false; serving anyway (chorus-dhcp6d hands "
		            "nothing over while it is)");
	r = open_sockets(&lq);
	if (r == 0)
		r = daemon_detach(&o);
	if (r == 0)
		r = setup(&lq);
	if (r == 0) {
		log_notice("instance %s: leasequery on %s, bulk leasequery on TCP %u",
		           lq.conf->instance.name, lq.conf->leasequery.local_socket, lq.port);
		r = evl_run(lq.l);
	}
	teardown(&lq);
	conf_free(lq.conf);
	return r < 0 ? 1 : 0;
}
