#!/bin/bash
# chorus-lq across two instances of the split-prefix model (two schemas, two
# chorus-dhcp6d, two chorus-leasequeryd, one PostgreSQL): a client bound by instance 1
# rebinds at instance 2 (the failover of ARCHITECTURE.md): chorus-lq marks instance 2's
# binding current and instance 1's stale, over UDP and bulk TCP, as a table, JSON and
# CSV; with instance 1 down it names it as not answering and exits 1; usage errors
# exit 2. The same from the deployment's config files (-c: leasequery.address for UDP,
# bulk-address and bulk-port for TCP; leasequeryd listens on bulk-port, no -p).
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"
LQ="$CHORUS_BUILDDIR/leasequeryd/chorus-lq"
need jq python3
it_setup lqcli
P2=0
PIDS=
cleanup2() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
	it_cleanup
}
trap cleanup2 EXIT

# conf N OWN FOREIGN: instance N's config (split prefixes of 2001:db8:1::/64)
conf() {
	cat >"$T/c$1.json" <<EOC
{
  "instance": { "name": "split-s$1", "schema": "${SCHEMA}_$1",
    "database": { "conninfo": "dbname=$PGDATABASE",
      "leasequery-conninfo": "dbname=$PGDATABASE user=lqd_$IT" }, "pid-file": "$T/e$1.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": $((200 - $1)), "hash-key": "chorus-lq-test-key-000001",
    "preferred-lifetime": 300, "valid-lifetime": 600, "rebind-policy": "replace",
    "subnets": [ { "id": 1, "prefix": "2001:db8:1::/64", "pools": [ { "prefix": "$2" } ],
      "foreign-ranges": [ { "prefix": "$3" } ] } ]
  },
  "leasequery": { "enabled": true, "local-socket": "$T/lq$1.sock", "bulk-address": "::1",
    "bulk-port": $((TPORT + 10 * $1)), "address": "[::1]:$((UPORT + 10 * $1))" }
}
EOC
}

# start N: engine on UPORT+10N, leasequeryd on TPORT+10N
start() {
	"$ENGINE" -c "$T/c$1.json" -d -p $((UPORT + 10 * $1)) >>"$T/e$1.log" 2>&1 &
	eval "E$1=$!"
	PIDS="$PIDS $!"
	wait_for "$T/e$1.log" "database ready" 1 || bail "engine $1 did not start"
	"$LQD" -c "$T/c$1.json" -d >>"$T/l$1.log" 2>&1 &
	eval "L$1=$!"
	PIDS="$PIDS $!"
	wait_for "$T/l$1.log" "database ready" 1 || bail "leasequeryd $1 did not start"
}

q "CREATE ROLE lqd_$IT LOGIN" >/dev/null || bail "cannot create the login role"
it_role "lqd_$IT"
for n in 1 2; do
	"$ADMIN" db-init --schema "${SCHEMA}_$n" >/dev/null 2>&1 || bail "db-init $n failed"
	it_role "${SCHEMA}_${n}_dhcp" "${SCHEMA}_${n}_lq" "${SCHEMA}_${n}_ddns" "${SCHEMA}_${n}_api"
	q "GRANT ${SCHEMA}_${n}_lq TO lqd_$IT" >/dev/null
done
conf 1 2001:db8:1::/65 2001:db8:1:0:8000::/65
conf 2 2001:db8:1:0:8000::/65 2001:db8:1::/65
start 1
start 2
U1="[::1]:$((UPORT + 10))"
U2="[::1]:$((UPORT + 20))"
B1="[::1]:$((TPORT + 10))"
B2="[::1]:$((TPORT + 20))"
re() { printf '%s' "$1" | sed 's/[].[]/\\&/g'; } # an address as an extended regex
R1=$(re "$U1")
R2=$(re "$U2")

# --- the client on instance 1, then a rebind at instance 2 ---
C=0001000100000000000000000c01
S1=$(python3 "$CLIENT" $((UPORT + 10)) solicit --duid $C | jq -r .serverid)
A1=$(python3 "$CLIENT" $((UPORT + 10)) request --duid $C --serverid "$S1" | jq -r '.ias[0].leases[0].addr')
like "instance 1 grants from its half" "$A1" '^2001:db8:1:0:[0-7]'
sleep 2
r=$(python3 "$CLIENT" $((UPORT + 20)) rebind --duid $C --addr "$A1")
A2=$(printf '%s' "$r" | jq -r '.ias[0].leases[1].addr')
like "instance 2 answers the rebind with an address of its own half" "$A2" '^2001:db8:1:0:[89a-f]'
D=0001000100000000000000000c02 # a client only instance 2 knows
S2=$(printf '%s' "$r" | jq -r .serverid)
python3 "$CLIENT" $((UPORT + 20)) request --duid $D --serverid "$S2" >/dev/null
sleep 1

