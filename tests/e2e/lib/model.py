#!/usr/bin/env python3
"""The deployment models of the end-to-end tests, in one place, and the
server configs generated from them, so Kea and chorus-dhcp6d get the same
ranges, preferences and timers.

  model.py conf KIND MODEL INDEX --iface IF --dir DIR [--relay] [--unicast ADDR]
                [--conninfo STR] [--schema NAME] [--log-level LEVEL]
      print the config of instance INDEX (1-based) of MODEL for KIND
      (kea | chorus)
  model.py get MODEL KEY      n, preference INDEX, schema-suffix, link-prefixes,
                              relay-link-address, t1, t2, preferred, valid,
                              rebind-policy, dns-servers, domain-search
  model.py owner MODEL ADDR[/LEN]...  for each, the instance whose pool
                              (address) or PD pool (prefix) holds it, 0 for none
  model.py ranges MODEL       "na|pd I LO HI" lines for lib/ip6.awk
  model.py net ADDR[/LEN]... LEN   the LEN-bit network of each, e.g. for a PD
  model.py models             the model names

Prefixes are the documentation space of contrib/examples (2001:db8::/32).
Pools are address ranges, not whole /65s, so that neither server hands out
the Subnet-Router anycast address or the RFC 2526 reserved ids at the top of
the /64.
"""
import ipaddress
import json
import sys

# Short, so that failover takes seconds. WIDE dhcp6c raises a T2 under 30 s
# to 30 s (DHCP6_DURATION_MIN, T1 then 5/8 of it), so the valid lifetime
# is longer than that, or dhcp6c would rebind only as its address expires.
TIMERS = {"t1": 10, "t2": 16, "preferred": 20, "valid": 40}
DNS_SERVERS = ["2001:db8:53::1", "2001:db8:53::2"]
DOMAIN_SEARCH = ["example.com"]
PD_LEN = 56


def inst(pref, subnet, pools, pd_pools):
    return {"preference": pref, "subnet": subnet, "pools": pools, "pd-pools": pd_pools}


MODELS = {
    # RFC 6853 4.1: one /64, each instance a distinct range of it.
    "split": {
        "rebind-policy": "replace",
        "link-prefixes": ["2001:db8:1:1::/64"],
        "instances": [
            inst(255, "2001:db8:1:1::/64",
                 [("2001:db8:1:1::100", "2001:db8:1:1:7fff:ffff:ffff:ffff")],
                 ["2001:db8:100::/41"]),
            inst(0, "2001:db8:1:1::/64",
                 [("2001:db8:1:1:8000::", "2001:db8:1:1:ffff:ffff:ffff:ff7f")],
                 ["2001:db8:180::/41"]),
        ],
    },
    # RFC 6853 4.2: each instance its own /64 on the same link.
    "unique": {
        "rebind-policy": "replace",
        "link-prefixes": ["2001:db8:2:1::/64", "2001:db8:2:2::/64"],
        "instances": [
            inst(255, "2001:db8:2:1::/64", [("2001:db8:2:1::1000", "2001:db8:2:1::ffff:ffff")],
                 ["2001:db8:200::/40"]),
            inst(0, "2001:db8:2:2::/64", [("2001:db8:2:2::1000", "2001:db8:2:2::ffff:ffff")],
                 ["2001:db8:300::/40"]),
        ],
    },
    # RFC 6853 4.3: the same range on every instance.
    "identical": {
        "rebind-policy": "adopt",
        "link-prefixes": ["2001:db8:3:1::/64"],
        "instances": [
            inst(255, "2001:db8:3:1::/64", [("2001:db8:3:1::1:0", "2001:db8:3:1::ffff:ffff")],
                 ["2001:db8:400::/40"]),
            inst(128, "2001:db8:3:1::/64", [("2001:db8:3:1::1:0", "2001:db8:3:1::ffff:ffff")],
                 ["2001:db8:400::/40"]),
        ],
    },
    # Split prefixes with three instances and three preference levels.
    "split3": {
        "rebind-policy": "replace",
        "link-prefixes": ["2001:db8:1:1::/64"],
        "instances": [
            inst(255, "2001:db8:1:1::/64",
                 [("2001:db8:1:1::100", "2001:db8:1:1:3fff:ffff:ffff:ffff")],
                 ["2001:db8:100::/42"]),
            inst(128, "2001:db8:1:1::/64",
                 [("2001:db8:1:1:4000::", "2001:db8:1:1:7fff:ffff:ffff:ffff")],
                 ["2001:db8:140::/42"]),
            inst(0, "2001:db8:1:1::/64",
                 [("2001:db8:1:1:8000::", "2001:db8:1:1:ffff:ffff:ffff:ff7f")],
                 ["2001:db8:180::/42"]),
        ],
    },
}


