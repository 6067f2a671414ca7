#!/usr/bin/python3
"""Closed-loop DHCPv6 client for contrib/bench/closed-loop.

K clients on one link, each a fresh DUID per exchange: Solicit, Request for
the offered address, and the next Solicit only after the Reply (or after a
step timed out). Sent from port 546 to ff02::1:2 on IFNAME, as a directly
attached client does. Prints one JSON object: exchanges completed per
second, Request-to-Reply and Solicit-to-Reply latency percentiles (ms),
timeouts.

  closed_loop_client.py IFNAME K SECONDS [TIMEOUT_S]
"""
import json
import os
import select
import socket
import struct
import sys
import time

O_CLIENTID, O_SERVERID, O_IA_NA, O_IAADDR, O_ELAPSED, O_STATUS = 1, 2, 3, 5, 8, 13


def opt(code, data=b""):
    return struct.pack("!HH", code, len(data)) + data


def opts(b):
    i, out = 0, {}
    while i + 4 <= len(b):
        code, ln = struct.unpack("!HH", b[i:i + 4])
        out.setdefault(code, []).append(b[i + 4:i + 4 + ln])
        i += 4 + ln
    return out


def offered(ia):
    """The first address of an IA_NA body with valid lifetime > 0, and the status."""
    sub = opts(ia[12:])
    status = struct.unpack("!H", sub[O_STATUS][0][:2])[0] if O_STATUS in sub else 0
    for a in sub.get(O_IAADDR, []):
        if len(a) >= 24 and struct.unpack("!I", a[20:24])[0] > 0:
            return a[:16], status
    return None, status


class Client:
    def __init__(self, n, base):
        self.n, self.base, self.seq = n, base, 0
        self.xid = self.state = self.sent_at = self.started = None
        self.duid = self.serverid = self.addr = None

    def message(self, mtype):
        body = opt(O_CLIENTID, self.duid) + opt(O_ELAPSED, b"\0\0")
        if self.serverid:
            body += opt(O_SERVERID, self.serverid)
        ia = struct.pack("!III", 1, 0, 0)
        if self.addr:
            ia += opt(O_IAADDR, self.addr + struct.pack("!II", 0, 0))
        body += opt(O_IA_NA, ia)
        return struct.pack("!I", mtype << 24 | self.xid) + body


def main(argv):
    ifname, k, secs = argv[1], int(argv[2]), float(argv[3])
    timeout = float(argv[4]) if len(argv) > 4 else 2.0
    ifindex = socket.if_nametoindex(ifname)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.bind(("::", 546))
    dst = ("ff02::1:2", 547, 0, ifindex)
    base = os.urandom(2)
    clients = [Client(i, base) for i in range(k)]
    by_xid = {}
    req_lat, ex_lat = [], []
    done = timeouts = naks = 0
    xid_next = int.from_bytes(os.urandom(3), "big")

    def send(c, mtype):
        nonlocal xid_next
        by_xid.pop(c.xid, None)
        xid_next = (xid_next + 1) & 0xFFFFFF
        c.xid, c.state = xid_next, mtype
        by_xid[c.xid] = c
        c.sent_at = time.perf_counter()
        s.sendto(c.message(mtype), dst)

    def start(c):
        c.seq += 1
        # DUID-LL (RFC 8415 §11.4), Ethernet, a MAC per client and exchange
        mac = c.base + struct.pack("!HH", c.n, c.seq & 0xFFFF)
        c.duid = struct.pack("!HH", 3, 1) + mac
        c.serverid = c.addr = None
        c.started = time.perf_counter()
        send(c, 1)

    t0 = time.perf_counter()
    end = t0 + secs
    for c in clients:
        start(c)
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        r, _, _ = select.select([s], [], [], min(0.05, end - now))
        now = time.perf_counter()
        if r:
            data = s.recv(65535)
            mtype = data[0] if len(data) >= 4 else 0
            c = by_xid.get(int.from_bytes(data[1:4], "big")) if mtype else None
            o = opts(data[4:]) if c else {}
            addr, status = offered(o[O_IA_NA][0]) if O_IA_NA in o else (None, -1)
            if c is None:
                pass
            elif mtype == 2 and c.state == 1 and addr and O_SERVERID in o:
                c.serverid, c.addr = o[O_SERVERID][0], addr
                send(c, 3)
            elif mtype == 7 and c.state == 3:
                if addr and status == 0:
                    req_lat.append(now - c.sent_at)
                    ex_lat.append(now - c.started)
                    done += 1
                else:
                    naks += 1
                start(c)
        for c in clients:
            if now - c.sent_at > timeout:
                timeouts += 1
                start(c)
    wall = time.perf_counter() - t0
    req_lat.sort()
    ex_lat.sort()

    def pct(v, p):
        return round(1000 * v[min(len(v) - 1, int(p / 100 * len(v)))], 3) if v else None

    print(json.dumps({"k": k, "seconds": round(wall, 2), "exchanges": done,
                      "per_second": round(done / wall, 1),
                      "req_p50_ms": pct(req_lat, 50), "req_p99_ms": pct(req_lat, 99),
                      "ex_p50_ms": pct(ex_lat, 50), "ex_p99_ms": pct(ex_lat, 99),
                      "timeouts": timeouts, "refused": naks}))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
