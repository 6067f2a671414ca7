#!/bin/bash
# chorus-leasequeryd's batches of UDP QUERY_BY_ADDRESS (leasequeryd/lq_batch.c): questions
# that arrive while batches are with the database go as one statement. A burst of
# questions of every kind (known addresses, one inside a delegated prefix, an unbound one,
# a relayed one, a malformed one, one by client-id) is answered question by question:
# each answer carries its own xid, its own client and, relayed, its own relay layer. A
# table lock holds the first batches, so the rest wait and go together (the 8 by address in
# at most 1 + LQ_BATCH_INFLIGHT statements), and the two no address lease holds go again,
# once each, for a delegated prefix. With the database connection killed while batches
# wait, every question of the burst is answered UnspecFail, the daemon lives on, reconnects
# and answers again.
# tshark decodes every reply.
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"

lq_setup lqbatch
SID=$(j "$(ex solicit --duid 00010001000000000000000000c0)" .serverid)
[ -n "$SID" ] || bail "no Advertise from the engine"
declare -a D A
for i in 1 2 3 4 5 6 7 8; do
	D[$i]=00010001000000000000000000c$i
	A[$i]=$(j "$(ex request --duid "${D[$i]}" --serverid "$SID")" '.ias[0].leases[0].addr')
done
r=$(ex request --duid 00010001000000000000000000c9 --serverid "$SID" --pd --iaid 9)
P9=$(j "$r" '.ias[1].leases[0].addr')
like "eight clients with an address, a ninth with a prefix" "${A[*]} $P9" \
	'^(2001:db8:1:[0-9a-f:]+ ){8}2001:db8:1[0-9a-f]{2}:'

lq_start || bail "chorus-leasequeryd did not start"
for _ in $(seq 50); do
	[ "$(j "$(lq --qtype 1 --addr "${A[1]}" --timeout 0.5)" .timeout)" != true ] && break
done

# burst QUERY [-- QUERY]...: the queries back to back; the answers as a JSON list.
burst() {
	local out
	out=$(python3 "$REQ" udp-many "$UPORT" "$@")
	printf '%s\n' "$out" | jq -r '.[].raw // empty' >>"$T/udp.hex"
	printf '%s\n' "$out"
}

# the 10 questions (a unix datagram socket queues about 10, net.unix.max_dgram_qlen): 5
# addresses, an unbound one, one inside the prefix, one relayed with ORO 47, a malformed
# one, one by client-id
QS=()
for i in 1 2 3 4 5; do
	QS+=(--qtype 1 --addr "${A[$i]}" --)
done
QS+=(--qtype 1 --addr 2001:db8:1::7777 -- --qtype 1 --addr "${P9%%::/*}::42" --
	--qtype 1 --addr "${A[6]}" --oro 47 --relayed -- --qtype 1 -- --qtype 2 --duid "${D[7]}")

# check_burst JSON NAME: every answer matched to its question.
check_burst() {
	local r=$1 got= want=
	printf '%s\n' "$r" >>"$T/bursts.json"
	for i in 1 2 3 4 5; do
		got+="$(j "$r" ".[$((i - 1))] | \"\(.xid == .sent_xid) \(.status) \(.client_data[0].clientid) \(.client_data[0].addrs[0].addr)\"") "
		want+="true null ${D[$i]} ${A[$i]} "
	done
	is "$2: each address answered with its own xid, client and address" "$got" "$want"
	is "... the unbound address: Success, no client data" \
		"$(j "$r" '.[5] | "\(.xid == .sent_xid) \(.status) \(.client_data | length)"')" "true 0 0"
	is "... the address inside the prefix: the prefix's client" \
		"$(j "$r" '.[6] | "\(.client_data[0].clientid) \(.client_data[0].prefixes[0].prefix)"')" \
		"00010001000000000000000000c9 $P9"
	is "... the relayed one: back through its relay, its client, LQ_RELAY_DATA" \
		"$(j "$r" '.[7] | "\(.xid == .sent_xid) \(.relay | length) \(.relay[0].ifid) \(.client_data[0].addrs[0].addr) \(.relay_data.peer)"')" \
		"true 1 lq-port1 ${A[6]} ::1"
	is "... the malformed one: MalformedQuery" "$(j "$r" '.[8] | "\(.xid == .sent_xid) \(.status)"')" "true 8"
	is "... by client-id: that client" \
		"$(j "$r" '.[9] | "\(.xid == .sent_xid) \(.client_data[0].clientid) \(.client_data[0].addrs[0].addr)"')" \
		"true ${D[7]} ${A[7]}"
}