def relay_link_address(m):
    """The relay's address on the client link: ::1 of the first link prefix."""
    return str(ipaddress.ip_network(m["link-prefixes"][0])[1])


def kea_conf(m, i, a):
    me = m["instances"][i]
    iface = a["iface"] + ("/" + a["unicast"] if a.get("unicast") else "")
    subnet = {
        "id": 1,
        "subnet": me["subnet"],
        "pools": [{"pool": "%s - %s" % p} for p in me["pools"]],
        "pd-pools": [{"prefix": str(ipaddress.ip_network(p).network_address),
                      "prefix-len": ipaddress.ip_network(p).prefixlen,
                      "delegated-len": PD_LEN} for p in me["pd-pools"]],
    }
    if a.get("relay"):
        # The link-address selects the subnet; the second unique prefix is
        # not the relay's, so it is selected by the relay's address.
        if not ipaddress.ip_address(relay_link_address(m)) in ipaddress.ip_network(me["subnet"]):
            subnet["relay"] = {"ip-addresses": [relay_link_address(m)]}
    else:
        subnet["interface"] = a["iface"]
    return {"Dhcp6": {
        "interfaces-config": {"interfaces": [iface]},
        "data-directory": a["dir"],
        "lease-database": {"type": "memfile", "persist": True,
                           "name": a["dir"] + "/leases6.csv", "lfc-interval": 0},
        "server-id": {"type": "EN", "enterprise-id": 2495,
                      "identifier": "c40%d%s" % (i + 1, "00" * 6), "persist": False},
        "renew-timer": TIMERS["t1"], "rebind-timer": TIMERS["t2"],
        "preferred-lifetime": TIMERS["preferred"], "valid-lifetime": TIMERS["valid"],
        "option-data": [
            {"name": "preference", "data": str(me["preference"]), "always-send": True},
            {"name": "dns-servers", "data": ", ".join(DNS_SERVERS)},
            {"name": "domain-search", "data": ", ".join(DOMAIN_SEARCH)},
        ],
        "subnet6": [subnet],
        "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": "stdout"}],
                     "severity": a.get("log_level", "INFO").upper(), "debuglevel": 50}],
    }}


def rng(p):
    return {"start": p[0], "end": p[1]}


