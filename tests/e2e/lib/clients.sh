# Third-party DHCPv6 clients for the end-to-end tests, each in its own
# namespace with private files under $e2e_tmp/cli-NAME. Source common.sh and
# netns.sh first.
#
#   cli_start NAME KIND MODE NS   KIND: dhclient | dhcpcd | dhcp6c
#                                 MODE: na (IA_NA) | pd (IA_PD) | info (stateless)
#                                       | napd (both; dhclient only: -N -P)
#   cli_stop NAME                 stop it (TERM: dhcp6c and dhcpcd release)
#   cli_leases NAME               what it holds now: na, the global addresses on
#                                 ch0; pd, the /56 prefixes it put on chpd0
#   cli_owners NAME MODEL         the instances (model.py owner) of those, sorted
#   cli_wait_owners NAME MODEL WANT TIMEOUT   until cli_owners says WANT
#   cli_hook_has NAME REGEX       a hook call logged a line matching REGEX
#   cli_log NAME                  its output and hook log, as TAP comments
#
# Private files: dhclient gets -lf -pf -sf -cf (its DUID lives in the lease
# file); CLI_DHCLIENT_EXTRA, when set, is appended to its dhclient.conf. dhcpcd has no run-time options for its directories, so it runs in
# a private mount namespace (ip netns exec makes one) with its own dirs
# bind-mounted over /var/lib/dhcpcd (DUID, leases, privsep chroot) and /run
# (pid file, control socket). dhcp6c keeps its DUID in the compiled-in
# /var/lib/dhcpv6/dhcp6c_duid, so a private dir is bind-mounted there too.
# Background jobs are started with "ip netns exec" itself (never through a
# shell function), so that $! is the pid of the client and not of a subshell.
declare -A CLI_PID CLI_KIND CLI_MODE CLI_NS CLI_DIR

cli_hook_write() {
	local name=$1 dir=${CLI_DIR[$1]}
	cat >"$dir/hook" <<-EOS
		#!/bin/sh
		CH_LOG=$dir/hook.log CH_KIND=${CLI_KIND[$name]} CH_IF=ch0
		. $e2e_dir/lib/hook.sh
	EOS
	chmod 755 "$dir/hook"
	: >"$dir/hook.log"
}

