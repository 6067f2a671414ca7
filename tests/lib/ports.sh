# Loopback ports for tests. Source this file, then:
#   free_ports N [ADDR]  prints the first of N consecutive ports that nothing holds on ADDR
#                        (default ::1), for TCP and for UDP, right now: each is probed by
#                        binding it; one taken makes it try another random base (50 tries)
# Bases are drawn from 10000 up to the kernel's ephemeral range (ip_local_port_range),
# so no outgoing connection of another test takes the port between the probe and the
# daemon's bind; FREE_PORTS_RANGE="LO HI" (both included) narrows the range (for
# tests/integration/test_ports.sh). Use it instead of 30000 + $$ % 20000: two
# concurrent runs whose pids differ by the spacing of their ports collided there
# ("Address already in use").
free_ports() {
	python3 - "$1" "${2:-::1}" "${FREE_PORTS_RANGE:-}" <<'PY'
import random, socket, sys

n, addr = int(sys.argv[1]), sys.argv[2]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        top = int(f.read().split()[0])
except (OSError, ValueError, IndexError):
    top = 32768
lo, hi = 10000, max(top, 10000 + 4 * n) - n
if sys.argv[3]:
    lo, hi = (int(x) for x in sys.argv[3].split())  # ports lo..hi, both included
    hi = hi - n + 2


def free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(fam, kind)
        try:
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


for _ in range(50):
    base = random.randrange(lo, max(hi, lo + 1))
    if all(free(base + i) for i in range(n)):
        print(base)
        sys.exit(0)
sys.exit("free_ports: no %d consecutive free ports on %s in 50 tries" % (n, addr))
PY
}
