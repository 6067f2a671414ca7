/*
 * The lease-store schema version this source tree is written against. The
 * daemons compare it with schema_version at connect and refuse to serve on a
 * mismatch (STYLE.md section 9); chorus-admin's migration table must end here
 * (a static assertion in sql/admin_sql.c keeps the two in step).
 */
#ifndef CHORUS_SCHEMA_H
#define CHORUS_SCHEMA_H

#define CHORUS_SCHEMA_VERSION 11

#endif
