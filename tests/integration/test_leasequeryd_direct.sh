#!/bin/bash
# chorus-leasequeryd answers UDP leasequery straight out of chorus-dhcp6d's own UDP socket,
# which the engine passes over the hand-off with SCM_RIGHTS (lib/lq_handoff.h kind 3). The
# queries are relayed, so the engine still hands them over (unrelayed ones never reach it:
# test_leasequeryd_steer.sh). The answers leave from the engine's port, the engine hands nothing back (its
# leasequery-answers-sent stays 0, leasequeryd's udp-answers-direct counts them all), and
# an answer still arrives while the engine is stopped (SIGSTOP) after it handed the query
# over: only leasequeryd can have sent it. An engine that did not pass its sockets (a
# stand-in that sends a hand-off query without descriptors) gets its answer back through
# the hand-off. The engine killed with -9: leasequeryd sees its lifeline hang up and closes
# its sockets, so a new engine binds the same port at once, passes its own sockets, and
# answers come straight out again.
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"

lq_setup lqdirect
SID=$(j "$(ex solicit --duid 00010001000000000000000000d0)" .serverid)
[ -n "$SID" ] || bail "no Advertise from the engine"
declare -a D A
for i in 1 2 3; do
	D[$i]=00010001000000000000000000d$i
	A[$i]=$(j "$(ex request --duid "${D[$i]}" --serverid "$SID")" '.ias[0].leases[0].addr')
done
like "three clients with an address" "${A[*]}" '^(2001:db8:1:[0-9a-f:]+ ?){3}$'

lq_start || bail "chorus-leasequeryd did not start"
for _ in $(seq 50); do
	[ "$(j "$(lq --qtype 1 --addr "${A[1]}" --relayed --timeout 0.5)" .timeout)" != true ] && break
done
is "the engine passed its UDP socket to leasequeryd" \
	"$(grep -c 'chorus-dhcp6d passed its 1 UDP sockets' "$T/l.log")" 1

# answered N: N answers by address, each with its own client, from the engine's port
answered() {
	local got= want=
	for k in $(seq "$1"); do
		i=$((k % 3 + 1))
		got+="$(j "$(lq --qtype 1 --addr "${A[$i]}" --relayed --timeout 5)" '"\(.xid == .sent_xid) \(.client_data[0].clientid)"') "
		want+="true ${D[$i]} "
	done
	[ "$got" = "$want" ] || echo "got: $got" >&2
	[ "$got" = "$want" ]
}
answered 6 && ok "six queries by address answered, each with its own client" ||
	not_ok "six queries by address answered, each with its own client"

# stat SCOPE COUNTER: its value in the stats table, 0 when not written yet
stat() { q "SELECT coalesce(sum(value), 0) FROM $SCHEMA.stats WHERE scope = '$1' AND counter = '$2'"; }
# until leasequeryd's counters (every 10 s) show N answers sent straight out
for _ in $(seq 300); do
	[ "$(stat leasequery udp-answers-direct)" -ge 7 ] && [ "$(stat dhcp6 leasequery-passed)" -ge 7 ] && break
	sleep 0.1
done
sent=$(stat leasequery udp-answers-direct)
passed=$(stat dhcp6 leasequery-passed)
[ "$sent" -ge 7 ] && [ "$sent" = "$passed" ] &&
	ok "leasequeryd sent every answer itself ($sent of $passed handed over)" ||
	not_ok "leasequeryd sent every answer itself ($sent of $passed handed over)"
is "... the engine sent none (leasequery-answers-sent)" "$(stat dhcp6 leasequery-answers-sent)" 0
is "... and passed its sockets once (leasequery-sockets-passed)" "$(stat dhcp6 leasequery-sockets-passed)" 1

# --- the engine stopped after the hand-off: the answer still comes ---
lock_leases
lq --qtype 1 --addr "${A[2]}" --relayed --timeout 30 >"$T/stopped.json" &
RPID=$!
wait_lqd_on_lock || not_ok "leasequeryd's read waits on the lock"
kill -STOP "$EPID"
for _ in $(seq 100); do
	grep -q "^State:.*T" "/proc/$EPID/status" && break
	sleep 0.05
done
grep -q "^State:.*T" "/proc/$EPID/status" && ok "the engine is stopped" || not_ok "the engine is stopped"
unlock_leases
wait "$RPID"
r=$(cat "$T/stopped.json")
is "... and the answer came all the same: leasequeryd sent it" \
	"$(j "$r" '"\(.xid == .sent_xid) \(.client_data[0].clientid) \(.client_data[0].addrs[0].addr)"')" \
	"true ${D[2]} ${A[2]}"
kill -CONT "$EPID"

# --- an engine that passed no sockets: the answer comes back through the hand-off ---
r=$(timeout 20 python3 - "$T/lq.sock" "${A[3]}" <<'EOF'
import json, os, socket, struct, sys
sys.path.insert(0, os.path.join(os.environ["CHORUS_SRCDIR"], "tests/integration"))
from lq_requestor import build, decode
from d6wire import a2b
msg, xid = build({"qtype": 1, "addr": sys.argv[2]})
hdr = b"CHLQ" + struct.pack("!BBH", 3, 1, 48) + a2b("::1") + struct.pack("!HHI", 40547, 0, 0) + a2b("::1")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("")  # autobind, as the engine does
s.settimeout(10)
s.sendto(hdr + msg, sys.argv[1])
b = s.recv(70000)
r = decode(b[48:])
print(json.dumps({"kind": b[5], "peer": b[8:24] == a2b("::1"), "port": struct.unpack("!H", b[24:26])[0],
                  "local": b[32:48] == a2b("::1"), "xid": r.get("xid") == xid,
                  "client": r["client_data"][0]["clientid"]}))
EOF
)
is "a stand-in engine without sockets: the answer back through the hand-off, peer echoed" \
	"$(j "$r" '"\(.kind) \(.peer) \(.port) \(.local) \(.xid) \(.client)"')" "2 true 40547 true true ${D[3]}"

# --- the engine killed: its sockets are let go, a new engine takes the port at once ---
kill -9 "$EPID"
wait "$EPID" 2>/dev/null
EPID=
wait_for "$T/l.log" "chorus-dhcp6d is gone: its UDP sockets closed" 1 &&
	ok "engine killed: leasequeryd sees its lifeline hang up" ||
	not_ok "engine killed: leasequeryd sees its lifeline hang up"
"$ENGINE" -c "$T/conf.json" -d -p "$UPORT" >>"$T/e2.log" 2>&1 &
EPID=$!
wait_for "$T/e2.log" "database ready" 1 || bail "the new chorus-dhcp6d did not start"
is "... the new engine bound the port without waiting for it" "$(grep -c 'is in use' "$T/e2.log")" 0
answered 3 && ok "... and the new engine's queries are answered" ||
	not_ok "... and the new engine's queries are answered"
is "... straight from leasequeryd, with the new engine's socket" \
	"$(grep -c 'chorus-dhcp6d passed its 1 UDP sockets' "$T/l.log")" 2

lq_finish "$T/l.log" "$T/e.log" "$T/e2.log"
