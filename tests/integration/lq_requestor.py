#!/usr/bin/env python3
"""Leasequery requestor for the chorus-leasequeryd tests, written from RFC 5007
and RFC 5460 with struct alone: the codec under test must not check itself.

  lq_requestor.py udp PORT QUERY...     one LEASEQUERY to [::1]:PORT (the engine's
                                        UDP port), direct or --relayed; prints JSON
  lq_requestor.py udp-many PORT QUERY... [-- QUERY...]  the queries back to back on one
                                        socket; a JSON list of the answers matched by xid
  lq_requestor.py tcp PORT QUERY... [-- QUERY...]  bulk queries on one connection
                                        to [::1]:PORT; prints every message as JSON
  lq_requestor.py raw PORT HEX          sends HEX, reads until EOF: {"eof", "secs", "bytes"}
  lq_requestor.py idle PORT             connects, sends nothing: {"eof", "secs"}
  lq_requestor.py limit PORT N          N connections at once: how many the server closed
  lq_requestor.py stall PORT SECS QUERY...  a tiny receive buffer, the query, no reading for
                                        SECS, then reads: was it dropped meanwhile?
  lq_requestor.py term PORT PID QUERY...  the query on a tiny receive buffer; SIGTERM to
                                        PID once the stream is paused; then every message
  lq_requestor.py pcap-udp OUT HEX...   IPv6/UDP 547 frames around replies
  lq_requestor.py pcap-tcp OUT HEX...   one TCP stream from port 547 per HEX (framed)

QUERY: --qtype N (1 address, 2 client-id, 3 relay-id, 4 link-address, 5 remote-id)
       --addr A  --duid HEX (target client)  --relay-id HEX  --remote-id HEX
       --link L  --oro 47,39  --serverid HEX  --cid HEX (ours)  --no-query
       --xid N  --relayed  --timeout SECS  --split N (TCP: write N octets at a time)
"""
import json
import os
import socket
import struct
import sys
import time

from d6wire import a2b, b2a, decode_name, opt, parse_opts, pcap_udp, udp_exchange

O_CLIENTID, O_SERVERID, O_IAADDR, O_ORO, O_RELAY_MSG, O_STATUS = 1, 2, 5, 6, 9, 13
O_IFID, O_IAPREFIX, O_REMOTE_ID, O_FQDN, O_LQ_QUERY = 18, 26, 37, 39, 44
O_CLIENT_DATA, O_CLT_TIME, O_LQ_RELAY_DATA, O_LQ_CLIENT_LINK, O_RELAY_ID = 45, 46, 47, 48, 53
O_LLADDR = 79
OUR_DUID = "000300010200000000aa"


def build(a):
    xid = int(a.get("xid", int.from_bytes(os.urandom(3), "big")))
    body = opt(O_CLIENTID, bytes.fromhex(a.get("cid", OUR_DUID)))
    if a.get("serverid"):
        body += opt(O_SERVERID, bytes.fromhex(a["serverid"]))
    qopts = b""
    if a.get("addr"):
        qopts += opt(O_IAADDR, a2b(a["addr"]) + bytes(8))
    if a.get("duid"):
        qopts += opt(O_CLIENTID, bytes.fromhex(a["duid"]))
    if a.get("relay_id"):
        qopts += opt(O_RELAY_ID, bytes.fromhex(a["relay_id"]))
    if a.get("remote_id"):
        qopts += opt(O_REMOTE_ID, bytes.fromhex(a["remote_id"]))
    if a.get("oro"):
        qopts += opt(O_ORO, b"".join(struct.pack("!H", int(c)) for c in a["oro"].split(",")))
    if not a.get("no_query"):
        q = struct.pack("!B", int(a.get("qtype", 1))) + a2b(a.get("link", "::")) + qopts
        body += opt(O_LQ_QUERY, q)
    return struct.pack("!I", 14 << 24 | xid) + body, xid


def relay_wrap(msg):
    opts = opt(O_IFID, b"lq-port1") + opt(O_RELAY_MSG, msg)
    return struct.pack("!BB", 12, 0) + a2b("2001:db8:1::1") + a2b("fe80::99") + opts


def decode_relay(b):
    """A Relay-forward chain without its innermost RELAY_MSG (LQ_RELAY_DATA)."""
    layers = []
    while b and b[0] == 12:
        opts = parse_opts(b[34:])
        layers.append({"hops": b[1], "link": b2a(b[2:18]), "peer": b2a(b[18:34]),
                       "codes": [c for c, _ in opts]})
        inner = [d for c, d in opts if c == O_RELAY_MSG]
        b = inner[0] if inner else b""
    return layers


