#!/bin/bash
# A lease deleted through chorus-apid (DELETE /v1/leases/..., NOTIFY <schema>_dhcp
# 'lease-deleted addr/plen') is let go by the running chorus-dhcp6d, seen from outside:
# with a pool of one address and a PD pool of one prefix, a second client gets each
# only after the DELETE, within a deadline; the first client's Renew then gets its
# old address with lifetimes 0 (another client holds it), while a client that renews a
# deleted lease nobody took gets it back (it is free); one DNS removal per deleted
# lease (the API's, none more from the engine's expiry); the engine's log line and its
# lease-expired counter; a NOTIFY of another schema or a payload the engine cannot
# use frees nothing. Real chorus-dhcp6d (as a login of the <schema>_dhcp role),
# chorus-apid (of <schema>_api) and PostgreSQL (lib_admin.sh).
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

APID="$CHORUS_BUILDDIR/api/chorus-apid"
DAEMON="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
SCHEMA=del_$IT
OTHER=delb_$IT
PORT=$(free_ports 2) || bail "no free ports"
APORT=$((PORT + 1))
T=$(mktemp -d /tmp/chorus-del.XXXXXX)
DPID=
APID_PID=
URL="http://[::1]:$APORT"
A=2001:db8:1::10
P=2001:db8:100::/56
DX=0001000100000000000000000071
DY=0001000100000000000000000072
DZ=0001000100000000000000000073

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "$APID_PID" ] && kill -9 "$APID_PID" 2>/dev/null && wait "$APID_PID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need curl jq python3
it_setup deleted
trap cleanup EXIT
it_role "${SCHEMA}_dhcp" "${SCHEMA}_lq" "${SCHEMA}_ddns" "${SCHEMA}_api" "d6u_$IT" "apiu_$IT"
it_role "${OTHER}_dhcp" "${OTHER}_lq" "${OTHER}_ddns" "${OTHER}_api"
"$ADMIN" db-init --schema "$SCHEMA" >/dev/null || bail "db-init failed"
"$ADMIN" db-init --schema "$OTHER" >/dev/null || bail "db-init of a second schema failed"
q "CREATE ROLE d6u_$IT LOGIN IN ROLE ${SCHEMA}_dhcp" >/dev/null || bail "cannot create the engine's user"
q "CREATE ROLE apiu_$IT LOGIN IN ROLE ${SCHEMA}_api" >/dev/null || bail "cannot create the api user"
read -r TOK HASH < <("$ADMIN" token-new | paste -sd' ')

cat >"$T/conf.json" <<EOF
{
  "instance": { "name": "it-del", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE" }, "pid-file": "$T/d.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 200, "hash-key": "integration-test-key-0001",
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64",
        "pools": [ { "start": "$A", "end": "$A" } ],
        "pd-pools": [ { "prefix": "$P", "delegated-length": 56 } ] }
    ]
  },
  "leasequery": { "enabled": false },
  "ddns": { "enabled": true, "qualifying-suffix": "example.com." },
  "api": { "listen": ["[::1]:$APORT"], "rate-limit": 1000, "rate-burst": 1000,
    "tokens": [ { "name": "ops", "token": "$HASH", "role": "admin" } ] }
}
EOF

PGUSER=d6u_$IT "$DAEMON" -c "$T/conf.json" -d -p "$PORT" >>"$T/d.log" 2>&1 &
DPID=$!
it_wait_lines "$T/d.log" "database ready" 1 30 || bail "chorus-dhcp6d did not start"
PGUSER=apiu_$IT "$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
APID_PID=$!
it_wait_lines "$T/a.log" "database ready" 1 30 || bail "chorus-apid did not start"
ok "engine and API up, each as its own role"
is "leasequery disabled: one UDP socket on the port, none steered aside" "$(udp_socks "$DPID" "$PORT")" 1

