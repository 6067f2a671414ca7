/*
 * conf_diff: two configurations compared as the JSON conf_print makes of
 * them, one path per differing key. Objects are compared key by key (a key
 * of one side only is a difference), arrays element by element (the
 * elements past the shorter one are differences of their own).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf_diff.h"
#include "errors.h"

#define DIFF_PATH_MAX 512

static int diff_add(struct conf_diff *d, const char *path)
{
	char *p;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		char **v = realloc(d->paths, cap * sizeof(*v));

		if (!v)
			return CH_ENOMEM;
		d->paths = v;
		d->cap = cap;
	}
	if (!(p = strdup(path)))
		return CH_ENOMEM;
	d->paths[d->n++] = p;
	return 0;
}

/* Appends "/seg" to path (length len) with RFC 6901 escapes (~0, ~1). */
static size_t path_push(char *path, size_t len, const char *seg)
{
	size_t n = len;

	if (n + 1 < DIFF_PATH_MAX)
		path[n++] = '/';
	for (; *seg && n + 2 < DIFF_PATH_MAX; seg++) {
		if (*seg == '~' || *seg == '/') {
			path[n++] = '~';
			path[n++] = *seg == '~' ? '0' : '1';
		} else {
			path[n++] = *seg;
		}
	}
	path[n] = '\0';
	return n;
}

static int walk(struct json_object *a, struct json_object *b, char *path, size_t len,
                struct conf_diff *d);

static int walk_object(struct json_object *a, struct json_object *b, char *path, size_t len,
                       struct conf_diff *d)
{
	struct json_object *v;
	int rc = 0;

	json_object_object_foreach(a, key, va)
	{
		size_t n = path_push(path, len, key);

		rc = json_object_object_get_ex(b, key, &v) ? walk(va, v, path, n, d)
		                                           : diff_add(d, path);
		path[len] = '\0';
		if (rc < 0)
			return rc;
	}
	json_object_object_foreach(b, bkey, vb)
	{
		(void)vb;
		if (json_object_object_get_ex(a, bkey, &v))
			continue;
		path_push(path, len, bkey);
		rc = diff_add(d, path);
		path[len] = '\0';
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int walk_array(struct json_object *a, struct json_object *b, char *path, size_t len,
                      struct conf_diff *d)
{
	size_t na = json_object_array_length(a), nb = json_object_array_length(b);

	for (size_t i = 0; i < (na > nb ? na : nb); i++) {
		char idx[24];
		size_t n;
		int rc;

		snprintf(idx, sizeof(idx), "%zu", i);
		n = path_push(path, len, idx);
		rc = i < na && i < nb ? walk(json_object_array_get_idx(a, i),
		                             json_object_array_get_idx(b, i), path, n, d)
		                      : diff_add(d, path);
		path[len] = '\0';
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int walk(struct json_object *a, struct json_object *b, char *path, size_t len,
                struct conf_diff *d)
{
	enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);

	if (ta == json_type_object && tb == json_type_object)
		return walk_object(a, b, path, len, d);
	if (ta == json_type_array && tb == json_type_array)
		return walk_array(a, b, path, len, d);
	if (ta != tb || !json_object_equal(a, b))
		return diff_add(d, len ? path : "/");
	return 0;
}

int conf_diff(const struct conf *a, const struct conf *b, struct conf_diff *out)
{
	struct json_object *ja = conf_to_json(a, CONF_PRINT_SECRETS);
	struct json_object *jb = conf_to_json(b, CONF_PRINT_SECRETS);
	struct conf_diff d = {0};
	char path[DIFF_PATH_MAX] = "";
	int rc = ja && jb ? walk(ja, jb, path, 0, &d) : CH_ENOMEM;

	json_object_put(ja);
	json_object_put(jb);
	if (rc < 0) {
		conf_diff_clear(&d);
		return rc;
	}
	*out = d;
	return 0;
}

void conf_diff_clear(struct conf_diff *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	d->paths = NULL;
	d->n = d->cap = 0;
}

bool conf_path_under(const char *path, const char *pattern)
{
	while (*pattern) {
		size_t pl, sl;

		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		pl = strcspn(pattern, "/");
		sl = strcspn(path, "/");
		if (!(pl == 1 && pattern[0] == '*') &&
		    (pl != sl || strncmp(pattern, path, pl) != 0))
			return false;
		pattern += pl;
		path += sl;
	}
	return *path == '\0' || *path == '/';
}

int conf_diff_filter(const struct conf_diff *d, const char *const *patterns, struct conf_diff *out)
{
	struct conf_diff f = {0};

	for (size_t i = 0; i < d->n; i++) {
		for (const char *const *p = patterns; p && *p; p++) {
			if (!conf_path_under(d->paths[i], *p))
				continue;
			if (diff_add(&f, d->paths[i]) < 0) {
				conf_diff_clear(&f);
				return CH_ENOMEM;
			}
			break;
		}
	}
	*out = f;
	return 0;
}
