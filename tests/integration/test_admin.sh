#!/bin/bash
# chorus-admin against a real PostgreSQL: db-init, db-upgrade, db-version, db-roles,
# idempotence, two schemas side by side, refusals (newer schema, foreign schema, bad
# name, unreachable server, missing rights) and their exit codes.
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"
it_setup admin

S1=${IT}_s1
S2=${IT}_s2
it_role ${S1}_dhcp ${S1}_lq ${S1}_ddns ${S1}_api ${S2}_dhcp ${S2}_lq ${S2}_ddns ${S2}_api
LATEST=$("$ADMIN" --version | sed -n 's/.*schema version \([0-9]*\)$/\1/p')

# run ARGS...: runs chorus-admin, sets $rc, $out (stdout) and $err (stderr).
run() {
	local e
	e=$(mktemp)
	out=$("$ADMIN" "$@" 2>"$e")
	rc=$?
	err=$(cat "$e")
	rm -f "$e"
}

# dump ARGS...: pg_dump --schema-only, without the random \restrict keys of newer pg_dumps.
dump() {
	pg_dump --schema-only "$@" | grep -Ev '^\\(un)?restrict '
}

# same DESCRIPTION GOT WANT: like is(), but shows a diff of multi-line text.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -40 | sed 's/^/#   /'
	fi
}

roles() {
	q "SELECT string_agg(rolname || ':' || rolcanlogin, ' ' ORDER BY rolname)
	   FROM pg_roles WHERE rolname LIKE '${IT}%'"
}

# --- command line -------------------------------------------------------------
run --help
is "--help exits 0" "$rc" 0
like "--help documents the exit codes" "$out" "Exit status:"
like "--version names the latest schema version" "$LATEST" "^[1-9][0-9]*$"
run
is "no command: exit 1" "$rc" 1
run db-frobnicate --schema x
is "unknown command: exit 1" "$rc" 1
like "unknown command is named" "$err" "unknown command 'db-frobnicate'"
run db-init
is "db-init without --schema: exit 1" "$rc" 1
like "missing --schema is explained" "$err" "needs --schema"

# --- db-init, db-version --------------------------------------------------------
run db-init --schema "$S1"
is "db-init exits 0" "$rc" 0
like "db-init reports the schema it created" "$out" "schema $S1: created"
like "db-init reports each migration" "$out" "applied 0001_schema.sql"
like "db-init reports the roles it created" "$out" "created role ${S1}_lq"
is "db-init is silent on stderr" "$err" ""
run db-version --schema "$S1"
is "db-version exits 0" "$rc" 0
is "db-version prints version and the latest known" "$out" \
	"schema $S1 version $LATEST (this chorus-admin knows up to $LATEST)"
is "schema_version holds one row at the latest version" \
	"$(q "SELECT count(*) || ':' || max(version) FROM $S1.schema_version")" "1:$LATEST"
is "roles are created NOLOGIN" "$(roles)" \
	"${S1}_api:false ${S1}_ddns:false ${S1}_dhcp:false ${S1}_lq:false"

# --- idempotence ----------------------------------------------------------------
before=$(dump -n "$S1")
roles_before=$(roles)
run db-init --schema "$S1"
is "second db-init exits 0" "$rc" 0
like "second db-init says there is nothing to apply" "$out" "already at version $LATEST, nothing to apply"
like "second db-init finds the roles present" "$out" "roles .* present"
same "second db-init leaves the schema dump unchanged" "$(dump -n "$S1")" "$before"
is "second db-init leaves the roles unchanged" "$(roles)" "$roles_before"
run db-upgrade --schema "$S1"
is "db-upgrade on a current schema exits 0" "$rc" 0
like "db-upgrade on a current schema is a no-op" "$out" "nothing to apply"
same "db-upgrade leaves the schema dump unchanged" "$(dump -n "$S1")" "$before"

# --- two schemas in one database ------------------------------------------------
q "INSERT INTO $S1.events (kind) VALUES ('test')" >/dev/null
run db-init --schema "$S2"
is "db-init of a second schema exits 0" "$rc" 0
same "the first schema is untouched by the second" "$(dump -n "$S1" | grep -v '^-- ')" \
	"$(printf '%s\n' "$before" | grep -v '^-- ')"
is "the second schema starts empty" "$(q "SELECT count(*) FROM $S2.events")" 0
is "the first keeps its rows" "$(q "SELECT count(*) FROM $S1.events")" 1
run db-version --schema "$S2"
is "both schemas have their own version" "$out" \
	"schema $S2 version $LATEST (this chorus-admin knows up to $LATEST)"
is "the second schema has its own roles" \
	"$(q "SELECT count(*) FROM pg_roles WHERE rolname LIKE '${S2}\_%'")" 4

# --- two admins at once --------------------------------------------------------
S3=${IT}_race
it_role ${S3}_dhcp ${S3}_lq ${S3}_ddns ${S3}_api
race=$(mktemp -d)
"$ADMIN" db-init --schema "$S3" >"$race/1" 2>&1 &
p1=$!
"$ADMIN" db-init --schema "$S3" >"$race/2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
is "two concurrent db-init both succeed" "$r1:$r2" "0:0"
is "... and apply the migrations once" "$(q "SELECT version FROM $S3.schema_version")" "$LATEST"
is "... and exactly one of them applies them" "$(cat "$race/1" "$race/2" | grep -c 'applied 0001')" 1
rm -rf "$race"

