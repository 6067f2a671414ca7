/*
 * PostgreSQL identifiers that Chorus writes unquoted: the schema name of an
 * instance, used in statements, role and channel names (sql/roles.sql,
 * lib/db.c, lib/reload_chan.c) and by operators' own scripts.
 */
#ifndef CHORUS_PG_IDENT_H
#define CHORUS_PG_IDENT_H

#include <stdbool.h>

/*
 * True when s is a keyword PostgreSQL 15 reserves outright (category R of
 * pg_get_keywords()) or reserves but for function and type names (T): such
 * a name fails unquoted where we write a schema ("CREATE SCHEMA left",
 * "SELECT ... FROM user.leases"). Case-sensitive: schema names are lower
 * case. The unreserved (U) and column-name (C) keywords work as schemas.
 */
bool pg_ident_reserved(const char *s);

#endif
