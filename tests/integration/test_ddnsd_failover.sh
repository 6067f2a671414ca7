#!/bin/bash
# The split model's failover with DNS (ARCHITECTURE.md models; RFC 6853 §4): two instances
# (two chorus-dhcp6d, two chorus-ddnsd, two schemas in one database) share the /64 and one
# BIND 9 named on [::1]. Clients named by instance 1, which is then killed, rebind to
# instance 2: the name follows them to the new address (same DUID, same DHCID: RFC 4703
# §5.3.2), the old PTR stays without remove-stale-ptr and goes with it.
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"
. "$CHORUS_SRCDIR/tests/integration/lib_dns.sh"

DHCPD="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
DDNSD="$CHORUS_BUILDDIR/ddnsd/chorus-ddnsd"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
BASE=$(free_ports 3) || bail "no free ports"
DNSPORT=$((BASE + 2))
T=$(mktemp -d /tmp/chorus-ddnsfo.XXXXXX)
PIDS=

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	dns_stop
	rm -rf "$T"
	it_cleanup
}

need jq dig python3
it_setup ddnsfo
trap cleanup EXIT
dns_start "$T/dns" "$DNSPORT" || bail "named did not start"

# write_conf N POOL FOREIGN STALE: instance N's file.
write_conf() {
	cat >"$T/s$1.json" <<JSON
{
  "instance": { "name": "fo-s$1", "schema": "fo$1_$IT",
    "database": { "conninfo": "dbname=$PGDATABASE",
      "ddns-conninfo": "dbname=$PGDATABASE user=${IT}_ddns$1" }, "pid-file": "$T/d6-$1.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": $((200 - $1)), "hash-key": "integration-test-key-0001",
    "preferred-lifetime": 3000, "valid-lifetime": 6000, "rebind-policy": "replace",
    "subnets": [ { "id": 1, "prefix": "2001:db8:1::/64", "pools": [ { "prefix": "$2" } ],
      "foreign-ranges": [ { "prefix": "$3" } ] } ]
  },
  "ddns": { "enabled": true, "qualifying-suffix": "$DNS_FWD.",
    "keys": [ { "name": "$DNS_KEY_NAME", "secret": "$DNS_SECRET" } ],
    "servers": [ { "address": "::1", "port": $DNSPORT, "key": "$DNS_KEY_NAME" } ],
    "forward-zones": [ { "name": "$DNS_FWD.", "server": "::1" } ],
    "reverse-zones": [ { "name": "$DNS_REV.", "server": "::1" } ],
    "remove-stale-ptr": $4, "retry-min": 1, "retry-max": 2, "sweep": 2 }
}
JSON
}

wait_log() { it_wait_lines "$@"; }

