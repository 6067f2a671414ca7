# Private PostgreSQL cluster for tests and the demo. Source this file, then:
#   pg_start DIR   initdb into DIR (created, chowned to postgres), start the
#                  server on a unix socket in DIR, export PGHOST PGPORT PGUSER
#                  PGDATABASE so psql and libpq find it
#   pg_stop        stop the server pg_start started (by its pid file)
# PostgreSQL refuses to run as root, so the server runs as the postgres user.
# Settings mirror production durability: fsync and synchronous_commit on.

pg_bindir() {
	local v
	for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
		if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then
			echo "/usr/lib/postgresql/$v/bin"
			return 0
		fi
	done
	command -v pg_ctl >/dev/null && dirname "$(command -v pg_ctl)" && return 0
	echo "pg.sh: no PostgreSQL server binaries found (apt-get install postgresql)" >&2
	return 1
}

pg_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local dir=$1 bin port
	bin=$(pg_bindir) || return 1
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
	port=${PG_TEST_PORT:-$((20000 + $$ % 10000))}
	pg_as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
		--no-locale >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
	pg_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $dir -p $port -c fsync=on -c synchronous_commit=on -c max_connections=200" \
		start >/dev/null || {
		cat "$dir/server.log" >&2
		return 1
	}
	PG_TEST_DIR=$dir
	PG_TEST_BIN=$bin
	export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	export PG_TEST_DIR PG_TEST_BIN
}

pg_stop() {
	[ -n "${PG_TEST_DIR:-}" ] || return 0
	[ -f "$PG_TEST_DIR/data/postmaster.pid" ] || return 0
	pg_as_postgres "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}