# --- UDP across both instances ---
out=$("$LQ" --server "$U1" --server "$U2" --client-id $C --json)
is "UDP by client-id: exit 0 when both answered" "$?" 0
is "instance 2's binding is current" "$(j "$out" "map(select(.binding == \"$A2\")) | .[0] | \"\(.state) \(.server)\"")" "current $U2"
is "instance 1's binding is stale" "$(j "$out" "map(select(.binding == \"$A1\" and .server == \"$U1\")) | .[0].state")" stale
like "... with the older last contact" "$(j "$out" "(map(select(.server == \"$U1\"))[0].clt_time) > (map(select(.server == \"$U2\"))[0].clt_time)")" true
out=$("$LQ" --server "$U1" --server "$U2" --address "$A1" --csv)
is "UDP by address, CSV: one row per binding and a header" "$(printf '%s\n' "$out" | head -1)" \
	"state,server,client,binding,valid,clt_time,last_contact,status"
like "... instance 1 still holds $A1, stale" "$out" "stale,$R1,$C,$A1,"
like "... beside the client's current binding at instance 2 (asked for by client-id)" "$out" "current,$R2,$C,$A2,"
out=$("$LQ" --server "$U1" --server "$U2" --client-id $D)
like "a client only instance 2 knows: current there, the table says instance 1 has none" "$out" "current +$R2 +$D"
like "... and that instance 1 answered without a binding" "$out" "answered +$R1 .*no binding"

# --- the deployment's config files instead of --server ---
out=$("$LQ" -c "$T/c1.json" --config "$T/c2.json" --client-id $C --json)
is "-c, UDP by client-id: exit 0 when both answered" "$?" 0
is "... instance split-s2's binding is current" "$(j "$out" "map(select(.binding == \"$A2\")) | .[0] | \"\(.state) \(.server)\"")" "current split-s2"
is "... split-s1's is stale" "$(j "$out" "map(select(.binding == \"$A1\" and .server == \"split-s1\")) | .[0].state")" stale
out=$("$LQ" -c "$T/c1.json" -c "$T/c2.json" --relay-id 000300010a0b0c0d0e00 --json)
is "-c, bulk TCP by relay-id (bulk-port): three bindings of two clients" "$(j "$out" '[.[] | select(.binding != "")] | length')" 3
jq 'del(.leasequery.address, .leasequery["bulk-address"])' "$T/c1.json" >"$T/c3.json"
err=$("$LQ" -c "$T/c3.json" --client-id $C 2>&1 >/dev/null)
is "-c, a file with neither address nor bulk-address: exit 2" "$?" 2
like "... the error names the file and the key" "$err" "c3.json: /leasequery/address: absent"
printf '{"instance": {}}' >"$T/c4.json"
err=$("$LQ" -c "$T/c4.json" --client-id $C 2>&1 >/dev/null)
is "-c, a config the loader refuses: exit 2" "$?" 2
like "... with the loader's error, path and all" "$err" "c4.json: /instance/"

# --- bulk TCP across both ---
out=$("$LQ" --server "$B1" --server "$B2" --relay-id 000300010a0b0c0d0e00 --json)
is "TCP by relay-id: three bindings of two clients" "$(j "$out" '[.[] | select(.binding != "")] | length')" 3
is "... the moved client current on instance 2 only" \
	"$(j "$out" "[.[] | select(.client == \"$C\" and .state == \"current\") | .server] | unique | join(\" \")")" "$B2"
out=$("$LQ" --tcp --server "$B1" --server "$B2" --client-id $C --json)
is "TCP by client-id: the same verdict" "$(j "$out" "map(select(.state == \"current\")) | .[0].binding")" "$A2"
out=$("$LQ" --server "$B1" --server "$B2" --link-address 2001:db8:1::1)
like "TCP by link-address: a table with both instances' clients" "$out" "current .*$D"

# --- instance 1 down: granting server unavailable ---
kill -9 "$E1" "$L1"
out=$("$LQ" --server "$U1" --server "$U2" --client-id $C --timeout 2)
rc=$?
is "instance 1 down: exit 1" "$rc" 1
like "... it is named as not answering" "$out" "no-answer +$R1 .*no answer"
like "... instance 2's binding is current" "$out" "current +$R2 +$C +$A2"
out=$("$LQ" --server "$B1" --server "$B2" --relay-id 000300010a0b0c0d0e00 --json --timeout 2)
is "TCP with instance 1 down: exit 1, its error named" "$?/$(j "$out" "map(select(.server == \"$B1\")) | .[0].state")" "1/no-answer"
out=$("$LQ" -c "$T/c1.json" -c "$T/c2.json" --client-id $C --timeout 2)
rc=$?
is "-c, instance 1 down: exit 1" "$rc" 1
like "... split-s1 named as not answering" "$out" "no-answer +split-s1 .*no answer"
like "... split-s2's binding current" "$out" "current +split-s2 +$C +$A2"
out=$("$LQ" -c "$T/c1.json" -c "$T/c2.json" --link-address 2001:db8:1::1 --json --timeout 2)
is "-c, bulk TCP with instance 1 down: exit 1, split-s1 no-answer" "$?/$(j "$out" 'map(select(.server == "split-s1")) | .[0].state')" "1/no-answer"

# --- usage ---
"$LQ" --address 2001:db8::1 2>/dev/null
is "no --server: exit 2" "$?" 2
"$LQ" --server ::1 --address 2001:db8::1 --client-id 0001 2>/dev/null
is "two queries: exit 2" "$?" 2
"$LQ" --server ::1 --remote-id 0000118b 2>/dev/null
is "a remote-id without an id: exit 2" "$?" 2

done_testing
