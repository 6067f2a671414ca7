/*
 * The lease store's connection (see srv_store.h): open and close, and on
 * every (re)connect the startup reads (server DUID, lease cache, leases
 * ended early, reservations); the NOTIFYs chorus-apid sends on
 * <schema>_dhcp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "addr6.h"
#include "hex.h"
#include "log.h"
#include "schema.h"
#include "srv_history.h"
#include "srv_resv.h"
#include "srv_store.h"
#include "srv_store_group.h"
#include "srv_store_sql.h"

/* ---- startup: server DUID and the lease cache ---- */

/* DUID-LLT (RFC 8415 §11.2) with a random locally administered link-layer
 * address, so instances sharing a host and a start second still differ. */
static size_t duid_generate(uint8_t *out)
{
	uint32_t t = (uint32_t)(time(NULL) - 946684800);
	uint8_t mac[6] = {0};

	if (getrandom(mac, sizeof(mac), GRND_NONBLOCK) != sizeof(mac))
		mac[5] = (uint8_t)getpid();
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
	out[0] = 0;
	out[1] = 1; /* DUID-LLT */
	out[2] = 0;
	out[3] = 1; /* Ethernet */
	out[4] = (uint8_t)(t >> 24);
	out[5] = (uint8_t)(t >> 16);
	out[6] = (uint8_t)(t >> 8);
	out[7] = (uint8_t)t;
	memcpy(out + 8, mac, 6);
	return 14;
}

struct boot {
	struct srv *s;
	struct srv_cache cache;
	struct srv_cache history;
	bool cache_ok;
	size_t bad;
};

static void on_ident(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;
	struct srv *s = b->s;
	uint8_t duid[D6_DUID_MAX_LEN];
	int n;

	(void)d;
	if (err || PQntuples(res) != 1)
		return;
	n = hex_bytea_parse(PQgetvalue(res, 0, 0), duid, sizeof(duid));
	if (n < D6_DUID_MIN_LEN)
		return;
	if (s->conf->instance.server_duid_len) {
		if ((size_t)n != s->duid_len || memcmp(duid, s->duid, s->duid_len) != 0)
			log_warning(
			    "configured server-duid differs from the one stored in the schema; "
			    "using the configured one");
		return;
	}
	memcpy(s->duid, duid, (size_t)n);
	s->duid_len = (size_t)n;
}

static bool load_row(const PGresult *res, int i, struct srv_lease *l)
{
	const char *state = PQgetvalue(res, i, 10);
	long long exp = atoll(PQgetvalue(res, i, 9));
	int n;

	l->type = strcmp(PQgetvalue(res, i, 0), "pd") == 0 ? SRV_PD : SRV_NA;
	if (addr6_parse(PQgetvalue(res, i, 1), &l->addr) < 0)
		return false;
	l->plen = (uint8_t)atoi(PQgetvalue(res, i, 2));
	n = hex_bytea_parse(PQgetvalue(res, i, 3), l->duid, sizeof(l->duid));
	if (n < 1)
		return false;
	l->duid_len = (uint8_t)n;
	l->iaid = (uint32_t)strtoul(PQgetvalue(res, i, 4), NULL, 10);
	l->subnet_id = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
	l->pref = (uint32_t)strtoul(PQgetvalue(res, i, 6), NULL, 10);
	l->valid = (uint32_t)strtoul(PQgetvalue(res, i, 7), NULL, 10);
	l->cltt = atoll(PQgetvalue(res, i, 8));
	l->expires = exp < 0 ? SRV_NEVER : exp;
	l->state = strcmp(state, "declined") == 0 ? SRV_LEASE_DECLINED : SRV_LEASE_ACTIVE;
	return true;
}

/* Adds the rows of res to c; returns how many could not be read. */
static size_t load_rows(const PGresult *res, struct srv_cache *c)
{
	size_t bad = 0;

	for (int i = 0; i < PQntuples(res); i++) {
		struct srv_lease *l = srv_lease_new();

		if (!l || !load_row(res, i, l)) {
			free(l);
			bad++;
			continue;
		}
		srv_cache_add(c, l);
	}
	return bad;
}

static void on_load(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;

	(void)d;
	if (err || srv_cache_init(&b->cache) < 0)
		return;
	b->cache_ok = true;
	b->bad += load_rows(res, &b->cache);
}

/* Without it the engine still serves; a Rebind of a lease ended before
 * the restart then follows the rebind-policy. */
static void on_history(struct db *d, const PGresult *res, int err, void *arg)
{
	struct boot *b = arg;

	(void)d;
	if (!err && srv_cache_init(&b->history) == 0)
		load_rows(res, &b->history);
}

