#!/bin/bash
# chorus-leasequeryd behind a real chorus-dhcp6d (RFC 5007 UDP leasequery through the
# hand-off), with the read-only <schema>_lq role: QUERY_BY_ADDRESS (address, address
# inside a delegated prefix, unbound, unconfigured), QUERY_BY_CLIENTID (one link, several
# links: LQ_CLIENT_LINK, a given link), remaining lifetimes and CLT_TIME, ORO-driven
# LQ_RELAY_DATA, CLIENT_FQDN from the lease's name and the client's stored options
# (UDP and bulk), minus the sensitive options, every status code, the
# discard rules, a relayed query answered back through its relay, requesters (NotAllowed)
# and the token bucket after SIGHUP, counters and heartbeat, tshark on every reply.
. "$CHORUS_SRCDIR/tests/integration/lib_lq.sh"

# USER_CLASS is sensitive: the engine does not store it
LQ_EXTRA=', "sensitive-options": [15]'
lq_setup lqudp
D1=00010001000000000000000000d1
D2=00010001000000000000000000d2
D3=00010001000000000000000000d3

# --- leases made by the engine, through a relay ---
SID=$(j "$(ex solicit --duid $D1)" .serverid)
t_grant=$(date +%s)
r=$(ex request --duid $D1 --serverid "$SID" --pd)
A1=$(j "$r" '.ias[0].leases[0].addr')
P1=$(j "$r" '.ias[1].leases[0].addr')
like "a lease and a delegated prefix for client 1" "$A1 $P1" '^2001:db8:1:.* 2001:db8:1[0-9a-f]{2}:'
r=$(ex request --duid $D1 --serverid "$SID" --link 2001:db8:2::1 --iaid 2)
B1=$(j "$r" '.ias[0].leases[0].addr')
like "client 1 also on the second link" "$B1" '^2001:db8:2::1'
r=$(ex request --duid $D2 --serverid "$SID")
A2=$(j "$r" '.ias[0].leases[0].addr')
like "client 2" "$A2" '^2001:db8:1:'
r=$(ex request --duid $D3 --serverid "$SID" --arch 7 --user-class lab-rack-4 --fqdn host3)
A3=$(j "$r" '.ias[0].leases[0].addr')
like "client 3 with CLIENT_ARCH_TYPE, USER_CLASS and a Client FQDN" "$A3" '^2001:db8:1:'
is "... the engine stored its architecture type, not the sensitive user class" \
	"$(q "SELECT encode(client_opts, 'hex') FROM $SCHEMA.leases WHERE addr = '$A3'")" 003d00020007

lq_start || bail "chorus-leasequeryd did not start"
ok "leasequeryd up with the read-only role"
for _ in $(seq 50); do
	r=$(lq --qtype 1 --addr "$A1" --timeout 0.5)
	[ "$(j "$r" .timeout)" != true ] && break
done

# --- QUERY_BY_ADDRESS ---
sleep 1
r=$(lq --qtype 1 --addr "$A1")
is "BY_ADDRESS: LEASEQUERY-REPLY, same xid" "$(j "$r" '"\(.type) \(.xid == .sent_xid)"')" "15 true"
is "... SERVERID is the engine's, CLIENTID is ours" "$(j "$r" '"\(.serverid) \(.clientid)"')" "$SID 000300010200000000aa"
is "... no status, one CLIENT_DATA for client 1" "$(j "$r" '"\(.status) \(.client_data | length) \(.client_data[0].clientid)"')" "null 1 $D1"
is "... all bindings on that link: the address and the prefix" \
	"$(j "$r" '.client_data[0] | "\(.addrs[0].addr) \(.prefixes[0].prefix) \(.addrs | length)"')" "$A1 $P1 1"
# the seconds since the grant, as this test saw them (a loaded machine may take many)
age=$(($(date +%s) - t_grant))
cd0() { printf '%s\n' "$r" | jq -r --argjson age "$age" ".client_data[0] | .addrs[0] as \$a | $1"; }
is "... remaining lifetimes: below 300/600 by the seconds since the grant" \
	"$(cd0 '"\($a.pref < 300 and $a.pref >= 299 - $age) \($a.valid - $a.pref)"')" "true 300"
is "... CLT_TIME is the seconds since the last transaction (so with the preferred lifetime left, 300)" \
	"$(cd0 '"\(.clt_time >= 1 and .clt_time <= $age + 1) \(.clt_time + $a.pref | . >= 299 and . <= 301)"')" "true true"
is "... no LQ_RELAY_DATA unless the ORO asks" "$(j "$r" '.relay_data')" null
r=$(lq --qtype 1 --addr "${P1%%::/*}::1234")
is "BY_ADDRESS inside a delegated prefix finds the prefix's client" "$(j "$r" '.client_data[0].clientid')" "$D1"
r=$(lq --qtype 1 --addr "$A1" --oro 47)
is "ORO 47: LQ_RELAY_DATA with the relay's address as peer" "$(j "$r" '.relay_data.peer')" "::1"
is "... its chain is the stored Relay-forward without the client's message" \
	"$(j "$r" '.relay_data.layers | map("\(.hops) \(.link) \(.peer) \(.codes | index(9))") | join(",")')" \
	"0 2001:db8:1::1 fe80::1:1 null"
