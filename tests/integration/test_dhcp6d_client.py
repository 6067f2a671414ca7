#!/usr/bin/env python3
"""Relay-agent test client for chorus-dhcp6d (tests/integration/test_dhcp6d.sh).

Builds client messages, wraps them in one or more Relay-forward layers (a relay
may unicast to the server), sends them to [::1]:PORT and decodes the
Relay-reply. Plain struct packing, no scapy: the codec under test must not be
the one that checks it. Prints one JSON object per exchange.

  client.py PORT MSG [options]      one exchange (MSG: solicit request renew
                                    rebind release decline confirm inforeq
                                    leasequery); --oro 59,60 sets the ORO,
                                    --arch 7 adds CLIENT_ARCH_TYPE, --user-class X
                                    USER_CLASS
  client.py PORT load N OUTFILE [SECS] [NAME]  N clients, Solicit+Request each,
                                    relayed, 256 in flight; every granted address
                                    appended to OUTFILE as soon as its Reply arrives;
                                    with NAME, client i sends Client FQDN NAME<i> (S=1)
  client.py pcap OUT HEX...         writes the given relay replies to a pcap
"""
import json
import os
import socket
import struct
import sys
import time

from d6wire import a2b, b2a, decode_name, opt, parse_opts, pcap_udp, udp_exchange

MSG = {"solicit": 1, "request": 3, "confirm": 4, "renew": 5, "rebind": 6,
       "release": 8, "decline": 9, "inforeq": 11, "leasequery": 14}
O_CLIENTID, O_SERVERID, O_IA_NA, O_IA_TA, O_IAADDR, O_ORO = 1, 2, 3, 4, 5, 6
O_PREF, O_ELAPSED, O_RELAY_MSG, O_STATUS, O_RAPID = 7, 8, 9, 13, 14
O_IFID, O_DNS, O_DOMAIN, O_IA_PD, O_IAPREFIX = 18, 23, 24, 25, 26
O_REMOTE_ID, O_RELAY_ID, O_LQ_QUERY, O_INFO_REFRESH, O_SOL_MAX_RT = 37, 53, 44, 32, 82
O_FQDN = 39


def build(args):
    mtype = MSG[args["msg"]]
    xid = args.get("xid", int.from_bytes(os.urandom(3), "big"))
    body = b""
    if args.get("duid"):
        body += opt(O_CLIENTID, bytes.fromhex(args["duid"]))
    if args.get("serverid"):
        body += opt(O_SERVERID, bytes.fromhex(args["serverid"]))
    body += opt(O_ELAPSED, b"\0\0")
    oro = [O_DNS, O_DOMAIN, O_SOL_MAX_RT]
    if mtype == 11:
        oro = [O_DNS, O_DOMAIN, O_INFO_REFRESH, 83, 56]
    if args.get("fqdn") is not None:
        oro.append(O_FQDN)  # RFC 4704 §6: the server answers with it only when asked
    if args.get("oro"):
        oro = [int(c) for c in args["oro"].split(",")]
    body += opt(O_ORO, b"".join(struct.pack("!H", c) for c in oro))
    if args.get("arch"):
        body += opt(61, b"".join(struct.pack("!H", int(a)) for a in args["arch"].split(",")))
    if args.get("user_class"):
        uc = args["user_class"].encode()
        body += opt(15, struct.pack("!H", len(uc)) + uc)
    if args.get("rapid"):
        body += opt(O_RAPID)
    if args.get("fqdn") is not None:
        name = args["fqdn"]
        wire = b"".join(bytes([len(x)]) + x.encode() for x in name.rstrip(".").split("."))
        body += opt(O_FQDN, bytes([int(args.get("fqdn_flags", "1"))]) + wire
                    + (b"\0" if name.endswith(".") else b""))
    if mtype != 11 and mtype != 14:
        if not args.get("no_na"):
            sub = b"".join(opt(O_IAADDR, a2b(a) + struct.pack("!II", 0, 0))
                           for a in args.get("addrs", []))
            body += opt(O_IA_NA, struct.pack("!III", args.get("iaid", 1), 0, 0) + sub)
        if args.get("pd"):
            sub = b"".join(opt(O_IAPREFIX, struct.pack("!IIB", 0, 0, int(p.split("/")[1]))
                               + a2b(p.split("/")[0])) for p in args.get("prefixes", []))
            body += opt(O_IA_PD, struct.pack("!III", args.get("iaid", 1), 0, 0) + sub)
    if mtype == 14:
        q = struct.pack("!B", 1) + bytes(16) + opt(O_IAADDR, a2b(args["addrs"][0]) + bytes(8))
        body += opt(O_LQ_QUERY, q)
    return struct.pack("!I", mtype << 24 | xid)[0:4] + body, xid


