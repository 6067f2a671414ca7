#!/usr/bin/env bash
# A changed configuration reaches a real client (issue 10 item 2, RFC 8415
# §18.3.4): ISC dhclient -6 bound to instance 1 of the split model; the pool
# is narrowed to a new range and chorus-dhcp6d reloaded (SIGHUP): at its next
# Renew (T1 10 s) the client gets its old address with lifetimes 0 and one of
# the new range, and drops the old one. Then the same across a restart with
# yet another range. Chorus only.
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient python3 jq psql
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP the reload semantics are chorus's"; exit 0; }
srv_need
model=split
t1=$(e2e_model get "$model" t1)
WAIT=$((t1 + 12))

# holds_only NS RANGE_REGEX: the client's global addresses all match (and one does)
holds_only() {
	local got
	got=$(netns_global "$1" ch0)
	[ -n "$got" ] && ! printf '%s\n' "$got" | grep -Evq "$2"
}

# repool START END: instance 1's configuration with only that pool
repool() {
	jq --arg s "$1" --arg e "$2" '.dhcp6.subnets[0].pools = [{"start": $s, "end": $e}]' \
		"${SRV_DIR[1]}/chorus.json" >"${SRV_DIR[1]}/chorus.json.new" &&
		mv "${SRV_DIR[1]}/chorus.json.new" "${SRV_DIR[1]}/chorus.json"
}

echo "# reconfiguration against chorus, model $model"
srv_pg || bail "no PostgreSQL"
sc_topology "$model" 1 1 || bail "no namespaces"
sc_servers "$model" 1 1 || bail "server did not start"
sc_clients na dhclient
sc_wait_bound "$model" na 1 "$SC_BIND_WAIT" dhclient
ns=${CLI_NS[c1]}
old=$(netns_global "$ns" ch0 | xargs)

# --- SIGHUP ---
repool 2001:db8:1:1:1:: 2001:db8:1:1:1::ffff || bail "jq"
kill -HUP "${SRV_PID[1]}"
e2e_wait 10 grep -q "configuration reloaded" "${SRV_DIR[1]}/server.log" || bail "no reload"
t0=$(date +%s)
if e2e_wait "$WAIT" holds_only "$ns" '^2001:db8:1:1:1::[0-9a-f]{1,4}$'; then
	ok "after SIGHUP: dhclient moved from $old to $(netns_global "$ns" ch0 | xargs) in $(($(date +%s) - t0))s (T1 $t1)"
else
	not_ok "after SIGHUP: dhclient holds only an address of the new range within ${WAIT}s (has $(netns_global "$ns" ch0 | xargs))"
	cli_log c1
	srv_log 1 20
fi
is "the old lease is expired in the schema" \
	"$(psql -qAtX -c "SELECT state FROM ${SRV_SCHEMA[1]}.leases WHERE addr = '$old'")" expired
cli_hook_has c1 "^new_max_life='?0'?$" && ok "dhclient was told lifetime 0 for the old address" ||
	not_ok "dhclient was told lifetime 0 for the old address"

# --- restart with another range ---
old=$(netns_global "$ns" ch0 | xargs)
srv_stop 1
repool 2001:db8:1:1:2:: 2001:db8:1:1:2::ffff || bail "jq"
ip netns exec "${SRV_NS[1]}" "$CHORUS_DHCP6D" -c "${SRV_DIR[1]}/chorus.json" -d \
	>>"${SRV_DIR[1]}/server.log" 2>&1 &
SRV_PID[1]=$!
disown "${SRV_PID[1]}"
e2e_on_exit "e2e_stop_pid ${SRV_PID[1]}"
e2e_wait 15 srv_listening "${SRV_NS[1]}" || bail "no restart"
t0=$(date +%s)
if e2e_wait "$((WAIT + 16))" holds_only "$ns" '^2001:db8:1:1:2::[0-9a-f]{1,4}$'; then
	ok "after a restart: dhclient moved from $old to $(netns_global "$ns" ch0 | xargs) in $(($(date +%s) - t0))s"
else
	not_ok "after a restart: dhclient holds only an address of the new range (has $(netns_global "$ns" ch0 | xargs))"
	cli_log c1
	srv_log 1 20
fi
is "after a restart: the old lease is expired in the schema" \
	"$(psql -qAtX -c "SELECT state FROM ${SRV_SCHEMA[1]}.leases WHERE addr = '$old'")" expired
e2e_diag "took $(e2e_elapsed)s"
done_testing