def decode_client(d):
    c = {"addrs": [], "prefixes": [], "codes": []}
    for code, x in parse_opts(d):
        c["codes"].append(code)
        if code == O_CLIENTID:
            c["clientid"] = x.hex()
        elif code == O_IAADDR:
            p, v = struct.unpack("!II", x[16:24])
            c["addrs"].append({"addr": b2a(x[:16]), "pref": p, "valid": v})
        elif code == O_IAPREFIX:
            p, v, ln = struct.unpack("!IIB", x[:9])
            c["prefixes"].append({"prefix": "%s/%d" % (b2a(x[9:25]), ln), "pref": p, "valid": v})
        elif code == O_CLT_TIME:
            c["clt_time"] = struct.unpack("!I", x)[0]
        elif code == O_FQDN:
            c["fqdn_flags"] = x[0]
            c["fqdn"] = decode_name(x[1:])
        elif code == O_LQ_RELAY_DATA:
            c["relay_data"] = {"peer": b2a(x[:16]), "layers": decode_relay(x[16:])}
        else:
            c.setdefault("opts", {})[str(code)] = x.hex()
    return c


def decode_msg(inner):
    r = {"type": inner[0], "xid": int.from_bytes(inner[1:4], "big"), "status": None,
         "client_data": [], "codes": []}
    for c, d in parse_opts(inner[4:]):
        r["codes"].append(c)
        if c == O_SERVERID:
            r["serverid"] = d.hex()
        elif c == O_CLIENTID:
            r["clientid"] = d.hex()
        elif c == O_STATUS:
            r["status"] = struct.unpack("!H", d[:2])[0]
            r["status_msg"] = d[2:].decode("utf-8", "replace")
        elif c == O_CLIENT_DATA:
            r["client_data"].append(decode_client(d))
        elif c == O_LQ_CLIENT_LINK:
            r["client_link"] = [b2a(d[i:i + 16]) for i in range(0, len(d), 16)]
        elif c == O_LQ_RELAY_DATA:
            r["relay_data"] = {"peer": b2a(d[:16]), "layers": decode_relay(d[16:])}
    return r


def decode(b):
    layers = []
    while b and b[0] == 13:
        opts = dict(parse_opts(b[34:]))
        layers.append({"hops": b[1], "peer": b2a(b[18:34]),
                       "ifid": opts[O_IFID].decode() if O_IFID in opts else None})
        b = opts[O_RELAY_MSG]
    r = decode_msg(b)
    r["relay"] = layers
    return r


def udp_burst(port, a):
    """--count N queries at once; how many were answered."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::1", 0))
    for _ in range(int(a["count"])):
        s.sendto(build(a)[0], ("::1", port))
    s.settimeout(float(a.get("timeout", 1.0)))
    n = 0
    try:
        while True:
            s.recv(65535)
            n += 1
    except socket.timeout:
        pass
    return {"answered": n}


def udp(port, a):
    if a.get("count"):
        return udp_burst(port, a)
    msg, xid = build(a)
    if a.get("relayed"):
        msg = relay_wrap(msg)
    data = udp_exchange(port, msg, float(a.get("timeout", 2.0)))
    if data is None:
        return {"timeout": True}
    r = decode(data)
    r["raw"] = data.hex()
    r["sent_xid"] = xid
    return r


def udp_many(port, qs, timeout):
    """Several queries sent back to back on one socket (each its own xid,
    relayed with --relayed); the answers matched to them by xid, in the
    order of the queries ({"timeout": true} for one not answered)."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::1", 0))
    sent = []
    for i, a in enumerate(qs):
        a.setdefault("xid", str(0x100000 + i))
        msg, xid = build(a)
        sent.append(xid)
        s.sendto(relay_wrap(msg) if a.get("relayed") else msg, ("::1", port))
    got = {}
    deadline = time.monotonic() + timeout
    while len(got) < len(sent) and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(65535)
        except socket.timeout:
            break
        r = decode(data)
        r["raw"] = data.hex()
        got.setdefault(r["xid"], r)
    out = []
    for xid in sent:
        r = got.get(xid, {"timeout": True})
        r["sent_xid"] = xid
        out.append(r)
    return out


def read_frames(s, want, deadline):
    """Frames until every query of want (xids) is finished (DONE, or a REPLY with
    an error or without data), EOF or the deadline."""
    buf, msgs, open_q, raw = b"", [], set(want), b""
    while open_q and time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            msgs.append({"reset": True})
            break
        if not d:
            msgs.append({"eof": True})
            break
        buf += d
        raw += d
        while len(buf) >= 2 and len(buf) - 2 >= struct.unpack("!H", buf[:2])[0]:
            n = struct.unpack("!H", buf[:2])[0]
            m = decode_msg(buf[2:2 + n])
            buf = buf[2 + n:]
            msgs.append(m)
            if m["type"] == 16 or (m["type"] == 15 and (m["status"] or not m["client_data"])):
                open_q.discard(m["xid"])
    return msgs, raw


def tcp(port, queries, split=0, timeout=20.0):
    s = socket.create_connection(("::1", port), timeout=5)
    out, xids = b"", []
    for a in queries:
        m, xid = build(a)
        xids.append(xid)
        out += struct.pack("!H", len(m)) + m
    if split:
        for i in range(0, len(out), split):
            s.sendall(out[i:i + split])
            time.sleep(0.01)
    else:
        s.sendall(out)
    msgs, raw = read_frames(s, xids, time.time() + timeout)
    s.close()
    return {"xids": xids, "messages": msgs, "raw": raw.hex()}


