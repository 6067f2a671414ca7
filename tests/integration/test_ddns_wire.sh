#!/bin/bash
# A multi-row UPDATE of chorus-ddnsd (three names' prerequisites and updates in one
# message, ddns_update_build_n, as test_ddns_update writes it) decoded by an independent
# dissector, tshark, framed as DNS over TCP: an UPDATE with one zone, three
# prerequisites, six updates and the TSIG, every name where it belongs, and nothing
# malformed. tshark 4.0 has no dissector for the MAC of hmac-sha256 (only GSS-TSIG), so
# its "No dissector for algorithm" note is the one expert item forgiven, once per TSIG.
. "$CHORUS_SRCDIR/tests/lib/tap.sh"
need tshark text2pcap xxd od
T=$(mktemp -d /tmp/chorus-ddnswire.XXXXXX)
trap 'rm -rf "$T"' EXIT

DDNS_BATCH_HEX="$T/batch.hex" "$CHORUS_BUILDDIR/tests/unit/ddnsd/test_ddns_update" >"$T/unit.out" 2>&1 ||
	{ cat "$T/unit.out" >&2; bail "test_ddns_update failed"; }
[ -s "$T/batch.hex" ] || bail "test_ddns_update wrote no message"
n=$(($(tr -d '\n' <"$T/batch.hex" | wc -c) / 2))
# RFC 1035 §4.2.2: a two-octet length before the message on TCP
{ printf '%04x' "$n"; cat "$T/batch.hex"; } | xxd -r -p | od -Ax -tx1 -v >"$T/batch.txt"
text2pcap -q -T 40000,53 "$T/batch.txt" "$T/batch.pcap" || bail "text2pcap failed"

is "tshark reads an UPDATE: opcode, zones, prerequisites, updates, additional ($n octets)" \
	"$(tshark -r "$T/batch.pcap" -Y dns -T fields -e dns.flags.opcode -e dns.count.zones \
		-e dns.count.prerequisites -e dns.count.updates -e dns.count.add_rr 2>/dev/null)" \
	"$(printf '5\t1\t3\t6\t1')"
is "... the names in order: three prerequisites, then each name's AAAA and DHCID, then the key" \
	"$(tshark -r "$T/batch.pcap" -Y dns -T fields -e dns.resp.name -e dns.resp.type 2>/dev/null)" \
	"$(printf 'b1.example.com,b2.example.com,b3.example.com,b1.example.com,b1.example.com,b2.example.com,b2.example.com,b3.example.com,b3.example.com,ddns-key.example\t255,255,255,28,49,28,49,28,49,250')"
is "... the zone" "$(tshark -r "$T/batch.pcap" -Y dns -T fields -e dns.qry.name 2>/dev/null)" "example.com"
tshark -r "$T/batch.pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' -T fields \
	-E occurrence=a -E aggregator=';' -e frame.number -e _ws.expert.message 2>/dev/null |
	awk -F'\t' '{ n = split($2, m, ";"); bad = n == 0
		for (i = 1; i <= n; i++) if (m[i] !~ /^No dissector for algorithm:hmac-sha256$/) bad = 1
		if (bad) print }' >"$T/bad"
sed 's/^/# tshark: /' "$T/bad" >&2
is "no malformed-packet or expert warnings" "$(wc -l <"$T/bad")" 0
done_testing
