#!/bin/bash
# Bulk leasequery (RFC 5460) against chorus-leasequeryd on a high TCP port, leases made
# by a real chorus-dhcp6d: all five query types with REPLY, DATA..., DONE streamed over
# several keyset pages, several queries per connection in order, relay data inside
# CLIENT_DATA when asked, no-binding replies; the TCP edge cases: a frame split over
# many writes, an oversized msg-size, garbage, an idle connection, more connections
# than the limits, a reader that stops mid-stream while another stream completes on
# time, a denied requestor; kill -9 and restart; QueryTerminated at SIGTERM; tshark
# decodes every stream.
LQ_EXTRA=', "max-connections": 4, "max-connections-per-requestor": 3, "idle-timeout": 3'
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"
lq_setup lqtcp
need ss
RID=000300010a0b0c0d0e00  # the RELAY_ID of the test client's relay
REM=0000118b706f727430    # its REMOTE_ID: enterprise 4491, "port0"
D1=00010001000000000000000000e1
N=1200

# --- leases: N clients through one relay, one more on the second link ---
: >"$T/granted"
python3 "$CLIENT" "$UPORT" load $N "$T/granted" 60 >"$T/load.out"
is "the engine granted $N leases" "$(wc -l <"$T/granted")" $N
SID=$(j "$(ex solicit --duid $D1)" .serverid)
r=$(ex request --duid $D1 --serverid "$SID" --link 2001:db8:2::1 --pd)
B1=$(j "$r" '.ias[0].leases[0].addr')
P1=$(j "$r" '.ias[1].leases[0].addr')
# one client through two relays: relay-ids {outer ...0e01, inner ...0e00} (and remote-ids)
D2=00010001000000000000000000e2
ex request --duid $D2 --serverid "$SID" --hops 2 >/dev/null
lq_start || bail "chorus-leasequeryd did not start"
for _ in $(seq 50); do
	python3 "$REQ" idle "$TPORT" >/dev/null 2>&1 & IPID=$!
	sleep 0.2; kill "$IPID" 2>/dev/null; wait "$IPID" 2>/dev/null && break
	grep -q "database ready" "$T/l.log" && break
done
want=$(q "SELECT count(DISTINCT duid) FROM $SCHEMA.leases WHERE subnet_id = 1 AND state = 'active'")
# behind the relay: every client on every link (client 1 is on the second link too)
wantr=$(q "SELECT count(DISTINCT (duid, subnet_id)) FROM $SCHEMA.leases WHERE state = 'active'")

# bulk_check JSON: "types clients xids-equal" of a one-query stream
shape() {
	j "$1" '.messages | "\(map(.type) | unique | join(",")) \([.[].client_data[]] | length) \(map(.xid) | unique | length)"'
}

# --- the five query types ---
r=$(bulk --qtype 4 --link 2001:db8:1::1)
is "BY_LINK_ADDRESS: REPLY, DATA, DONE for every client of the link, one xid" "$(shape "$r")" "15,16,17 $want 1"
is "... REPLY first with SERVERID and CLIENTID, DONE last" \
	"$(j "$r" '.messages | "\(.[0].type) \(.[0].serverid) \(.[0].clientid) \(.[-1].type) \(.[-1].status)"')" \
	"15 $SID 000300010200000000aa 16 0"
is "... DATA carries neither SERVERID nor CLIENTID nor STATUS_CODE" \
	"$(j "$r" '[.messages[] | select(.type == 17) | .codes | map(select(. == 1 or . == 2 or . == 13))] | flatten | length')" 0
is "... every client once" "$(j "$r" '[.messages[].client_data[].clientid] | unique | length')" "$want"
like "... with its address, lifetimes and CLT_TIME" \
	"$(j "$r" '.messages[1].client_data[0] | "\(.addrs[0].addr) \(.addrs[0].valid) \(.clt_time)"')" '^2001:db8:1:[0-9a-f:]+ [0-9]+ [0-9]+$'
r=$(bulk --qtype 3 --relay-id $RID)
is "BY_RELAY_ID: every client behind the relay, on both links" "$(shape "$r")" "15,16,17 $wantr 1"
r=$(bulk --qtype 3 --relay-id $RID --link 2001:db8:2::1)
is "BY_RELAY_ID filtered to one link" "$(shape "$r")" "15,16 1 1"
r=$(bulk --qtype 5 --remote-id $REM)
is "BY_REMOTE_ID (enterprise and remote-id): the same clients" "$(shape "$r")" "15,16,17 $wantr 1"
r=$(bulk --qtype 3 --relay-id 000300010a0b0c0d0e01)
is "BY_RELAY_ID of the outer relay of a two-relay chain: its one client" \
	"$(j "$r" '.messages | "\(map(.type) | join(",")) \(.[0].client_data[0].clientid)"')" "15,16 $D2"
