# Shared setup of the chorus-leasequeryd tests: a private PostgreSQL (lib_admin.sh),
# one schema with its roles, a login user in <schema>_lq only (leasequeryd must work
# with the read-only role), a real chorus-dhcp6d on a high UDP port handing LEASEQUERY
# to chorus-leasequeryd, whose bulk TCP port is high too; leases made by the engine's
# relay test client (relay-id, remote-id and relay chains in every row).
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

ENGINE="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
LQD="$CHORUS_BUILDDIR/leasequeryd/chorus-leasequeryd"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
REQ="$CHORUS_SRCDIR/tests/integration/lq_requestor.py"
SCHEMA=lq_$IT
# test_chorus_lq.sh runs instances up to UPORT + 21
UPORT=$(free_ports 22) || bail "no free ports"
TPORT=$((UPORT + 1))
T=$(mktemp -d /tmp/chorus-lq.XXXXXX)
EPID=
LPID=
LQ_EXTRA=${LQ_EXTRA:-}

lq_cleanup() {
	[ -n "$LPID" ] && kill -9 "$LPID" 2>/dev/null
	[ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null
	[ -n "${LQ_DEBUG_DIR:-}" ] && cp -r "$T" "$LQ_DEBUG_DIR/"
	rm -rf "$T"
	it_cleanup
}

# lq_conf FILE EXTRA: the instance config; EXTRA is more keys of "leasequery".
lq_conf() {
	local req=${REQUESTERS:-'["::1/128", "fe80::/64"]'}
	cat >"$1" <<EOC
{
  "instance": { "name": "lq-s1", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE",
      "leasequery-conninfo": "dbname=$PGDATABASE user=lqd_$IT" }, "pid-file": "$T/e.pid" },
  "logging": { "level": "debug", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 10, "hash-key": "leasequery-test-key-00001",
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64", "pools": [ { "prefix": "2001:db8:1::/65" } ],
        "pd-pools": [ { "prefix": "2001:db8:100::/40", "delegated-length": 56 } ] },
      { "id": 2, "prefix": "2001:db8:2::/64",
        "pools": [ { "start": "2001:db8:2::100", "end": "2001:db8:2::1ff" } ] }
    ]
  },
  "leasequery": { "enabled": true, "local-socket": "$T/lq.sock", "bulk-address": "::1",
    "requesters": $req$2 },
  "ddns": { "enabled": true, "qualifying-suffix": "example.com." }
}
EOC
}

# wait_for FILE PATTERN N: until FILE holds N lines matching PATTERN (30 s: a loaded
# machine under ASan).
wait_for() { it_wait_lines "$1" "$2" "$3" 30; }

lq_setup() {
	need jq tshark python3
	need_py scapy
	it_setup "$1"
	trap lq_cleanup EXIT
	"$ADMIN" db-init --schema "$SCHEMA" >/dev/null 2>&1 || bail "db-init failed"
	it_role "${SCHEMA}_dhcp" "${SCHEMA}_lq" "${SCHEMA}_ddns" "${SCHEMA}_api" "lqd_$IT"
	q "CREATE ROLE lqd_$IT LOGIN IN ROLE ${SCHEMA}_lq" >/dev/null || bail "cannot create the login role"
	lq_conf "$T/conf.json" "$LQ_EXTRA"
	"$ENGINE" -c "$T/conf.json" -d -p "$UPORT" >>"$T/e.log" 2>&1 &
	EPID=$!
	wait_for "$T/e.log" "database ready" 1 || bail "chorus-dhcp6d did not start"
}

# lq_start: starts leasequeryd and waits for its "database ready" (one line more than
# the log held before, so an earlier reconnect's line does not count).
lq_start() {
	local n
	n=$(grep -c "database ready" "$T/l.log" 2>/dev/null)
	"$LQD" -c "$T/conf.json" -d -p "$TPORT" >>"$T/l.log" 2>&1 &
	LPID=$!
	wait_for "$T/l.log" "database ready" $((${n:-0} + 1))
}

# ex MSG ARGS...: one relayed exchange with the engine (lease making).
ex() {
	python3 "$CLIENT" "$UPORT" "$@"
}