drained() { # drained N: instance N's outbox is empty (30 s)
	for _ in $(seq 300); do
		[ "$(q "SELECT count(*) FROM fo$1_$IT.ddns_queue")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# start N: chorus-dhcp6d on UDP BASE+N-1 and chorus-ddnsd of instance N
start() {
	"$DHCPD" -c "$T/s$1.json" -d -p $((BASE + $1 - 1)) >>"$T/d6-$1.log" 2>&1 &
	eval "D6_$1=$!"
	"$DDNSD" -c "$T/s$1.json" -d >>"$T/dd-$1.log" 2>&1 &
	eval "DD_$1=$!"
	PIDS="$PIDS $(eval echo "\$D6_$1 \$DD_$1")"
	wait_log "$T/d6-$1.log" "database ready" 1 && wait_log "$T/dd-$1.log" "database ready" 1
}

ex() { local p=$1; shift; python3 "$CLIENT" $((BASE + p - 1)) "$@"; }
j() { printf '%s\n' "$1" | jq -r "$2"; }
rev() { python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer + '.')" "$1"; }

# with roles: each chorus-ddnsd logs in as a member of its schema's _ddns role only, so
# every statement it runs is checked against sql/roles.sql's grants
for n in 1 2; do
	"$ADMIN" db-init --schema "fo${n}_$IT" >/dev/null 2>&1 || bail "db-init failed"
	q "CREATE ROLE ${IT}_ddns$n LOGIN IN ROLE fo${n}_${IT}_ddns" >/dev/null || bail "no ddns login"
done
write_conf 1 2001:db8:1::/65 2001:db8:1:0:8000::/65 false
write_conf 2 2001:db8:1:0:8000::/65 2001:db8:1::/65 false
start 1 || bail "instance 1 did not start"
start 2 || bail "instance 2 did not start"
ok "two instances, each with its chorus-ddnsd, share the database and named"

SID1=$(j "$(ex 1 solicit --duid 00010001aaaaaaaaaaaaaaaaaaaa)" .serverid)
C1=0001000100000000000000000f01
C2=0001000100000000000000000f02
A1=$(j "$(ex 1 request --duid $C1 --serverid "$SID1" --fqdn mover1 --fqdn-flags 1)" '.ias[0].leases[0].addr')
A2=$(j "$(ex 1 request --duid $C2 --serverid "$SID1" --fqdn mover2 --fqdn-flags 1)" '.ias[0].leases[0].addr')
drained 1 || not_ok "instance 1's outbox drains"
is "instance 1 named mover1" "$(dq $DNSPORT AAAA mover1.$DNS_FWD)" "$A1"
is "... and mover2, with PTRs" "$(dq $DNSPORT AAAA mover2.$DNS_FWD) $(dq $DNSPORT PTR "$(rev "$A2")")" \
	"$A2 mover2.$DNS_FWD."
is "instance 2's ddnsd ignored instance 1's notifications" "$(q "SELECT count(*) FROM fo2_$IT.ddns_queue")" 0

kill -9 $D6_1 $DD_1
wait $D6_1 $DD_1 2>/dev/null
ok "instance 1 killed"

# --- without remove-stale-ptr: the name follows, the old PTR stays to age out ---
r=$(ex 2 rebind --duid $C1 --addr "$A1" --fqdn mover1 --fqdn-flags 1)
is "Rebind at instance 2: the old address with zero lifetimes" "$(j "$r" '.ias[0].leases[0] | "\(.addr) \(.valid)"')" "$A1 0"
B1=$(j "$r" '.ias[0].leases[1].addr')
drained 2 || not_ok "instance 2's outbox drains"
is "mover1 points to the new address only (same DHCID: replaced)" "$(dq $DNSPORT AAAA mover1.$DNS_FWD)" "$B1"
is "the new address has its PTR" "$(dq $DNSPORT PTR "$(rev "$B1")")" "mover1.$DNS_FWD."
is "without remove-stale-ptr the old PTR is left" "$(dq $DNSPORT PTR "$(rev "$A1")")" "mover1.$DNS_FWD."

# --- with remove-stale-ptr: the old PTR goes too ---
write_conf 2 2001:db8:1:0:8000::/65 2001:db8:1::/65 true
kill -HUP $DD_2
wait_log "$T/dd-2.log" "configuration reloaded" 1
r=$(ex 2 rebind --duid $C2 --addr "$A2" --fqdn mover2 --fqdn-flags 1)
B2=$(j "$r" '.ias[0].leases[1].addr')
drained 2 || not_ok "instance 2's outbox drains"
is "mover2 points to the new address only" "$(dq $DNSPORT AAAA mover2.$DNS_FWD)" "$B2"
is "the new address has its PTR" "$(dq $DNSPORT PTR "$(rev "$B2")")" "mover2.$DNS_FWD."
is "with remove-stale-ptr the old address's PTR is gone" "$(dq $DNSPORT PTR "$(rev "$A2")")" ""
like "... and the removal is logged" "$(grep 'stale PTR' "$T/dd-2.log")" "mover2.*stale PTR .*removed"
is "mover1's old PTR is untouched by mover2's update" "$(dq $DNSPORT PTR "$(rev "$A1")")" "mover1.$DNS_FWD."

kill -TERM $DD_2
wait $DD_2 2>/dev/null
is "as the _ddns role: its heartbeat and counters are written" \
	"$(q "SELECT count(*) FROM fo2_$IT.heartbeats WHERE daemon = 'ddnsd'"):$(q "SELECT value > 0 FROM fo2_$IT.stats WHERE scope = 'ddns' AND counter = 'rows-done'")" "1:t"
like "... and no statement was refused" "$(grep -c 'permission denied' "$T/dd-2.log" "$T/dd-1.log" | tr '\n' ' ')" ":0 .*:0 $"

done_testing