# --- upgrade from version 1, with a lease in it ---------------------------------
# A schema made by the first release (0001 alone) is upgraded in place: its rows stay, the
# result is the schema a new db-init makes, and the overlap rule still holds.
OLD=${IT}_v1
it_role ${OLD}_dhcp ${OLD}_lq ${OLD}_ddns ${OLD}_api
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $OLD" -c "SET search_path = $OLD" \
	-f "$CHORUS_SRCDIR/sql/0001_schema.sql" \
	-c "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft,
		valid_lft, cltt, expires_at, granted_by, relay_ids)
	    VALUES ('pd', '2001:db8:100::/56', '\\x0001', 1, 1, '2001:db8::1', 600, 900, now(),
		now() + interval '900 s', 'v1', ARRAY['\\x00000001'::bytea])" >/dev/null ||
	bail "cannot build a version 1 schema"
run db-version --schema "$OLD"
like "a version 1 schema reads as version 1" "$out" "schema $OLD version 1 "
run db-upgrade --schema "$OLD"
is "db-upgrade from version 1 exits 0" "$rc" 0
like "... applying every later migration" "$out" "applied 0002_"
is "... up to the latest version" "$(q "SELECT version FROM $OLD.schema_version")" "$LATEST"
is "... keeping the lease" "$(q "SELECT host(addr) || '/' || masklen(addr) FROM $OLD.leases")" \
	"2001:db8:100::/56"
same "an upgraded schema is the schema db-init makes" \
	"$(dump -n "$OLD" | grep -v '^-- ' | sed "s/$OLD/SCHEMA/g")" \
	"$(dump -n "$S1" | grep -v '^-- ' | sed "s/$S1/SCHEMA/g")"
is "the overlap rule is on SP-GiST after the upgrade" \
	"$(q "SELECT am.amname FROM pg_constraint c JOIN pg_class i ON i.oid = c.conindid
	      JOIN pg_am am ON am.oid = i.relam
	      WHERE c.conname = 'leases_no_overlap' AND c.connamespace = '$OLD'::regnamespace")" spgist
err=$(q "INSERT INTO $OLD.leases (lease_type, addr, duid, iaid, subnet_id, link_addr,
	preferred_lft, valid_lft, cltt, expires_at, granted_by)
	VALUES ('na', '2001:db8:100::7', '\\x0002', 1, 1, '2001:db8::1', 600, 900, now(),
	now() + interval '900 s', 'v2')" 2>&1)
like "... and refuses an address inside the old lease's prefix" "$err" "leases_no_overlap"

# --- missing schema ------------------------------------------------------------
run db-version --schema "${IT}_none"
is "db-version of a missing schema: exit 6" "$rc" 6
like "... says it does not exist" "$err" "schema ${IT}_none does not exist"
run db-upgrade --schema "${IT}_none"
is "db-upgrade of a missing schema: exit 6" "$rc" 6
is "... and does not create it" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = '${IT}_none'")" 0

# --- newer and foreign schemas ---------------------------------------------------
q "UPDATE $S2.schema_version SET version = 99" >/dev/null
run db-upgrade --schema "$S2"
is "db-upgrade refuses a newer schema: exit 4" "$rc" 4
like "... naming both versions" "$err" "version 99, newer than this chorus-admin knows \(up to $LATEST\)"
run db-init --schema "$S2"
is "db-init refuses a newer schema: exit 4" "$rc" 4
run db-version --schema "$S2"
is "db-version of a newer schema: exit 4" "$rc" 4
like "... still prints both numbers" "$out" "version 99 \(this chorus-admin knows up to $LATEST\)"
run db-roles --schema "$S2"
is "db-roles refuses a newer schema: exit 4" "$rc" 4
q "UPDATE $S2.schema_version SET version = $LATEST" >/dev/null

q "CREATE SCHEMA ${IT}_foreign; CREATE TABLE ${IT}_foreign.t (x int)" >/dev/null
run db-init --schema "${IT}_foreign"
is "db-init refuses a schema that is not ours: exit 4" "$rc" 4
like "... and says why" "$err" "not a Chorus schema"
q "CREATE SCHEMA ${IT}_empty" >/dev/null
run db-init --schema "${IT}_empty" --no-roles
is "db-init fills an existing empty schema" "$rc:$(q "SELECT version FROM ${IT}_empty.schema_version")" "0:$LATEST"
is "--no-roles creates no roles" "$(q "SELECT count(*) FROM pg_roles WHERE rolname LIKE '${IT}\_empty\_%'")" 0

