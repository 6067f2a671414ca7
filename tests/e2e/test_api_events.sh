#!/usr/bin/env bash
# The event stream of chorus-apid with a real client: ISC dhclient -6 in its own
# namespace gets an address from chorus-dhcp6d, and GET /v1/events shows it granted;
# while the stream is away dhclient releases the address (dhclient -r) and asks again,
# and a reconnect with Last-Event-ID replays both, in order, with the ids that follow.
# chorus only: apid reads the engine's schema (events table, NOTIFY chorus_events).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient curl jq
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP chorus-apid serves chorus schemas only"; exit 0; }
srv_need
CHORUS_APID=$(srv_find api/chorus-apid E2E_APID_BIN) || {
	echo "1..0 # SKIP api/chorus-apid is not built"
	exit 0
}
srv_pg || bail "no PostgreSQL"
echo "# dhclient -6 against chorus-dhcp6d, seen on chorus-apid's event stream"

host=${e2e_tag}s1 cli=${e2e_tag}c1
netns_add "$host" || bail "netns $host"
netns_add "$cli" || bail "netns $cli"
ip link add ch1 netns "$host" type veth peer name ch0 netns "$cli" || bail "veth"
netns_exec "$host" ip link set ch1 up
netns_exec "$cli" ip link set ch0 up
schema=${e2e_tag}_ev
"$CHORUS_ADMIN" db-init --schema "$schema" --no-roles >"$e2e_tmp/db-init.log" 2>&1 || bail "db-init $schema"
e2e_on_exit "psql -qX -c 'DROP SCHEMA IF EXISTS $schema CASCADE'"
read -r TOK HASH < <("$CHORUS_ADMIN" token-new | paste -sd' ')
APORT=$(free_ports 1) || bail "no free port"
URL="http://[::1]:$APORT"
cat >"$e2e_tmp/conf.json" <<EOF
{
  "instance": { "name": "ev", "schema": "$schema",
    "database": { "conninfo": "$(srv_conninfo)" }, "pid-file": "$e2e_tmp/d.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": { "interfaces": [ "ch1" ], "preference": 255, "hash-key": "api-events-test-key-1",
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "subnets": [ { "id": 1, "prefix": "2001:db8:e1::/64", "interface": "ch1",
      "pools": [ { "start": "2001:db8:e1::100", "end": "2001:db8:e1::1ff" } ] } ] },
  "api": { "listen": ["[::1]:$APORT"],
    "tokens": [ { "name": "watcher", "token": "$HASH", "role": "read" } ] }
}
EOF
netns_exec "$host" "$CHORUS_DHCP6D" -c "$e2e_tmp/conf.json" -d >"$e2e_tmp/d.log" 2>&1 &
e2e_on_exit "e2e_stop_pid $!"
"$CHORUS_APID" -c "$e2e_tmp/conf.json" -d >"$e2e_tmp/a.log" 2>&1 &
e2e_on_exit "e2e_stop_pid $!"
bound() { [ -s "$e2e_tmp/d.pid" ] && netns_exec "$host" ss -Hlun 'sport = :547' | grep -q "%ch1:"; }
e2e_wait 20 bound || { sed 's/^/# /' "$e2e_tmp/d.log"; bail "chorus-dhcp6d does not listen on ch1"; }
api_up() { grep -q "database ready" "$e2e_tmp/a.log"; }
e2e_wait 20 api_up || { sed 's/^/# /' "$e2e_tmp/a.log"; bail "chorus-apid is not ready"; }
ok "chorus-dhcp6d listens on ch1, chorus-apid on $URL"

# stream N [LAST-ID]: GET /v1/events into ev$N.txt, in the background (pid in EVPID)
stream() {
	local h=()
	[ -n "${2:-}" ] && h=(-H "Last-Event-ID: $2")
	curl -sS -g -N -m 120 -H "Authorization: Bearer $TOK" "${h[@]}" "$URL/v1/events" \
		>"$e2e_tmp/ev$1.txt" 2>&1 &
	EVPID=$!
	e2e_on_exit "e2e_stop_pid $EVPID"
}
has() { grep -Eq -- "$2" "$e2e_tmp/ev$1.txt"; }
# events N: the stream's events as "id kind address", one a line
events() {
	awk '/^id: / { id = $2 } /^data: / { sub(/^data: /, ""); print id "\t" $0 }' "$e2e_tmp/ev$1.txt" |
		while IFS=$'\t' read -r id data; do
			printf '%s %s\n' "$id" "$(jq -r '"\(.kind) \(.address)"' <<<"$data")"
		done
}

stream 1
e2e_wait 20 has 1 '^retry: ' || not_ok "the event stream opens"
ll_ready() { ip -n "$cli" -6 addr show dev ch0 scope link | grep -v tentative | grep -q fe80; }
e2e_wait 10 ll_ready || e2e_diag "no link-local address on ch0 of $cli yet"
cli_start c1 dhclient na "$cli"
has_addr() { netns_global "$cli" ch0 | grep -q '^2001:db8:e1::1[0-9a-f][0-9a-f]$'; }
if e2e_wait 60 has_addr; then
	A=$(netns_global "$cli" ch0 | head -1)
	ok "dhclient -6 got $A from chorus-dhcp6d"
else
	not_ok "dhclient -6 got an address from chorus-dhcp6d"
	cli_log c1
	sed 's/^/# /' "$e2e_tmp/d.log"
	bail "no lease, no event"
fi
if e2e_wait 20 has 1 "\"kind\" ?: ?\"granted\".*\"$A\""; then
	ok "the stream shows the lease dhclient was granted"
else
	not_ok "the stream shows the lease dhclient was granted"
	sed 's/^/# /' "$e2e_tmp/ev1.txt" | tail -5
fi
LAST=$(events 1 | awk -v a="$A" '$2 == "granted" && $3 == a { id = $1 } END { print id }')
is "... with an id ($LAST)" "$(grep -Ec "^[0-9]+$" <<<"$LAST")" 1
e2e_stop_pid "$EVPID"

# while away: dhclient releases (Release to the server, then exits) and asks again
d=$e2e_tmp/cli-c1
ip netns exec "$cli" dhclient -6 -r -cf "$d/dhclient.conf" -lf "$d/dhclient6.leases" \
	-pf "$d/dhclient6.pid" -sf "$d/hook" ch0 >"$d/release.log" 2>&1
released() { [ "$(psql -qAtX -c "SELECT count(*) FROM $schema.events WHERE kind = 'released' AND addr = '$A'")" -ge 1 ]; }
e2e_wait 20 released || { e2e_diag "no released event in the table"; sed 's/^/# /' "$d/release.log"; }
# the same lease file, so the same DUID
cli_start c1 dhclient na "$cli"
regranted() { [ "$(psql -qAtX -c "SELECT count(*) FROM $schema.events WHERE kind = 'granted' AND id > $LAST")" -ge 1 ]; }
e2e_wait 60 regranted || { e2e_diag "no second grant"; cli_log c1; }

stream 2 "$LAST"
e2e_wait 20 has 2 '"kind" ?: ?"granted"' || sed 's/^/# /' "$e2e_tmp/ev2.txt" | tail -5
e2e_stop_pid "$EVPID"
got=$(events 2 | awk '{ print $2 }' | paste -sd' ')
is "a reconnect with Last-Event-ID replays what it missed, in order" "$got" "released granted"
is "... the release of dhclient's address" "$(events 2 | awk '$2 == "released" { print $3 }')" "$A"
first=$(events 2 | head -1 | awk '{ print $1 }')
want=$(psql -qAtX -c "SELECT min(id) FROM $schema.events WHERE id > $LAST")
is "... starting at the first id after the last one seen" "$first" "$want"
is "... none of what the first stream saw again" "$(events 2 | awk -v l="$LAST" '$1 <= l' | wc -l)" 0
done_testing
