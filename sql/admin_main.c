/*
 * chorus-admin: command line of the lease-store administration tool. Parses
 * options, validates the schema name, runs one command through admin_store.c
 * and turns its result into the exit codes listed in --help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "pg_ident.h"
#include "token.h"
#include "admin.h"
#include "admin_sql.h"

enum admin_cmd {
	CMD_INIT,
	CMD_UPGRADE,
	CMD_VERSION,
	CMD_ROLES,
	CMD_TOKEN_HASH,
	CMD_TOKEN_NEW,
};

static const struct {
	const char *name;
	enum admin_cmd cmd;
} admin_cmds[] = {
    {"db-init", CMD_INIT},   {"db-upgrade", CMD_UPGRADE},    {"db-version", CMD_VERSION},
    {"db-roles", CMD_ROLES}, {"token-hash", CMD_TOKEN_HASH}, {"token-new", CMD_TOKEN_NEW},
};

struct admin_opts {
	const char *conninfo;
	const char *schema;
	bool no_roles;
	enum admin_cmd cmd;
};

static void admin_usage(FILE *f)
{
	fprintf(f,
	        "Usage: chorus-admin COMMAND --schema NAME [-d CONNINFO] [--no-roles]\n"
	        "       chorus-admin token-hash <TOKEN_FILE\n"
	        "       chorus-admin token-new\n"
	        "\n"
	        "Creates and upgrades the PostgreSQL schema of one Chorus instance.\n"
	        "\n"
	        "Commands:\n"
	        "  db-init     create the schema if absent, apply the missing migrations,\n"
	        "              create the roles if absent and grant them; a no-op when current\n"
	        "  db-upgrade  the same for an existing schema only\n"
	        "  db-version  print the schema's version and the latest this program knows\n"
	        "  db-roles    only create the missing roles and grant them (needs CREATEROLE)\n"
	        "  token-hash  read an API token from standard input (one line), print the\n"
	        "              hash to store in api.tokens[].token; no database\n"
	        "  token-new   print a new random API token and, on a second line, its hash\n"
	        "\n"
	        "Options:\n"
	        "  -s, --schema NAME    the instance's schema: lower-case letters, digits and\n"
	        "                       '_', not starting with a digit or pg_, at most %d bytes,\n"
	        "                       not an SQL reserved word (user, select, order, ...)\n"
	        "  -d, --conninfo STR   libpq connection string or URI; without it, the PG*\n"
	        "                       environment (PGHOST, PGPORT, PGUSER, PGDATABASE, ...)\n"
	        "      --no-roles       db-init, db-upgrade: leave roles and grants alone\n"
	        "  -h, --help           show this text\n"
	        "  -V, --version        show the program version and its latest schema version\n"
	        "\n"
	        "Each migration runs in its own transaction under an advisory lock, so two\n"
	        "chorus-admins never race. The roles are cluster-wide and NOLOGIN:\n"
	        "  NAME_dhcp  chorus-dhcp6d       NAME_lq   chorus-leasequeryd (read only)\n"
	        "  NAME_ddns  chorus-ddnsd        NAME_api  chorus-apid\n"
	        "Grant them to login users, e.g. GRANT NAME_dhcp TO dhcp6d_user.\n"
	        "\n"
	        "Exit status:\n"
	        "  0  done, or nothing to do\n"
	        "  1  bad command line or schema name\n"
	        "  2  cannot connect to the database\n"
	        "  3  the database user lacks a right (CREATE, CREATEROLE, ownership)\n"
	        "  4  the schema is newer than this program, or is not a Chorus schema\n"
	        "  5  a statement failed\n"
	        "  6  the schema does not exist (db-upgrade, db-version, db-roles)\n",
	        ADMIN_SCHEMA_MAX);
}

const char *admin_schema_invalid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "it is empty";
	if (n > ADMIN_SCHEMA_MAX)
		return "it is longer than 56 bytes (channel and role names add up to 7, as in "
		       "<schema>_reload, and PostgreSQL truncates names at 63)";
	if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')))
		return "it must start with a lower-case letter or '_'";
	for (size_t i = 1; i < n; i++)
		if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return "it may hold only lower-case letters, digits and '_'";
	if (strncmp(name, "pg_", 3) == 0 || strcmp(name, "information_schema") == 0)
		return "names starting with pg_ and information_schema belong to PostgreSQL";
	if (pg_ident_reserved(name))
		return "it is an SQL reserved word; pick another name";
	return NULL;
}

/* Returns 0 and fills *o, 1 when --help or --version was served, or -1 on a usage error. */
static int admin_parse(int argc, char **argv, struct admin_opts *o)
{
	static const struct option longopts[] = {
	    {"schema", required_argument, NULL, 's'}, {"conninfo", required_argument, NULL, 'd'},
	    {"no-roles", no_argument, NULL, 'R'},     {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
	};
	const char *why;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "s:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->schema = optarg;
			break;
		case 'd':
			o->conninfo = optarg;
			break;
		case 'R':
			o->no_roles = true;
			break;
		case 'h':
			admin_usage(stdout);
			return 1;
		case 'V':
			printf("chorus-admin %s, schema version %zu\n", PACKAGE_VERSION,
			       admin_n_migrations);
			return 1;
		default:
			fprintf(stderr, "Try chorus-admin --help.\n");
			return -1;
		}
	}
	if (optind == argc - 1 &&
	    (strcmp(argv[optind], "token-hash") == 0 || strcmp(argv[optind], "token-new") == 0)) {
		o->cmd = strcmp(argv[optind], "token-hash") == 0 ? CMD_TOKEN_HASH : CMD_TOKEN_NEW;
		return 0;
	}
	if (optind != argc - 1) {
		admin_err(optind == argc ? "no command given" : "expected one command");
		fprintf(stderr, "Try chorus-admin --help.\n");
		return -1;
	}
	for (i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++)
		if (strcmp(argv[optind], admin_cmds[i].name) == 0)
			break;
	if (i == sizeof(admin_cmds) / sizeof(admin_cmds[0])) {
		admin_err("unknown command '%s'; try chorus-admin --help", argv[optind]);
		return -1;
	}
	o->cmd = admin_cmds[i].cmd;
	if (!o->schema) {
		admin_err("%s needs --schema NAME", admin_cmds[i].name);
		return -1;
	}
	if ((why = admin_schema_invalid(o->schema))) {
		admin_err("invalid schema name '%s': %s", o->schema, why);
		return -1;
	}
	return 0;
}