# --- a failing migration leaves nothing behind ------------------------------------
# An event trigger makes the migration fail at its first CREATE INDEX, after its tables.
SA=${IT}_atomic
it_role ${SA}_dhcp ${SA}_lq ${SA}_ddns ${SA}_api
q "CREATE FUNCTION public.it_fail() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
   BEGIN
	IF current_schema() = '$SA' THEN
		RAISE EXCEPTION 'injected failure';
	END IF;
   END \$\$;
   CREATE EVENT TRIGGER it_fail ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
	EXECUTE FUNCTION public.it_fail()" >/dev/null
run db-init --schema "$SA"
is "a failing migration: exit 5" "$rc" 5
like "... names the migration and the reason" "$err" "applying 0001_schema.sql failed: injected failure"
is "... and rolls back everything, the schema included" \
	"$(q "SELECT count(*) FROM pg_namespace WHERE nspname = '$SA'")" 0
is "... and creates no roles" "$(q "SELECT count(*) FROM pg_roles WHERE rolname LIKE '${SA}\_%'")" 0
q "DROP EVENT TRIGGER it_fail" >/dev/null
run db-init --schema "$SA"
is "the same db-init succeeds once the cause is gone" "$rc" 0

# --- schema names ---------------------------------------------------------------
for bad in Upper 1digit a-b 'a b' 'x";drop' pg_catalog information_schema "" \
	"$(printf 'a%.0s' $(seq 57))"; do
	run db-init --schema "$bad"
	is "invalid schema name '${bad:0:20}' refused with exit 1" "$rc" 1
	like "... with a clear message" "$err" "invalid schema name"
done
# reserved words fail unquoted ("CREATE SCHEMA select"), so they are refused
# before anything is created; a keyword PostgreSQL does not reserve works
for bad in select user order table left; do
	run db-init --schema "$bad"
	is "reserved word '$bad' refused with exit 1" "$rc" 1
	like "... saying why" "$err" "invalid schema name '$bad': it is an SQL reserved word; pick another name"
	is "... and nothing is created" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = '$bad'")" 0
done
# 56 bytes: <schema>_reload, the longest derived name, fills PostgreSQL's 63
long=${IT}_$(printf 'x%.0s' $(seq $((56 - ${#IT} - 1))))
it_role ${long}_dhcp ${long}_lq ${long}_ddns ${long}_api
run db-init --schema "$long"
is "a 56-byte schema name is accepted" "$rc" 0
is "... and its role names fit in 63 bytes" \
	"$(q "SELECT count(*) FROM pg_roles WHERE rolname = '${long}_ddns'")" 1

# --- unreachable database -------------------------------------------------------
run db-version --schema "$S1" -d "host=/nonexistent/chorus port=1"
is "unreachable socket: exit 2" "$rc" 2
like "... says it cannot connect, and where" "$err" "cannot connect to the database \(host=/nonexistent/chorus port=1 "
like "... with libpq's reason" "$err" "No such file or directory"
run db-version --schema "$S1" -d "host=127.0.0.1 port=1 password=hunter2 connect_timeout=3"
is "refused TCP connection: exit 2" "$rc" 2
like "... names host and port" "$err" "host=127.0.0.1 port=1"
case "$err" in
*hunter2*) not_ok "the password is never printed" ;;
*) ok "the password is never printed" ;;
esac
run db-version --schema "$S1" -d "postgresql://nobody@/nodb?host=$PGHOST&port=$PGPORT"
is "unknown user: exit 2" "$rc" 2

# --- rights ---------------------------------------------------------------------
WEAK=${IT}_weak
MID=${IT}_mid
it_role "$WEAK" "$MID" ${IT}_mids_dhcp ${IT}_mids_lq ${IT}_mids_ddns ${IT}_mids_api
q "CREATE ROLE $WEAK LOGIN; CREATE ROLE $MID LOGIN; GRANT CREATE ON DATABASE $it_db TO $MID" >/dev/null
run db-init --schema "${IT}_weaks" -d "user=$WEAK"
is "a user without CREATE on the database: exit 3" "$rc" 3
like "... told which right is missing" "$err" "lacks the CREATE right on database $it_db"
is "... and nothing was created" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = '${IT}_weaks'")" 0
run db-upgrade --schema "$S1" -d "user=$WEAK"
is "a user without rights on an existing schema: exit 3" "$rc" 3
like "... says it lacks a right" "$err" "permission denied.*lacks this right"
run db-init --schema "${IT}_mids" -d "user=$MID"
is "a user without CREATEROLE: exit 3" "$rc" 3
like "... told CREATEROLE is missing" "$err" "lacks CREATEROLE"
is "... after the migrations were applied" "$(q "SELECT version FROM ${IT}_mids.schema_version")" "$LATEST"
run db-init --schema "${IT}_mids" -d "user=$MID" --no-roles
is "the same user with --no-roles: exit 0" "$rc" 0
run db-roles --schema "${IT}_mids"
is "a superuser creates the roles with db-roles" "$rc" 0
like "... and says so" "$out" "created role ${IT}_mids_dhcp"
run db-init --schema "${IT}_mids" -d "user=$MID"
is "then the owner's db-init succeeds" "$rc" 0
run db-roles --schema "${IT}_none"
is "db-roles of a missing schema: exit 6" "$rc" 6

done_testing