r=$(lq --qtype 1 --addr 2001:db8:1::7777)
is "BY_ADDRESS unbound: Success, no client data" "$(j "$r" '"\(.status) \(.client_data | length)"')" "0 0"
r=$(lq --qtype 1 --addr 2001:db8:99::1)
is "BY_ADDRESS outside every link: NotConfigured" "$(j "$r" .status)" 9
r=$(lq --qtype 1 --addr "$A1" --link 2001:db8:77::1)
is "an unknown link-address: NotConfigured" "$(j "$r" .status)" 9

# --- QUERY_BY_CLIENTID ---
r=$(lq --qtype 2 --duid $D1)
is "BY_CLIENTID on two links, no link given: LQ_CLIENT_LINK, no data" \
	"$(j "$r" '"\(.client_link | length) \(.client_data | length)"')" "2 0"
like "... naming both links" "$(j "$r" '.client_link | sort | join(" ")')" '^2001:db8:1::1 2001:db8:2::1$'
r=$(lq --qtype 2 --duid $D1 --link 2001:db8:2::1)
is "BY_CLIENTID with a link-address: that link's bindings" \
	"$(j "$r" '.client_data[0] | "\(.clientid) \(.addrs[0].addr) \(.addrs | length) \(.prefixes | length)"')" "$D1 $B1 1 0"
r=$(lq --qtype 2 --duid $D2 --oro 47)
is "BY_CLIENTID on one link: its data, LQ_RELAY_DATA as the ORO asks" \
	"$(j "$r" '"\(.client_data[0].addrs[0].addr) \(.relay_data.peer)"')" "$A2 ::1"
r=$(lq --qtype 2 --duid 0001000100000000000000000bad)
is "BY_CLIENTID of an unknown client: Success, no data" "$(j "$r" '"\(.status) \(.client_data | length)"')" "0 0"

# --- what the ORO asks for: the lease's name, the client's stored options ---
r=$(lq --qtype 1 --addr "$A3" --oro 61,15,39)
is "ORO 61: the stored CLIENT_ARCH_TYPE in CLIENT_DATA" "$(j "$r" '.client_data[0].opts["61"]')" 0007
is "... ORO 15: the sensitive USER_CLASS is not" "$(j "$r" '.client_data[0].opts["15"]')" null
is "... ORO 39: CLIENT_FQDN with the lease's name" "$(j "$r" '.client_data[0].fqdn')" host3.example.com.
is "no ORO: neither" "$(j "$(lq --qtype 1 --addr "$A3")" '.client_data[0] | "\(.opts) \(.fqdn)"')" "null null"
r=$(bulk --qtype 2 --duid $D3 --oro 61,39)
is "bulk BY_CLIENTID: the same inside the REPLY's CLIENT_DATA" \
	"$(j "$r" '.messages[] | select(.type == 15) | .client_data[0] | "\(.opts["61"]) \(.fqdn)"')" "0007 host3.example.com."
r=$(bulk --qtype 4 --link 2001:db8:1::1 --oro 61)
is "bulk BY_LINK_ADDRESS: the stored option with client 3 only" \
	"$(j "$r" '.messages[] | select(.type == 15 or .type == 17) | .client_data[0] | select(.opts) | "\(.clientid) \(.opts["61"])"')" "$D3 0007"

# --- status codes, discard rules ---
is "an unknown query type: UnknownQueryType" "$(j "$(lq --qtype 9 --addr "$A1")" .status)" 7
is "BY_ADDRESS without IAADDR: MalformedQuery" "$(j "$(lq --qtype 1)" .status)" 8
is "BY_CLIENTID without CLIENTID: MalformedQuery" "$(j "$(lq --qtype 2)" .status)" 8
is "BY_RELAY_ID over UDP: NotAllowed (RFC 5460)" "$(j "$(lq --qtype 3 --relay-id 000300010a0b0c0d0e00)" .status)" 10
is "BY_LINK_ADDRESS over UDP: NotAllowed" "$(j "$(lq --qtype 4 --link 2001:db8:1::1)" .status)" 10
is "a SERVERID not ours: discarded" "$(j "$(lq --qtype 1 --addr "$A1" --serverid 000300010200000000ff --timeout 1)" .timeout)" true
is "no LQ_QUERY: discarded" "$(j "$(lq --no-query --timeout 1)" .timeout)" true
is "our own SERVERID: answered" "$(j "$(lq --qtype 1 --addr "$A1" --serverid "$SID")" '.client_data | length')" 1

