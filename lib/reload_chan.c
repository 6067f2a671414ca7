/*
 * The <schema>_reload channel: a small lib/db connection of the daemon's
 * own login that LISTENs there, runs the daemon's reload when a request
 * comes and NOTIFYs the answer (reload.h gives the payloads). Kept apart
 * from the daemon's store so no daemon's pipeline carries it. A hot
 * standby refuses LISTEN: the channel then says once that requests cannot
 * reach this daemon, and keeps retrying slowly (a promotion ends it).
 * Any role that can connect may NOTIFY, so requests are coalesced: at most
 * one reload a second, and the requests that come during the wait share one
 * reload after it, each answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "errors.h"
#include "log.h"
#include "reload.h"

#define CHAN_BACKOFF_MAX_MS 30000
#define CHAN_GAP_MS         1000 /* between two reloads of the channel */
#define CHAN_PENDING_MAX    16   /* requests one reload answers; more are reloaded, not answered */

enum { RST_NOTIFY, RST_MAX };

static const struct db_stmt reload_stmts[RST_MAX] = {
    [RST_NOTIFY] = {"reload_notify", 2, "SELECT pg_catalog.pg_notify($1, $2)"},
};

struct reload_chan {
	struct reload_chan_cfg cfg;
	struct evl *l;
	struct db *db;
	char channel[96];
	const char *listen[2];
	bool was_ready;
	bool told_standby;
	bool ran;                                      /* a reload ran, at last_run */
	uint64_t last_run;                             /* evl_now() */
	uint64_t timer;                                /* the coalesced reload to come, or 0 */
	char pending[CHAN_PENDING_MAX][RELOAD_ID_LEN]; /* the requests it answers */
	size_t n_pending;
	size_t n_requests; /* requests it stands for, those not answered included */
};

static void send_payload(struct reload_chan *ch, const char *payload)
{
	const char *v[2] = {ch->channel, payload};

	if (db_query(ch->db, RST_NOTIFY, v, NULL, NULL, NULL, NULL) == 0)
		db_sync(ch->db, NULL, NULL);
}

/* Reloads once and answers every pending request with the outcome. */
static void run_pending(struct reload_chan *ch)
{
	static char buf[RELOAD_PAYLOAD_MAX + 1];
	struct reload_result res;

	if (ch->n_requests > ch->n_pending)
		log_warning("%zu reload requests on %s within %d ms: reloading once; the %zu past "
		            "the first %d get no answer",
		            ch->n_requests, ch->channel, CHAN_GAP_MS,
		            ch->n_requests - ch->n_pending, CHAN_PENDING_MAX);
	else if (ch->n_requests > 1)
		log_notice("%zu reload requests on %s within %d ms: reloading once", ch->n_requests,
		           ch->channel, CHAN_GAP_MS);
	ch->ran = true;
	ch->last_run = evl_now(ch->l);
	ch->cfg.on_request(ch->cfg.arg, &res);
	for (size_t i = 0; i < ch->n_pending; i++) {
		int n = reload_answer_json(ch->pending[i], ch->cfg.daemon, (long)getpid(), &res,
		                           buf, sizeof(buf));

		if (n < 0)
			log_err("reload request %s: cannot encode the answer: %s", ch->pending[i],
			        ch_strerror(n));
		else
			send_payload(ch, buf);
	}
	reload_result_clear(&res);
	ch->n_pending = 0;
	ch->n_requests = 0;
}

static void on_wait_over(struct evl *l, uint64_t id, void *arg)
{
	struct reload_chan *ch = arg;

	(void)l;
	(void)id;
	ch->timer = 0;
	run_pending(ch);
}

static void add_pending(struct reload_chan *ch, const char *id)
{
	ch->n_requests++;
	for (size_t i = 0; i < ch->n_pending; i++)
		if (strcmp(ch->pending[i], id) == 0)
			return; /* one answer per id */
	if (ch->n_pending < CHAN_PENDING_MAX)
		snprintf(ch->pending[ch->n_pending++], RELOAD_ID_LEN, "%s", id);
}

