#!/usr/bin/env bash
# Wireshark (tshark) decodes every DHCPv6 message on the link without a
# malformed-packet or any expert warning: both instances of the split model
# answering dhclient (IA_NA and -P), dhcp6c and dhcpcd --inform6 through a
# Solicit, Advertise, Request, Reply, Information-request and a Renew.
# Environment: E2E_SERVER (kea | chorus).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c tshark python3
srv_need
model='split'
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
echo "# tshark decoding against $E2E_SERVER"
sc_topology $model 2 4 || exit 1
cap=$e2e_tmp/link.pcap
ip netns exec "${e2e_tag}l1" tshark -q -i chbr0 -f 'udp port 546 or udp port 547' -w "$cap" \
	>"$e2e_tmp/tshark.log" 2>&1 &
tshark_pid=$!
e2e_on_exit "e2e_stop_pid $tshark_pid"
e2e_wait 20 grep -q 'Capturing on' "$e2e_tmp/tshark.log" || bail "tshark does not capture"
sc_servers $model 1 2 || exit 1
cli_start c1 dhclient na "${NS_CLIENTS[0]}"
cli_start c2 dhclient pd "${NS_CLIENTS[1]}"
cli_start c3 dhcp6c na "${NS_CLIENTS[2]}"
cli_start c4 dhcpcd info "${NS_CLIENTS[3]}"
for c in c1 c2 c3; do
	e2e_wait "$SC_BIND_WAIT" sh -c "[ -n \"\$(ip -n ${CLI_NS[$c]} -6 -o addr show scope global | grep -E 'ch0|chpd0')\" ]" ||
		{ not_ok "$c (${CLI_KIND[$c]} ${CLI_MODE[$c]}) bound"; cli_log "$c"; }
done
e2e_wait 20 cli_hook_has c4 '^new_dhcp6_name_servers=' || { not_ok "dhcpcd informed"; cli_log c4; }
# One Renew round (T1 after the Reply).
sleep $(($(e2e_model get $model t1) + 2))
e2e_stop_pid "$tshark_pid" INT

types=$(tshark -r "$cap" -Y dhcpv6 -T fields -e dhcpv6.msgtype 2>/dev/null | tr ',' '\n' | sort -n | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
e2e_diag "message types (type:count): $types"
for t in 1:Solicit 2:Advertise 3:Request 5:Renew 7:Reply 11:Information-request; do
	if tshark -r "$cap" -Y "dhcpv6.msgtype == ${t%%:*}" 2>/dev/null | grep -q .; then
		ok "captured ${t#*:}"
	else
		not_ok "captured ${t#*:}"
	fi
done
bad=$(tshark -r "$cap" -Y '_ws.malformed || _ws.expert.severity >= 0x00600000' 2>"$e2e_tmp/filter.err")
rc=$?
if [ "$rc" != 0 ]; then
	not_ok "tshark reads the capture with the malformed/expert filter (exit $rc)"
	sed 's/^/#   /' "$e2e_tmp/filter.err"
elif [ -z "$bad" ]; then
	ok "no malformed packet, no expert warning or error in $(tshark -r "$cap" 2>/dev/null | wc -l) packets"
else
	not_ok "no malformed packet, no expert warning or error"
	echo "$bad" | head -20 | sed 's/^/#   /'
	tshark -r "$cap" -q -z expert,warn 2>/dev/null | head -30 | sed 's/^/#   /'
fi
e2e_diag "took $(e2e_elapsed)s"
done_testing
