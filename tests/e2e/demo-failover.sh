#!/usr/bin/env bash
# The failover demo (issue 3, item 8), told as it happens: a private
# PostgreSQL cluster, one network link in namespaces with two instances of
# the split-prefixes model (RFC 6853 section 4.1) and a real ISC dhclient;
# the client takes the Preference-255 instance's address, that instance is
# killed, and the client rebinds to its sibling, which hands out an address
# from its own half of the /64. Everything is removed at the end, even on
# Ctrl-C. Run as root, from anywhere:
#   tests/e2e/demo-failover.sh                 chorus-dhcp6d (built)
#   E2E_SERVER=kea tests/e2e/demo-failover.sh  the same story with Kea 2.2
# contrib/demo calls it once it has built chorus-dhcp6d; E2E_CHORUS_BIN and
# E2E_ADMIN_BIN point at other binaries.
set -u
. "$(dirname "$0")/lib/all.sh"
model='split'
t2=$(e2e_model get $model t2)
valid=$(e2e_model get $model valid)

if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B= D= G= R= N=; fi
say() { printf '%s\n' "$*"; }
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
detail() { printf '%s   %s%s\n' "$D" "$*" "$N"; }
die() {
	printf '%sdemo failed: %s%s\n' "$R" "$*" "$N"
	exit 1
}
[ "$(id -u)" = 0 ] || die "run me as root (network namespaces)"
for c in dhclient python3 ip; do command -v $c >/dev/null || die "$c is not installed"; done
# srv_need prints TAP on a missing binary; say it plainly instead.
out=$(srv_need) || true
case $out in *SKIP*) die "${out#*SKIP }" ;; esac
srv_need

# The instances' ranges, for telling whose address the client holds.
range() {
	case $(e2e_owner $model "$1") in
	1) echo "instance s1 (lower half of 2001:db8:1:1::/64, Preference $(e2e_model get $model preference 1))" ;;
	2) echo "instance s2 (upper half of 2001:db8:1:1::/64, Preference $(e2e_model get $model preference 2))" ;;
	*) echo "no instance's range" ;;
	esac
}

show_rows() {
	[ "$E2E_SERVER" = chorus ] || return 0
	local i=$1 schema
	schema=$(srv_schema "$i")
	detail "leases table of s$i (schema $schema):"
	psql -qX -P pager=off -c "SELECT host(addr) AS address, state, valid_lft,
		to_char(expires_at, 'HH24:MI:SS') AS expires, granted_by
		FROM $schema.leases WHERE lease_type = 'na' ORDER BY id" | sed "/^$/d;s/^/$D      /;s/\$/$N/"
}

say "${B}Chorus failover demo${N}: RFC 6853 semi-redundant DHCPv6, split-prefixes model, server: $E2E_SERVER"
if [ "$E2E_SERVER" = chorus ]; then
	step "A private PostgreSQL cluster for the two instances' schemas"
	srv_pg || die "PostgreSQL did not start"
	detail "PGHOST=$PGHOST port $PGPORT (unix socket only, fsync and synchronous_commit on)"
fi

step "One link in network namespaces: two servers and a client"
netns_direct 2 1 || die "could not create the namespaces"
detail "bridge chbr0 in ${e2e_tag}l1; servers ${NS_SERVERS[*]}, client ${NS_CLIENTS[*]} (interfaces ch0)"

step "Two independent instances that never talk to each other"
for i in 1 2; do
	srv_start $model $i "${NS_SERVERS[$((i - 1))]}" || die "instance s$i did not start"
	detail "s$i: pid ${SRV_PID[$i]}, Preference $(e2e_model get $model preference $i), config ${SRV_DIR[$i]}/$([ "$E2E_SERVER" = kea ] && echo kea-dhcp6.json || echo chorus.json)"
done
detail "timers: T1 $(e2e_model get $model t1)s, T2 ${t2}s, preferred $(e2e_model get $model preferred)s, valid ${valid}s (short, so the demo takes seconds)"

step "A real client: ISC dhclient -6"
cli_start c1 dhclient na "${NS_CLIENTS[0]}"
e2e_wait 20 sh -c "[ -n \"\$(ip -n ${NS_CLIENTS[0]} -6 -o addr show dev ch0 scope global)\" ]" ||
	die "dhclient got no address (log: ${CLI_DIR[c1]}/client.log)"
first=$(cli_leases c1 | xargs)
say "   ${G}dhclient holds $first${N}"
detail "from $(range "$first"): the Preference-255 Advertise wins at once"
show_rows 1

step "Kill s1 (SIGKILL), the instance the client is bound to"
srv_stop 1 KILL
t_kill=$(date +%s)
detail "the client's Renew (at T1) goes unanswered; at T2 it sends Rebind to all servers, and s2,"
detail "which has no binding for $first, answers with it at lifetime 0 plus a fresh address of its own"
last=
while :; do
	now=$(cli_leases c1 | xargs)
	el=$(($(date +%s) - t_kill))
	if [ "$now" != "$last" ]; then
		say "   t+${el}s  dhclient holds: ${now:-nothing}"
		last=$now
	fi
	if [ -n "$now" ] && [ "$(e2e_owner $model $now | sort -u | xargs)" = 2 ]; then
		break
	fi
	[ "$el" -le $((valid + 10)) ] || die "no failover after ${el}s (log: ${CLI_DIR[c1]}/client.log)"
	sleep 0.5
done
say "   ${G}failover done ${el}s after the crash: dhclient holds $now${N}"
detail "from $(range "$now"); the old address $first is gone"
show_rows 2

step "Clean up"
detail "stopping dhclient, s2, $([ "$E2E_SERVER" = chorus ] && echo "PostgreSQL, ")and deleting the namespaces"
say "${B}Done.${N}"
