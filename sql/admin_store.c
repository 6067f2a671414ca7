/*
 * chorus-admin's database side: connect, probe a schema, apply the embedded
 * migrations one transaction each under an advisory lock, run roles.sql.
 * Blocking libpq is fine here (a CLI); the daemons use lib/db.c. Statements
 * take the schema name as $1; DDL names it through PQescapeIdentifier only.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "errors.h"
#include "admin.h"
#include "admin_sql.h"

struct admin_store {
	PGconn *conn;
	char *schema; /* validated name, passed as $1 and printed */
	char *ident;  /* the same, quoted by PQescapeIdentifier, for DDL */
};

/* What the catalog says about the schema, read inside the caller's transaction. */
struct admin_probe {
	bool exists;
	bool can_create; /* CREATE on the schema: may add tables */
	bool has_version;
	long n_objects; /* relations and functions in the schema */
	int version;    /* 0 when the schema has no migration yet */
	char owner[64];
};

enum admin_stmt {
	ST_LOCK,
	ST_PROBE,
	ST_DB_RIGHTS,
	ST_ROLE_RIGHTS,
	ST_CREATE_SCHEMA,
	ST_SEARCH_PATH,
	ST_VERSION,
	ST_COUNT,
};

/* $1 is always the schema name; %s (DDL only) its quoted identifier. */
static const struct {
	const char *what;
	int nparams;
	const char *sql;
} admin_stmts[ST_COUNT] = {
    [ST_LOCK] = {"taking the schema's advisory lock", 1,
                 "SELECT pg_advisory_xact_lock(hashtext('chorus-admin'), hashtext($1::text))"},
    [ST_PROBE] = {"reading the catalog", 1,
                  "SELECT has_schema_privilege(n.oid, 'CREATE'), pg_get_userbyid(n.nspowner),"
                  " EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid"
                  "  AND c.relname = 'schema_version' AND c.relkind = 'r'),"
                  " (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid)"
                  " + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)"
                  " FROM pg_namespace n WHERE n.nspname = $1::text"},
    [ST_DB_RIGHTS] = {"reading database rights", 0,
                      "SELECT has_database_privilege(current_database(), 'CREATE'),"
                      " current_user, current_database()"},
    [ST_ROLE_RIGHTS] = {"reading roles", 1,
                        "SELECT r.rolsuper OR r.rolcreaterole, current_user,"
                        " (SELECT string_agg(w, ', ') FROM unnest(ARRAY[$1::text || '_dhcp',"
                        "  $1::text || '_lq', $1::text || '_ddns', $1::text || '_api']) w"
                        "  WHERE NOT EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = w))"
                        " FROM pg_roles r WHERE r.rolname = current_user"},
    [ST_CREATE_SCHEMA] = {"creating the schema", 0, "CREATE SCHEMA %s"},
    [ST_SEARCH_PATH] = {"setting search_path", 0, "SET LOCAL search_path TO %s"},
    [ST_VERSION] = {"reading schema_version", 0, "SELECT version FROM %s.schema_version"},
};