def relay_wrap(msg, hops, link, ifid):
    """hops relays; the innermost one (facing the client) has link and ifid."""
    cur = msg
    for h in range(hops):
        lk = a2b(link) if h == 0 else bytes(16)
        peer = a2b("fe80::1:%x" % (h + 1)) if h == 0 else a2b("2001:db8:ffff::%x" % h)
        opts = b""
        if h == 0 and ifid:
            opts += opt(O_IFID, ifid.encode())
        opts += opt(O_REMOTE_ID, struct.pack("!I", 4491) + ("port%d" % h).encode())
        opts += opt(O_RELAY_ID, bytes.fromhex("000300010a0b0c0d0e%02x" % h))
        opts += opt(O_RELAY_MSG, cur)
        cur = struct.pack("!BB", 12, h) + lk + peer + opts
    return cur


def unwrap(b, layers):
    while b and b[0] == 13:
        hops, link, peer = b[1], b2a(b[2:18]), b2a(b[18:34])
        opts = dict(parse_opts(b[34:]))
        layers.append({"hops": hops, "link": link, "peer": peer,
                       "ifid": opts[O_IFID].decode() if O_IFID in opts else None})
        b = opts[O_RELAY_MSG]
    return b


def status_of(opts):
    for c, d in opts:
        if c == O_STATUS:
            return struct.unpack("!H", d[:2])[0]
    return None


def decode_ia(code, d):
    iaid, t1, t2 = struct.unpack("!III", d[:12])
    ia = {"type": "na" if code == O_IA_NA else "pd", "iaid": iaid, "t1": t1, "t2": t2,
          "leases": []}
    sub = parse_opts(d[12:])
    ia["status"] = status_of(sub)
    for c, x in sub:
        if c == O_IAADDR:
            p, v = struct.unpack("!II", x[16:24])
            ia["leases"].append({"addr": b2a(x[:16]), "pref": p, "valid": v})
        elif c == O_IAPREFIX:
            p, v, ln = struct.unpack("!IIB", x[:9])
            ia["leases"].append({"addr": "%s/%d" % (b2a(x[9:25]), ln), "pref": p, "valid": v})
    return ia


def decode(b):
    layers = []
    inner = unwrap(b, layers)
    opts = parse_opts(inner[4:])
    r = {"type": inner[0], "xid": int.from_bytes(inner[1:4], "big"), "relay": layers,
         "status": status_of(opts), "codes": [c for c, _ in opts], "ias": []}
    for c, d in opts:
        if c == O_SERVERID:
            r["serverid"] = d.hex()
        elif c == O_CLIENTID:
            r["clientid"] = d.hex()
        elif c == O_PREF:
            r["preference"] = d[0]
        elif c in (O_IA_NA, O_IA_PD):
            r["ias"].append(decode_ia(c, d))
        elif c == O_DNS:
            r["dns"] = [b2a(d[i:i + 16]) for i in range(0, len(d), 16)]
        elif c == O_FQDN:
            r["fqdn_flags"] = d[0]
            r["fqdn"] = decode_name(d[1:])
        elif c == O_INFO_REFRESH:
            r["info_refresh"] = struct.unpack("!I", d)[0]
        else:
            r.setdefault("other", {}).setdefault(str(c), []).append(d.hex())
    return r


