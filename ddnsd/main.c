/*
 * chorus-ddnsd: the DNS updater of one Chorus instance (RFC 2136 with TSIG,
 * RFC 4701 DHCID, RFC 4703 conflict resolution). It meets the engine only
 * in the schema's outbox, ddns_queue, and wakes on NOTIFY chorus_ddns.
 * main() reads like a table of contents: options, configuration, log, pid
 * file, sockets, database, timers, loop, shutdown.
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
#include "ddns.h"
#include "ddns_batch.h"
#include "ddns_outbox.h"
#include "ddns_store.h"
#include "log.h"
#include "reload.h"

#define STATS_MS    10000 /* counters and heartbeat */
#define STOP_MAX_MS 5000  /* longest wait for the updates in flight at SIGTERM */

static void usage(FILE *f)
{
	fprintf(f, "Usage: chorus-ddnsd -c FILE [-t] [-d] [-P PIDFILE]\n"
	           "  -c FILE     instance configuration (JSON)\n"
	           "  -t          check the configuration, print the effective values, exit\n"
	           "  -d          stay in the foreground, log to stderr (default: detach,\n"
	           "              log to syslog unless logging.syslog is false)\n"
	           "  -P PIDFILE  write the pid there\n");
}

/* conf_load and what ddnsd itself needs of the file (ldns's algorithms). */
static int load(const char *path, struct conf **out, char *err, size_t errlen)
{
	struct conf *c;
	int r = conf_load(path, &c, err, errlen);

	if (r < 0)
		return r;
	if ((r = ddns_outbox_check(c, err, errlen)) < 0) {
		conf_free(c);
		return r;
	}
	*out = c;
	return 0;
}

static void on_stats(struct evl *l, uint64_t id, void *arg)
{
	struct ddns *d = arg;

	(void)id;
	ddns_store_stats(d);
	evl_timer(l, STATS_MS, on_stats, d);
}

/* The safety net besides NOTIFY: a row whose notification was missed (or
 * whose backoff ran out) is found here. */
static void on_sweep(struct evl *l, uint64_t id, void *arg)
{
	struct ddns *d = arg;

	(void)id;
	ddns_outbox_kick(d);
	d->sweep_timer = evl_timer(l, (uint64_t)d->conf->ddns.sweep * 1000, on_sweep, d);
}

static void on_stop_timeout(struct evl *l, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	log_warning("updates still in flight after %d ms, stopping anyway: their rows stay",
	            STOP_MAX_MS);
	evl_stop(l);
}

static void on_term(struct evl *l, int signo, void *arg)
{
	struct ddns *d = arg;

	log_notice("signal %d: stopping after the updates in flight", signo);
	d->stopping = true;
	if (!d->n_jobs) {
		ddns_store_stats(d); /* its commit's callback stops the loop */
		if (!ddns_store_busy(d))
			evl_stop(l);
		return;
	}
	evl_timer(l, STOP_MAX_MS, on_stop_timeout, d);
}

static struct reload_chan *reload_ch;

/* What this turn of the loop queued leaves before it sleeps: the batches
 * for the DNS servers, then the rows finished or put back. */
static void before_sleep(struct evl *l, void *arg)
{
	(void)l;
	ddns_batch_flush(arg);
	ddns_store_flush(arg);
}

/* The database connection keeps its settings until a restart. */
static const char *const restart_keys[] = {
    "/instance/schema",
    "/instance/database/conninfo",
    "/instance/database/ddns-conninfo",
    NULL,
};

/* The swap waits for the updates in flight (ddns_outbox_reload). */
static int apply(void *arg, struct conf *c, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	ddns_outbox_reload(arg, c);
	return 0;
}

static const struct reload_ops reload_ops = {"ddnsd", restart_keys, load, apply};
static struct reload_target reload_target; /* SIGHUP and <schema>_reload (lib/reload.h) */

static int setup(struct ddns *d)
{
	const struct conf_instance *in = &d->conf->instance;
	struct reload_chan_cfg rc = {
	    .conninfo = in->ddns_conninfo[0] ? in->ddns_conninfo : in->conninfo,
	    .schema = in->schema,
	    .on_request = reload_target_run,
	    .daemon = "ddnsd",
	    .arg = &reload_target,
	};
	int err;

	reload_target = (struct reload_target){&reload_ops, d, d->conf_path, &d->conf};
	if ((err = evl_new(&d->l)) < 0 || (err = ddns_outbox_open(d)) < 0 ||
	    (err = reload_chan_new(d->l, &rc, &reload_ch)) < 0)
		return err;
	evl_signal(d->l, SIGTERM, on_term, d);
	evl_signal(d->l, SIGINT, on_term, d);
	evl_signal(d->l, SIGHUP, reload_on_hup, &reload_target);
	evl_before_sleep(d->l, before_sleep, d);
	evl_timer(d->l, STATS_MS, on_stats, d);
	d->sweep_timer = evl_timer(d->l, (uint64_t)d->conf->ddns.sweep * 1000, on_sweep, d);
	return ddns_store_open(d, ddns_outbox_kick);
}

static void teardown(struct ddns *d)
{
	reload_chan_free(reload_ch);
	ddns_store_close(d);
	ddns_outbox_close(d);
	evl_free(d->l);
	conf_free(d->next_conf);
}

int main(int argc, char **argv)
{
	static struct ddns d;
	struct daemon_opts o;
	int r;

	if (daemon_opts_parse(argc, argv, DAEMON_OPT_PIDFILE, &o) < 0) {
		usage(stderr);
		return 1;
	}
	d.conf_path = o.conf;
	if ((r = daemon_conf("chorus-ddnsd", &o, load, &d.conf)) != 0)
		return r > 0 ? 0 : 1;
	daemon_log_init("chorus-ddnsd", &o, d.conf);
	if (daemon_detach(&o) < 0 || (o.pid_file && daemon_pid_write(o.pid_file) < 0))
		return 1;
	r = setup(&d);
	if (r == 0) {
		log_notice("instance %s: DNS updates for %zu forward and %zu reverse zones",
		           d.conf->instance.name, d.conf->ddns.n_forward_zones,
		           d.conf->ddns.n_reverse_zones);
		r = evl_run(d.l);
	}
	teardown(&d);
	if (o.pid_file)
		unlink(o.pid_file);
	conf_free(d.conf);
	return r < 0 ? 1 : 0;
}
