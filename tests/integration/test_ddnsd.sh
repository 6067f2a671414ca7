#!/bin/bash
# chorus-ddnsd with a real chorus-dhcp6d, PostgreSQL and BIND 9 named, all on [::1]:
# leases with a Client FQDN (test_dhcp6d_client.py) give AAAA, DHCID and PTR (checked with
# dig); a second address of the client joins the name; a second client claiming the name is
# refused (check-with-dhcid) and recorded; Release removes only what the binding added; a
# wrong TSIG key is logged and keeps the row until a reload fixes the key; an algorithm ldns
# lacks is refused at load; kill -9 in the middle of a batch loses and duplicates nothing
# (the zone compared with the leases table); heartbeat and counters; SIGTERM.
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"
. "$CHORUS_SRCDIR/tests/integration/lib_dns.sh"

DHCPD="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
DDNSD="$CHORUS_BUILDDIR/ddnsd/chorus-ddnsd"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
SCHEMA=ddns_$IT
PORT=$((30000 + $$ % 20000))
DNSPORT=$((PORT + 1))
T=$(mktemp -d /tmp/chorus-ddns.XXXXXX)
D6PID=
DDPID=

cleanup() {
	[ -n "$D6PID" ] && kill -9 "$D6PID" 2>/dev/null
	[ -n "$DDPID" ] && kill -9 "$DDPID" 2>/dev/null
	dns_stop
	rm -rf "$T"
	it_cleanup
}

need jq dig named python3
it_setup ddnsd
trap cleanup EXIT
"$ADMIN" db-init --schema "$SCHEMA" --no-roles >/dev/null || bail "db-init failed"
dns_write "$T/dns" "$DNSPORT"
sed -i 's/allow-query { any; };/allow-query { any; };\n\tallow-transfer { any; };/' "$T/dns/named.conf"
dns_start "$T/dns" "$DNSPORT" || bail "named did not start"
ok "named answers for $DNS_FWD and $DNS_REV on [::1]:$DNSPORT"

# write_conf FILE SECRET [POLICY] [ALGORITHM]
write_conf() {
	cat >"$1" <<JSON
{
  "instance": { "name": "it-ddns", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE" }, "pid-file": "$T/d6.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 200, "hash-key": "integration-test-key-0001",
    "preferred-lifetime": 3000, "valid-lifetime": 6000,
    "subnets": [ { "id": 1, "prefix": "2001:db8:1::/64", "pools": [ { "prefix": "2001:db8:1::/65" } ] } ]
  },
  "ddns": { "enabled": true, "qualifying-suffix": "$DNS_FWD.",
    "keys": [ { "name": "$DNS_KEY_NAME", "algorithm": "${4:-hmac-sha256}", "secret": "$2" } ],
    "servers": [ { "address": "::1", "port": $DNSPORT, "key": "$DNS_KEY_NAME" } ],
    "forward-zones": [ { "name": "$DNS_FWD.", "server": "::1" } ],
    "reverse-zones": [ { "name": "$DNS_REV.", "server": "::1" } ],
    "conflict-policy": "${3:-check-with-dhcid}", "window": 16, "timeout-ms": 1000,
    "retry-min": 1, "retry-max": 2, "permanent-retry": 2, "sweep": 2 }
}
JSON
}

# wait_log FILE PATTERN N: until FILE holds N lines matching PATTERN (20 s).
wait_log() {
	for _ in $(seq 200); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "# $1:" && tail -20 "$1" | sed 's/^/#   /'
	return 1
}

# drained [SECS]: until the outbox is empty (default 30 s).
drained() {
	for _ in $(seq $((${1:-30} * 10))); do
		[ "$(q "SELECT count(*) FROM $SCHEMA.ddns_queue")" = 0 ] && return 0
		sleep 0.1
	done
	q "SELECT id, action, fqdn, host(addr), attempts, last_error FROM $SCHEMA.ddns_queue LIMIT 5" | sed 's/^/#   queued: /'
	tail -5 "$T/dd.log" | sed 's/^/#   ddnsd: /'
	return 1
}

start_ddnsd() {
	"$DDNSD" -c "$T/conf.json" -d -P "$T/dd.pid" >>"$T/dd.log" 2>&1 &
	DDPID=$!
	wait_log "$T/dd.log" "database ready" "${1:-1}"
}

ex() { python3 "$CLIENT" "$PORT" "$@"; }
j() { printf '%s\n' "$1" | jq -r "$2"; }
rev() { python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer + '.')" "$1"; }
dhcid() { # the RFC 4701 DHCID of DUID (hex) and FQDN, base64
	python3 -c "import base64,hashlib,sys
w = b''.join(bytes([len(l)]) + l.lower().encode() for l in sys.argv[2].rstrip('.').split('.')) + b'\0'
print(base64.b64encode(b'\0\2\1' + hashlib.sha256(bytes.fromhex(sys.argv[1]) + w).digest()).decode())" "$1" "$2"
}

