/*
 * The "instance" section (name, server DUID, PostgreSQL schema and
 * conninfo, pid file, control socket) and the small "logging" section.
 */
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "conf_walk.h"
#include "errors.h"
#include "pg_ident.h"

/* A PostgreSQL identifier we never need to quote: [a-z_][a-z0-9_]*, not a
 * system schema (length: CONF_SCHEMA_MAX in the key table). */
static bool is_pg_ident(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	/* reserved for system schemas */
	return strncmp(s, "pg_", 3) != 0 && strcmp(s, "information_schema") != 0;
}

static bool is_instance_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

static bool is_abs_path(const char *s)
{
	return s[0] == '/';
}

#define INST(f) offsetof(struct conf_instance, f)

_Static_assert(CONF_SCHEMA_MAX == 56, "update the schema key's expect text");

static const struct conf_key database_keys[] = {
    {.name = "conninfo",
     .type = CONF_T_STR,
     .off = INST(conninfo),
     .flags = CONF_F_REQUIRED | CONF_F_SECRET,
     .min = 1,
     .max = CONF_TEXT_LEN - 1,
     .expect = "a libpq conninfo string"},
    {.name = "leasequery-conninfo",
     .type = CONF_T_STR,
     .off = INST(lq_conninfo),
     .flags = CONF_F_SECRET,
     .min = 1,
     .max = CONF_TEXT_LEN - 1,
     .expect = "a libpq conninfo string"},
    /* chorus-ddnsd's own login, a member of <schema>_ddns (sql/roles.sql) */
    {.name = "ddns-conninfo",
     .type = CONF_T_STR,
     .off = INST(ddns_conninfo),
     .flags = CONF_F_SECRET,
     .min = 1,
     .max = CONF_TEXT_LEN - 1,
     .expect = "a libpq conninfo string"},
    /* How long a lease change may wait at most for others to share its
     * commit when none is in flight. 0: commit at once; the changes that
     * arrive during a commit share the next one anyway (srv_store.c). */
    {.name = "commit-delay-ms",
     .type = CONF_T_U32,
     .off = INST(commit_delay_ms),
     .flags = CONF_F_RELOAD,
     .max = 100,
     .def = 0},
};

static int database_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_walk(c, v, database_keys, sizeof(database_keys) / sizeof(database_keys[0]),
	                 base, CONF_WALK_DEFAULTS, NULL);
}

static struct json_object *database_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), database_keys,
	                       sizeof(database_keys) / sizeof(database_keys[0]), base, flags);
}

static const struct conf_key instance_keys[] = {
    {.name = "name",
     .type = CONF_T_STR,
     .off = INST(name),
     .flags = CONF_F_REQUIRED,
     .min = 1,
     .max = 63,
     .expect = "a name of 1..63 letters, digits, '-' or '_'",
     .check = is_instance_name},
    {.name = "server-duid",
     .type = CONF_T_HEX,
     .off = INST(server_duid),
     .count_off = INST(server_duid_len),
     .min = 3,
     .max = CONF_DUID_MAX,
     .expect = "a DUID of 3..130 hex octets such as \"00:02:00:00:ab:11:01\""},
    {.name = "schema",
     .type = CONF_T_STR,
     .off = INST(schema),
     .min = 1,
     .max = CONF_SCHEMA_MAX,
     .defs = "chorus",
     .expect = "a PostgreSQL schema name ([a-z_][a-z0-9_]*, at most 56 bytes, since PostgreSQL "
               "truncates the derived <schema>_reload at 63; not pg_* or information_schema)",
     .check = is_pg_ident},
    {.name = "database",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_REQUIRED,
     .expect = "an object with \"conninfo\"",
     .parse = database_parse,
     .print = database_print},
    {.name = "pid-file",
     .type = CONF_T_STR,
     .off = INST(pid_file),
     .min = 1,
     .max = CONF_PATH_LEN - 1,
     .defs = "/run/chorus/chorus.pid",
     .expect = "an absolute path",
     .check = is_abs_path},
    {.name = "control-socket",
     .type = CONF_T_STR,
     .off = INST(control_socket),
     .flags = CONF_F_RELOAD,
     .min = 1,
     .max = 107, /* sun_path */
     .expect = "an absolute path of at most 107 characters",
     .check = is_abs_path},
};

int conf_instance_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	const struct conf_instance *inst = base;
	size_t mark;
	int rc;

	rc = conf_walk(c, v, instance_keys, sizeof(instance_keys) / sizeof(instance_keys[0]), base,
	               CONF_WALK_DEFAULTS, NULL);
	if (rc < 0 || !pg_ident_reserved(inst->schema))
		return rc;
	/* the schema is written unquoted, by us and by operators' scripts */
	mark = conf_push(c, "schema");
	rc = conf_err(c, "\"%s\" is an SQL reserved word; pick another name", inst->schema);
	conf_pop(c, mark);
	return rc;
}

struct json_object *conf_instance_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), instance_keys,
	                       sizeof(instance_keys) / sizeof(instance_keys[0]), base, flags);
}

static const char *const level_names[] = {"err", "warning", "notice", "info", "debug", NULL};

static const struct conf_key logging_keys[] = {
    {.name = "level",
     .type = CONF_T_ENUM,
     .off = offsetof(struct conf_logging, level),
     .flags = CONF_F_RELOAD,
     .min = LOG_ERR, /* names[i] is LOG_ERR + i */
     .def = LOG_INFO,
     .names = level_names},
    {.name = "syslog",
     .type = CONF_T_BOOL,
     .off = offsetof(struct conf_logging, syslog),
     .def = true},
};

int conf_logging_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_walk(c, v, logging_keys, sizeof(logging_keys) / sizeof(logging_keys[0]), base,
	                 CONF_WALK_DEFAULTS, NULL);
}

struct json_object *conf_logging_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), logging_keys,
	                       sizeof(logging_keys) / sizeof(logging_keys[0]), base, flags);
}
