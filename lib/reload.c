/*
 * reload_run, the load-compare-apply step every daemon's SIGHUP and reload
 * request share, and the payloads of the <schema>_reload channel (see
 * reload.h for their shape). The channel's connection is reload_chan.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "errors.h"
#include "log.h"
#include "reload.h"

#define RELOAD_JSON_DEPTH 4

static const char *const reload_daemons[] = {"dhcp6d", "leasequeryd", "ddnsd", "apid", NULL};

void reload_result_clear(struct reload_result *r)
{
	conf_diff_clear(&r->changed);
	conf_diff_clear(&r->restart);
}

static int refuse(const struct reload_result *out, int rc)
{
	log_err("reload refused, keeping the running configuration: %s", out->error);
	return rc;
}

/* One line for the whole change, then one per key that waits for a restart. */
static void log_applied(const char *path, const struct reload_result *r)
{
	if (!r->changed.n)
		log_notice("configuration reloaded from %s: nothing changed", path);
	else
		log_notice("configuration reloaded from %s: %zu keys changed, first %s", path,
		           r->changed.n, r->changed.paths[0]);
	for (size_t i = 0; i < r->restart.n; i++)
		log_warning("reload: %s changed; it takes effect at the next restart",
		            r->restart.paths[i]);
}

int reload_run(const struct reload_ops *ops, void *arg, const char *path, const struct conf *cur,
               struct reload_result *out)
{
	struct conf *c = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = (ops->load ? ops->load : conf_load)(path, &c, out->error, sizeof(out->error));
	if (rc < 0)
		return refuse(out, rc);
	if ((rc = conf_diff(cur, c, &out->changed)) < 0 ||
	    (rc = conf_diff_filter(&out->changed, ops->restart_keys, &out->restart)) < 0) {
		snprintf(out->error, sizeof(out->error), "%s: out of memory comparing it", path);
		conf_free(c);
		reload_result_clear(out);
		return refuse(out, rc);
	}
	if ((rc = ops->apply(arg, c, out->error, sizeof(out->error))) < 0) {
		if (!out->error[0])
			snprintf(out->error, sizeof(out->error), "%s: %s", path, ch_strerror(rc));
		conf_free(c);
		reload_result_clear(out);
		return refuse(out, rc);
	}
	out->reloaded = true;
	log_applied(path, out);
	return 0;
}

void reload_target_run(void *target, struct reload_result *res)
{
	const struct reload_target *t = target;

	reload_run(t->ops, t->arg, t->path, *t->cur, res);
}

void reload_on_hup(struct evl *l, int signo, void *target)
{
	struct reload_result res;

	(void)l;
	(void)signo;
	reload_target_run(target, &res);
	reload_result_clear(&res);
}

/* ---- payloads ---- */

static int to_buf(struct json_object *o, char *buf, size_t cap)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED |
	                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = s ? strlen(s) : 0;
	int rc = !s ? CH_ENOMEM : n >= cap ? CH_ENOSPACE : (int)n;

	if (rc >= 0)
		memcpy(buf, s, n + 1);
	json_object_put(o);
	return rc;
}

int reload_request_json(const char *id, char *buf, size_t cap)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return CH_ENOMEM;
	json_object_object_add(o, "request", json_object_new_string(id));
	return to_buf(o, buf, cap);
}

/* Adds the paths of d that fit in *room bytes; returns how many were left out. */
static size_t add_paths(struct json_object *o, const char *key, const struct conf_diff *d,
                        size_t *room)
{
	struct json_object *a = json_object_new_array();
	size_t left = 0;

	for (size_t i = 0; i < d->n; i++) {
		size_t need =
		    strlen(d->paths[i]) + 4; /* quotes, comma, space: paths need no escapes */

		if (need > *room) {
			left++;
			continue;
		}
		*room -= need;
		json_object_array_add(a, json_object_new_string(d->paths[i]));
	}
	json_object_object_add(o, key, a);
	return left;
}

int reload_answer_json(const char *id, const char *daemon, long pid, const struct reload_result *r,
                       char *buf, size_t cap)
{
	struct json_object *o = json_object_new_object();
	size_t room = (cap < RELOAD_PAYLOAD_MAX ? cap : RELOAD_PAYLOAD_MAX), more, base;

	if (!o)
		return CH_ENOMEM;
	json_object_object_add(o, "answer", json_object_new_string(id));
	json_object_object_add(o, "daemon", json_object_new_string(daemon));
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	json_object_object_add(o, "reloaded", json_object_new_boolean(r->reloaded));
	if (!r->reloaded)
		json_object_object_add(o, "error", json_object_new_string(r->error));
	/* what is there so far, its escapes included, and the keys still to come */
	base = strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED |
	                                                    JSON_C_TO_STRING_NOSLASHESCAPE)) +
	       64;
	room = room > base ? room - base : 0;
	more = add_paths(o, "restart", &r->restart, &room);
	more += add_paths(o, "changed", &r->changed, &room);
	json_object_object_add(o, "more", json_object_new_int64((int64_t)more));
	return to_buf(o, buf, cap);
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= RELOAD_ID_LEN)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '\\')
			return false;
	return true;
}

static bool get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return false;
	*out = json_object_get_string(v);
	return true;
}

static bool daemon_known(const char *name)
{
	for (const char *const *d = reload_daemons; *d; d++)
		if (strcmp(*d, name) == 0)
			return true;
	return false;
}

int reload_msg_parse(const char *payload, struct reload_msg *out)
{
	struct json_tokener *tok = json_tokener_new_ex(RELOAD_JSON_DEPTH);
	struct json_object *o = NULL;
	struct reload_msg m = {0};
	const char *id = NULL, *daemon = NULL;

	if (!tok)
		return CH_ENOMEM;
	o = json_tokener_parse_ex(tok, payload, (int)strnlen(payload, RELOAD_PAYLOAD_MAX + 1));
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(payload))
		goto fail;
	if (!json_object_is_type(o, json_type_object))
		goto fail;
	if (get_str(o, "request", &id)) {
		m.is_request = true;
	} else if (!get_str(o, "answer", &id) || !get_str(o, "daemon", &daemon) ||
	           !daemon_known(daemon)) {
		goto fail;
	}
	if (!id_ok(id))
		goto fail;
	snprintf(m.id, sizeof(m.id), "%s", id);
	if (daemon)
		snprintf(m.daemon, sizeof(m.daemon), "%s", daemon);
	m.payload = o;
	json_tokener_free(tok);
	*out = m;
	return 0;
fail:
	json_object_put(o);
	json_tokener_free(tok);
	return CH_EMALFORMED;
}

void reload_msg_clear(struct reload_msg *m)
{
	json_object_put(m->payload);
	m->payload = NULL;
}