# --- the loader: ldns's algorithms only ---
write_conf "$T/conf.json" "$DNS_SECRET" check-with-dhcid hmac-sha384
out=$("$DDNSD" -c "$T/conf.json" -t 2>&1)
like "an algorithm ldns cannot sign with is refused at load, naming ldns" "$out" \
	"/ddns/keys/0/algorithm: hmac-sha384 is not supported by ldns"
write_conf "$T/conf.json" "$DNS_SECRET"
like "-t prints the effective configuration" "$("$DDNSD" -c "$T/conf.json" -t)" '"window": 16'

"$DHCPD" -c "$T/conf.json" -d -p "$PORT" >>"$T/d6.log" 2>&1 &
D6PID=$!
wait_log "$T/d6.log" "database ready" 1 || bail "chorus-dhcp6d did not start"
start_ddnsd || bail "chorus-ddnsd did not start"
ok "chorus-dhcp6d and chorus-ddnsd up"
SID=$(j "$(ex solicit --duid 00010001aaaaaaaaaaaaaaaaaaaa)" .serverid)

# --- a lease with a name: AAAA, DHCID, PTR ---
D1=0001000100000000000000000d01
r=$(ex request --duid $D1 --serverid "$SID" --fqdn host1 --fqdn-flags 1)
A1=$(j "$r" '.ias[0].leases[0].addr')
is "the Reply says the server updates AAAA" "$(j "$r" '"\(.fqdn) \(.fqdn_flags)"')" "host1.$DNS_FWD. 1"
drained || not_ok "the outbox drains"
is "AAAA of host1 is the lease's address" "$(dq $DNSPORT AAAA host1.$DNS_FWD)" "$A1"
is "DHCID of host1 is RFC 4701's digest of DUID and name" "$(dq $DNSPORT DHCID host1.$DNS_FWD)" \
	"$(dhcid $D1 host1.$DNS_FWD)"
is "PTR of the address names host1" "$(dq $DNSPORT PTR "$(rev "$A1")")" "host1.$DNS_FWD."
is "the lease records both updates done" \
	"$(q "SELECT ddns_fwd, ddns_rev FROM $SCHEMA.leases WHERE addr = '$A1'")" "t|t"

# --- a second IA of the same client under the same name: both addresses ---
r=$(ex request --duid $D1 --serverid "$SID" --iaid 2 --fqdn host1 --fqdn-flags 1)
A1b=$(j "$r" '.ias[0].leases[0].addr')
drained || not_ok "the outbox drains"
is "both addresses of the client are AAAAs of host1" "$(dq $DNSPORT AAAA host1.$DNS_FWD)" \
	"$(printf '%s\n' "$A1" "$A1b" | sort)"
is "and both have their PTR" "$(dq $DNSPORT PTR "$(rev "$A1b")")" "host1.$DNS_FWD."

# --- another client claims the name: refused under check-with-dhcid ---
D2=0001000100000000000000000d02
r=$(ex request --duid $D2 --serverid "$SID" --fqdn host1 --fqdn-flags 1)
A2=$(j "$r" '.ias[0].leases[0].addr')
drained || not_ok "the outbox drains"
is "check-with-dhcid: host1 keeps its owner's addresses" "$(dq $DNSPORT AAAA host1.$DNS_FWD)" \
	"$(printf '%s\n' "$A1" "$A1b" | sort)"
is "... and the intruder's address gets no PTR" "$(dq $DNSPORT PTR "$(rev "$A2")")" ""
is "... and the conflict is recorded as an event" \
	"$(q "SELECT detail->>'fqdn' FROM $SCHEMA.events WHERE kind = 'ddns-conflict' AND addr = '$A2'")" \
	"host1.$DNS_FWD."
like "... and logged" "$(grep 'not updated' "$T/dd.log")" "belongs to another client"

# --- Release removes only what the binding added ---
ex release --duid $D1 --serverid "$SID" --iaid 2 --addr "$A1b" >/dev/null
drained || not_ok "the outbox drains"
is "Release of one address: the other stays" "$(dq $DNSPORT AAAA host1.$DNS_FWD)" "$A1"
is "... and its PTR is gone" "$(dq $DNSPORT PTR "$(rev "$A1b")")" ""
ex release --duid $D1 --serverid "$SID" --addr "$A1" >/dev/null
drained || not_ok "the outbox drains"
is "Release of the last address: no AAAA left" "$(dq $DNSPORT AAAA host1.$DNS_FWD)" ""
is "... nor DHCID" "$(dq $DNSPORT DHCID host1.$DNS_FWD)" ""
is "... nor PTR" "$(dq $DNSPORT PTR "$(rev "$A1")")" ""