void admin_err(const char *fmt, ...)
{
	va_list ap;

	fputs("chorus-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Prints a failed result's message, detail and hint; 42501 is a missing right. */
static int admin_pg_error(struct admin_store *st, const char *what, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *file = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	bool perm = state && strcmp(state, "42501") == 0;

	if (!msg) {
		char *m = PQerrorMessage(st->conn);
		size_t n = strlen(m);

		while (n > 0 && m[n - 1] == '\n')
			n--;
		admin_err("schema %s: %s failed: %.*s", st->schema, what, (int)n, m);
	} else {
		admin_err("schema %s: %s failed: %s%s", st->schema, what, msg,
		          perm ? " (the database user lacks this right)" : "");
	}
	if (detail)
		fprintf(stderr, "  detail: %s\n", detail);
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
	if (file)
		fprintf(stderr, "  context: %s\n", file);
	return perm ? CH_EPERM : CH_EDB;
}

/*
 * Runs a table statement, or raw SQL when sql is set. Returns 0 and *out
 * (which the caller PQclears; out may be NULL), or CH_EPERM / CH_EDB printed.
 */
static int admin_run(struct admin_store *st, enum admin_stmt id, const char *what, const char *sql,
                     PGresult **out)
{
	const char *param = st->schema, *mark;
	bool with_param = false;
	char buf[256];
	PGresult *res;
	int rc;

	if (!sql) {
		what = admin_stmts[id].what;
		sql = admin_stmts[id].sql;
		with_param = admin_stmts[id].nparams == 1;
		mark = strstr(sql, "%s");
		if (mark) {
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(mark - sql), sql, st->ident,
			         mark + 2);
			sql = buf;
		}
	}
	if (with_param)
		res = PQexecParams(st->conn, sql, 1, NULL, &param, NULL, NULL, 0);
	else
		res = PQexec(st->conn, sql);
	rc = PQresultStatus(res);
	if (rc != PGRES_COMMAND_OK && rc != PGRES_TUPLES_OK) {
		rc = admin_pg_error(st, what, res);
		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

static int admin_stmt(struct admin_store *st, enum admin_stmt id, PGresult **out)
{
	return admin_run(st, id, NULL, NULL, out);
}

static int admin_exec(struct admin_store *st, const char *what, const char *sql)
{
	return admin_run(st, ST_COUNT, what, sql, NULL);
}

/* BEGIN, then the advisory lock that keeps two chorus-admins on one schema apart. */
static int admin_begin(struct admin_store *st)
{
	int rc = admin_exec(st, "starting a transaction", "BEGIN");

	if (rc == 0)
		rc = admin_stmt(st, ST_LOCK, NULL);
	return rc;
}

static void admin_rollback(struct admin_store *st)
{
	PQclear(PQexec(st->conn, "ROLLBACK"));
}

static bool admin_bool(const PGresult *res, int col)
{
	return PQgetvalue(res, 0, col)[0] == 't';
}

/* Fills *out from the catalog and schema_version. Returns 0, CH_EVERSION, CH_EPERM, CH_EDB. */
static int admin_probe(struct admin_store *st, struct admin_probe *out)
{
	struct admin_probe p = {0};
	PGresult *res;
	int rc;

	if ((rc = admin_stmt(st, ST_PROBE, &res)) < 0)
		return rc;
	p.exists = PQntuples(res) == 1;
	if (p.exists) {
		p.can_create = admin_bool(res, 0);
		snprintf(p.owner, sizeof(p.owner), "%s", PQgetvalue(res, 0, 1));
		p.has_version = admin_bool(res, 2);
		p.n_objects = strtol(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	if (p.has_version) {
		if ((rc = admin_stmt(st, ST_VERSION, &res)) < 0)
			return rc;
		if (PQntuples(res) != 1) {
			admin_err("schema %s: schema_version holds %d rows instead of one; "
			          "the schema is damaged, refusing to touch it",
			          st->schema, PQntuples(res));
			PQclear(res);
			return CH_EVERSION;
		}
		p.version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	} else if (p.n_objects > 0) {
		admin_err("schema %s exists but is not a Chorus schema (%ld objects, no "
		          "schema_version table); refusing to touch it",
		          st->schema, p.n_objects);
		return CH_EVERSION;
	}
	*out = p;
	return 0;
}

static int admin_check_newer(struct admin_store *st, int version)
{
	if (version <= (int)admin_n_migrations)
		return 0;
	admin_err("schema %s is at version %d, newer than this chorus-admin knows (up to %zu); "
	          "use a newer chorus-admin",
	          st->schema, version, admin_n_migrations);
	return CH_EVERSION;
}

/* Checks that the current user may CREATE SCHEMA in this database, before trying. */
static int admin_check_db_create(struct admin_store *st)
{
	PGresult *res;
	int rc;

	if ((rc = admin_stmt(st, ST_DB_RIGHTS, &res)) < 0)
		return rc;
	if (!admin_bool(res, 0)) {
		admin_err("schema %s does not exist and user %s lacks the CREATE right on "
		          "database %s, so it cannot create it; as the database owner run "
		          "GRANT CREATE ON DATABASE %s TO %s, or create the schema for this user",
		          st->schema, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
		          PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1));
		rc = CH_EPERM;
	}
	PQclear(res);
	return rc;
}

/* Runs one migration in the open transaction and checks that it set its version. */
static int admin_apply(struct admin_store *st, const struct admin_sql *m)
{
	char what[128];
	struct admin_probe p;
	int rc;

	snprintf(what, sizeof(what), "applying %s", m->name);
	if ((rc = admin_stmt(st, ST_SEARCH_PATH, NULL)) < 0 ||
	    (rc = admin_exec(st, what, m->text)) < 0 || (rc = admin_probe(st, &p)) < 0)
		return rc;
	if (p.version != m->version) {
		admin_err("schema %s: %s left schema_version at %d instead of %d; not applied",
		          st->schema, m->name, p.version, m->version);
		return CH_EVERSION;
	}
	return 0;
}

/*
 * One transaction: lock, look, create the schema if asked, apply the next
 * migration. Returns 1 when it applied one, 0 when up to date, or a CH_E*.
 */
static int admin_step(struct admin_store *st, bool create, int *out_version)
{
	struct admin_probe p;
	int rc;

	if ((rc = admin_begin(st)) < 0 || (rc = admin_probe(st, &p)) < 0)
		goto fail;
	if (!p.exists && !create) {
		admin_err("schema %s does not exist; create it with chorus-admin db-init",
		          st->schema);
		rc = CH_ENOENT;
		goto fail;
	}
	if ((rc = admin_check_newer(st, p.version)) < 0)
		goto fail;
	*out_version = p.version;
	if (p.version == (int)admin_n_migrations) {
		admin_rollback(st);
		return 0;
	}
	if (!p.exists) {
		if ((rc = admin_check_db_create(st)) < 0 ||
		    (rc = admin_stmt(st, ST_CREATE_SCHEMA, NULL)) < 0)
			goto fail;
		printf("schema %s: created\n", st->schema);
	} else if (!p.can_create) {
		admin_err("schema %s: user %s lacks the CREATE right on the schema (owner %s), "
		          "so it cannot apply migrations; run chorus-admin as the owner",
		          st->schema, PQuser(st->conn), p.owner);
		rc = CH_EPERM;
		goto fail;
	}
	if ((rc = admin_apply(st, &admin_migrations[p.version])) < 0 ||
	    (rc = admin_exec(st, "committing", "COMMIT")) < 0)
		goto fail;
	printf("schema %s: applied %s, now at version %d\n", st->schema,
	       admin_migrations[p.version].name, admin_migrations[p.version].version);
	*out_version = admin_migrations[p.version].version;
	return 1;
fail:
	admin_rollback(st);
	return rc;
}

/* roles.sql in its own transaction; the lock and search_path as for migrations. */
static int admin_roles_apply(struct admin_store *st)
{
	PGresult *res;
	char missing[512] = "";
	int rc;

	if ((rc = admin_begin(st)) < 0 || (rc = admin_stmt(st, ST_ROLE_RIGHTS, &res)) < 0)
		goto fail;
	if (!PQgetisnull(res, 0, 2))
		snprintf(missing, sizeof(missing), "%s", PQgetvalue(res, 0, 2));
	if (missing[0] && !admin_bool(res, 0)) {
		admin_err("schema %s: cannot create roles %s: user %s lacks CREATEROLE; have a "
		          "superuser run chorus-admin db-roles --schema %s, or pass --no-roles",
		          st->schema, missing, PQgetvalue(res, 0, 1), st->schema);
		PQclear(res);
		rc = CH_EPERM;
		goto fail;
	}
	PQclear(res);
	if ((rc = admin_stmt(st, ST_SEARCH_PATH, NULL)) < 0 ||
	    (rc = admin_exec(st, "applying roles.sql", admin_roles.text)) < 0 ||
	    (rc = admin_exec(st, "committing", "COMMIT")) < 0)
		goto fail;
	if (!missing[0])
		printf("schema %s: roles %s_dhcp, %s_lq, %s_ddns, %s_api present, grants checked\n",
		       st->schema, st->schema, st->schema, st->schema, st->schema);
	return 0;
fail:
	admin_rollback(st);
	return rc;
}

int admin_store_upgrade(struct admin_store *st, bool create, bool no_roles)
{
	int rc, version = 0, applied = 0;

	while ((rc = admin_step(st, create, &version)) > 0)
		applied++;
	if (rc < 0)
		return rc;
	if (applied == 0)
		printf("schema %s: already at version %d, nothing to apply\n", st->schema, version);
	return no_roles ? 0 : admin_roles_apply(st);
}

int admin_store_roles(struct admin_store *st)
{
	int version, rc;

	if ((rc = admin_store_version(st, &version)) < 0 ||
	    (rc = admin_check_newer(st, version)) < 0)
		return rc;
	if (version != (int)admin_n_migrations) {
		admin_err("schema %s is at version %d, roles.sql needs version %zu; run "
		          "chorus-admin db-upgrade first",
		          st->schema, version, admin_n_migrations);
		return CH_EVERSION;
	}
	return admin_roles_apply(st);
}

int admin_store_version(struct admin_store *st, int *out)
{
	struct admin_probe p;
	int rc;

	if ((rc = admin_probe(st, &p)) < 0)
		return rc;
	if (!p.exists) {
		admin_err("schema %s does not exist in database %s; create it with chorus-admin "
		          "db-init",
		          st->schema, PQdb(st->conn));
		return CH_ENOENT;
	}
	*out = p.version;
	return 0;
}

/* NOTICEs from roles.sql ("created role ...") are what db-init changed: show them. */
static void admin_notice(void *arg, const PGresult *res)
{
	const struct admin_store *st = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (msg)
		printf("schema %s: %s\n", st->schema, msg);
}

static const char *admin_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

int admin_store_open(const char *conninfo, const char *schema, struct admin_store **out)
{
	/* A conninfo's own connect_timeout overrides ours: dbname is expanded after it. */
	const char *keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
	const char *vals[] = {getenv("PGCONNECT_TIMEOUT") ? NULL : "10", conninfo, "chorus-admin",
	                      NULL};
	struct admin_store *st;
	const char *msg;
	size_t n;

	st = calloc(1, sizeof(*st));
	if (!st || !(st->schema = strdup(schema)))
		goto nomem;
	st->conn = PQconnectdbParams(keys, vals, 1);
	if (!st->conn)
		goto nomem;
	if (PQstatus(st->conn) != CONNECTION_OK) {
		msg = PQerrorMessage(st->conn);
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			n--;
		admin_err("cannot connect to the database (host=%s port=%s user=%s dbname=%s):\n"
		          "  %.*s",
		          admin_or(PQhost(st->conn), "(default)"),
		          admin_or(PQport(st->conn), "(default)"),
		          admin_or(PQuser(st->conn), "(default)"),
		          admin_or(PQdb(st->conn), "(default)"), (int)n, msg);
		admin_store_free(st);
		return CH_EDB;
	}
	PQsetNoticeReceiver(st->conn, admin_notice, st);
	st->ident = PQescapeIdentifier(st->conn, schema, strlen(schema));
	if (!st->ident)
		goto nomem;
	*out = st;
	return 0;
nomem:
	admin_err("out of memory");
	admin_store_free(st);
	return CH_ENOMEM;
}

void admin_store_free(struct admin_store *st)
{
	if (!st)
		return;
	PQfreemem(st->ident);
	PQfinish(st->conn);
	free(st->schema);
	free(st);
}
