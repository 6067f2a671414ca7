"""DHCPv6 framing shared by the struct-only test clients (test_dhcp6d_client.py,
lq_requestor.py): options, addresses, DNS names, one UDP exchange on loopback, and pcap
frames for tshark.
Written from RFC 8415 with struct alone: the codec under test must not check
itself."""
import socket
import struct


def opt(code, data=b""):
    return struct.pack("!HH", code, len(data)) + data


def parse_opts(b):
    out, i = [], 0
    while i + 4 <= len(b):
        code, ln = struct.unpack("!HH", b[i:i + 4])
        if i + 4 + ln > len(b):
            raise ValueError("option %d runs past its container" % code)
        out.append((code, b[i + 4:i + 4 + ln]))
        i += 4 + ln
    if i != len(b):
        raise ValueError("trailing bytes")
    return out


def a2b(a):
    return socket.inet_pton(socket.AF_INET6, a)


def b2a(b):
    return socket.inet_ntop(socket.AF_INET6, b)


def decode_name(b):
    labels, i = [], 0
    while i < len(b) and b[i]:
        labels.append(b[i + 1:i + 1 + b[i]].decode())
        i += 1 + b[i]
    return ".".join(labels) + ("." if i < len(b) else "")


def udp_exchange(port, pkt, timeout):
    """Sends pkt from [::1] to [::1]:port; the answer, or None after timeout seconds."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        s.bind(("::1", 0))
        s.settimeout(timeout)
        s.sendto(pkt, ("::1", port))
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def pcap_udp(out, hexes):
    """IPv6/UDP 547->547 frames around each message, for tshark."""
    from scapy.all import IPv6, UDP, Raw, wrpcap  # only to frame the bytes
    wrpcap(out, [IPv6(src="::1", dst="::1") / UDP(sport=547, dport=547) / Raw(bytes.fromhex(h))
                 for h in hexes])
