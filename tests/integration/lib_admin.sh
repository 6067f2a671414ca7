# Shared setup of the lease-store integration tests (test_admin.sh, test_schema.sh).
# Source it, then call it_setup NAME: it uses the PostgreSQL that PGHOST/PGPORT/PGUSER
# name (a superuser: the tests create roles), or starts a private cluster when PGHOST
# is unset; it creates a fresh database for this test and removes everything at exit.
# Role and schema names carry the pid ($IT) because roles are cluster-wide.
. "$CHORUS_SRCDIR/tests/lib/tap.sh"
. "$CHORUS_SRCDIR/tests/lib/pg.sh"
. "$CHORUS_SRCDIR/tests/lib/ports.sh"

ADMIN="$CHORUS_BUILDDIR/sql/chorus-admin"
IT=t$$
it_tmp=
it_db=
it_roles=

# udp_socks PID PORT: how many UDP sockets on PORT process PID holds (ss, iproute2)
udp_socks() {
	ss -H -uanp "sport = :$2" | grep -c "pid=$1,"
}

# it_wait_lines FILE PATTERN N [SECONDS]: until FILE holds N lines matching PATTERN (a
# grep regex), at most SECONDS (20); then shows the file's last 30 lines and returns 1.
it_wait_lines() {
	local n i
	for ((i = 0; i < ${4:-20} * 10; i++)); do
		n=$(grep -c -- "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "# $1:" && tail -30 "$1" | sed 's/^/#   /'
	return 1
}

# it_api METHOD PATH [curl options...]: asks chorus-apid at $URL, prints the body, then
# the status on the last line, and keeps the answer in $T/answers.jsonl for the
# OpenAPI check (tests/integration/openapi_check.js) at the end of the test.
it_api() {
	local m=$1 path=$2 out
	shift 2
	out=$(curl -sS -g -m 20 -w '\n%{http_code}' "$@" "$URL$path")
	sed '$d' <<<"$out" >"$T/body"
	jq -cn --arg m "$m" --arg p "$path" --argjson s "$(tail -n1 <<<"$out")" \
		--rawfile b "$T/body" '{method: $m, path: $p, status: $s, body: $b}' >>"$T/answers.jsonl"
	printf '%s\n' "$out"
}

it_cleanup() {
	if [ -n "$it_tmp" ]; then
		pg_stop
		rm -rf "$it_tmp"
		return
	fi
	[ -n "$it_db" ] && dropdb --maintenance-db=postgres --if-exists --force "$it_db" >/dev/null 2>&1
	for r in $it_roles; do
		psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
	done
}

it_setup() {
	[ -x "$ADMIN" ] || bail "no $ADMIN: build first"
	if [ -z "${PGHOST:-}" ]; then
		unset PG_TEST_PORT
		it_tmp=$(mktemp -d /tmp/chorus-it.XXXXXX) || bail "mktemp failed"
		trap it_cleanup EXIT
		pg_start "$it_tmp" || bail "cannot start a private PostgreSQL"
	else
		trap it_cleanup EXIT
	fi
	it_db=chorus_${1}_$$
	createdb "$it_db" || bail "createdb $it_db failed"
	export PGDATABASE=$it_db
}

# Remembers cluster-wide roles to drop at exit (only needed on a shared cluster).
it_role() {
	it_roles="$it_roles $*"
}

# q SQL: runs SQL in the test database, prints unaligned rows; exits non-zero on error.
q() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# fails DESCRIPTION PATTERN SQL [psql options]: SQL must fail with an error matching PATTERN.
fails() {
	local desc=$1 pat=$2 sql=$3 out
	shift 3
	if out=$(psql -X -q -At -v ON_ERROR_STOP=1 "$@" -c "$sql" 2>&1); then
		not_ok "$desc"
		echo "#   statement succeeded: $sql"
	elif printf '%s\n' "$out" | grep -q -- "$pat"; then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# like DESCRIPTION TEXT PATTERN: TEXT matches the extended regex PATTERN.
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$2" | sed 's/^/#   got: /'
		echo "#  want: /$3/"
	fi
}
