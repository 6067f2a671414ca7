#!/usr/bin/env bash
# Health-driven Preference (issue 10 item 5) with real clients, chorus only.
# Split model, two instances on one link. Instance 1 (Preference 255) has a
# pool of four addresses, three of them held (rows put in its schema before it
# starts), and dhcp6.health with pool-utilisation 70: it counts itself
# degraded and advertises Preference 10. Instance 2 (Preference 100 here) is
# healthy. ISC dhclient and WIDE dhcp6c, which both wait for the highest
# Preference, take instance 2's address; instance 1 logs the change once and
# counts its degraded Advertises. (Without the health object instance 1 wins:
# test_preference.sh.)
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcp6c python3 jq psql
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP health-driven Preference is chorus's"; exit 0; }
srv_need
model=split
kinds=(dhclient dhcp6c)

# Instance 1: four addresses, three held by clients that are not here.
SRV_JQ[1]='.dhcp6.subnets[0].pools = [{"start": "2001:db8:1:1::100", "end": "2001:db8:1:1::103"}]
	| .dhcp6.health = {"enabled": true, "pool-utilisation": 70, "preference": 10,
	                   "hold-seconds": 5}'
SRV_JQ[2]='.dhcp6.preference = 100'
fill() { # I SCHEMA
	[ "$1" = 1 ] || return 0
	psql -qAtX -v ON_ERROR_STOP=1 -c "INSERT INTO $2.leases (lease_type, addr, duid, iaid,
		subnet_id, link_addr, preferred_lft, valid_lft, cltt, expires_at, granted_by)
		SELECT 'na', ('2001:db8:1:1::10' || i)::inet, decode('000300010200000000f' || i, 'hex'),
		       1, 1, '2001:db8:1:1::', 3600, 7200, now(), now() + interval '2 hours', 'e2e'
		FROM generate_series(0, 2) AS i" >/dev/null
}
SRV_PRESTART=fill

echo "# health-driven Preference against chorus, model $model"
srv_pg || bail "no PostgreSQL"
sc_topology "$model" 2 ${#kinds[@]} || bail "no namespaces"
sc_servers "$model" 1 2 || bail "servers did not start"
e2e_wait 10 grep -q "degraded (subnet 1: pools 75.0% used)" "${SRV_DIR[1]}/server.log" &&
	ok "instance 1 says once that it is degraded (3 of 4 addresses held)" ||
	{ not_ok "instance 1 says once that it is degraded (3 of 4 addresses held)"; srv_log 1; }
sc_clients na "${kinds[@]}"
sc_wait_bound "$model" na 2 "$SC_BIND_WAIT" "${kinds[@]}"
is "instance 1 logged the change once" \
	"$(grep -c "degraded (subnet 1" "${SRV_DIR[1]}/server.log")" 1
is "instance 1 still holds only the three rows it started with" \
	"$(psql -qAtX -c "SELECT count(*) FROM ${SRV_SCHEMA[1]}.leases WHERE state = 'active'")" 3
srv_stop 1
is "instance 1 counted its degraded Advertises" \
	"$(psql -qAtX -c "SELECT value > 0 FROM ${SRV_SCHEMA[1]}.stats WHERE scope = 'dhcp6'
		AND counter = 'advertise-degraded'")" t
e2e_diag "took $(e2e_elapsed)s"
done_testing