def wait_eof(s, secs):
    t0 = time.time()
    s.settimeout(secs)
    n = 0
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return {"eof": True, "secs": round(time.time() - t0, 2), "bytes": n}
            n += len(d)
    except socket.timeout:
        return {"eof": False, "secs": round(time.time() - t0, 2), "bytes": n}
    except ConnectionResetError:
        return {"eof": True, "reset": True, "secs": round(time.time() - t0, 2), "bytes": n}


def raw(port, hexdata):
    s = socket.create_connection(("::1", port), timeout=5)
    s.sendall(bytes.fromhex(hexdata))
    return wait_eof(s, 10)


def idle(port):
    s = socket.create_connection(("::1", port), timeout=5)
    return wait_eof(s, 15)


def limit(port, n):
    socks = [socket.create_connection(("::1", port), timeout=5) for _ in range(n)]
    time.sleep(0.5)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed += 1
    return {"closed": closed}


def small_conn(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.settimeout(5)
    s.connect(("::1", port))
    return s


def send_repeated(s, a):
    """--repeat N: the query N times (own xids), so the answers outgrow every buffer."""
    xids = []
    for _ in range(int(a.pop("repeat", 1))):
        m, xid = build(a)
        xids.append(xid)
        s.sendall(struct.pack("!H", len(m)) + m)
    return xids


def stall(port, secs, a):
    s = small_conn(port)
    xid = send_repeated(s, a)
    time.sleep(secs)
    r = wait_eof(s, 30)
    r["xid"] = xid
    return r


def term(port, pid, a):
    s = small_conn(port)
    xids = send_repeated(s, a)
    time.sleep(1.0)
    os.kill(pid, 15)
    msgs, rawb = read_frames(s, xids, time.time() + 20)
    return {"messages": msgs[-2:], "count": len(msgs), "raw": rawb.hex()}


def pcap_tcp(out, hexes):
    """Each stream as TCP segments from port 547 (handshake included)."""
    from scapy.all import IPv6, TCP, Raw, wrpcap
    pkts = []
    for n, h in enumerate(hexes):
        data, cport = bytes.fromhex(h), 40000 + n
        ip_s, ip_c = IPv6(src="::1", dst="::1"), IPv6(src="::1", dst="::1")
        pkts.append(ip_c / TCP(sport=cport, dport=547, flags="S", seq=1000))
        pkts.append(ip_s / TCP(sport=547, dport=cport, flags="SA", seq=5000, ack=1001))
        pkts.append(ip_c / TCP(sport=cport, dport=547, flags="A", seq=1001, ack=5001))
        seq = 5001
        for i in range(0, len(data), 1400):
            seg = data[i:i + 1400]
            pkts.append(ip_s / TCP(sport=547, dport=cport, flags="PA", seq=seq, ack=1001) /
                        Raw(seg))
            seq += len(seg)
    wrpcap(out, pkts)


def parse_query(argv):
    a, i = {}, 0
    while i < len(argv):
        k = argv[i].lstrip("-").replace("-", "_")
        if k in ("relayed", "no_query"):
            a[k] = True
            i += 1
            continue
        a[k] = argv[i + 1]
        i += 2
    return a


def main(argv):
    if argv[1] == "pcap-udp":
        return pcap_udp(argv[2], argv[3:])
    if argv[1] == "pcap-tcp":  # HEX may be @FILE: one stream per line
        hexes = argv[3:]
        if len(hexes) == 1 and hexes[0].startswith("@"):
            hexes = open(hexes[0][1:]).read().split()
        return pcap_tcp(argv[2], hexes)
    port = int(argv[2])
    if argv[1] in ("raw", "idle", "limit", "stall", "term"):
        f = {"raw": lambda: raw(port, argv[3]), "idle": lambda: idle(port),
             "limit": lambda: limit(port, int(argv[3])),
             "stall": lambda: stall(port, float(argv[3]), parse_query(argv[4:])),
             "term": lambda: term(port, int(argv[3]), parse_query(argv[4:]))}[argv[1]]
        print(json.dumps(f()))
        return
    if argv[1] == "udp":
        print(json.dumps(udp(port, parse_query(argv[3:]))))
        return
    groups, cur = [], []
    for x in argv[3:]:
        if x == "--":
            groups.append(cur)
            cur = []
        else:
            cur.append(x)
    groups.append(cur)
    qs = [parse_query(g) for g in groups]
    if argv[1] == "udp-many":
        print(json.dumps(udp_many(port, qs, float(qs[0].pop("timeout", 10)))))
        return
    split = int(qs[0].pop("split", 0))
    timeout = float(qs[0].pop("timeout", 20))
    print(json.dumps(tcp(port, qs, split, timeout)))


if __name__ == "__main__":
    main(sys.argv)