def exchange(port, args, timeout=1.0):
    msg, xid = build(args)
    pkt = relay_wrap(msg, args.get("hops", 1), args.get("link", "2001:db8:1::1"),
                     args.get("ifid"))
    data = udp_exchange(port, pkt, timeout)
    if data is None:
        return {"timeout": True}
    r = decode(data)
    r["raw"] = data.hex()
    return r


def load(port, n, outfile, secs=30.0, window=256, name=None):
    """n clients, at most window exchanges in flight: Solicit, then Request
    with the offer; a message unanswered for 1 s is sent again (same xid)."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::1", 0))
    s.setblocking(False)
    state = {}
    out = open(outfile, "a", buffering=1)
    base = os.urandom(4).hex()
    todo = list(range(n))
    granted = 0
    deadline = time.time() + secs

    def send(a):
        # xids of the exchanges in flight must differ: a random one shared with another
        # exchange overwrote its state, and that client was lost (about one run in 30)
        a["xid"] = int.from_bytes(os.urandom(3), "big")
        while a["xid"] in state:
            a["xid"] = int.from_bytes(os.urandom(3), "big")
        m, xid = build(a)
        a["xid"], a["pkt"], a["at"] = xid, relay_wrap(m, 1, "2001:db8:1::1", None), time.time()
        state[xid] = a
        s.sendto(a["pkt"], ("::1", port))

    start = time.time()
    while (todo or state) and time.time() < deadline:
        while todo and len(state) < window:
            i = todo.pop()
            a = {"msg": "solicit", "duid": "0004" + base + "%024x" % i, "iaid": 7}
            if name:
                a["fqdn"] = "%s%d" % (name, i)
            send(a)
        try:
            data = s.recv(65535)
        except BlockingIOError:
            now = time.time()
            for a in [a for a in state.values() if now - a["at"] > 1.0]:
                a["at"] = now
                s.sendto(a["pkt"], ("::1", port))
            time.sleep(0.001)
            continue
        r = decode(data)
        a = state.pop(r["xid"], None)
        if a is None:
            continue
        leases = [l for ia in r["ias"] for l in ia["leases"] if l["valid"]]
        if r["type"] == 2 and leases:
            send({"msg": "request", "duid": a["duid"], "iaid": 7, "serverid": r["serverid"],
                  "addrs": [leases[0]["addr"]], "fqdn": a.get("fqdn")})
        elif r["type"] == 7 and leases:
            out.write("%s %s\n" % (leases[0]["addr"], a["duid"]))
            granted += 1
    secs = time.time() - start
    print(json.dumps({"granted": granted, "unanswered": len(state) + len(todo),
                      "seconds": round(secs, 2), "per_second": round(granted / secs)}))


def main(argv):
    if argv[1] == "pcap":
        return pcap_udp(argv[2], argv[3:])
    port, what = int(argv[1]), argv[2]
    if what == "load":
        return load(port, int(argv[3]), argv[4], float(argv[5]) if len(argv) > 5 else 30.0,
                    name=argv[6] if len(argv) > 6 else None)
    args = {"msg": what}
    i = 3
    while i < len(argv):
        k = argv[i].lstrip("-").replace("-", "_")
        if k in ("pd", "rapid", "no_na"):
            args[k] = True
            i += 1
            continue
        v = argv[i + 1]
        if k in ("addr", "prefix"):
            args.setdefault({"addr": "addrs", "prefix": "prefixes"}[k], []).append(v)
        elif k in ("iaid", "hops"):
            args[k] = int(v)
        else:
            args[k] = v
        i += 2
    print(json.dumps(exchange(port, args)))


if __name__ == "__main__":
    main(sys.argv)
