/*
 * Configuration reload, one way for every daemon, for SIGHUP and for
 * POST /v1/config/reload alike: load and validate the whole file, say what
 * changed (conf_diff) and which of it this daemon only applies at a restart,
 * then let the daemon swap it in; on any error the running one stays.
 * reload_run is daemon code shared by the four main.c: it logs the outcome.
 *
 * Requests and answers travel as NOTIFY payloads on the channel
 * <schema>_reload (reload_chan.c), on a connection of the daemon's own:
 *   request  {"request": "<id>"}
 *   answer   {"answer": "<id>", "daemon": "dhcp6d", "pid": 123, "reloaded": true,
 *             "changed": ["/dhcp6/subnets/0/pools/0/end"], "restart": [], "more": 0}
 *            or ... "reloaded": false, "error": "chorus.json: /x: expected ..."
 * NOTIFY needs no grant, so the read-only leasequery role answers too; a hot
 * standby refuses LISTEN and NOTIFY, so a daemon pointed at one hears no
 * request (its channel says so once; SIGHUP still works). Since anyone who
 * can connect may NOTIFY, the channel reloads at most once a second: the
 * requests during the wait share one reload after it, each answered (the
 * first 16 ids), and are logged once.
 */
#ifndef CHORUS_RELOAD_H
#define CHORUS_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "conf_diff.h"
#include "evl.h"

#define RELOAD_ID_LEN      48   /* a request id, NUL included */
#define RELOAD_PAYLOAD_MAX 7900 /* NOTIFY payloads stay below PostgreSQL's 8000 bytes */

struct json_object;

struct reload_result {
	bool reloaded;            /* the new file runs (or will, once work in flight is done) */
	char error[CONF_ERR_LEN]; /* why not, in the loader's words ("file: /path: ...") */
	struct conf_diff changed; /* every key that differs */
	struct conf_diff restart; /* those of them this daemon applies only at a restart */
};
void reload_result_clear(struct reload_result *r);

struct reload_ops {
	const char *daemon;              /* "dhcp6d", "leasequeryd", "ddnsd", "apid" */
	const char *const *restart_keys; /* NULL-terminated paths, see conf_path_under */
	/* NULL: conf_load. ddnsd adds checks of its own. */
	int (*load)(const char *path, struct conf **out, char *err, size_t errlen);
	/* Swaps c in and returns 0 (c is then the daemon's), or refuses it with a
	 * negative CH_E* and says why in err (reload_run frees c). */
	int (*apply)(void *arg, struct conf *c, char *err, size_t errlen);
};

/*
 * Loads path, compares it with cur (the running configuration), applies it
 * through ops->apply(arg, ...). Logs one line: err when refused, notice when
 * reloaded, and a warning per changed key that needs a restart. *out is
 * always written (reload_result_clear it). Returns 0 when reloaded, else the
 * negative CH_E* of the refusal.
 */
int reload_run(const struct reload_ops *ops, void *arg, const char *path, const struct conf *cur,
               struct reload_result *out);

/* A daemon's reload bound to its state: the arg of evl_signal(SIGHUP,
 * reload_on_hup) and of reload_chan's on_request (reload_target_run), so
 * both run reload_run the same way. */
struct reload_target {
	const struct reload_ops *ops;
	void *arg;               /* for ops->apply */
	const char *path;        /* the configuration file */
	struct conf *const *cur; /* where the daemon keeps its running configuration */
};
void reload_target_run(void *target, struct reload_result *res);
void reload_on_hup(struct evl *l, int signo, void *target);

/* ---- payloads (reload.c) ---- */

/* A request payload for id into buf. Returns its length, or CH_ENOSPACE. */
int reload_request_json(const char *id, char *buf, size_t cap);
/* An answer payload (at most RELOAD_PAYLOAD_MAX bytes when cap allows: the
 * paths that do not fit are left out and counted in "more"). Returns its
 * length, or CH_ENOSPACE / CH_ENOMEM. */
int reload_answer_json(const char *id, const char *daemon, long pid, const struct reload_result *r,
                       char *buf, size_t cap);

struct reload_msg {
	bool is_request;
	char id[RELOAD_ID_LEN];
	char daemon[16];             /* answers: one of the four names */
	struct json_object *payload; /* the parsed object (answers: what apid shows) */
};
/* Parses a payload of the channel (untrusted: anyone who may connect can
 * NOTIFY). Returns 0, or CH_EMALFORMED (not ours, or broken); *out is
 * written only on success (reload_msg_clear it). */
int reload_msg_parse(const char *payload, struct reload_msg *out);
void reload_msg_clear(struct reload_msg *m);

/* ---- the channel (reload_chan.c) ---- */

struct reload_chan;

struct reload_chan_cfg {
	const char *conninfo; /* the daemon's own login */
	const char *schema;   /* the channel is <schema>_reload */
	/* A request came: reload (reload_run) into res; the channel answers. */
	void (*on_request)(void *arg, struct reload_result *res);
	/* An answer came (chorus-apid; NULL elsewhere); msg lives for the call. */
	void (*on_answer)(void *arg, const struct reload_msg *msg);
	const char *daemon; /* who answers */
	void *arg;
};

/* Creates the channel and starts connecting (with backoff, for ever).
 * Returns 0 or CH_ENOMEM. */
int reload_chan_new(struct evl *l, const struct reload_chan_cfg *cfg, struct reload_chan **out);
void reload_chan_free(struct reload_chan *ch);
/* Connected and listening. */
bool reload_chan_ready(const struct reload_chan *ch);
/* Asks every daemon of the instance (this one too) to reload. 0 or CH_EDB. */
int reload_chan_request(struct reload_chan *ch, const char *id);

#endif