def chorus_conf(m, i, a, model_name):
    me = m["instances"][i]
    siblings = [s for j, s in enumerate(m["instances"]) if j != i]
    foreign = []
    for s in siblings:
        if s["subnet"] != me["subnet"]:
            foreign.append({"prefix": s["subnet"]})
        elif s["pools"] != me["pools"]:
            foreign.extend(rng(p) for p in s["pools"])
    subnet = {
        "id": 1,
        "prefix": me["subnet"],
        "pools": [rng(p) for p in me["pools"]],
        "pd-pools": [{"prefix": p, "delegated-length": PD_LEN} for p in me["pd-pools"]],
    }
    if foreign:
        subnet["foreign-ranges"] = foreign
    if a.get("relay"):
        if not ipaddress.ip_address(relay_link_address(m)) in ipaddress.ip_network(me["subnet"]):
            subnet["relay-addresses"] = [relay_link_address(m)]
    else:
        subnet["interface"] = a["iface"]
    name = a.get("schema") or "e2e_%s_s%d" % (model_name, i + 1)
    return {
        "instance": {
            "name": name.replace("_", "-"),
            "schema": name,
            "database": {"conninfo": a["conninfo"]},
            "pid-file": a["dir"] + "/chorus-dhcp6d.pid",
        },
        "logging": {"level": a.get("log_level", "info"), "syslog": False},
        "dhcp6": {
            "interfaces": [a["iface"]],
            "preference": me["preference"],
            "rapid-commit": False,
            "allocator": "stable-hash",
            # Siblings of the identical model share the key, so they agree
            # on a client's address; the others do not.
            "hash-key": "e2e-%s-hash-key-%s" % (
                model_name, "shared" if m["rebind-policy"] == "adopt" else "s%d" % (i + 1)),
            "preferred-lifetime": TIMERS["preferred"],
            "valid-lifetime": TIMERS["valid"],
            "renew-timer": TIMERS["t1"],
            "rebind-timer": TIMERS["t2"],
            "rebind-policy": m["rebind-policy"],
            "options": {"dns-servers": DNS_SERVERS, "domain-search": DOMAIN_SEARCH},
            "subnets": [subnet],
        },
        "leasequery": {"enabled": False, "local-socket": a["dir"] + "/lq.sock"},
    }


def owner(m, text):
    if "/" in text and not text.endswith("/128"):
        net = ipaddress.ip_network(text, strict=False)
        for j, s in enumerate(m["instances"]):
            if any(net.subnet_of(ipaddress.ip_network(p)) for p in s["pd-pools"]):
                return j + 1
        return 0
    a = ipaddress.ip_address(text.split("/")[0])
    for j, s in enumerate(m["instances"]):
        for lo, hi in s["pools"]:
            if ipaddress.ip_address(lo) <= a <= ipaddress.ip_address(hi):
                return j + 1
    return 0


def parse_opts(argv):
    a = {}
    k = 0
    while k < len(argv):
        o = argv[k]
        if o == "--relay":
            a["relay"] = True
            k += 1
            continue
        a[o.lstrip("-").replace("-", "_")] = argv[k + 1]
        k += 2
    return a


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd = argv[0]
    if cmd == "models":
        print(" ".join(MODELS))
    elif cmd == "net":
        for a in argv[1:-1]:
            print(ipaddress.ip_network(a if "/" in a else a + "/128",
                                       strict=False).supernet(new_prefix=int(argv[-1])))
    elif cmd == "ranges":
        for j, s in enumerate(MODELS[argv[1]]["instances"]):
            for lo, hi in s["pools"]:
                print("na", j + 1, ipaddress.ip_address(lo).exploded.replace(":", ""),
                      ipaddress.ip_address(hi).exploded.replace(":", ""))
            for p in s["pd-pools"]:
                net = ipaddress.ip_network(p)
                print("pd", j + 1, net.network_address.exploded.replace(":", ""),
                      net.broadcast_address.exploded.replace(":", ""))
    elif cmd == "owner":
        for a in argv[2:]:
            print(owner(MODELS[argv[1]], a))
    elif cmd == "get":
        m, key = MODELS[argv[1]], argv[2]
        if key == "n":
            print(len(m["instances"]))
        elif key == "preference":
            print(m["instances"][int(argv[3]) - 1]["preference"])
        elif key == "link-prefixes":
            print(" ".join(m["link-prefixes"]))
        elif key == "relay-link-address":
            print(relay_link_address(m))
        elif key in TIMERS:
            print(TIMERS[key])
        elif key == "rebind-policy":
            print(m["rebind-policy"])
        elif key == "dns-servers":
            print(" ".join(DNS_SERVERS))
        elif key == "domain-search":
            print(" ".join(DOMAIN_SEARCH))
        else:
            sys.exit("model.py: unknown key " + key)
    elif cmd == "conf":
        kind, name, i = argv[1], argv[2], int(argv[3]) - 1
        a = parse_opts(argv[4:])
        m = MODELS[name]
        conf = kea_conf(m, i, a) if kind == "kea" else chorus_conf(m, i, a, name)
        print(json.dumps(conf, indent=2))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
