/* The embedded migration table: the generated admin_sql.inc, and its sanity check. */
#include "errors.h"
#include "admin_sql.h"

#include "admin_sql.inc"

const size_t admin_n_migrations = sizeof(admin_migrations) / sizeof(admin_migrations[0]);

int admin_sql_check(void)
{
	for (size_t i = 0; i < admin_n_migrations; i++)
		if (admin_migrations[i].version != (int)i + 1)
			return CH_EVERSION;
	return 0;
}