cli_start() {
	local name=$1 kind=$2 mode=$3 ns=$4 dir=$e2e_tmp/cli-$1
	mkdir -p "$dir"
	CLI_KIND[$name]=$kind CLI_MODE[$name]=$mode CLI_NS[$name]=$ns CLI_DIR[$name]=$dir
	cli_hook_write "$name"
	case $kind in
	dhclient)
		local flag=-N
		[ "$mode" = pd ] && flag=-P
		[ "$mode" = napd ] && flag="-N -P"
		[ "$mode" = info ] && flag=-S
		cat >"$dir/dhclient.conf" <<-EOS
			request dhcp6.name-servers, dhcp6.domain-search;
		EOS
		# more configuration from the scenario (option definitions, "also request")
		[ -n "${CLI_DHCLIENT_EXTRA:-}" ] && printf '%s\n' "$CLI_DHCLIENT_EXTRA" >>"$dir/dhclient.conf"
		ip netns exec "$ns" dhclient -6 $flag -d -v -cf "$dir/dhclient.conf" \
			-lf "$dir/dhclient6.leases" -pf "$dir/dhclient6.pid" -sf "$dir/hook" ch0 \
			>"$dir/client.log" 2>&1 &
		;;
	dhcpcd)
		mkdir -p "$dir/db" "$dir/run"
		{
			echo "duid ll"
			# udev knows nothing of interfaces in our namespaces.
			echo "nodev"
			echo "noipv6rs"
			echo "ipv6only"
			echo "nooption domain_name_servers, domain_name, domain_search"
			echo "option dhcp6_name_servers, dhcp6_domain_search"
			echo "allowinterfaces ch0 chpd0"
			echo "interface ch0"
			case $mode in
			na) echo "  ia_na 1" ;;
			pd) echo "  ia_pd 1 chpd0/0/64" ;;
			esac
			echo "interface chpd0"
			echo "  nodhcp6"
			echo "  noipv6rs"
		} >"$dir/dhcpcd.conf"
		local extra=()
		[ "$mode" = info ] && extra=(--inform6)
		[ "$mode" = pd ] && set -- ch0 chpd0 || set -- ch0
		# The privsep user must be able to write its chroot's files.
		chown -R dhcpcd "$dir/db" 2>/dev/null
		ip netns exec "$ns" sh -c 'mount --bind "$0/db" /var/lib/dhcpcd &&
			mount --bind "$0/run" /run && exec "$@"' "$dir" \
			dhcpcd -B -d -f "$dir/dhcpcd.conf" -c "$dir/hook" "${extra[@]}" "$@" \
			>"$dir/client.log" 2>&1 &
		;;
	dhcp6c)
		mkdir -p "$dir/duid"
		{
			echo "interface ch0 {"
			case $mode in
			na) echo "  send ia-na 1;" ;;
			pd) echo "  send ia-pd 1;" ;;
			info) echo "  information-only;" ;;
			esac
			echo "  request domain-name-servers;"
			echo "  request domain-name;"
			echo "  script \"$dir/hook\";"
			echo "};"
			echo "id-assoc na 1 { };"
			echo "id-assoc pd 1 { prefix-interface chpd0 { sla-id 0; sla-len 8; }; };"
		} >"$dir/dhcp6c.conf"
		ip netns exec "$ns" sh -c 'mount --bind "$0/duid" /var/lib/dhcpv6 && exec "$@"' "$dir" \
			dhcp6c -f -D -c "$dir/dhcp6c.conf" -p "$dir/dhcp6c.pid" ch0 \
			>"$dir/client.log" 2>&1 &
		;;
	*)
		bail "unknown client kind $kind"
		;;
	esac
	CLI_PID[$name]=$!
	e2e_on_exit "e2e_stop_pid ${CLI_PID[$name]}"
	e2e_log "client $name ($kind $mode) pid ${CLI_PID[$name]} in $ns"
}

cli_stop() { e2e_stop_pid "${CLI_PID[$1]}"; }

cli_leases() {
	local name=$1 ns=${CLI_NS[$1]}
	case ${CLI_MODE[$name]} in
	na)
		netns_global "$ns" ch0
		;;
	pd)
		# shellcheck disable=SC2046
		e2e_net 56 $(netns_global "$ns" chpd0) | sort -u
		;;
	napd)
		netns_global "$ns" ch0
		# shellcheck disable=SC2046
		e2e_net 56 $(netns_global "$ns" chpd0) | sort -u
		;;
	esac
}

cli_owners() {
	local l
	l=$(cli_leases "$1")
	# shellcheck disable=SC2086
	e2e_owner "$2" $l | sort | xargs
}

# cli_owners_are NAME MODEL WANT: the client holds leases of exactly the
# instances WANT ("1", "2", "1 2"; "" for nothing).
cli_owners_are() { [ "$(cli_owners "$1" "$2")" = "$3" ]; }

cli_wait_owners() { e2e_wait "$4" cli_owners_are "$1" "$2" "$3"; }

cli_hook_has() { grep -Eq "$2" "${CLI_DIR[$1]}/hook.log"; }

cli_log() {
	local name=$1 dir=${CLI_DIR[$1]}
	echo "# --- client $name (${CLI_KIND[$name]} ${CLI_MODE[$name]}): leases now: $(cli_leases "$name" | xargs)"
	echo "# client log, last 30 lines:"
	tail -n 30 "$dir/client.log" 2>/dev/null | sed 's/^/#   /'
	echo "# hook calls:"
	grep '^===' "$dir/hook.log" 2>/dev/null | tail -n 10 | sed 's/^/#   /'
}
