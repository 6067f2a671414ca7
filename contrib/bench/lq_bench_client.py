#!/usr/bin/env python3
"""Load generator of contrib/bench/lq-bench (struct only, no codec of ours).

  lq_bench_client.py bulk PORT QTYPE ARG   one bulk query on [::1]:PORT (4: ARG is the
        link-address, 3: the RELAY_ID hex); prints {"bindings", "first_data_ms", "secs"}
  lq_bench_client.py udp PORT SECS INFLIGHT ADDRFILE   BY_ADDRESS queries to the engine
        at [::1]:PORT, INFLIGHT outstanding, addresses from ADDRFILE; prints
        {"answers", "per_second", "p50_ms", "p99_ms", "lost"}
"""
import json
import os
import resource
import socket
import struct
import sys
import time

CID = struct.pack("!HH", 1, 10) + bytes.fromhex("000300010200000000bb")


def query(qtype, xid, link=bytes(16), qopts=b""):
    q = struct.pack("!B", qtype) + link + qopts
    return struct.pack("!I", 14 << 24 | xid) + CID + struct.pack("!HH", 44, len(q)) + q


def bulk(port, qtype, arg):
    if qtype == 4:
        m = query(4, 1, socket.inet_pton(socket.AF_INET6, arg))
    else:
        rid = bytes.fromhex(arg)
        m = query(3, 1, qopts=struct.pack("!HH", 53, len(rid)) + rid)
    s = socket.create_connection(("::1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    t0 = time.perf_counter()
    s.sendall(struct.pack("!H", len(m)) + m)
    buf, off, n, first, done = b"", 0, 0, None, False
    while not done:
        d = s.recv(1 << 20)
        if not d:
            break
        buf = buf[off:] + d
        off = 0
        ln = len(buf)
        while ln - off >= 3:
            size = buf[off] << 8 | buf[off + 1]
            if ln - off - 2 < size:
                break
            t = buf[off + 2]
            if t == 17:
                n += 1
                if first is None:
                    first = time.perf_counter() - t0
            elif t == 15:
                n += 1 if size > 40 else 0  # a REPLY with CLIENT_DATA
            elif t == 16:
                done = True
            off += 2 + size
    secs = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"bindings": n, "first_data_ms": round((first or 0) * 1000, 2),
                      "secs": round(secs, 3), "per_second": round(n / secs),
                      "client_cpu": round(ru.ru_utime + ru.ru_stime, 3)}))


def udp(port, secs, inflight, addrfile):
    addrs = [socket.inet_pton(socket.AF_INET6, a.split()[0]) for a in open(addrfile)]
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::1", 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.settimeout(1.0)
    sent, lat, lost, i = {}, [], 0, 0

    def send():
        nonlocal i
        xid = i & 0xffffff
        a = addrs[i % len(addrs)]
        i += 1
        sent[xid] = time.perf_counter()
        s.sendto(query(1, xid, qopts=struct.pack("!HH", 5, 24) + a + bytes(8)), ("::1", port))

    for _ in range(inflight):
        send()
    end = time.perf_counter() + secs
    while time.perf_counter() < end:
        try:
            d = s.recv(65535)
        except socket.timeout:
            lost += len(sent)
            sent.clear()
            for _ in range(inflight):
                send()
            continue
        xid = int.from_bytes(d[1:4], "big")
        t = sent.pop(xid, None)
        if t is None:
            continue
        lat.append(time.perf_counter() - t)
        send()
    lat.sort()
    n = len(lat)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"answers": n, "per_second": round(n / secs),
                      "client_cpu": round(ru.ru_utime + ru.ru_stime, 3),
                      "p50_ms": round(lat[n // 2] * 1000, 3) if n else None,
                      "p99_ms": round(lat[int(n * 0.99)] * 1000, 3) if n else None,
                      "lost": lost}))


if __name__ == "__main__":
    if sys.argv[1] == "bulk":
        bulk(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        udp(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
