# Shared setup of test_dhcp6d_reconf.sh and test_dhcp6d_reconf_refuse.sh: one
# chorus-dhcp6d on a private PostgreSQL, with one subnet whose pools, PD pool and
# reservations a test rewrites (write_conf) before a SIGHUP or a restart. Set before
# sourcing: RC_NAME (schema and test name), RC_POLICY (rebind-policy) and optionally
# RC_EXTRA (more top-level sections of the file, each with a leading comma).
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

DAEMON="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
SCHEMA=${RC_NAME}_$IT
PORT=$(free_ports 1) || bail "no free port"
T=$(mktemp -d "/tmp/chorus-$RC_NAME.XXXXXX")
DPID=

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need jq python3
it_setup "$RC_NAME"
trap cleanup EXIT
"$ADMIN" db-init --schema "$SCHEMA" --no-roles >/dev/null || bail "db-init failed"

# write_conf POOL_START POOL_END PD_POOL RESERVATION_JSON
write_conf() {
	cat >"$T/conf.json" <<EOC
{
  "instance": { "name": "it-$RC_NAME", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE" }, "pid-file": "$T/d.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 10, "hash-key": "$RC_NAME-test-key-00001",
    "preferred-lifetime": 300, "valid-lifetime": 600, "rebind-policy": "$RC_POLICY",
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64",
        "pools": [ { "start": "$1", "end": "$2" } ],
        "pd-pools": [ { "prefix": "$3", "delegated-length": 56 } ],
        "reservations": [ $4 ] }
    ]
  }${RC_EXTRA:-}
}
EOC
}

# start_daemon N: starts chorus-dhcp6d and waits for its Nth "database ready".
start_daemon() {
	"$DAEMON" -c "$T/conf.json" -d -p "$PORT" >>"$T/d.log" 2>&1 &
	DPID=$!
	wait_log "database ready" "$1"
}

# wait_log PATTERN N: until the daemon log holds N lines matching PATTERN (20 s).
wait_log() { it_wait_lines "$T/d.log" "$1" "$2"; }

ex() { python3 "$CLIENT" "$PORT" "$@"; }
j() { printf '%s\n' "$1" | jq -r "$2"; }
state_of() { q "SELECT string_agg(state, ',') FROM $SCHEMA.leases WHERE addr = '$1'"; }
