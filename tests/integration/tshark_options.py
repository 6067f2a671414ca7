#!/usr/bin/python3
"""Options of the DHCPv6 messages in a pcap as tshark frames them.

  tshark_options.py PCAP      prints {"CODE": ["BODYHEX", ...], ...} for every
                              option tshark shows (all nesting levels, in order)

Reads tshark -T json -x, keeping repeated keys, and takes each option's raw
octets (dhcpv6.option.type_str_raw: header and body as tshark delimits them).
"""
import json
import subprocess
import sys


def pairs(kv):
    return kv  # keep every (key, value), repeated keys included


def walk(node, out):
    if isinstance(node, list):
        for k, v in node if node and isinstance(node[0], tuple) else []:
            if k == "dhcpv6.option.type_str_raw" and isinstance(v, list):
                raw = v[0]
                code = int(raw[:4], 16)
                out.setdefault(str(code), []).append(raw[8:])
            walk(v, out)
        if not (node and isinstance(node[0], tuple)):
            for v in node:
                walk(v, out)


def main(argv):
    text = subprocess.run(["tshark", "-r", argv[1], "-T", "json", "-x"], check=True,
                          capture_output=True, text=True).stdout
    out = {}
    walk(json.loads(text, object_pairs_hook=pairs), out)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