# lq ARGS...: one UDP leasequery through the engine; keeps the raw reply for tshark.
lq() {
	local out
	out=$(python3 "$REQ" udp "$UPORT" "$@")
	printf '%s\n' "$out" | jq -r '.raw // empty' >>"$T/udp.hex"
	printf '%s\n' "$out"
}

# bulk ARGS...: bulk queries on one TCP connection; keeps the stream for tshark.
bulk() {
	local out
	out=$(python3 "$REQ" tcp "$TPORT" "$@")
	printf '%s\n' "$out" | jq -r 'select(.raw != "") | .raw' >>"$T/tcp.hex"
	printf '%s\n' "$out"
}

j() { printf '%s\n' "$1" | jq -r "$2"; }

# tsbad PCAP: frames tshark calls malformed or warns about. tshark 4.0 declares the
# relay message of LQ_RELAY_DATA a string (dhcpv6.lq_relay_data_msg, FT_STRING), so
# every real one (it holds NULs) earns "Trailing stray characters": one such warning
# per LQ_RELAY_DATA is that dissector's, not ours. Its list of the messages that may
# carry CLIENT_FQDN predates RFC 5007's ORO-driven client options, so a CLIENT_FQDN
# inside CLIENT_DATA earns "not permitted" (dhcpv6.clientfqdn.bad_msgtype): one per
# such option is forgiven too (lq_requestor.py decodes and the tests check its name).
# Every other one counts.
tsbad() {
	tshark -r "$1" -Y '_ws.malformed || _ws.expert.severity >= warning' -T fields \
		-E occurrence=a -E aggregator=';' -e frame.number -e _ws.expert.message \
		-e dhcpv6.lq_relay_data_peer_addr -e dhcpv6.clientfqdn.bad_msgtype 2>"$T/tshark.err" |
		awk -F'\t' '{ n = split($2, m, ";"); r = $3 == "" ? 0 : split($3, x, ";")
			f = $4 == "" ? 0 : split($4, y, ";"); bad = n == 0
			for (i = 1; i <= n; i++) {
				if (m[i] == "Trailing stray characters" && r > 0) { r--; continue }
				if (m[i] == "This message type is not permitted to use OPTION_CLIENT_FQDN" && f > 0) { f--; continue }
				bad = 1
			}
			if (bad) print }' >"$T/tshark.bad"
	sed "s/^/# tshark: /" "$T/tshark.bad" >&2
	[ -s "$T/tshark.bad" ] && [ -n "${LQ_DEBUG_DIR:-}" ] && cp "$1" "$LQ_DEBUG_DIR/"
	wc -l <"$T/tshark.bad"
}

# lq_finish LOG...: SIGTERM to leasequeryd and a clean exit, no sanitizer report in the
# logs, done_testing.
lq_finish() {
	kill -TERM "$LPID"
	wait "$LPID"
	is "SIGTERM: clean exit" "$?" 0
	LPID=
	grep -q "AddressSanitizer\|runtime error" "$@" && not_ok "no sanitizer report" ||
		ok "no sanitizer report"
	done_testing
}

# lock_leases: holds leases in ACCESS EXCLUSIVE mode (in the background) until
# unlock_leases, and returns once the lock is held; every read of leasequeryd waits for
# it meanwhile. Released on a signal, not after a time: on a busy machine the questions
# may take seconds to arrive.
lock_leases() {
	PGAPPNAME=chlock_$IT psql -X -q -c "BEGIN; LOCK TABLE $SCHEMA.leases IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT" \
		>/dev/null 2>&1 &
	LOCKPID=$!
	for _ in $(seq 100); do
		[ "$(q "SELECT count(*) FROM pg_locks WHERE relation = '$SCHEMA.leases'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && return 0
		sleep 0.05
	done
	bail "could not lock the leases table"
}

unlock_leases() {
	q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'chlock_$IT'" >/dev/null
	wait "$LOCKPID"
}

# wait_lqd_on_lock: returns once a backend of leasequeryd waits for the lock
wait_lqd_on_lock() {
	for _ in $(seq 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'lqd_$IT' AND wait_event_type = 'Lock'")" -ge 1 ] && return 0
		sleep 0.05
	done
	return 1
}
