#!/bin/bash
# option-data through a real chorus-dhcp6d and tshark (issue 10 item 3): every
# type (address, addresses, string, fqdn, fqdns, uint8, uint16, uint32, binary,
# tuples, vendor) configured by code or name is sent as the ORO asks (or always),
# and tshark frames each option to the octets we expect and, where it decodes
# the option, reads back the configured value. Also: the most specific level
# wins (reservation, pool, subnet, instance) and BOOTFILE_URL follows
# CLIENT_ARCH_TYPE (RFC 5970).
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

DAEMON="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
TOPTS="$CHORUS_SRCDIR/tests/integration/tshark_options.py"
SCHEMA=opts_$IT
PORT=$(free_ports 1) || bail "no free port"
T=$(mktemp -d /tmp/chorus-op.XXXXXX)
DPID=

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need jq tshark python3
need_py scapy
it_setup opts
trap cleanup EXIT
"$ADMIN" db-init --schema "$SCHEMA" --no-roles >/dev/null || bail "db-init failed"

cat >"$T/conf.json" <<EOF
{
  "instance": { "name": "it-op", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE" }, "pid-file": "$T/d.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 10, "hash-key": "options-test-key-00001",
    "options": { "dns-servers": ["2001:db8:53::1"] },
    "option-data": [
      { "code": 22, "type": "address", "data": "2001:db8::5" },
      { "name": "sntp-servers", "data": "2001:db8::7, 2001:db8::8" },
      { "name": "new-posix-timezone", "data": "EST5EDT" },
      { "name": "aftr-name", "data": "aftr.example.com." },
      { "name": "sip-server-dns", "data": ["sip1.example.com", "sip2.example.net"] },
      { "code": 65001, "type": "uint8", "data": 200 },
      { "code": 65002, "type": "uint16", "data": 4660 },
      { "name": "information-refresh-time", "data": 3600 },
      { "code": 65003, "type": "binary", "data": "de:ad:be:ef", "always-send": true },
      { "name": "bootfile-param", "data": ["root=/dev/sda1", "quiet"] },
      { "name": "vendor-opts", "enterprise": 32473,
        "sub-options": [ { "code": 32, "type": "string", "data": "cm-config" } ] },
      { "name": "bootfile-url", "data": "http://[2001:db8::9]/any.efi" },
      { "name": "bootfile-url", "data": "http://[2001:db8::9]/x64.efi", "client-arch": [7] },
      { "code": 65004, "type": "uint8", "data": 1 },
      { "code": 65005, "type": "uint8", "data": 1 }
    ],
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64",
        "option-data": [ { "code": 65004, "type": "uint8", "data": 2 },
                         { "code": 65005, "type": "uint8", "data": 2 } ],
        "pools": [ { "start": "2001:db8:1::100", "end": "2001:db8:1::1ff",
          "option-data": [ { "code": 65005, "type": "uint8", "data": 3 } ] } ],
        "reservations": [ { "duid": "00:01:00:01:00:00:00:00:00:00:00:00:00:07",
          "addresses": ["2001:db8:1::7"],
          "option-data": [ { "code": 65004, "type": "uint8", "data": 4 } ] } ] }
    ]
  }
}
EOF
"$DAEMON" -c "$T/conf.json" -d -p "$PORT" >>"$T/d.log" 2>&1 &
DPID=$!
for _ in $(seq 200); do
	grep -q "database ready" "$T/d.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "database ready" "$T/d.log" || { sed 's/^/# /' "$T/d.log"; bail "chorus-dhcp6d did not start"; }

ORO=22,31,41,64,21,65001,65002,32,60,17,59,23
# reply MSG DUID [options]: the Reply's tshark view, {"CODE": [BODYHEX...]}
reply() {
	local out raw
	out=$(python3 "$CLIENT" "$PORT" "$@")
	raw=$(printf '%s\n' "$out" | jq -r .raw)
	/usr/bin/python3 "$CLIENT" pcap "$T/r.pcap" "$raw" >/dev/null
	/usr/bin/python3 "$TOPTS" "$T/r.pcap"
}
field() { tshark -r "$T/r.pcap" -T fields -E separator=, -e "$1" 2>/dev/null | head -1; }
body() { printf '%s\n' "$1" | jq -r --arg c "$2" '.[$c] // [] | join(",")'; }

