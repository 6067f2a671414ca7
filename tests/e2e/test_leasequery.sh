#!/usr/bin/env bash
# Leasequery end to end: real ISC dhclient -6 (an address, and -P a prefix) behind a
# real ISC dhcrelay -6, chorus-dhcp6d with chorus-leasequeryd in the server namespace
# (the hand-off socket, bulk leasequery on TCP 547 of the namespace), and chorus-lq
# run from the relay's namespace: the client of an address, of an address inside a
# delegated prefix, a client by DUID over UDP, the whole link over TCP; the relay chain
# dhcrelay sent is the one stored for LQ_RELAY_DATA.
# chorus only (Kea's leasequery hook is not open source in Debian).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcrelay python3 jq
srv_need
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP leasequeryd is chorus's"; exit 0; }
LQD=$(srv_find leasequeryd/chorus-leasequeryd E2E_LQD_BIN) || { echo "1..0 # SKIP chorus-leasequeryd is not built"; exit 0; }
LQ=$(srv_find leasequeryd/chorus-lq E2E_LQ_BIN) || { echo "1..0 # SKIP chorus-lq is not built"; exit 0; }
srv_pg || bail "no PostgreSQL"
model=split
SC_TOPO=relayed
SRV_JQ[1]=".leasequery = {\"enabled\": true, \"local-socket\": \"$e2e_tmp/srv-$model-s1/lq.sock\"}"
sc_topology $model 1 2 || exit 1
sc_servers $model 1 1 || exit 1
dir=${SRV_DIR[1]}
ip netns exec "${NS_SERVERS[0]}" "$LQD" -c "$dir/chorus.json" -d >"$dir/lq.log" 2>&1 &
lpid=$!
disown "$lpid"
e2e_on_exit "e2e_stop_pid $lpid"
e2e_wait 15 grep -q "database ready" "$dir/lq.log" || { sed 's/^/# /' "$dir/lq.log"; bail "leasequeryd did not start"; }
ok "chorus-leasequeryd runs beside the engine, TCP 547 in the server namespace"

cli_start c1 dhclient na "${NS_CLIENTS[0]}"
cli_start c2 dhclient pd "${NS_CLIENTS[1]}"
S=$(srv_schema 1)
rows() { psql -qAtX -c "SELECT count(*) FROM $S.leases WHERE state = 'active'"; }
two() { [ "$(rows)" -ge 2 ]; }
e2e_wait 30 two || { cli_log c1; cli_log c2; relay_log; bail "the clients did not bind"; }
ok "dhclient -N and -P bound through dhcrelay"
read -r A AD <<<"$(psql -qAtX -F ' ' -c "SELECT host(addr), encode(duid, 'hex') FROM $S.leases WHERE state = 'active' AND lease_type = 'na' LIMIT 1")"
read -r P PD <<<"$(psql -qAtX -F ' ' -c "SELECT host(addr) || '/' || masklen(addr), encode(duid, 'hex') FROM $S.leases WHERE state = 'active' AND lease_type = 'pd' LIMIT 1")"
SRV="[$(netns_server_addr 1)]"
lq() { ip netns exec "$NS_RELAY" "$LQ" --server "$SRV" "$@" --json; }

out=$(lq --address "$A")
is "UDP by address: dhclient's DUID, current" "$(printf '%s' "$out" | jq -r '.[0] | "\(.client) \(.state) \(.binding)"')" "$AD current $A"
out=$(lq --address "${P%%::/*}::42")
is "UDP by an address inside the delegated prefix: the -P client's prefix" "$(printf '%s' "$out" | jq -r '.[0] | "\(.client) \(.binding)"')" "$PD $P"
out=$(lq --client-id "$AD")
is "UDP by client-id: its address with a remaining lifetime" "$(printf '%s' "$out" | jq -r '.[0] | "\(.binding) \(.valid > 0)"')" "$A true"
out=$(lq --link-address "$(e2e_model get $model relay-link-address)")
is "TCP by link-address: both clients of the relay's link" "$(printf '%s' "$out" | jq -r '[.[] | select(.binding != "") | .client] | unique | length')" 2
is "... every server answered (exit 0)" "$(lq --link-address "$(e2e_model get $model relay-link-address)" >/dev/null; echo $?)" 0
is "the stored relay chain is dhcrelay's: one Relay-forward from its link, without the client's message" \
	"$(psql -qAtX -c "SELECT get_byte(relay_chain, 0), host(relay_link_addr), position('\\x0009'::bytea in relay_chain) FROM $S.leases WHERE host(addr) = '$A'")" \
	"12|$(e2e_model get $model relay-link-address)|0"
e2e_diag "took $(e2e_elapsed)s"
done_testing