# --- a relayed LEASEQUERY ---
r=$(lq --qtype 1 --addr "$A1" --relayed)
is "relayed query: a Relay-reply back through the relay, INTERFACE_ID echoed" \
	"$(j "$r" '"\(.relay | length) \(.relay[0].peer) \(.relay[0].ifid) \(.type)"')" "1 fe80::99 lq-port1 15"
is "... carrying the client data" "$(j "$r" '.client_data[0].addrs[0].addr')" "$A1"

# --- tshark decodes every reply ---
/usr/bin/python3 "$REQ" pcap-udp "$T/udp.pcap" $(cat "$T/udp.hex")
n=$(wc -l <"$T/udp.hex")
is "tshark decodes all $n replies as DHCPv6 leasequery" \
	"$(tshark -r "$T/udp.pcap" -Y 'dhcpv6.msgtype == 15' -T fields -e frame.number 2>/dev/null | wc -l)" "$n"
is "no malformed-packet or expert warnings" "$(tsbad "$T/udp.pcap")" 0
/usr/bin/python3 "$REQ" pcap-tcp "$T/tcp.pcap" "@$T/tcp.hex"
is "... nor in the bulk streams" "$(tsbad "$T/tcp.pcap")" 0

# --- sensitive options, requesters, rate limit (SIGHUP) ---
lq_conf "$T/conf.json" ', "sensitive-options": [47, 61]'
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 1
r=$(lq --qtype 2 --duid $D2 --oro 47)
is "sensitive options are never returned, even when asked" "$(j "$r" '"\(.client_data | length) \(.relay_data)"')" "1 null"
r=$(lq --qtype 2 --duid $D3 --oro 61)
is "... a stored option made sensitive after it was stored neither" "$(j "$r" '"\(.client_data | length) \(.client_data[0].opts)"')" "1 null"
REQUESTERS='["2001:db8:ffff::/48"]' lq_conf "$T/conf.json" ""
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 2
is "a requestor outside requesters: NotAllowed" "$(j "$(lq --qtype 1 --addr "$A1")" .status)" 10
lq_conf "$T/conf.json" ', "rate-limit": 2, "rate-burst": 3'
kill -HUP "$LPID"
wait_for "$T/l.log" "configuration reloaded" 3
sleep 1.6
n=$(j "$(python3 "$REQ" udp "$UPORT" --qtype 1 --addr "$A1" --count 8 --timeout 0.5)" .answered)
[ "$n" -ge 3 ] && [ "$n" -le 4 ] && ok "token bucket: a burst of 3 at 2/s answers 3 or 4 of 8 quick queries ($n)" ||
	not_ok "token bucket: a burst of 3 at 2/s answers 3 or 4 of 8 quick queries ($n)"

# --- counters and heartbeat, SIGTERM ---
kill -TERM "$LPID"
wait "$LPID"
rc=$?
LPID=
is "SIGTERM: clean exit" "$rc" 0
is "counters in stats scope 'leasequery'" \
	"$(q "SELECT string_agg(counter || '=' || value, ' ' ORDER BY counter) FROM $SCHEMA.stats
	      WHERE scope = 'leasequery' AND counter IN ('not-allowed', 'unknown-query-type', 'rate-limited')")" \
	"not-allowed=3 rate-limited=$((8 - n)) unknown-query-type=1"
like "query counts by type" "$(q "SELECT value FROM $SCHEMA.stats WHERE scope = 'leasequery' AND counter = 'query-by-address'")" '^[1-9][0-9]*$'
is "the heartbeat row of leasequeryd, written with the read-only role" \
	"$(q "SELECT beat_at > now() - interval '1 minute' FROM $SCHEMA.heartbeats WHERE daemon = 'leasequeryd'")" t
r=$(lq --qtype 1 --addr "$A1")
is "leasequeryd stopped: the engine answers NotConfigured" "$(j "$r" .status)" 9

# --- started before the engine's first start wrote its identity ---
ident=$(q "SELECT instance_name || ' ' || encode(server_duid, 'hex') FROM $SCHEMA.server_identity")
q "DELETE FROM $SCHEMA.server_identity" >/dev/null
w=$(grep -c "no Server Identifier in the schema yet" "$T/l.log")
lq_start || bail "chorus-leasequeryd did not start again"
wait_for "$T/l.log" "no Server Identifier in the schema yet" $((w + 1)) &&
	ok "no identity in the schema yet: leasequeryd says its answers wait for it" ||
	not_ok "no identity in the schema yet: leasequeryd says its answers wait for it"
q "INSERT INTO $SCHEMA.server_identity (instance_name, server_duid)
   VALUES ('${ident%% *}', '\\x${ident#* }')" >/dev/null
for _ in $(seq 6); do
	r=$(lq --qtype 1 --addr "$A1" --timeout 0.5)
	[ "$(j "$r" .timeout)" != true ] && break
done
is "... the identity written: answered within 3 s, not at the next 10 s heartbeat" \
	"$(j "$r" '.client_data[0].clientid')" "$D1"
kill -TERM "$LPID"
wait "$LPID"
LPID=

done_testing