static void on_boot(struct db *d, int err, void *arg)
{
	struct boot *b = arg;
	struct srv *s = b->s;

	(void)d;
	if (err || !b->cache_ok || !s->duid_len) {
		srv_cache_clear(&b->history);
		if (b->cache_ok)
			srv_cache_clear(&b->cache);
		log_err("cannot read the server identity or the leases; will retry on reconnect");
		free(b);
		return;
	}
	srv_store_abort(s);
	srv_cache_clear(&s->cache);
	s->cache = b->cache;
	s->reclaim_bucket = 0;
	srv_history_replace(s, &b->history);
	if (b->bad)
		log_warning("%zu lease rows could not be read and are not mirrored", b->bad);
	log_notice("database ready: %zu holding leases loaded", s->cache.count);
	s->loaded = true;
	s->db_up = true;
	free(b);
}

static int boot_send(struct srv *s, struct boot *b)
{
	uint8_t cand[D6_DUID_MAX_LEN];
	size_t n = s->duid_len;
	const char *v[2];
	int len[2], fmt[2] = {0, 1}, err;

	if (!n)
		n = duid_generate(cand);
	else
		memcpy(cand, s->duid, n);
	v[0] = s->conf->instance.name;
	v[1] = (const char *)cand;
	len[0] = 0;
	len[1] = (int)n;
	err = db_query(s->db, ST_PLANS, NULL, NULL, NULL, NULL, NULL);
	if (!err)
		err = db_query(s->db, ST_IDENT_PUT, v, len, fmt, NULL, NULL);
	if (!err)
		err = db_query(s->db, ST_IDENT_GET, NULL, NULL, NULL, on_ident, b);
	if (!err)
		err = db_query(s->db, ST_LOAD, NULL, NULL, NULL, on_load, b);
	if (!err)
		err = db_query(s->db, ST_HISTORY, NULL, NULL, NULL, on_history, b);
	if (!err)
		err = db_sync(s->db, on_boot, b);
	return err;
}

static void resv_load(struct srv *s);

static void on_state(struct db *d, enum db_state st, const char *why, void *arg)
{
	struct srv *s = arg;
	struct boot *b;

	(void)d;
	if (st == DB_DOWN) {
		if (s->db_up)
			log_notice("database lost (%s): granting nothing until it is back", why);
		else
			log_warning("database unreachable: %s", why ? why : "");
		s->db_up = false;
		s->lat.sent_us = 0;
		srv_store_abort(s);
		return;
	}
	if (st != DB_READY)
		return;
	b = calloc(1, sizeof(*b));
	if (!b) {
		log_err("out of memory at database start");
		return;
	}
	b->s = s;
	s->resv_ready = false;
	/* the schema is the truth: reload the cache on every (re)connect */
	if (boot_send(s, b) < 0) {
		free(b);
		return;
	}
	resv_load(s);
}

static void on_resv(struct db *d, const PGresult *res, int err, void *arg)
{
	struct srv *s = arg;

	(void)d;
	s->resv_ready = true; /* read, or kept: the reclaim may judge leases again */
	if (err)
		log_warning("cannot read the reservations table; keeping what was loaded");
	else
		srv_resv_loaded(arg, res);
}

static void resv_load(struct srv *s)
{
	if (db_query(s->db, ST_RESV, NULL, NULL, NULL, on_resv, s) == 0)
		db_sync(s->db, NULL, NULL);
}

/* chorus-apid speaks to the engine on the channel <schema>_dhcp. */
static void on_notify(struct db *d, const char *channel, const char *payload, void *arg)
{
	struct srv *s = arg;

	(void)d;
	(void)channel;
	if (strcmp(payload, "reservations") == 0)
		resv_load(s);
	else
		s->store_hooks->deleted(s, payload, (int64_t)time(NULL));
}

int srv_store_open(struct srv *s, const struct srv_store_hooks *h)
{
	static char channel[80];
	static const char *listen[2] = {channel, NULL};
	const struct conf_instance *in = &s->conf->instance;
	struct db_cfg cfg = {
	    .conninfo = in->conninfo,
	    .schema = in->schema,
	    .schema_version = CHORUS_SCHEMA_VERSION,
	    .stmts = srv_store_stmts,
	    .n_stmts = ST_MAX,
	    .backoff_min_ms = 100,
	    .backoff_max_ms = 5000,
	    .on_state = on_state,
	    .listen = listen,
	    .on_notify = on_notify,
	    .arg = s,
	};
	int err;

	s->store_hooks = h;
	snprintf(channel, sizeof(channel), "%s_dhcp", in->schema);
	if (in->server_duid_len) {
		memcpy(s->duid, in->server_duid, in->server_duid_len);
		s->duid_len = in->server_duid_len;
	}
	s->started_at = (int64_t)time(NULL);
	err = db_new(s->l, &cfg, &s->db);
	if (err)
		return err;
	evl_before_sleep(s->l, srv_store_flush, s);
	db_start(s->db);
	return 0;
}

void srv_store_close(struct srv *s)
{
	if (s->flush_timer && s->l)
		evl_timer_cancel(s->l, s->flush_timer);
	s->flush_timer = 0;
	srv_store_abort(s);
	db_free(s->db);
	s->db = NULL;
	srv_store_group_free();
}
