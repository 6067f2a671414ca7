#!/bin/bash
# A changed configuration reaches delegated prefixes the reclaim tick took
# already (issue 10 item 2, RFC 8415 §18.3.4/§18.3.5), under rebind-policy
# refuse, where a lease this instance does not hold is only zeroed: a prefix
# of the old PD pool, or a reserved prefix whose reservation was removed, is
# known for ours by the history of leases ended early (server/srv_history.c),
# so Rebind, Renew and Request return it with lifetimes 0 beside a fresh
# prefix of the current PD pool, as for an address. A sibling's prefix, and
# ours named by another client, are still refused. After a restart the
# history comes from the schema's expired rows.
RC_NAME=refuse RC_POLICY=refuse
. "$CHORUS_SRCDIR/tests/integration/lib_reconf.sh"

D1=0001000100000000000000000011
D2=0001000100000000000000000012
D3=0001000100000000000000000013
D4=0001000100000000000000000014
DR=0001000100000000000000000015
D9=0001000100000000000000000019
# wait_expired ADDR...: until the reclaim tick expired every one (20 s)
wait_expired() {
	local a left
	for _ in $(seq 100); do
		left=0
		for a in "$@"; do
			[ "$(state_of "$a")" = expired ] || left=1
		done
		[ "$left" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}
# zeroed REPLY IA OLD: the lifetimes OLD carries in ias[IA] ("" when absent)
zeroed() { j "$1" ".ias[$2].leases[] | select(.addr == \"$3\") | \"\(.pref)/\(.valid)\""; }
live() { j "$1" "[.ias[$2].leases[] | select(.valid > 0) | .addr] | join(\",\")"; }
counter() {
	q "SELECT coalesce(sum(value), 0) FROM $SCHEMA.stats WHERE scope = 'dhcp6' AND counter = '$1'"
}

RES='{ "duid": "00:01:00:01:00:00:00:00:00:00:00:00:00:15", "prefixes": ["2001:db8:900::/56"] }'
write_conf 2001:db8:1::100 2001:db8:1::1ff 2001:db8:100::/48 "$RES"
start_daemon 1 || bail "chorus-dhcp6d did not start"

# --- bindings under the first configuration ---
r=$(ex solicit --duid $D1 --pd)
SID=$(j "$r" .serverid)
r=$(ex request --duid $D1 --serverid "$SID" --pd)
A1=$(j "$r" '.ias[0].leases[0].addr')
P1=$(j "$r" '.ias[1].leases[0].addr')
like "C1 holds an address of ::1xx" "$A1" '^2001:db8:1::1[0-9a-f]{2}$'
like "C1 holds a /56 of 2001:db8:100::/48" "$P1" '^2001:db8:100:[0-9a-f]*00::/56$'
P2=$(j "$(ex request --duid $D2 --serverid "$SID" --no-na --pd)" '.ias[0].leases[0].addr')
P3=$(j "$(ex request --duid $D3 --serverid "$SID" --no-na --pd)" '.ias[0].leases[0].addr')
P4=$(j "$(ex request --duid $D4 --serverid "$SID" --no-na --pd)" '.ias[0].leases[0].addr')
like "C2, C3, C4 hold /56s of the first PD pool" "$P2 $P3 $P4" \
	'^2001:db8:100:[0-9a-f]*00::/56 2001:db8:100:[0-9a-f]*00::/56 2001:db8:100:[0-9a-f]*00::/56$'
r=$(ex request --duid $DR --serverid "$SID" --no-na --pd)
is "the reserved client holds 2001:db8:900::/56" "$(j "$r" '.ias[0].leases[0].addr')" 2001:db8:900::/56

# --- SIGHUP: new pool, new PD pool, the reservation removed; all reclaimed ---
write_conf 2001:db8:1::200 2001:db8:1::2ff 2001:db8:200::/48 ""
kill -HUP "$DPID"
wait_log "configuration reloaded" 1 || bail "no reload"
ok "reloaded"
wait_expired "$A1" "$P1" "$P2" "$P3" "$P4" 2001:db8:900::/56 ||
	bail "the reclaim tick did not take the old leases"
ok "the reclaim tick expired the old address, the old prefixes and the reserved one"
is "no active row left" "$(q "SELECT count(*) FROM $SCHEMA.leases WHERE state = 'active'")" 0

NEWPD='^2001:db8:200:[0-9a-f]*00::/56$'
r=$(ex rebind --duid $D1 --pd --addr "$A1" --prefix "$P1")
is "Rebind: Reply" "$(j "$r" .type)" 7
is "Rebind: the old address with lifetimes 0" "$(zeroed "$r" 0 "$A1")" 0/0
like "Rebind: and a fresh address of the new pool" "$(live "$r" 0)" '^2001:db8:1::2[0-9a-f]{2}$'
is "Rebind: the old prefix with lifetimes 0" "$(zeroed "$r" 1 "$P1")" 0/0
like "Rebind: and a fresh prefix of the new PD pool (the gap of issue 10 item 2)" \
	"$(live "$r" 1)" "$NEWPD"
like "the fresh prefix is stored" "$(state_of "$(live "$r" 1)")" '^active$'

r=$(ex renew --duid $D2 --serverid "$SID" --no-na --pd --prefix "$P2")
is "Renew: the old prefix with lifetimes 0" "$(zeroed "$r" 0 "$P2")" 0/0
like "Renew: and a fresh prefix" "$(live "$r" 0)" "$NEWPD"

r=$(ex request --duid $D3 --serverid "$SID" --no-na --pd --prefix "$P3")
is "Request: the old prefix with lifetimes 0" "$(zeroed "$r" 0 "$P3")" 0/0
like "Request: and a fresh prefix" "$(live "$r" 0)" "$NEWPD"

r=$(ex rebind --duid $DR --no-na --pd --prefix 2001:db8:900::/56)
is "Rebind of the prefix no longer reserved: lifetimes 0" "$(zeroed "$r" 0 2001:db8:900::/56)" 0/0
like "Rebind: and a fresh prefix of the PD pool" "$(live "$r" 0)" "$NEWPD"

# refuse still holds for what was never ours for this client
r=$(ex rebind --duid $D9 --no-na --pd --prefix 2001:db8:300::/56)
is "a sibling's prefix: lifetimes 0" "$(zeroed "$r" 0 2001:db8:300::/56)" 0/0
is "a sibling's prefix: nothing fresh (refuse)" "$(live "$r" 0)" ""
r=$(ex rebind --duid $D9 --no-na --pd --prefix "$P4")
is "C4's old prefix named by another client: lifetimes 0" "$(zeroed "$r" 0 "$P4")" 0/0
is "C4's old prefix named by another client: nothing fresh (refuse)" "$(live "$r" 0)" ""

# --- a restart: the history comes from the schema ---
kill -TERM "$DPID"
wait "$DPID"
DPID=
is "counted: rebind-refused" "$(counter rebind-refused)" 2
start_daemon 2 || bail "no restart"
r=$(ex rebind --duid $D4 --no-na --pd --prefix "$P4")
is "after a restart: Rebind of C4's reclaimed prefix, lifetimes 0" "$(zeroed "$r" 0 "$P4")" 0/0
like "after a restart: and a fresh prefix" "$(live "$r" 0)" "$NEWPD"

kill -TERM "$DPID"
wait "$DPID"
DPID=
done_testing
