#!/bin/bash
# chorus-leasequeryd on a hot standby (ARCHITECTURE.md "Scale"): the test builds a
# streaming replica of its private cluster with pg_basebackup; a leasequeryd reading
# the standby (with the read-only role) answers UDP and bulk TCP queries as a second
# leasequeryd on the primary does; the standby refuses its counters and heartbeat,
# which it logs once and goes on serving; new leases show up after replication.
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"
lq_setup lqstandby
[ -n "$it_tmp" ] || bail "needs the private cluster of lib_admin.sh"
SB="$it_tmp/standby"
SBPORT=$((PGPORT + 1))
RID=000300010a0b0c0d0e00
sb_stop() {
	[ -f "$SB/postmaster.pid" ] && pg_as_postgres "$PG_TEST_BIN/pg_ctl" -D "$SB" -m immediate -w stop >/dev/null 2>&1
	lq_cleanup
}
trap sb_stop EXIT

: >"$T/granted"
python3 "$CLIENT" "$UPORT" load 300 "$T/granted" 60 >/dev/null
is "300 leases on the primary" "$(wc -l <"$T/granted")" 300

pg_as_postgres "$PG_TEST_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres -D "$SB" -R -X stream -c fast \
	>"$T/basebackup.log" 2>&1 || bail "pg_basebackup failed: $(tail -3 "$T/basebackup.log")"
pg_as_postgres "$PG_TEST_BIN/pg_ctl" -D "$SB" -l "$it_tmp/standby.log" -w -t 60 \
	-o "-c listen_addresses='' -k $it_tmp -p $SBPORT -c hot_standby=on -c max_connections=200" start >/dev/null ||
	{ sed "s/^/# /" "$it_tmp/standby.log"; bail "the standby did not start"; }
is "the standby is in recovery" "$(psql -X -At -p "$SBPORT" -c 'SELECT pg_is_in_recovery()')" t

# one leasequeryd on the standby (behind the engine), one on the primary (TCP only)
sed "s|user=lqd_$IT\"|user=lqd_$IT port=$SBPORT\"|" "$T/conf.json" >"$T/sb.json"
mv "$T/sb.json" "$T/conf.json"
lq_start || bail "leasequeryd on the standby did not start"
ok "leasequeryd connects to the standby with the read-only role"
sed -e "s|\"local-socket\": \"$T/lq.sock\"|\"local-socket\": \"$T/lqp.sock\"|" \
	-e "s| port=$SBPORT\"|\"|" "$T/conf.json" >"$T/p.json"
"$LQD" -c "$T/p.json" -d -p $((TPORT + 2)) >>"$T/p.log" 2>&1 &
PPID2=$!
wait_for "$T/p.log" "database ready" 1 || bail "leasequeryd on the primary did not start"

read -r A D <"$T/granted"
for _ in $(seq 50); do
	r=$(lq --qtype 1 --addr "$A" --timeout 0.5)
	[ "$(j "$r" '.client_data | length')" = 1 ] && break
done
is "UDP BY_ADDRESS answered from the standby" "$(j "$r" '.client_data[0].clientid')" "$D"
r=$(lq --qtype 2 --duid "$D")
is "UDP BY_CLIENTID answered from the standby" "$(j "$r" '.client_data[0].addrs[0].addr')" "$A"
view() { j "$1" '[.messages[].client_data[] | "\(.clientid) \([.addrs[].addr] | join(","))"] | sort | join(";")'; }
sb=$(view "$(bulk --qtype 3 --relay-id $RID)")
pr=$(view "$(python3 "$REQ" tcp $((TPORT + 2)) --qtype 3 --relay-id $RID)")
is "bulk BY_RELAY_ID: the standby's answer equals the primary's" "$sb" "$pr"
is "... all 300 clients" "$(printf '%s\n' "$sb" | tr ';' '\n' | wc -l)" 300

# a lease granted now reaches the standby, and leasequeryd there sees it
r=$(ex request --duid 000100010000000000000000abcd --serverid "$(j "$(ex solicit --duid 000100010000000000000000abcd)" .serverid)")
N=$(j "$r" '.ias[0].leases[0].addr')
for _ in $(seq 50); do
	[ "$(j "$(lq --qtype 1 --addr "$N" --timeout 0.5)" '.client_data | length')" = 1 ] && break
	sleep 0.1
done
is "a new lease is answered from the standby after replication" "$(j "$(lq --qtype 1 --addr "$N")" '.client_data[0].clientid')" 000100010000000000000000abcd

# counters: refused on the standby, logged once; served anyway
kill -TERM "$LPID"
wait "$LPID"
is "the standby leasequeryd stops cleanly" "$?" 0
LPID=
is "the standby's refusal of counters and heartbeat is logged once" "$(grep -c 'refuses our counters' "$T/l.log")" 1
# reload requests (lib/reload.h) travel by NOTIFY, which a standby refuses: said once, SIGHUP works
is "the standby refuses LISTEN: leasequeryd says once that reload requests cannot reach it" \
	"$(grep -c "hot standby, which refuses LISTEN: reload requests on ${SCHEMA}_reload do not reach" "$T/l.log")" 1
is "the primary's leasequeryd listens for reload requests" \
	"$(grep -c "listening for reload requests on ${SCHEMA}_reload" "$T/p.log")" 1
kill -TERM "$PPID2"
wait "$PPID2"
is "the primary's leasequeryd wrote its heartbeat" \
	"$(q "SELECT count(*) FROM $SCHEMA.heartbeats WHERE daemon = 'leasequeryd'")" 1

done_testing