r=$(bulk --qtype 5 --remote-id 0000118b706f727431)
is "BY_REMOTE_ID of that outer relay: the same" \
	"$(j "$r" '.messages | "\(map(.type) | join(",")) \(.[0].client_data[0].clientid)"')" "15,16 $D2"
is "... the inner relay's id (second in the chain) found it too" \
	"$(j "$(bulk --qtype 3 --relay-id $RID)" "[.messages[].client_data[] | select(.clientid == \"$D2\")] | length")" 1
r=$(bulk --qtype 3 --relay-id 000300010a0b0c0d0eff)
is "BY_RELAY_ID of an unknown relay: one REPLY without status or data" \
	"$(j "$r" '.messages | "\(length) \(.[0].type) \(.[0].status) \(.[0].client_data | length)"')" "1 15 null 0"
r=$(bulk --qtype 1 --addr "$B1")
is "BY_ADDRESS over TCP: REPLY with the client, DONE" \
	"$(j "$r" '.messages | "\(map(.type) | join(",")) \(.[0].client_data[0].clientid) \(.[0].client_data[0].prefixes[0].prefix)"')" "15,16 $D1 $P1"
r=$(bulk --qtype 2 --duid $D1 --oro 47)
is "BY_CLIENTID over TCP: its link's data, LQ_RELAY_DATA inside CLIENT_DATA" \
	"$(j "$r" '.messages | "\(map(.type) | join(",")) \(.[0].client_data[0].relay_data.peer) \(.[0].relay_data)"')" "15,16 ::1 null"
r=$(bulk --qtype 4 --link 2001:db8:77::1)
is "an unknown link: NotConfigured" "$(j "$r" '.messages[0] | "\(.type) \(.status)"')" "15 9"
r=$(bulk --qtype 4)
is "BY_LINK_ADDRESS without a link-address: MalformedQuery" "$(j "$r" '.messages[0].status')" 8
r=$(bulk --qtype 8 --link 2001:db8:1::1)
is "an unknown query type: UnknownQueryType" "$(j "$r" '.messages[0].status')" 7

# --- several queries on one connection, answered in order ---
r=$(bulk --qtype 1 --addr "$B1" --xid 11 -- --qtype 3 --relay-id $RID --xid 12 -- --qtype 2 --duid $D1 --xid 13)
is "three queries on one connection: answered in order, each with its own xid" \
	"$(j "$r" '[.messages[] | .xid] | reduce .[] as $x ([]; if length > 0 and .[-1] == $x then . else . + [$x] end) | join(",")')" "11,12,13"
is "... each stream complete" "$(j "$r" '[.messages[] | select(.type == 16)] | length')" 3

# --- framing edge cases ---
r=$(bulk --qtype 1 --addr "$B1" --split 1)
is "a query written one octet at a time is answered" "$(j "$r" '.messages[0].client_data[0].clientid')" "$D1"
r=$(python3 "$REQ" raw "$TPORT" ffff0e000001)
is "msg-size 65535 (over our 4096 limit): connection closed at once" "$(j "$r" '"\(.eof) \(.bytes) \(.secs < 2)"')" "true 0 true"
r=$(python3 "$REQ" raw "$TPORT" 474554202f20485454502f312e300d0a0d0a)
is "garbage (an HTTP request): connection closed" "$(j "$r" '"\(.eof) \(.bytes)"')" "true 0"
r=$(python3 "$REQ" raw "$TPORT" 0004070000010000)
is "a Reply (not a leasequery message): connection closed" "$(j "$r" '"\(.eof) \(.bytes)"')" "true 0"
r=$(python3 "$REQ" idle "$TPORT")
is "an idle connection is closed after idle-timeout (3 s)" "$(j "$r" '"\(.eof) \(.secs >= 2.5 and .secs < 6)"')" "true true"

# --- limits ---
is "4 connections from one requestor (limit 3): one closed" "$(j "$(python3 "$REQ" limit "$TPORT" 4)" .closed)" 1

# --- a stalled reader does not delay another stream ---
python3 "$REQ" stall "$TPORT" 8 --qtype 4 --link 2001:db8:1::1 --oro 47 --repeat 4 >"$T/stall.out" &
SPID=$!
sleep 1
t0=$(date +%s.%N)
r=$(bulk --qtype 3 --relay-id $RID --oro 47)
t1=$(date +%s.%N)
is "while one reader stalls, another stream completes" "$(shape "$r")" "15,16,17 $wantr 1"
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "# second stream: $secs s"
awk -v s="$secs" 'BEGIN { exit !(s < 5) }' && ok "... on time ($secs s)" || not_ok "... on time ($secs s)"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$LPID/status")
echo "# leasequeryd RSS with a stalled stream: $rss kB"
[ "$rss" -lt 32768 ] && ok "memory stays small while a stream is paused ($rss kB)" || not_ok "memory ($rss kB)"
wait "$SPID"
is "the stalled reader was dropped after idle-timeout" "$(jq -r '.eof' "$T/stall.out")" true
wait_for "$T/l.log" "stopped reading, dropped" 1 >/dev/null &&
	ok "leasequeryd logged the drop" || not_ok "leasequeryd logged the drop"

# --- the token bucket holds a TCP requestor back instead of refusing it ---
lq_conf "$T/conf.json" "$LQ_EXTRA, \"rate-limit\": 2, \"rate-burst\": 2"
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 1
sleep 1.2
t0=$(date +%s.%N)
r=$(bulk --qtype 1 --addr "$B1" -- --qtype 1 --addr "$B1" -- --qtype 1 --addr "$B1" -- --qtype 1 --addr "$B1" -- --qtype 1 --addr "$B1")
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
is "rate-limit 2/s, burst 2: five queries on one connection are all answered" "$(j "$r" '[.messages[] | select(.type == 16)] | length')" 5
awk -v s="$secs" 'BEGIN { exit !(s >= 1.2) }' && ok "... the last three after waiting for tokens ($secs s)" ||
	not_ok "... the last three after waiting for tokens ($secs s)"
lq_conf "$T/conf.json" "$LQ_EXTRA"
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 2

# --- a denied requestor ---
REQUESTERS='["2001:db8:ffff::/48"]' lq_conf "$T/conf.json" "$LQ_EXTRA"
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 3
r=$(python3 "$REQ" raw "$TPORT" "$(printf '%s' "")00")
is "a requestor outside requesters: the connection is closed" "$(j "$r" .eof)" true
lq_conf "$T/conf.json" "$LQ_EXTRA"
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 4

# --- tshark decodes every stream ---
/usr/bin/python3 "$REQ" pcap-tcp "$T/tcp.pcap" "@$T/tcp.hex"
dec=$(tshark -r "$T/tcp.pcap" -Y 'dhcpv6.bulk_leasequery' -T fields -e dhcpv6.bulk_leasequery.msgtype 2>/dev/null | tr ',' '\n' | grep -c .)
[ "$dec" -gt $((want * 5)) ] && ok "tshark decodes the streams' messages ($dec)" || not_ok "tshark decodes the streams' messages ($dec)"
is "no malformed-packet or expert warnings in any stream" "$(tsbad "$T/tcp.pcap")" 0

# --- SIGTERM ends an open stream with QueryTerminated ---
r=$(python3 "$REQ" term "$TPORT" "$LPID" --qtype 4 --link 2001:db8:1::1 --oro 47 --repeat 4)
is "SIGTERM: the open stream ends with DONE, QueryTerminated" "$(j "$r" '[.messages[] | select(.type)][-1] | "\(.type) \(.status)"')" "16 11"
wait "$LPID"
is "... and the daemon exits cleanly" "$?" 0
LPID=
lq_start || bail "no restart after SIGTERM"
like "bindings streamed are counted" "$(q "SELECT value FROM $SCHEMA.stats WHERE scope = 'leasequery' AND counter = 'bulk-bindings'")" '^[0-9]{4,}$'
is "refused, denied, idle, stalled connections are counted" \
	"$(q "SELECT string_agg(counter || '=' || (value > 0), ' ' ORDER BY counter) FROM $SCHEMA.stats WHERE scope = 'leasequery'
	      AND counter IN ('tcp-refused-limit', 'tcp-denied', 'tcp-idle-closed', 'tcp-stalled-dropped', 'tcp-bad-framing')")" \
	"tcp-bad-framing=true tcp-denied=true tcp-idle-closed=true tcp-refused-limit=true tcp-stalled-dropped=true"

# --- kill -9 mid-stream, restart ---
bulk --qtype 4 --link 2001:db8:1::1 >"$T/killed.out" &
BPID=$!
# the requestor (python) starts slowly on a loaded machine: kill once its stream is open
for _ in $(seq 200); do
	ss -Htn state established "( sport = :$TPORT )" | grep -q . && break
	kill -0 "$BPID" 2>/dev/null || break
	sleep 0.05
done
kill -9 "$LPID"
# reaped: gone, with its listening socket, before the new one binds the same port
wait "$LPID" 2>/dev/null
wait "$BPID"
LPID=
lq_start || bail "no restart"
r=$(bulk --qtype 4 --link 2001:db8:1::1)
is "after kill -9 and a restart: the full stream again" "$(shape "$r")" "15,16,17 $want 1"

done_testing