o=$(reply solicit --duid 0001000100000000000000000001 --oro "$ORO" --arch 7)
is "address (sip-server-addr, 22): octets" "$(body "$o" 22)" 20010db8000000000000000000000005
is "address: tshark reads it" "$(field dhcpv6.sip_server_a)" 2001:db8::5
is "addresses (sntp-servers, 31), Kea's comma list: tshark reads both" \
	"$(field dhcpv6.sntp_server)" "2001:db8::7,2001:db8::8"
is "string (new-posix-timezone, 41): octets" "$(body "$o" 41)" "$(printf EST5EDT | od -An -tx1 | tr -d ' \n')"
is "string: tshark reads it" "$(field dhcpv6.timezone)" EST5EDT
is "fqdn (aftr-name, 64): DNS labels" "$(body "$o" 64)" 0461667472076578616d706c6503636f6d00
is "fqdn: tshark reads it" "$(field dhcpv6.aftr_name)" aftr.example.com.
is "fqdns (sip-server-dns, 21): tshark reads both" \
	"$(field dhcpv6.sip_server_domain_search_fqdn)" "sip1.example.com.,sip2.example.net."
is "uint8 (65001): octets" "$(body "$o" 65001)" c8
is "uint16 (65002): octets" "$(body "$o" 65002)" 1234
is "uint32 (information-refresh-time, 32): octets" "$(body "$o" 32)" 00000e10
is "uint32: tshark reads it" "$(field dhcpv6.lifetime)" 3600
is "binary (65003), always-send (not in the ORO)" "$(body "$o" 65003)" deadbeef
is "tuples (bootfile-param, 60): a 16-bit length before each" "$(body "$o" 60)" \
	000e726f6f743d2f6465762f7364613100057175696574
is "vendor (vendor-opts, 17): enterprise then the sub-option" "$(body "$o" 17)" \
	00007ed900200009636d2d636f6e666967
is "vendor: tshark reads the enterprise" "$(field dhcpv6.vendoropts.enterprise)" 32473
is "vendor: tshark reads the sub-option" "$(field dhcpv6.vendoropts.enterprise.option_code),$(field dhcpv6.vendoropts.enterprise.option_data)" 32,636d2d636f6e666967
is "bootfile-url (59) for CLIENT_ARCH_TYPE 7" "$(body "$o" 59)" \
	"$(printf 'http://[2001:db8::9]/x64.efi' | od -An -tx1 | tr -d ' \n')"
is "option-data dns-servers absent: the named dns-servers stays" "$(body "$o" 23)" \
	20010db8005300000000000000000001

o=$(reply solicit --duid 0001000100000000000000000002 --oro 59,65004,65005)
is "bootfile-url without CLIENT_ARCH_TYPE: the general one" "$(body "$o" 59)" \
	"$(printf 'http://[2001:db8::9]/any.efi' | od -An -tx1 | tr -d ' \n')"
is "the subnet's value over the instance's" "$(body "$o" 65004)" 02
is "the pool's value over the subnet's" "$(body "$o" 65005)" 03
is "no ORO entry, no option (65001)" "$(body "$o" 65001)" ""

o=$(reply solicit --duid 0001000100000000000000000007 --oro 65004,65005)
is "the reservation's value over the subnet's" "$(body "$o" 65004)" 04

r=$(python3 "$CLIENT" "$PORT" solicit --duid 0001000100000000000000000001 --oro 59)
SID=$(printf '%s\n' "$r" | jq -r .serverid)
o=$(reply request --duid 0001000100000000000000000001 --serverid "$SID" --oro 59,17 --arch 7)
is "Reply to Request carries them too" "$(body "$o" 17)" 00007ed900200009636d2d636f6e666967

kill -TERM "$DPID"
wait "$DPID"
DPID=
done_testing