static int admin_exit_code(int rc)
{
	switch (rc) {
	case 0:
		return ADMIN_EXIT_OK;
	case CH_EPERM:
		return ADMIN_EXIT_PERM;
	case CH_EVERSION:
		return ADMIN_EXIT_VERSION;
	case CH_ENOENT:
		return ADMIN_EXIT_NOSCHEMA;
	default:
		return ADMIN_EXIT_DB;
	}
}

/* token-hash, token-new: no database. Returns an exit code. */
static int admin_token(enum admin_cmd cmd)
{
	char tok[512], hash[TOKEN_HASH_LEN + 1];
	size_t n;

	if (cmd == CMD_TOKEN_NEW) {
		if (token_new(tok, sizeof(tok)) < 0) {
			admin_err("no random bytes available");
			return ADMIN_EXIT_DB;
		}
	} else if (!fgets(tok, sizeof(tok), stdin)) {
		admin_err("token-hash reads the token from standard input; got nothing");
		return ADMIN_EXIT_USAGE;
	}
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	if (n < 16) {
		admin_err("a token has at least 16 characters (token-new makes one)");
		return ADMIN_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)tok[i] <= ' ' || tok[i] == 0x7f) {
			admin_err(
			    "a token is printable ASCII without spaces (sent in an HTTP header)");
			return ADMIN_EXIT_USAGE;
		}
	}
	if (token_hash(tok, n, hash) < 0)
		return ADMIN_EXIT_DB;
	if (cmd == CMD_TOKEN_NEW)
		printf("%s\n", tok);
	printf("%s\n", hash);
	return ADMIN_EXIT_OK;
}

static int admin_run_cmd(struct admin_store *st, const struct admin_opts *o)
{
	int version, rc;

	switch (o->cmd) {
	case CMD_INIT:
		return admin_store_upgrade(st, true, o->no_roles);
	case CMD_UPGRADE:
		return admin_store_upgrade(st, false, o->no_roles);
	case CMD_ROLES:
		return admin_store_roles(st);
	case CMD_TOKEN_HASH:
	case CMD_TOKEN_NEW:
		return CH_EINVAL;
	case CMD_VERSION:
		if ((rc = admin_store_version(st, &version)) < 0)
			return rc;
		printf("schema %s version %d (this chorus-admin knows up to %zu)\n", o->schema,
		       version, admin_n_migrations);
		if (version > (int)admin_n_migrations) {
			admin_err("schema %s is newer than this chorus-admin; use a newer one",
			          o->schema);
			return CH_EVERSION;
		}
		return 0;
	}
	return CH_EINVAL;
}

int main(int argc, char **argv)
{
	struct admin_opts o = {0};
	struct admin_store *st;
	int rc;

	if (admin_sql_check() < 0) {
		admin_err("built with a migration table that is not numbered 1..n");
		return ADMIN_EXIT_VERSION;
	}
	rc = admin_parse(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? ADMIN_EXIT_OK : ADMIN_EXIT_USAGE;
	if (o.cmd == CMD_TOKEN_HASH || o.cmd == CMD_TOKEN_NEW)
		return admin_token(o.cmd);
	rc = admin_store_open(o.conninfo, o.schema, &st);
	if (rc == CH_EDB)
		return ADMIN_EXIT_CONNECT;
	if (rc < 0)
		return ADMIN_EXIT_DB;
	rc = admin_run_cmd(st, &o);
	admin_store_free(st);
	return admin_exit_code(rc);
}
