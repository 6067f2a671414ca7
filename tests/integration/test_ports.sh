#!/bin/bash
# tests/lib/ports.sh: free_ports skips ports another process holds on the address, for
# TCP and for UDP alike, finds N consecutive free ones, and fails with a clear message
# when there are none. A python process holds the ports; FREE_PORTS_RANGE pins the
# range so the taken ports are the only alternatives.
. "$CHORUS_SRCDIR/tests/lib/tap.sh"
. "$CHORUS_SRCDIR/tests/lib/ports.sh"
need python3

# hold ADDR KIND:PORT...: binds each (tcp ones listen) until stdin closes; prints "ready"
hold() {
	python3 -c '
import socket, sys
addr, held = sys.argv[1], []
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
for spec in sys.argv[2:]:
    kind, port = spec.split(":")
    s = socket.socket(fam, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    if kind == "tcp":
        s.listen(1)
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
' "$@"
}

base=$(free_ports 4) || bail "free_ports finds no 4 free ports"
lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
[ "$base" -ge 10000 ] && [ $((base + 3)) -lt "$lo" ] &&
	ok "free_ports prints a port from 10000 up to the ephemeral range ($lo)" ||
	not_ok "free_ports prints a port from 10000 up to the ephemeral range ($lo): $base"

# base: TCP held, base+1: UDP held, base+2 and base+3 free (another base if someone
# took one of them since the probe)
for _ in 1 2 3 4 5; do
	coproc HOLD { hold ::1 "tcp:$base" "udp:$((base + 1))" 2>/dev/null; }
	ready=
	read -r -t 20 ready <&"${HOLD[0]}"
	[ "$ready" = ready ] && break
	wait "$HOLD_PID" 2>/dev/null
	base=$(free_ports 4) || bail "free_ports finds no 4 free ports"
done
is "a process holds TCP $base and UDP $((base + 1)) on ::1" "$ready" ready
got=
for _ in $(seq 20); do
	got="$got $(FREE_PORTS_RANGE="$base $((base + 2))" free_ports 1)"
done
is "twenty draws among three ports: only the free one, never the TCP or UDP one held" \
	"$(tr ' ' '\n' <<<"$got" | sort -u | paste -sd' ' | sed 's/^ //')" "$((base + 2))"
is "two consecutive: the pair after them" "$(FREE_PORTS_RANGE="$base $((base + 3))" free_ports 2)" \
	"$((base + 2))"
err=$(FREE_PORTS_RANGE="$base $((base + 2))" free_ports 2 2>&1)
is "none free: it fails" "$?" 1
is "... saying so" "$err" "free_ports: no 2 consecutive free ports on ::1 in 50 tries"
exec {HOLD[1]}>&-
wait "$HOLD_PID" 2>/dev/null
is "released: the held port is free again" "$(FREE_PORTS_RANGE="$base $base" free_ports 1)" "$base"

done_testing
