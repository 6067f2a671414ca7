#!/bin/bash
# A changed configuration reaches existing bindings (issue 10 item 2, RFC 8415
# §18.3.4/§18.3.5): chorus-dhcp6d on a real PostgreSQL, driven by the relay
# client of test_dhcp6d_client.py. The pools, the PD pool and a reservation
# change, then SIGHUP (and later a restart): a Renew or Rebind naming an old
# address or prefix gets it back with lifetimes 0 and a fresh one from the new
# pools, the old row is expired (its DNS removal queued), and a lease no client
# asks about is reclaimed in the background. The reclaim tick may take a lease
# before its client asks: with rebind-policy replace the client sees the same
# Reply either way, so the checks hold whichever comes first.
RC_NAME=reconf RC_POLICY=replace
RC_EXTRA=',
  "ddns": { "enabled": true, "qualifying-suffix": "example.com." }'
. "$CHORUS_SRCDIR/tests/integration/lib_reconf.sh"

D1=0001000100000000000000000001
D2=0001000100000000000000000002
DR=0001000100000000000000000005
D3=0001000100000000000000000003

RES='{ "duid": "00:01:00:01:00:00:00:00:00:00:00:00:00:05", "addresses": ["2001:db8:1::5"] }'
write_conf 2001:db8:1::100 2001:db8:1::1ff 2001:db8:100::/48 "$RES"
start_daemon 1 || bail "chorus-dhcp6d did not start"

# --- bindings under the first configuration ---
r=$(ex solicit --duid $D1 --pd)
SID=$(j "$r" .serverid)
r=$(ex request --duid $D1 --serverid "$SID" --pd --fqdn host1 --fqdn-flags 1)
A1=$(j "$r" '.ias[0].leases[0].addr')
P1=$(j "$r" '.ias[1].leases[0].addr')
like "first pool: C1 holds an address of ::1xx" "$A1" '^2001:db8:1::1[0-9a-f]{2}$'
like "first PD pool: C1 holds a /56 of 2001:db8:100::/48" "$P1" '^2001:db8:100:[0-9a-f]*00::/56$'
r=$(ex request --duid $D2 --serverid "$SID")
A2=$(j "$r" '.ias[0].leases[0].addr')
like "C2 holds an address of ::1xx" "$A2" '^2001:db8:1::1[0-9a-f]{2}$'
r=$(ex request --duid $DR --serverid "$SID")
is "the reserved client holds ::5" "$(j "$r" '.ias[0].leases[0].addr')" 2001:db8:1::5
# what chorus-ddnsd records once the DNS server acknowledged the name
q "UPDATE $SCHEMA.leases SET ddns_fwd = true, ddns_rev = true WHERE addr = '$A1'" >/dev/null
is "four active rows" "$(q "SELECT count(*) FROM $SCHEMA.leases WHERE state = 'active'")" 4

# --- SIGHUP: new pools, new PD pool, the reservation removed ---
write_conf 2001:db8:1::200 2001:db8:1::2ff 2001:db8:200::/48 ""
kill -HUP "$DPID"
wait_log "configuration reloaded" 1 || bail "no reload"
ok "reloaded"

r=$(ex renew --duid $D1 --serverid "$SID" --pd --addr "$A1" --prefix "$P1" --fqdn host1 --fqdn-flags 1)
is "Renew: Reply" "$(j "$r" .type)" 7
is "Renew: the old address with lifetimes 0" \
	"$(j "$r" '.ias[0].leases[] | select(.addr == "'"$A1"'") | "\(.pref)/\(.valid)"')" 0/0
N1=$(j "$r" '.ias[0].leases[] | select(.valid > 0) | .addr')
like "Renew: a fresh address of the new pool" "$N1" '^2001:db8:1::2[0-9a-f]{2}$'
is "Renew: the old prefix with lifetimes 0" \
	"$(j "$r" '.ias[1].leases[] | select(.addr == "'"$P1"'") | .valid')" 0
like "Renew: a fresh prefix of the new PD pool" \
	"$(j "$r" '.ias[1].leases[] | select(.valid > 0) | .addr')" '^2001:db8:200:[0-9a-f]*00::/56$'
is "the old address's row is expired" "$(state_of "$A1")" expired
is "the old prefix's row is expired" "$(state_of "$P1")" expired
is "the fresh address is stored" "$(state_of "$N1")" active
is "DNS removal queued for the old address" \
	"$(q "SELECT count(*) FROM $SCHEMA.ddns_queue WHERE action = 'remove' AND addr = '$A1'")" 1

r=$(ex rebind --duid $DR --addr 2001:db8:1::5)
is "Rebind of the address no longer reserved: Reply" "$(j "$r" .type)" 7
is "Rebind: ::5 with lifetimes 0" \
	"$(j "$r" '.ias[0].leases[] | select(.addr == "2001:db8:1::5") | .valid')" 0
like "Rebind: and a fresh address of the new pool" \
	"$(j "$r" '.ias[0].leases[] | select(.valid > 0) | .addr')" '^2001:db8:1::2[0-9a-f]{2}$'

r=$(ex solicit --duid $D2)
like "Advertise to C2 offers the new pool, not its old address" \
	"$(j "$r" '[.ias[0].leases[] | select(.valid > 0) | .addr] | join(",")')" '^2001:db8:1::2[0-9a-f]{2}$'

# C2 never renews: the reclaim tick takes its lease
for _ in $(seq 100); do
	[ "$(state_of "$A2")" = expired ] && break
	sleep 0.2
done
is "a lease nobody asks about is reclaimed in the background" "$(state_of "$A2")" expired
wait_log "no longer fit the configuration" 1 >/dev/null
ok "the reclaim is logged"
is "no active row outside the new pools" \
	"$(q "SELECT count(*) FROM $SCHEMA.leases WHERE state = 'active'
	      AND NOT (addr <<= '2001:db8:1::200/119' OR addr <<= '2001:db8:200::/48')")" 0

# --- a restart with another pool ---
r=$(ex request --duid $D3 --serverid "$SID")
A3=$(j "$r" '.ias[0].leases[0].addr')
like "C3 holds an address of ::2xx" "$A3" '^2001:db8:1::2[0-9a-f]{2}$'
kill -TERM "$DPID"
wait "$DPID"
DPID=
is "counted: lease-no-longer-configured" \
	"$(q "SELECT value FROM $SCHEMA.stats WHERE scope = 'dhcp6' AND counter = 'lease-no-longer-configured'")" 4
write_conf 2001:db8:1::300 2001:db8:1::3ff 2001:db8:300::/48 ""
start_daemon 2 || bail "no restart"
r=$(ex renew --duid $D3 --serverid "$SID" --addr "$A3")
is "after a restart: the old address with lifetimes 0" \
	"$(j "$r" '.ias[0].leases[] | select(.addr == "'"$A3"'") | .valid')" 0
like "after a restart: a fresh address of the pool now configured" \
	"$(j "$r" '.ias[0].leases[] | select(.valid > 0) | .addr')" '^2001:db8:1::3[0-9a-f]{2}$'
is "after a restart: the old row is expired" "$(state_of "$A3")" expired

kill -TERM "$DPID"
wait "$DPID"
DPID=
done_testing