/* At most one reload per CHAN_GAP_MS: a request during the wait joins the
 * reload at its end, and only the first such request is logged. */
static void on_request(struct reload_chan *ch, const struct reload_msg *m)
{
	uint64_t now = evl_now(ch->l);

	add_pending(ch, m->id);
	if (ch->timer)
		return;
	if (!ch->ran || now - ch->last_run >= CHAN_GAP_MS) {
		log_notice("reload requested on %s (request %s)", ch->channel, m->id);
		run_pending(ch);
		return;
	}
	log_notice("reload requested on %s (request %s) within %d ms of the last reload: it runs "
	           "at the end of the wait, once for all requests until then",
	           ch->channel, m->id, CHAN_GAP_MS);
	ch->timer = evl_timer(ch->l, ch->last_run + CHAN_GAP_MS - now, on_wait_over, ch);
	if (!ch->timer)
		run_pending(ch); /* no memory for the timer: reload now rather than never */
}

static void on_notify(struct db *d, const char *channel, const char *payload, void *arg)
{
	struct reload_chan *ch = arg;
	struct reload_msg m;

	(void)d;
	if (strcmp(channel, ch->channel) != 0)
		return;
	if (reload_msg_parse(payload, &m) < 0) {
		log_debug("%s: ignoring a payload that is no reload request or answer", channel);
		return;
	}
	if (m.is_request) {
		on_request(ch, &m);
	} else if (ch->cfg.on_answer) {
		ch->cfg.on_answer(ch->cfg.arg, &m);
	}
	reload_msg_clear(&m);
}

static void on_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	struct reload_chan *ch = arg;

	(void)d;
	if (st == DB_READY) {
		log_info("listening for reload requests on %s", ch->channel);
		ch->was_ready = true;
		ch->told_standby = false;
	} else if (st == DB_DOWN && why && strstr(why, "recovery")) {
		if (!ch->told_standby)
			log_notice("the database is a hot standby, which refuses LISTEN: reload "
			           "requests on %s do not reach this daemon; use SIGHUP",
			           ch->channel);
		ch->told_standby = true;
		ch->was_ready = false;
	} else if (st == DB_DOWN && ch->was_ready) {
		log_notice("reload channel %s lost, reconnecting: %s", ch->channel, why ? why : "");
		ch->was_ready = false;
	}
}

int reload_chan_new(struct evl *l, const struct reload_chan_cfg *cfg, struct reload_chan **out)
{
	struct reload_chan *ch = calloc(1, sizeof(*ch));
	struct db_cfg dc = {0};
	int err;

	if (!ch)
		return CH_ENOMEM;
	ch->cfg = *cfg;
	ch->l = l;
	snprintf(ch->channel, sizeof(ch->channel), "%s_reload", cfg->schema);
	ch->listen[0] = ch->channel;
	dc.conninfo = cfg->conninfo;
	dc.stmts = reload_stmts;
	dc.n_stmts = RST_MAX;
	dc.listen = ch->listen;
	dc.backoff_max_ms = CHAN_BACKOFF_MAX_MS;
	dc.on_state = on_state;
	dc.on_notify = on_notify;
	dc.arg = ch;
	if ((err = db_new(l, &dc, &ch->db)) < 0) {
		free(ch);
		return err;
	}
	db_start(ch->db);
	*out = ch;
	return 0;
}

void reload_chan_free(struct reload_chan *ch)
{
	if (!ch)
		return;
	if (ch->timer)
		evl_timer_cancel(ch->l, ch->timer);
	db_free(ch->db);
	free(ch);
}

bool reload_chan_ready(const struct reload_chan *ch)
{
	return ch && db_ready(ch->db);
}

int reload_chan_request(struct reload_chan *ch, const char *id)
{
	char buf[128];
	const char *v[2] = {ch->channel, buf};

	if (reload_request_json(id, buf, sizeof(buf)) < 0)
		return CH_EINVAL;
	if (!db_ready(ch->db) || db_query(ch->db, RST_NOTIFY, v, NULL, NULL, NULL, NULL) < 0)
		return CH_EDB;
	return db_sync(ch->db, NULL, NULL);
}
