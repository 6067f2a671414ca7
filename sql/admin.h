/*
 * chorus-admin: creates and upgrades one instance's lease-store schema and its
 * roles. admin_main.c parses the command line and maps results to exit codes;
 * admin_store.c holds the connection and every statement.
 */
#ifndef CHORUS_ADMIN_H
#define CHORUS_ADMIN_H

#include <stdbool.h>

#include "conf.h"

/* Exit codes, documented in --help. */
enum admin_exit {
	ADMIN_EXIT_OK = 0,       /* done, or nothing to do */
	ADMIN_EXIT_USAGE = 1,    /* bad command line or schema name */
	ADMIN_EXIT_CONNECT = 2,  /* cannot connect to the database */
	ADMIN_EXIT_PERM = 3,     /* the database user lacks a right */
	ADMIN_EXIT_VERSION = 4,  /* schema newer than this chorus-admin, or not a Chorus schema */
	ADMIN_EXIT_DB = 5,       /* a statement failed */
	ADMIN_EXIT_NOSCHEMA = 6, /* the schema does not exist (db-version, db-upgrade, db-roles) */
};

/* Longest schema name, the one the daemons' config accepts (lib/conf.h). */
#define ADMIN_SCHEMA_MAX CONF_SCHEMA_MAX

struct admin_store;

/* Prints an error prefixed with the program name to stderr. */
void admin_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Checks a schema name: [a-z_][a-z0-9_]*, at most ADMIN_SCHEMA_MAX bytes, not
 * pg_* or information_schema. Returns NULL if valid, else why not.
 */
const char *admin_schema_invalid(const char *name);

/*
 * Connects with conninfo (NULL or "" for the PG* environment) for the schema
 * name, which must be valid. Returns 0 and *out, or CH_EDB after printing
 * libpq's message and where it tried to connect (never the password).
 */
int admin_store_open(const char *conninfo, const char *schema, struct admin_store **out);
void admin_store_free(struct admin_store *st);

/*
 * Applies the missing migrations, each in its own transaction under an
 * advisory lock; with create, creates the schema first. Then, unless
 * no_roles, creates the missing roles and grants (roles.sql). Prints what it
 * did. Returns 0, CH_ENOENT (no schema and !create), CH_EVERSION (newer or
 * foreign schema), CH_EPERM or CH_EDB; the message is already printed.
 */
int admin_store_upgrade(struct admin_store *st, bool create, bool no_roles);

/* Runs roles.sql alone. Returns as admin_store_upgrade. */
int admin_store_roles(struct admin_store *st);

/*
 * Reads the schema's version into *out. Returns 0, CH_ENOENT (no schema),
 * CH_EVERSION (not a Chorus schema), CH_EPERM or CH_EDB, message printed.
 */
int admin_store_version(struct admin_store *st, int *out);

#endif
