/*
 * What changed between two loaded configurations, by JSON path: both are
 * printed as conf_print prints them (defaults resolved, secrets included)
 * and compared key by key, so a path names a key of the file in the
 * loader's own words ("/dhcp6/subnets/0/pools/0/end", RFC 6901 pointers).
 * A daemon matches the paths against its list of keys that need a restart.
 */
#ifndef CHORUS_CONF_DIFF_H
#define CHORUS_CONF_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

struct json_object;

/* The configuration as conf_print would print it (flags: CONF_PRINT_*), as
 * a new json-c object (json_object_put it), or NULL when out of memory. */
struct json_object *conf_to_json(const struct conf *c, unsigned flags);

struct conf_diff {
	char **paths; /* JSON pointers of the keys that differ, in print order */
	size_t n;
	size_t cap;
};

/*
 * Writes into *out the paths where a and b differ: a key present in one
 * only, a value that differs, an array element added or removed (its own
 * path, e.g. "/dhcp6/subnets/2"). Values are compared, never reported, so
 * a changed secret shows only as its path. Returns 0 or CH_ENOMEM; *out is
 * written only on success (free it with conf_diff_clear).
 */
int conf_diff(const struct conf *a, const struct conf *b, struct conf_diff *out);
void conf_diff_clear(struct conf_diff *d);

/* True when path is pattern or lies under it ("/api/listen/0" is under
 * "/api/listen"); a pattern segment "*" matches any one segment. */
bool conf_path_under(const char *path, const char *pattern);

/* The paths of d that lie under one of the NULL-terminated patterns, into
 * *out (same rules as conf_diff). 0 or CH_ENOMEM. */
int conf_diff_filter(const struct conf_diff *d, const char *const *patterns, struct conf_diff *out);

#endif