j() { printf '%s\n' "$1" | jq -r "$2"; }
# ex MSG ARGS...: one relayed exchange; on a loaded machine an answer can miss the
# client's 1 s, so a lost one is asked again, at most 5 times.
ex() {
	local r
	for _ in 1 2 3 4 5; do
		r=$(python3 "$CLIENT" "$PORT" "$@")
		[ "$(j "$r" '.timeout // false')" = false ] && break
	done
	printf '%s\n' "$r"
}
# got REPLY: what the reply's IA_NA and IA_PD hold, "addr valid" each, or their status.
got() { j "$1" '[.ias[] | if .leases == [] then "status \(.status)" else (.leases[] | "\(.addr) \(.valid)") end] | join(", ")'; }
active() { q "SELECT encode(duid, 'hex') FROM $SCHEMA.leases WHERE addr = '$1' AND state = 'active'"; }
del() { curl -sS -g -m 20 -o "$T/del.json" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOK" "$URL/v1/leases/$1"; }

# --- client X holds the one address and the one prefix ---
r=$(ex solicit --duid $DX --pd)
SID=$(j "$r" .serverid)
r=$(ex request --duid $DX --serverid "$SID" --pd --fqdn hostx --fqdn-flags 1)
is "client X is granted the pool's one address and one prefix" "$(got "$r")" "$A 600, $P 600"
is "... both rows active for X" "$(active $A) $(active $P)" "$DX $DX"
r=$(ex solicit --duid $DY --pd)
is "client Y is offered nothing" "$(got "$r")" "status 2, status 6"

# --- the API deletes X's address: the engine lets it go, Y gets it ---
is "DELETE of X's address: 200" "$(del $A)" 200
is "... the API answers it released, DNS removal queued" "$(jq -r '"\(.lease.state) \(.dns_removal_queued)"' "$T/del.json")" "released true"
if it_wait_lines "$T/d.log" "$A/128: deleted through the API, free again" 1 20; then
	ok "the engine logs that it let the address go"
else
	not_ok "the engine logs that it let the address go"
fi
t0=$(date +%s%N)
end=$((SECONDS + 15))
while [ $SECONDS -lt $end ]; do
	r=$(ex solicit --duid $DY)
	[ "$(got "$r")" != "status 2" ] && break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
is "after the DELETE client Y is offered the address (${ms} ms)" "$(got "$r")" "$A 600"
r=$(ex request --duid $DY --serverid "$SID")
is "... and granted it" "$(got "$r")" "$A 600"
is "... the table holds it for Y, once" "$(active $A)" "$DY"
r=$(ex solicit --duid $DZ)
is "a third client is offered nothing: the pool is Y's again" "$(got "$r")" "status 2"

# --- X comes back with a Renew for the address it lost ---
r=$(ex renew --duid $DX --serverid "$SID" --addr $A --fqdn hostx --fqdn-flags 1)
is "X's Renew: its old address with lifetimes 0 (Y holds it), no other" "$(got "$r")" "$A 0"
is "... Y's lease untouched" "$(active $A)" "$DY"
is "one DNS removal for X's deleted name (the API's), none added by the engine" \
	"$(q "SELECT count(*) || ' ' || max(fqdn) FROM $SCHEMA.ddns_queue WHERE action = 'remove' AND addr = '$A'")" \
	"1 hostx.example.com."

# --- the same for the prefix (the payload names the /56) ---
is "DELETE of X's prefix: 200" "$(del "${P/\//%2F}")" 200
it_wait_lines "$T/d.log" "$P: deleted through the API, free again" 1 20 >/dev/null
end=$((SECONDS + 15))
while [ $SECONDS -lt $end ]; do
	r=$(ex solicit --duid $DY --pd --no-na)
	[ "$(got "$r")" != "status 6" ] && break
	sleep 0.1
done
is "after the DELETE client Y is offered the prefix" "$(got "$r")" "$P 600"
r=$(ex request --duid $DY --serverid "$SID" --pd --no-na)
is "... and granted it" "$(got "$r")" "$P 600"
is "... the table holds it for Y" "$(active $P)" "$DY"

# --- what must free nothing: another schema's channel, payloads the engine cannot use ---
q "SELECT pg_notify('${OTHER}_dhcp', 'lease-deleted $A/128')" >/dev/null
q "SELECT pg_notify('${SCHEMA}_dhcp', 'lease-deleted 2001:db8:1::99/128')" >/dev/null
q "SELECT pg_notify('${SCHEMA}_dhcp', 'lease-deleted not-an-address')" >/dev/null
q "SELECT pg_notify('${SCHEMA}_dhcp', 'lease-deleted')" >/dev/null
q "SELECT pg_notify('${SCHEMA}_dhcp', 'something-else $A/128')" >/dev/null
sleep 1
r=$(ex solicit --duid $DZ --pd)
is "... after them a third client is still offered nothing" "$(got "$r")" "status 2, status 6"
r=$(ex renew --duid $DY --serverid "$SID" --addr $A)
is "... and Y renews its address" "$(got "$r")" "$A 600"
is "... two leases let go in all, as the log says" "$(grep -c "deleted through the API" "$T/d.log")" 2

# --- Y's address deleted, and Y renews before anyone else asks for it: the address is
# free, so it is Y's again (as after Kea's lease6-del), and its row active once ---
is "DELETE of Y's address: 200" "$(del $A)" 200
it_wait_lines "$T/d.log" "$A/128: deleted through the API, free again" 2 20 >/dev/null
r=$(ex renew --duid $DY --serverid "$SID" --addr $A)
is "... Y's Renew before anyone else's Solicit: the free address again" "$(got "$r")" "$A 600"
is "... the table holds it for Y, once" "$(active $A)" "$DY"
r=$(ex solicit --duid $DZ)
is "... and a third client is offered nothing" "$(got "$r")" "status 2"

# --- the engine's counters, flushed at SIGTERM ---
kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
is "engine: SIGTERM, clean exit" "$rc" 0
is "lease-expired counts the three deleted leases" \
	"$(q "SELECT value FROM $SCHEMA.stats WHERE scope = 'dhcp6' AND counter = 'lease-expired'")" 3
if grep -Eq "statement failed|error" "$T/d.log"; then
	not_ok "no error in the engine's log"
	grep -E "statement failed|error" "$T/d.log" | head -5 | sed 's/^/#   /'
else
	ok "no error in the engine's log"
fi
kill -TERM "$APID_PID"
wait "$APID_PID"
rc=$?
APID_PID=
is "API: SIGTERM, clean exit" "$rc" 0
done_testing