# --- a wrong TSIG key: a clear error, the row stays; a reload with the right key lands it ---
write_conf "$T/conf.json" "c2VjcmV0LXRoYXQtaXMtd3Jvbmc="
kill -HUP "$DDPID"
wait_log "$T/dd.log" "configuration reloaded" 1
D3=0001000100000000000000000d03
r=$(ex request --duid $D3 --serverid "$SID" --fqdn host3 --fqdn-flags 1)
A3=$(j "$r" '.ias[0].leases[0].addr')
wait_log "$T/dd.log" "TSIG error BADSIG" 1
like "a wrong key is logged as the server's NOTAUTH/BADSIG, naming the key" \
	"$(grep 'TSIG error' "$T/dd.log" | head -1)" "host3.$DNS_FWD.*NOTAUTH, TSIG error BADSIG .*key $DNS_KEY_NAME.*permanent failure"
is "... the row stays, marked permanent with its reason" \
	"$(q "SELECT permanent, last_error LIKE 'NOTAUTH%' FROM $SCHEMA.ddns_queue WHERE addr = '$A3'")" "t|t"
is "... and nothing reached the zone" "$(dq $DNSPORT AAAA host3.$DNS_FWD)" ""
write_conf "$T/conf.json" "$DNS_SECRET"
kill -HUP "$DDPID"
wait_log "$T/dd.log" "configuration reloaded" 2
drained || not_ok "the outbox drains"
is "with the right key the kept row lands" "$(dq $DNSPORT AAAA host3.$DNS_FWD)" "$A3"

# --- kill -9 in the middle of a batch: nothing lost, nothing twice ---
python3 "$CLIENT" "$PORT" load 150 "$T/bulk" 30 bulk >"$T/bulk.out"
n=$(wc -l <"$T/bulk")
echo "# load: $(cat "$T/bulk.out")"
for _ in $(seq 300); do
	[ "$(q "SELECT count(*) FROM $SCHEMA.leases WHERE fqdn LIKE 'bulk%' AND ddns_rev")" -ge 10 ] && break
	sleep 0.02
done
left=$(q "SELECT count(*) FROM $SCHEMA.ddns_queue")
kill -9 "$DDPID"
wait "$DDPID" 2>/dev/null
DDPID=
echo "# killed with $left of $n rows still queued"
[ "$left" -gt 0 ] && ok "ddnsd killed -9 with work queued ($left rows)" || not_ok "ddnsd killed -9 with work queued ($left rows)"
start_ddnsd 2 || bail "chorus-ddnsd did not restart"
drained 60 || not_ok "the outbox drains after the restart"
dig -p "$DNSPORT" @::1 +noall +answer +onesoa AXFR "$DNS_FWD" >"$T/fwd.axfr"
dig -p "$DNSPORT" @::1 +noall +answer +onesoa AXFR "$DNS_REV" >"$T/rev.axfr"
q "SELECT fqdn || ' ' || host(addr) FROM $SCHEMA.leases WHERE fqdn LIKE 'bulk%' AND state = 'active'" | sort >"$T/want"
awk '$4 == "AAAA" && $1 ~ /^bulk/ { print $1 " " $5 }' "$T/fwd.axfr" | sort >"$T/got"
is "every bulk lease is in the zone once, nothing else ($n leases)" "$(diff "$T/want" "$T/got" && wc -l <"$T/got")" "$n"
is "one DHCID per name" "$(awk '$4 == "DHCID" && $1 ~ /^bulk/' "$T/fwd.axfr" | wc -l)" "$n"
is "one PTR per address" "$(awk '$4 == "PTR" && $5 ~ /^bulk/' "$T/rev.axfr" | wc -l)" "$n"

# --- heartbeat, counters, SIGTERM ---
kill -TERM "$DDPID"
wait "$DDPID"
rc=$?
DDPID=
is "SIGTERM: clean exit" "$rc" 0
[ ! -e "$T/dd.pid" ] && ok "pid file removed" || not_ok "pid file left behind"
is "the heartbeat row is ddnsd's" \
	"$(q "SELECT beat_at > now() - interval '1 minute', detail ? 'backlog' FROM $SCHEMA.heartbeats WHERE daemon = 'ddnsd'")" "t|t"
is "counters flushed at SIGTERM (rows done, updates sent, NOERROR answers)" \
	"$(q "SELECT count(*) FILTER (WHERE value > 0) FROM $SCHEMA.stats WHERE scope = 'ddns' AND counter IN ('rows-done', 'updates-sent', 'rcode-0')")" 3
is "the backlog gauge is 0" "$(q "SELECT value FROM $SCHEMA.stats WHERE scope = 'ddns' AND counter = 'backlog'")" 0

done_testing
