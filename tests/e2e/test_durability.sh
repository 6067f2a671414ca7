#!/usr/bin/env bash
# (d) "A lease granted is a lease stored": kill -9 an instance while it is
# under load, then every lease that any client was granted in a Reply must
# be a row of its schema. Load: Kea's perfdhcp (4-message exchanges for many
# distinct DUIDs) with tshark capturing the Replies in its namespace, plus a
# real dhclient. After the crash the instance is restarted on the same
# schema and dhclient renews the same address from it.
# chorus only: the comparison reads the instance's leases table.
# Environment: E2E_SERVER (must be chorus), E2E_LOAD_RATE (default 300/s),
# E2E_LOAD_SECONDS before the kill (default 4).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
if [ "$E2E_SERVER" != chorus ]; then
	echo "1..0 # SKIP compares the Replies with chorus' leases table (E2E_SERVER=$E2E_SERVER)"
	exit 0
fi
e2e_need dhclient perfdhcp tshark psql
srv_need
rate=${E2E_LOAD_RATE:-300}
load_s=${E2E_LOAD_SECONDS:-4}
model='split'
srv_pg || bail "no PostgreSQL"
netns_direct 1 2 || bail "namespaces"
srv_start $model 1 "${NS_SERVERS[0]}" || bail "chorus-dhcp6d starts"
schema=$(srv_schema 1)

cli_start c2 dhclient na "${NS_CLIENTS[1]}"
if cli_wait_owners c2 $model 1 20; then
	real=$(cli_leases c2 | xargs)
	ok "dhclient bound: $real"
else
	not_ok "dhclient bound"
	cli_log c2
	srv_log 1
fi

cap=$e2e_tmp/replies.pcap
ip netns exec "${NS_CLIENTS[0]}" tshark -q -i ch0 -f 'udp port 546' -w "$cap" \
	>"$e2e_tmp/tshark.log" 2>&1 &
tshark_pid=$!
e2e_on_exit "e2e_stop_pid $tshark_pid"
e2e_wait 20 grep -q 'Capturing on' "$e2e_tmp/tshark.log" || {
	not_ok "tshark captures"
	sed 's/^/# /' "$e2e_tmp/tshark.log"
}
ip netns exec "${NS_CLIENTS[0]}" perfdhcp -6 -l ch0 -r "$rate" -R 1000000 -p 60 \
	>"$e2e_tmp/perfdhcp.log" 2>&1 &
perf_pid=$!
e2e_on_exit "e2e_stop_pid $perf_pid"
sleep "$load_s"
srv_stop 1 KILL
e2e_diag "chorus-dhcp6d killed with SIGKILL after ${load_s}s of ${rate}/s"
sleep 1
e2e_stop_pid "$perf_pid" INT
sleep 1
e2e_stop_pid "$tshark_pid" INT

# Every address a Reply granted (valid lifetime > 0), one per line.
tshark -r "$cap" -Y 'dhcpv6.msgtype == 7' -T fields -E occurrence=a -E separator=/t \
	-e dhcpv6.iaaddr.ip -e dhcpv6.iaaddr.valid_lifetime 2>"$e2e_tmp/tshark-read.log" |
	awk -F'\t' '{ n = split($1, a, ","); split($2, v, ","); for (i = 1; i <= n; i++) if (v[i] > 0) print a[i] }' |
	sort -u >"$e2e_tmp/granted"
[ -n "${real:-}" ] && printf '%s\n' $real >>"$e2e_tmp/granted"
sort -u -o "$e2e_tmp/granted" "$e2e_tmp/granted"
psql -qAtX -c "SELECT host(addr) FROM $schema.leases WHERE lease_type = 'na'" |
	sort -u >"$e2e_tmp/stored"
granted=$(wc -l <"$e2e_tmp/granted")
missing=$(comm -23 "$e2e_tmp/granted" "$e2e_tmp/stored")
if [ "$granted" -ge 20 ]; then
	ok "load: $granted leases granted in Replies before the kill"
else
	not_ok "load: at least 20 leases granted in Replies before the kill (got $granted)"
	tail -n 20 "$e2e_tmp/perfdhcp.log" | sed 's/^/# /'
	srv_log 1 20
fi
if [ -z "$missing" ]; then
	ok "every granted lease is a row of $schema ($granted of $(wc -l <"$e2e_tmp/stored") rows)"
else
	not_ok "every granted lease is a row of $schema: $(echo "$missing" | wc -l) missing"
	echo "$missing" | head -20 | sed 's/^/#   missing: /'
fi

# The instance comes back on the same schema and knows dhclient's binding.
if srv_start $model 1 "${NS_SERVERS[0]}"; then
	# Renew or, if it came while the instance was down, Rebind.
	before=$(grep -cE '^=== .* (RENEW6|REBIND6)' "${CLI_DIR[c2]}/hook.log")
	if e2e_wait 40 sh -c "[ \$(grep -cE '^=== .* (RENEW6|REBIND6)' '${CLI_DIR[c2]}/hook.log') -gt $before ]" &&
		[ "$(cli_leases c2 | xargs)" = "${real:-}" ]; then
		ok "restarted instance renews dhclient's ${real:-} (no lease lost)"
	else
		not_ok "restarted instance renews dhclient's ${real:-} (holds '$(cli_leases c2 | xargs)')"
		cli_log c2
		srv_log 1 20
	fi
else
	not_ok "chorus-dhcp6d restarts on the same schema"
fi
e2e_diag "took $(e2e_elapsed)s"
done_testing
