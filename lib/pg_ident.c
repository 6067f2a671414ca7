/*
 * PostgreSQL's reserved keywords, from the keyword appendix of PostgreSQL
 * 15 ("SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')").
 */
#include <stdio.h>
#include <string.h>

#include "pg_ident.h"

/* Each word between blanks, so " word " finds only whole words. */
static const char pg_reserved[] =
    " all analyse analyze and any array as asc asymmetric authorization binary both"
    " case cast check collate collation column concurrently constraint create cross"
    " current_catalog current_date current_role current_schema current_time"
    " current_timestamp current_user default deferrable desc distinct do else end"
    " except false fetch for foreign freeze from full grant group having ilike in"
    " initially inner intersect into is isnull join lateral leading left like limit"
    " localtime localtimestamp natural not notnull null offset on only or order outer"
    " overlaps placing primary references returning right select session_user similar"
    " some symmetric table tablesample then to trailing true union unique user using"
    " variadic verbose when where window with ";

bool pg_ident_reserved(const char *s)
{
	char key[32];
	int n = snprintf(key, sizeof(key), " %s ", s);

	if (n < 0 || (size_t)n >= sizeof(key) || s[0] == '\0' || strchr(s, ' '))
		return false; /* empty, blank or longer than any keyword */
	return strstr(pg_reserved, key) != NULL;
}