check_burst "$(burst "${QS[@]}")" "a burst of 10"

# batch sizes logged so far (debug): "N leasequeries by address in one statement"
sizes() {
	grep -o '[0-9]* leasequeries by address in one statement' "$T/l.log" | awk '{ print $1 }'
}

n0=$(sizes | wc -l)
p0=$(grep -c 'leasequeries for a delegated prefix in one statement' "$T/l.log")
lock_leases
burst "${QS[@]}" >"$T/locked.json" &
RPID=$!
# the first batch waits on the lock; the other questions, sent right after it, queue
wait_lqd_on_lock || not_ok "leasequeryd's first batch waits on the lock"
sleep 1
unlock_leases
wait "$RPID"
check_burst "$(cat "$T/locked.json")" "a burst while the first batches wait on a lock"
# 8 questions by address: up to LQ_BATCH_INFLIGHT statements go out as the questions are
# read (one read may bring several, so their sizes are not fixed) and all wait on the lock;
# every question that comes meanwhile waits for a free slot, and when the lock goes they go
# together in one statement: at most 1 + LQ_BATCH_INFLIGHT statements, not eight
INFLIGHT=$(awk '$1 == "#define" && $2 == "LQ_BATCH_INFLIGHT" { print $3 }' \
	"$CHORUS_SRCDIR/leasequeryd/lq_batch.h")
[ -n "$INFLIGHT" ] || bail "no LQ_BATCH_INFLIGHT in leasequeryd/lq_batch.h"
nst=$(sizes | tail -n +$((n0 + 1)) | wc -l)
[ "$nst" -ge 1 ] && [ "$nst" -le $((1 + INFLIGHT)) ] &&
	ok "... the questions that waited went as one statement (8 in $nst, at most $((1 + INFLIGHT)))" ||
	not_ok "... the questions that waited went as one statement (8 in $nst, at most $((1 + INFLIGHT)))"
is "... all 8 asked, none twice" "$(sizes | tail -n +$((n0 + 1)) | awk '{ s += $1 } END { print s }')" 8
is "... the unbound one and the one inside the prefix asked again for a prefix, once each" \
	"$(grep -o '[0-9]* leasequeries for a delegated prefix in one statement' "$T/l.log" |
		tail -n +$((p0 + 1)) | awk '{ s += $1 } END { print s }')" 2

# --- the database goes while batches wait ---
lock_leases
python3 "$REQ" udp-many "$UPORT" "${QS[@]}" >"$T/fail.json" &
RPID=$!
wait_lqd_on_lock || not_ok "leasequeryd's batch waits on the lock"
sleep 1
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'lqd_$IT'" >/dev/null
wait "$RPID"
r=$(cat "$T/fail.json")
jq -r '.[].raw // empty' "$T/fail.json" >>"$T/udp.hex"
is "database lost mid-batch: every question answered, each with its own xid" \
	"$(j "$r" '[.[] | select(.xid == .sent_xid)] | length')" 10
is "... the 8 by address and the one by client-id: UnspecFail; the malformed one: MalformedQuery" \
	"$(j "$r" '[.[].status] | map(tostring) | join(" ")')" "1 1 1 1 1 1 1 1 8 1"
is "... the relayed one back through its relay" "$(j "$r" '.[7].relay | length')" 1
kill -0 "$LPID" 2>/dev/null && ok "... leasequeryd lives on" || not_ok "... leasequeryd lives on"
unlock_leases
wait_for "$T/l.log" "database ready" 2 || bail "leasequeryd did not reconnect"
check_burst "$(burst "${QS[@]}")" "reconnected"

# --- tshark decodes every reply ---
/usr/bin/python3 "$REQ" pcap-udp "$T/udp.pcap" $(cat "$T/udp.hex")
n=$(wc -l <"$T/udp.hex")
is "tshark decodes all $n replies as DHCPv6 leasequery" \
	"$(tshark -r "$T/udp.pcap" -Y 'dhcpv6.msgtype == 15' -T fields -e frame.number 2>/dev/null | wc -l)" "$n"
is "no malformed-packet or expert warnings" "$(tsbad "$T/udp.pcap")" 0

kill -TERM "$LPID"
wait "$LPID"
is "SIGTERM: clean exit" "$?" 0
LPID=
grep -q "AddressSanitizer\|runtime error" "$T/l.log" && not_ok "no sanitizer report" || ok "no sanitizer report"
done_testing
