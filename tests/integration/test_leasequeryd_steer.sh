#!/bin/bash
# Unrelayed UDP leasequery steered past chorus-dhcp6d (lib/lq_handoff.h kinds 3 and 4): the
# engine's UDP socket has a second socket in its SO_REUSEPORT group whose classic BPF program
# sends it every LEASEQUERY; leasequeryd reads it and answers from the engine's socket. With
# leasequeryd up, unrelayed queries never pass through the engine (its leasequery-passed stays
# flat, leasequeryd's udp-queries-steered grows), while relayed queries, relayed DHCP and a
# unicast Request (UseMulticast) still reach the engine. leasequeryd killed with -9: the
# engine reads the steered socket again at once and answers NotConfigured, and DHCP works;
# leasequeryd restarted: steering resumes. The engine reloaded: it passes the same sockets
# again with its next hand-off, and steering holds. The engine restarted while leasequeryd is stopped
# and still holds the old group's sockets: the new engine waits for the port instead of
# joining the stale group (whose program would send its DHCP traffic to a socket nobody
# reads), then serves DHCP, and steering resumes.
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"

lq_setup lqsteer
grep -q "cannot steer" "$T/e.log" && bail "the engine could not steer: $(grep 'cannot steer' "$T/e.log")"
SID=$(j "$(ex solicit --duid 00010001000000000000000000e0)" .serverid)
[ -n "$SID" ] || bail "no Advertise from the engine"
declare -a D A
for i in 1 2; do
	D[$i]=00010001000000000000000000e$i
	A[$i]=$(j "$(ex request --duid "${D[$i]}" --serverid "$SID")" '.ias[0].leases[0].addr')
done
like "two clients with an address" "${A[*]}" '^(2001:db8:1:[0-9a-f:]+ ?){2}$'

# stat SCOPE COUNTER: its value in the stats table, 0 when not written yet
stat() { q "SELECT coalesce(sum(value), 0) FROM $SCHEMA.stats WHERE scope = '$1' AND counter = '$2'"; }
# until_stat SCOPE COUNTER N: until the counter reaches N (30 s: each daemon writes every 10 s)
until_stat() {
	for _ in $(seq 300); do
		[ "$(stat "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
# dhcp_ok: a relayed Solicit gets an Advertise, and a unicast Request sent straight to the
# engine (msg-type 3, not steered) gets its UseMulticast Reply (RFC 8415 §18.4)
dhcp_ok() {
	local adv uni
	adv=$(j "$(ex solicit --duid 00010001000000000000000000e9)" '"\(.type) \(.serverid)"')
	uni=$(python3 - "$UPORT" "$SID" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["CHORUS_SRCDIR"], "tests/integration"))
from test_dhcp6d_client import build, decode
from d6wire import udp_exchange
msg = build({"msg": "request", "duid": "00010001000000000000000000e1", "serverid": sys.argv[2]})
msg = msg[0] if isinstance(msg, tuple) else msg
b = udp_exchange(int(sys.argv[1]), msg, 5.0)
print("timeout" if b is None else "%d %s" % (b[0], decode(b)["status"]))
PY
)
	[ "$adv" = "2 $SID" ] && [ "${uni%% *}" = 7 ] && [[ "$uni" == *5* ]] && return 0
	echo "# Advertise: $adv; unicast Request: $uni" >&2
	return 1
}
# answered N: N unrelayed queries by address, each answered with its own client
answered() {
	local got= want=
	for k in $(seq "$1"); do
		i=$((k % 2 + 1))
		got+="$(j "$(lq --qtype 1 --addr "${A[$i]}" --timeout 5)" '"\(.xid == .sent_xid) \(.client_data[0].clientid)"') "
		want+="true ${D[$i]} "
	done
	[ "$got" = "$want" ] || echo "# got: $got" >&2
	[ "$got" = "$want" ]
}
# until_answered: queries until one is answered with client data (leasequeryd starting)
until_answered() {
	for _ in $(seq 50); do
		[ "$(j "$(lq --qtype 1 --addr "${A[1]}" --timeout 0.5)" '.client_data[0].clientid')" = "${D[1]}" ] && return 0
	done
	return 1
}

# --- no leasequeryd yet: the engine reads the steered socket, NotConfigured ---
is "leasequery enabled: the engine holds its socket and the steered one" "$(udp_socks "$EPID" "$UPORT")" 2
is "no leasequeryd: the engine answers NotConfigured" "$(j "$(lq --qtype 1 --addr "${A[1]}" --timeout 5)" .status)" 9

# --- leasequeryd up: the first query hands it the sockets, then it reads the steered one ---
lq_start || bail "chorus-leasequeryd did not start"
until_answered || not_ok "leasequeryd answers"
wait_for "$T/l.log" "reading chorus-dhcp6d's 1 steered UDP sockets" 1 &&
	ok "leasequeryd reads the engine's steered socket" || not_ok "leasequeryd reads the engine's steered socket"
wait_for "$T/e.log" "chorus-leasequeryd reads the steered leasequery sockets" 1 &&
	ok "... and the engine stopped reading it" || not_ok "... and the engine stopped reading it"
