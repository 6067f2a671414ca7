/*
 * Internal to the lease store (srv_store*.c): chorus-dhcp6d's statement
 * table, prepared on every connect (lib/db.c), and the names of its rows.
 */
#ifndef CHORUS_SRV_STORE_SQL_H
#define CHORUS_SRV_STORE_SQL_H

#include "db.h"

enum {
	ST_INSERT_BULK,
	ST_INSERT_ONE,
	ST_EXTEND_BULK,
	ST_RELEASE,
	ST_DECLINE,
	ST_EXPIRE,
	ST_PLANS,
	ST_IDENT_PUT,
	ST_IDENT_GET,
	ST_LOAD,
	ST_HISTORY,
	ST_STATS,
	ST_BEAT,
	ST_RESV,
	ST_MAX,
};

extern const struct db_stmt srv_store_stmts[ST_MAX];

#endif
