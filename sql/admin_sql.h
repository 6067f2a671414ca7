/*
 * The SQL chorus-admin carries: the numbered migrations of sql/NNNN_*.sql and
 * sql/roles.sql, embedded at build time (sql/local.mk generates admin_sql.inc).
 */
#ifndef CHORUS_ADMIN_SQL_H
#define CHORUS_ADMIN_SQL_H

#include <stddef.h>

struct admin_sql {
	int version;      /* from the file name: 0002_roles.sql is version 2 */
	const char *name; /* the file name, for messages */
	const char *text; /* applied as one transaction, with search_path set */
};

/* Migrations in order; admin_migrations[i].version is i + 1 (checked by admin_sql_check). */
extern const struct admin_sql admin_migrations[];
extern const size_t admin_n_migrations;
/* Idempotent roles and grants for the latest version (sql/roles.sql). */
extern const struct admin_sql admin_roles;

/* Returns 0 when the migration table is numbered 1..n without gaps, CH_EVERSION otherwise. */
int admin_sql_check(void);

#endif