until_stat dhcp6 leasequery-steered-to-responder 1 || not_ok "the engine's counters written"
P0=$(stat dhcp6 leasequery-passed)
S0=$(stat leasequery udp-queries-steered)
RX0=$(stat dhcp6 rx)
answered 20 && ok "20 unrelayed queries answered, each with its own client" ||
	not_ok "20 unrelayed queries answered, each with its own client"
r=$(lq --qtype 1 --addr "${A[2]}" --relayed --timeout 5)
is "a relayed query: answered through the engine" "$(j "$r" '"\(.relay | length) \(.client_data[0].clientid)"')" "1 ${D[2]}"
dhcp_ok && ok "DHCP reaches the engine while leasequeryd holds the steered socket" ||
	not_ok "DHCP reaches the engine while leasequeryd holds the steered socket"
# the engine's counters are written after what it read above (rx: the Solicit, the Request,
# the relayed query), leasequeryd's after the 20
until_stat dhcp6 rx $((RX0 + 3)) || not_ok "the engine's counters written again"
until_stat leasequery udp-queries-steered $((S0 + 20)) || not_ok "leasequeryd's counters written"
is "the engine handed over only the relayed query (leasequery-passed)" "$(stat dhcp6 leasequery-passed)" $((P0 + 1))
is "leasequeryd read the 20 from the steered socket (udp-queries-steered)" "$(stat leasequery udp-queries-steered)" $((S0 + 20))

# --- leasequeryd killed: the engine reads the steered socket again ---
kill -9 "$LPID"
wait "$LPID" 2>/dev/null
LPID=
t0=$(date +%s%N)
st=
for _ in $(seq 40); do
	st=$(j "$(lq --qtype 1 --addr "${A[1]}" --timeout 0.25)" .status)
	[ "$st" = 9 ] && break
done
ms=$((($(date +%s%N) - t0) / 1000000))
is "leasequeryd killed: NotConfigured from the engine (after $ms ms)" "$st" 9
grep -q "no longer reads the steered leasequery sockets" "$T/e.log" &&
	ok "... the engine saw leasequeryd's lifeline hang up" || not_ok "... the engine saw leasequeryd's lifeline hang up"
dhcp_ok && ok "... and DHCP works" || not_ok "... and DHCP works"

# --- leasequeryd restarted: steering resumes ---
lq_start || bail "chorus-leasequeryd did not start again"
until_answered || not_ok "the new leasequeryd answers"
wait_for "$T/l.log" "reading chorus-dhcp6d's 1 steered UDP sockets" 2 &&
	ok "leasequeryd restarted: it reads the steered socket again" ||
	not_ok "leasequeryd restarted: it reads the steered socket again"
wait_for "$T/e.log" "chorus-leasequeryd reads the steered leasequery sockets" 2 &&
	ok "... the engine let it" || not_ok "... the engine let it"
answered 4 && ok "... and its queries are answered" || not_ok "... and its queries are answered"

# --- the engine reloaded: it passes the same sockets again with the next hand-off ---
sed -i 's/"preference": 10/"preference": 11/' "$T/conf.json"
kill -HUP "$EPID"
wait_for "$T/e.log" "configuration reloaded" 1 || not_ok "the engine reloaded"
r=$(lq --qtype 1 --addr "${A[1]}" --relayed --timeout 5)
is "reloaded: a relayed query answered" "$(j "$r" '.client_data[0].clientid')" "${D[1]}"
wait_for "$T/l.log" "reading chorus-dhcp6d's 1 steered UDP sockets" 3 &&
	ok "... it passed its sockets again, and leasequeryd reads the steered one" ||
	not_ok "... it passed its sockets again, and leasequeryd reads the steered one"
wait_for "$T/e.log" "chorus-leasequeryd reads the steered leasequery sockets" 3 &&
	ok "... the engine let it" || not_ok "... the engine let it"
answered 4 && ok "... unrelayed queries answered" || not_ok "... unrelayed queries answered"
dhcp_ok && ok "... and DHCP works" || not_ok "... and DHCP works"

# --- the engine restarted while leasequeryd (stopped) holds the old group's sockets ---
kill -STOP "$LPID"
kill -TERM "$EPID"
wait "$EPID"
EPID=
"$ENGINE" -c "$T/conf.json" -d -p "$UPORT" >>"$T/e2.log" 2>&1 &
EPID=$!
wait_for "$T/e2.log" "is in use" 1 &&
	ok "a new engine waits while the old group's sockets are held" ||
	not_ok "a new engine waits while the old group's sockets are held"
kill -CONT "$LPID"
wait_for "$T/e2.log" "database ready" 1 || bail "the new chorus-dhcp6d did not start"
wait_for "$T/l.log" "chorus-dhcp6d is gone: its UDP sockets closed" 1 ||
	not_ok "leasequeryd let the old engine's sockets go"
dhcp_ok && ok "... then it serves DHCP" || not_ok "... then it serves DHCP"
until_answered || not_ok "queries answered with the new engine"
wait_for "$T/l.log" "reading chorus-dhcp6d's 1 steered UDP sockets" 4 &&
	ok "... and leasequeryd reads the new engine's steered socket" ||
	not_ok "... and leasequeryd reads the new engine's steered socket"
answered 4 && ok "... its queries answered" || not_ok "... its queries answered"
dhcp_ok && ok "... and DHCP still works" || not_ok "... and DHCP still works"

lq_finish "$T/l.log" "$T/e.log" "$T/e2.log"
