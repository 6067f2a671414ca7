#!/usr/bin/env bash
# A changed configuration reaches a real client (issue 10 item 2, RFC 8415
# §18.3.4): ISC dhclient -6 -N and dhclient -6 -P bound to instance 1 of the
# split model; the pool is narrowed to a new range, the PD pool moved and the
# rebind-policy set to refuse, and chorus-dhcp6d reloaded (SIGHUP). The
# reclaim tick takes the old leases within a second or two; at its next
# Renew (T1 10 s) each client still gets its old lease with lifetimes 0 and a
# fresh one in the same Reply (refuse zeroes only what is not ours: the
# history of leases ended early says these were), and drops the old one.
# Then the same across a restart with yet another range. Chorus only.
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

# repool START END [PD_POOL]: instance 1's configuration with only that pool
# (and that PD pool, and rebind-policy refuse)
repool() {
	local f='.dhcp6.subnets[0].pools = [{"start": $s, "end": $e}]'
	[ -n "${3:-}" ] && f="$f"' | .dhcp6.subnets[0]."pd-pools" = [{"prefix": $p,
		"delegated-length": 56}] | .dhcp6.subnets[0]."rebind-policy" = "refuse"'
	jq --arg s "$1" --arg e "$2" --arg p "${3:-}" "$f" \
		"${SRV_DIR[1]}/chorus.json" >"${SRV_DIR[1]}/chorus.json.new" &&
		mv "${SRV_DIR[1]}/chorus.json.new" "${SRV_DIR[1]}/chorus.json"
}

expired() {
	[ "$(psql -qAtX -c "SELECT state FROM ${SRV_SCHEMA[1]}.leases WHERE addr = '$1'")" = expired ]
}

# pd_only RANGE_REGEX: the PD client's delegated prefixes all match (and one does)
pd_only() {
	local got
	got=$(cli_leases c2)
	[ -n "$got" ] && ! printf '%s\n' "$got" | grep -Evq "$1"
}

# first_reason NAME REGEX: the reason of the client's first hook call that
# was given a prefix matching REGEX with a non-zero lifetime
first_reason() {
	awk -v re="$2" 'function val(s) { sub(/^[^=]*=/, "", s); gsub(/\047/, "", s); return s }
		/^=== / { why = $4; p = "" }
		/^new_ip6_prefix=/ { p = val($0) }
		/^new_max_life=/ && p ~ re && val($0) != "0" { print why; exit }' "${CLI_DIR[$1]}/hook.log"
}

echo "# reconfiguration against chorus, model $model"
srv_pg || bail "no PostgreSQL"
sc_topology "$model" 1 2 || bail "no namespaces"
sc_servers "$model" 1 1 || bail "server did not start"
sc_clients na dhclient
cli_start c2 dhclient pd "${NS_CLIENTS[1]}"
sc_wait_bound "$model" na 1 "$SC_BIND_WAIT" dhclient
cli_wait_owners c2 "$model" 1 "$SC_BIND_WAIT" &&
	ok "dhclient -P holds instance 1's prefix $(cli_leases c2 | xargs)" ||
	not_ok "dhclient -P holds a prefix of instance 1 (has '$(cli_leases c2 | xargs)')"
ns=${CLI_NS[c1]}
old=$(netns_global "$ns" ch0 | xargs)
oldpd=$(cli_leases c2 | xargs)

# --- SIGHUP: new range, new PD pool, rebind-policy refuse ---
NEWPD='^2001:db8:200:[0-9a-f:]*/56$'
repool 2001:db8:1:1:1:: 2001:db8:1:1:1::ffff 2001:db8:200::/48 || bail "jq"
kill -HUP "${SRV_PID[1]}"
e2e_wait 10 grep -q "configuration reloaded" "${SRV_DIR[1]}/server.log" || bail "no reload"
t0=$(date +%s)
# the reclaim tick (1 s) takes the old prefix before the client's Renew (T1)
if e2e_wait 8 expired "$oldpd"; then
	ok "the old prefix $oldpd is reclaimed in the background, before the client renews"
else
	not_ok "the old prefix $oldpd is reclaimed in the background within 8 s"
fi
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
if e2e_wait "$WAIT" pd_only "$NEWPD"; then
	ok "after SIGHUP: dhclient -P moved from $oldpd to $(cli_leases c2 | xargs)"
else
	not_ok "after SIGHUP: dhclient -P holds only a prefix of 2001:db8:200::/48 (has '$(cli_leases c2 | xargs)')"
	cli_log c2
	srv_log 1 20
fi
# before issue 10's fix, refuse zeroed the reclaimed prefix only: dhclient
# lost it and had to Solicit again (BOUND6) to get one of the new PD pool
why=$(first_reason c2 '^2001:db8:200:')
case $why in
RENEW6 | REBIND6) ok "dhclient -P got the fresh prefix in the Reply to its Renew ($why)" ;;
*) not_ok "dhclient -P got the fresh prefix in the Reply to its Renew (first given it at '$why')" ;;
esac
cli_hook_has c2 "^new_ip6_prefix='?${oldpd}'?$" && cli_hook_has c2 "^new_max_life='?0'?$" &&
	ok "dhclient -P was told lifetime 0 for the old prefix" ||
	not_ok "dhclient -P was told lifetime 0 for the old prefix"

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
