#!/usr/bin/env bash
# DNS updates end to end: ISC dhclient -6 in a ch* namespace sends a Client FQDN (RFC 4704,
# S=1) to chorus-dhcp6d; chorus-ddnsd, reading the instance's outbox, puts AAAA, DHCID and
# PTR into a BIND 9 named (host namespace, [::1], a high port, TSIG hmac-sha256), checked
# with dig; dhclient -r releases and the records go. The same with dhclient -6 -P (a
# delegated /56: a PTR at its 14-nibble name in the prefixes' reverse zone, no AAAA) and
# -N -P together (the address's AAAA and PTR, and the prefix's PTR), each released.
# chorus only: chorus-ddnsd works chorus' outbox.
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
if [ "$E2E_SERVER" != chorus ]; then
	echo "1..0 # SKIP chorus-ddnsd works chorus-dhcp6d's outbox (E2E_SERVER=$E2E_SERVER)"
	exit 0
fi
e2e_need dhclient named dig python3 jq psql
srv_need
CHORUS_DDNSD=$(srv_find ddnsd/chorus-ddnsd E2E_DDNSD_BIN) || {
	echo "1..0 # SKIP chorus-ddnsd is not built"
	exit 0
}
model='split'
prefix=$(e2e_model get $model link-prefixes | awk '{ print $1 }')
DNS_REV=$(python3 -c "import ipaddress,sys
n = ipaddress.ip_network(sys.argv[1])
print('.'.join(ipaddress.ip_address(n.network_address).reverse_pointer.split('.')[32 - n.prefixlen // 4:]))" "$prefix")
# the delegated prefixes' reverse zone: the /40 around instance 1's PD pool
DNS_REV2=$(e2e_model ranges $model | awk '$1 == "pd" && $2 == 1 { print $3; exit }' |
	python3 -c "import sys; h = sys.stdin.read().strip()[:10]; print('.'.join(reversed(h)) + '.ip6.arpa')")
. "$e2e_top/tests/integration/lib_dns.sh"
dnsport=$(free_ports 1) || bail "no free port"
srv_pg || bail "no PostgreSQL"
dns_start "$e2e_tmp/dns" "$dnsport" || bail "named starts"
e2e_on_exit "dns_stop"
ok "named serves $DNS_FWD, $DNS_REV and $DNS_REV2 on [::1]:$dnsport"

netns_direct 1 1 || bail "namespaces"
SRV_JQ[1]=".ddns = {\"enabled\": true, \"qualifying-suffix\": \"$DNS_FWD.\",
	\"keys\": [{\"name\": \"$DNS_KEY_NAME\", \"secret\": \"$DNS_SECRET\"}],
	\"servers\": [{\"address\": \"::1\", \"port\": $dnsport, \"key\": \"$DNS_KEY_NAME\"}],
	\"forward-zones\": [{\"name\": \"$DNS_FWD.\", \"server\": \"::1\"}],
	\"reverse-zones\": [{\"name\": \"$DNS_REV.\", \"server\": \"::1\"},
		{\"name\": \"$DNS_REV2.\", \"server\": \"::1\"}],
	\"retry-min\": 1, \"retry-max\": 2, \"sweep\": 2}"
srv_start $model 1 "${NS_SERVERS[0]}" || bail "chorus-dhcp6d starts"
# ddnsd needs no namespace: PostgreSQL by its socket, named on the host's loopback
"$CHORUS_DDNSD" -c "${SRV_DIR[1]}/chorus.json" -d >"$e2e_tmp/ddnsd.log" 2>&1 &
ddpid=$!
disown "$ddpid"
e2e_on_exit "e2e_stop_pid $ddpid"
e2e_wait 15 grep -q "database ready" "$e2e_tmp/ddnsd.log" && ok "chorus-ddnsd works the outbox" ||
	{ not_ok "chorus-ddnsd works the outbox"; sed 's/^/#   /' "$e2e_tmp/ddnsd.log"; }

CLI_DHCLIENT_EXTRA='send fqdn.fqdn "e2ehost.example.com.";
send fqdn.server-update on;
also request fqdn.fqdn;'
cli_start c1 dhclient na "${NS_CLIENTS[0]}"
if cli_wait_owners c1 $model 1 20; then
	addr=$(cli_leases c1 | head -1)
	ok "dhclient bound: $addr"
else
	not_ok "dhclient bound"
	cli_log c1
	srv_log 1
	done_testing
	exit
fi
rev=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer + '.')" "$addr")
aaaa() { [ "$(dq "$dnsport" AAAA "e2ehost.$DNS_FWD")" = "$1" ]; }
if e2e_wait 20 aaaa "$addr"; then
	ok "AAAA e2ehost.$DNS_FWD is dhclient's address"
else
	not_ok "AAAA e2ehost.$DNS_FWD is dhclient's address (got '$(dq "$dnsport" AAAA "e2ehost.$DNS_FWD")')"
	sed 's/^/#   ddnsd: /' "$e2e_tmp/ddnsd.log" | tail -10
	psql -X -At -c "SELECT host(addr), fqdn, fqdn_flags FROM $(srv_schema 1).leases" | sed 's/^/#   lease: /'
fi
case $(dq "$dnsport" DHCID "e2ehost.$DNS_FWD") in
AAIB*) ok "DHCID of type 2 (the DUID) present" ;;
*) not_ok "DHCID of type 2 (the DUID) present" ;;
esac
is "PTR names the client" "$(dq "$dnsport" PTR "$rev")" "e2ehost.$DNS_FWD."

# dhclient -r: Release, and the binding's records go
ip netns exec "${NS_CLIENTS[0]}" dhclient -6 -r -cf "${CLI_DIR[c1]}/dhclient.conf" \
	-lf "${CLI_DIR[c1]}/dhclient6.leases" -pf "${CLI_DIR[c1]}/dhclient6.pid" \
	-sf "${CLI_DIR[c1]}/hook" ch0 >>"${CLI_DIR[c1]}/client.log" 2>&1
if e2e_wait 20 aaaa ""; then
	ok "after dhclient -r the AAAA is gone"
else
	not_ok "after dhclient -r the AAAA is gone"
	sed 's/^/#   ddnsd: /' "$e2e_tmp/ddnsd.log" | tail -10
fi
is "... and the PTR" "$(dq "$dnsport" PTR "$rev")" ""

# dhclient_release NAME MODE-FLAGS: dhclient -r of client NAME (Release of what it holds)
dhclient_release() {
	# shellcheck disable=SC2086
	ip netns exec "${NS_CLIENTS[0]}" dhclient -6 $2 -r -cf "${CLI_DIR[$1]}/dhclient.conf" \
		-lf "${CLI_DIR[$1]}/dhclient6.leases" -pf "${CLI_DIR[$1]}/dhclient6.pid" \
		-sf "${CLI_DIR[$1]}/hook" ch0 >>"${CLI_DIR[$1]}/client.log" 2>&1
}
# revp PREFIX: its nibble name (a /56: 14 nibbles)
revp() {
	python3 -c "import ipaddress,sys; n = ipaddress.ip_network(sys.argv[1])
print('.'.join(n.network_address.reverse_pointer.split('.')[32 - n.prefixlen // 4:]) + '.')" "$1"
}
ptr_is() { [ "$(dq "$dnsport" PTR "$1")" = "$2" ]; }

# --- dhclient -6 -P: a delegated prefix gets a PTR, no AAAA; released, it goes ---
CLI_DHCLIENT_EXTRA='send fqdn.fqdn "e2epd.example.com.";
send fqdn.server-update on;
also request fqdn.fqdn;'
cli_start c2 dhclient pd "${NS_CLIENTS[0]}"
if cli_wait_owners c2 $model 1 20; then
	pfx=$(cli_leases c2 | head -1)
	ok "dhclient -P bound: $pfx"
	if e2e_wait 20 ptr_is "$(revp "$pfx")" "e2epd.$DNS_FWD."; then
		ok "PTR at the /56's nibble name $(revp "$pfx") names the client"
	else
		not_ok "PTR at the /56's nibble name names the client (got '$(dq "$dnsport" PTR "$(revp "$pfx")")')"
		sed 's/^/#   ddnsd: /' "$e2e_tmp/ddnsd.log" | tail -10
	fi
	is "... and the prefix is no AAAA of the name" "$(dq "$dnsport" AAAA "e2epd.$DNS_FWD")" ""
	dhclient_release c2 -P
	e2e_wait 20 ptr_is "$(revp "$pfx")" "" && ok "after dhclient -P -r the prefix's PTR is gone" ||
		not_ok "after dhclient -P -r the prefix's PTR is gone"
else
	not_ok "dhclient -P bound"
	cli_log c2
fi

# --- dhclient -6 -N -P: address and prefix in one exchange ---
CLI_DHCLIENT_EXTRA='send fqdn.fqdn "e2eboth.example.com.";
send fqdn.server-update on;
also request fqdn.fqdn;'
cli_start c3 dhclient napd "${NS_CLIENTS[0]}"
if e2e_wait 20 eval '[ "$(cli_leases c3 | wc -l)" -ge 2 ]'; then
	addr3=$(cli_leases c3 | grep -v / | head -1)
	pfx3=$(cli_leases c3 | grep / | head -1)
	ok "dhclient -N -P bound: $addr3 and $pfx3"
	aaaa3() { [ "$(dq "$dnsport" AAAA "e2eboth.$DNS_FWD")" = "$1" ]; }
	e2e_wait 20 aaaa3 "$addr3" && ok "AAAA e2eboth.$DNS_FWD is the address (only)" ||
		not_ok "AAAA e2eboth.$DNS_FWD is the address (got '$(dq "$dnsport" AAAA "e2eboth.$DNS_FWD")')"
	rev3=$(python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).reverse_pointer + '.')" "$addr3")
	e2e_wait 20 ptr_is "$rev3" "e2eboth.$DNS_FWD." && ok "the address's PTR names the client" ||
		not_ok "the address's PTR names the client"
	e2e_wait 20 ptr_is "$(revp "$pfx3")" "e2eboth.$DNS_FWD." && ok "the prefix's PTR names the client" ||
		not_ok "the prefix's PTR names the client"
	dhclient_release c3 "-N -P"
	e2e_wait 20 aaaa3 "" && ok "after dhclient -N -P -r the AAAA is gone" ||
		not_ok "after dhclient -N -P -r the AAAA is gone"
	e2e_wait 20 ptr_is "$rev3" "" && ok "... the address's PTR" || not_ok "... the address's PTR"
	e2e_wait 20 ptr_is "$(revp "$pfx3")" "" && ok "... and the prefix's PTR" || not_ok "... and the prefix's PTR"
else
	not_ok "dhclient -N -P bound"
	cli_log c3
	sed 's/^/#   ddnsd: /' "$e2e_tmp/ddnsd.log" | tail -10
fi
e2e_diag "took $(e2e_elapsed)s"
done_testing
