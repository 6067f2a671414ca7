#!/usr/bin/env bash
# Two chorus-dhcp6d instances on one host (one namespace), each serving its own
# interface on the standard port 547, each with its own config, pid file, schema and
# server DUID; a dhclient -6 on each link gets its address from its own instance.
# chorus-dhcp6d only: it is the per-interface sockets (SO_BINDTODEVICE) under test.
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient python3
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP per-interface sockets of chorus-dhcp6d"; exit 0; }
srv_need
srv_pg || bail "no PostgreSQL"
echo "# two instances on one host, one interface each"

host=${e2e_tag}h
netns_add "$host" || bail "netns $host"
pids=()
for x in a b; do
	netns_add "${e2e_tag}$x" || bail "netns ${e2e_tag}$x"
	ip link add "ch$x" netns "$host" type veth peer name ch0 netns "${e2e_tag}$x" ||
		bail "veth ch$x"
	netns_exec "$host" ip link set "ch$x" up
	netns_exec "${e2e_tag}$x" ip link set ch0 up
	schema=${e2e_tag}_co$x
	"$CHORUS_ADMIN" db-init --schema "$schema" --no-roles >"$e2e_tmp/db-init-$x.log" 2>&1 ||
		bail "db-init $schema"
	e2e_on_exit "psql -qX -c 'DROP SCHEMA IF EXISTS $schema CASCADE'"
	n=$([ $x = a ] && echo 1 || echo 2)
	cat >"$e2e_tmp/$x.json" <<-EOF
		{
		  "instance": { "name": "co$x", "schema": "$schema",
		    "database": { "conninfo": "$(srv_conninfo)" }, "pid-file": "$e2e_tmp/$x.pid" },
		  "logging": { "level": "info", "syslog": false },
		  "dhcp6": { "interfaces": [ "ch$x" ], "preference": 255,
		    "hash-key": "cohost-test-hash-key-$n",
		    "subnets": [ { "id": $n, "prefix": "2001:db8:c$n::/64", "interface": "ch$x",
		      "pools": [ { "start": "2001:db8:c$n::100", "end": "2001:db8:c$n::1ff" } ] } ] }
		}
	EOF
	netns_exec "$host" "$CHORUS_DHCP6D" -c "$e2e_tmp/$x.json" -d >"$e2e_tmp/$x.log" 2>&1 &
	pids+=($!)
	disown $!
	e2e_on_exit "e2e_stop_pid $!"
done

bound() { # pid file of instance x written and its socket on ch$x
	[ -s "$e2e_tmp/$1.pid" ] && netns_exec "$host" ss -Hlun 'sport = :547' | grep -q "%ch$1:"
}
for x in a b; do
	if e2e_wait 10 bound $x; then
		ok "instance $x listens on UDP 547 on ch$x"
	else
		not_ok "instance $x listens on UDP 547 on ch$x"
		sed 's/^/# /' "$e2e_tmp/$x.log"
	fi
done
is "both instances still run" "$(kill -0 "${pids[@]}" 2>/dev/null && echo yes)" yes ||
	bail "an instance did not start"

ll_ready() { # the client's link-local address is usable (dhclient needs it)
	ip -n "${e2e_tag}$1" -6 addr show dev ch0 scope link | grep -v tentative | grep -q fe80
}
for x in a b; do
	e2e_wait 10 ll_ready $x || e2e_diag "no link-local address on ch0 of ${e2e_tag}$x yet"
	cli_start "cli$x" dhclient na "${e2e_tag}$x"
done
has_addr() { netns_global "${e2e_tag}$1" ch0 | grep -q "^2001:db8:c$2::1[0-9a-f][0-9a-f]$"; }
for x in a b; do
	n=$([ $x = a ] && echo 1 || echo 2)
	if e2e_wait 30 has_addr $x $n; then
		ok "the client on ch$x has an address of instance $x ($(netns_global "${e2e_tag}$x" ch0))"
	else
		not_ok "the client on ch$x has an address of instance $x"
		cli_log "cli$x"
		sed 's/^/# /' "$e2e_tmp/$x.log"
	fi
done
duids=$(for x in a b; do
	psql -qAtX -c "SELECT encode(server_duid, 'hex') FROM ${e2e_tag}_co$x.server_identity"
done | sort -u | wc -l)
is "each instance keeps its own server DUID in its own schema" "$duids" 2
done_testing
