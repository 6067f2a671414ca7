/* The embedded migration table: the generated admin_sql.inc, and its sanity check. */
#include "errors.h"
#include "admin_sql.h"
#include "schema.h"

#include "admin_sql.inc"

_Static_assert(sizeof(admin_migrations) / sizeof(admin_migrations[0]) == CHORUS_SCHEMA_VERSION,
               "sql/schema.h: CHORUS_SCHEMA_VERSION must be the number of the last migration");

const size_t admin_n_migrations = sizeof(admin_migrations) / sizeof(admin_migrations[0]);

int admin_sql_check(void)
{
	for (size_t i = 0; i < admin_n_migrations; i++)
		if (admin_migrations[i].version != (int)i + 1)
			return CH_EVERSION;
	return 0;
}
