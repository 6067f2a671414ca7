#!/usr/bin/env python3
"""Compares what our codec decodes from each capture with what tshark decodes.

For every DHCPv6 packet of every pcap given, runs `tshark -T fields` for the
fields below and `chorus-pcap --fields`, which prints the same fields from our
parse ("frame<TAB>field<TAB>v1,v2,..." in document order), and requires the two
lists to be equal field by field. Prints TAP, one line per capture.
"""
import subprocess
import sys

FIELDS = [
    "dhcpv6.msgtype", "dhcpv6.hopcount", "dhcpv6.linkaddr", "dhcpv6.peeraddr",
    "dhcpv6.xid", "dhcpv6.option.type", "dhcpv6.option.length",
    "dhcpv6.duid.type", "dhcpv6.duid.bytes",
    "dhcpv6.iaid", "dhcpv6.iaid.t1", "dhcpv6.iaid.t2",
    "dhcpv6.iaaddr.ip", "dhcpv6.iaaddr.pref_lifetime", "dhcpv6.iaaddr.valid_lifetime",
    "dhcpv6.iaprefix.pref_lifetime", "dhcpv6.iaprefix.valid_lifetime",
    "dhcpv6.iaprefix.pref_len", "dhcpv6.iaprefix.pref_addr",
    "dhcpv6.status_code", "dhcpv6.status_msg", "dhcpv6.option_preference",
    "dhcpv6.elapsed_time", "dhcpv6.requested_option_code", "dhcpv6.dns_server",
    "dhcpv6.search_list_entry", "dhcpv6.vendorclass.enterprise", "dhcpv6.interface_id",
    "dhcpv6.remoteid.enterprise", "dhcpv6.ntpserver.addr", "dhcpv6.clt_time",
    "dhcpv6.lq_query", "dhcpv6.lq_query_link_address", "dhcpv6.lq_client_link",
    "dhcpv6.lq_relay_data_peer_addr", "dhcpv6.reconf_msg", "dhcpv6.unicast",
    "dhcpv6.tld", "dhcpv6.ntpserver.option.type", "dhcpv6.ntpserver.option.length",
    "dhcpv6.ntpserver.mc_addr",
    # tshark flags what it finds malformed; we print no such field, so any flag fails
    "_ws.malformed",
]


def tshark_fields(path):
    cmd = ["tshark", "-r", path, "-Y", "dhcpv6", "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,", "-E", "separator=/t",
           "-e", "frame.number"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) + 1 - len(cols))
        frames[int(cols[0])] = {f: v for f, v in zip(FIELDS, cols[1:]) if v != ""}
    return frames


def our_fields(tool, path):
    res = subprocess.run([tool, "--fields", path], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"chorus-pcap failed: {res.stderr.strip()}")
    frames = {}
    for line in res.stdout.splitlines():
        frame, field, value = line.split("\t", 2)
        frames.setdefault(int(frame), {})
        if field and value != "":
            frames[int(frame)][field] = value
    return frames


def compare(theirs, ours):
    problems = []
    for frame in sorted(set(theirs) | set(ours)):
        if frame not in ours:
            problems.append(f"frame {frame}: tshark decodes it, we do not")
            continue
        if frame not in theirs:
            problems.append(f"frame {frame}: we decode it, tshark does not")
            continue
        t, o = theirs[frame], ours[frame]
        for f in FIELDS:
            if t.get(f, "") != o.get(f, ""):
                problems.append(f"frame {frame} {f}: tshark '{t.get(f, '')}' ours '{o.get(f, '')}'")
    return problems


def main():
    tool, paths = sys.argv[1], sys.argv[2:]
    print(f"1..{len(paths)}")
    failed = 0
    for n, path in enumerate(paths, 1):
        name = path.rsplit("/", 1)[-1]
        try:
            theirs, ours = tshark_fields(path), our_fields(tool, path)
            problems = compare(theirs, ours)
            if not theirs:
                problems.append("tshark found no DHCPv6 packet")
        except Exception as e:  # a tool failure is a test failure, shown
            problems = [str(e)]
        if problems:
            failed += 1
            print(f"not ok {n} - {name}")
            for p in problems[:20]:
                print(f"#   {p}")
        else:
            nfields = sum(len(v) for v in theirs.values())
            print(f"ok {n} - {name}: {len(theirs)} packets, {nfields} fields match tshark")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
