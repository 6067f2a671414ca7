# Network namespaces for the end-to-end tests. Source common.sh first.
#
#   netns_direct NSERVERS NCLIENTS MODEL
#       one link (bridge chbr0 in namespace <tag>l1), servers <tag>s1.. and
#       clients <tag>c1.., each attached by a veth named ch0 in its namespace;
#       clients also get chpd0 (a veth pair with chpd1) for delegated prefixes.
#   netns_relayed NSERVERS NCLIENTS MODEL
#       clients on link <tag>l1, servers on link <tag>l2, and <tag>r between
#       them: ch0 on the client link with MODEL's relay link address, ch1 on
#       the server link (2001:db8:ffff:1::1/64), forwarding on. Server i has
#       2001:db8:ffff:1::1<i>/64 on its ch0 (netns_server_addr i).
# After either: NS_SERVERS and NS_CLIENTS are arrays of namespace names,
# NS_RELAY the relay namespace (relayed only). DAD is off everywhere, so
# addresses are usable at once. Everything is deleted by the EXIT trap.
NS_SERVERS=()
NS_CLIENTS=()
NS_RELAY=
NS_SERVER_NET=2001:db8:ffff:1
netns_all=()

netns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# netns_add NAME [forwarding]: a namespace with lo up and DAD off.
netns_add() {
	local ns=$1 fwd=${2:-0}
	ip netns add "$ns" || return 1
	netns_all+=("$ns")
	e2e_on_exit "netns_del $ns"
	netns_exec "$ns" ip link set lo up
	netns_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.dad_transmits=0 net.ipv6.conf.default.dad_transmits=0 \
		net.ipv6.conf.all.forwarding="$fwd" net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_ra=0 >/dev/null
}

# netns_del NAME: kill what still runs in it (only our namespaces hold only
# our processes), then delete it.
netns_del() {
	local ns=$1 pid
	for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
	sleep 0.2
	for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
}

# netns_link NAME: a namespace holding the bridge chbr0 (snooping off, so
# multicast reaches every port).
netns_link() {
	local ns=$1
	netns_add "$ns" || return 1
	netns_exec "$ns" ip link add chbr0 type bridge forward_delay 0 stp_state 0 mcast_snooping 0 &&
		netns_exec "$ns" ip link set chbr0 up
}

# netns_attach NS IFNAME LINKNS PORTNAME: a veth IFNAME in NS, its peer
# PORTNAME on the bridge of LINKNS.
netns_attach() {
	local ns=$1 ifn=$2 link=$3 port=$4
	ip link add "$ifn" netns "$ns" type veth peer name "$port" netns "$link" || return 1
	netns_exec "$link" ip link set "$port" master chbr0 up &&
		netns_exec "$ns" ip link set "$ifn" up
}

netns_addr() {
	netns_exec "$1" ip -6 addr add "$3" dev "$2" nodad
}

netns_server_addr() { echo "$NS_SERVER_NET::1$1"; }

netns_mkclients() {
	local link=$1 n=$2 i ns
	for i in $(seq "$n"); do
		ns=${e2e_tag}c$i
		netns_add "$ns" || return 1
		netns_attach "$ns" ch0 "$link" chc$i || return 1
		# Delegated prefixes go on chpd0 (a veth pair: no dummy module needed).
		netns_exec "$ns" ip link add chpd0 type veth peer name chpd1 &&
			netns_exec "$ns" ip link set chpd1 up &&
			netns_exec "$ns" ip link set chpd0 up || return 1
		NS_CLIENTS+=("$ns")
	done
}

netns_direct() {
	local ns_s=$1 ns_c=$2 link=${e2e_tag}l1 i ns
	netns_link "$link" || return 1
	for i in $(seq "$ns_s"); do
		ns=${e2e_tag}s$i
		netns_add "$ns" || return 1
		netns_attach "$ns" ch0 "$link" chs$i || return 1
		NS_SERVERS+=("$ns")
	done
	netns_mkclients "$link" "$ns_c"
}

netns_relayed() {
	local ns_s=$1 ns_c=$2 model=$3 l1=${e2e_tag}l1 l2=${e2e_tag}l2 i ns
	netns_link "$l1" && netns_link "$l2" || return 1
	NS_RELAY=${e2e_tag}r
	netns_add "$NS_RELAY" 1 || return 1
	netns_attach "$NS_RELAY" ch0 "$l1" chr0 && netns_attach "$NS_RELAY" ch1 "$l2" chr1 || return 1
	netns_addr "$NS_RELAY" ch0 "$(e2e_model get "$model" relay-link-address)/64" || return 1
	# Only this one global address on ch0: dhcrelay takes it as the
	# link-address, which selects the subnet (a second prefix here, as the
	# unique model has, could be picked instead).
	netns_addr "$NS_RELAY" ch1 "$NS_SERVER_NET::1/64" || return 1
	for i in $(seq "$ns_s"); do
		ns=${e2e_tag}s$i
		netns_add "$ns" || return 1
		netns_attach "$ns" ch0 "$l2" chs$i || return 1
		netns_addr "$ns" ch0 "$(netns_server_addr "$i")/64" || return 1
		NS_SERVERS+=("$ns")
	done
	netns_mkclients "$l1" "$ns_c"
}

# netns_global NS IFNAME: the global addresses on IFNAME, one per line.
netns_global() {
	ip -n "$1" -6 -o addr show dev "$2" scope global 2>/dev/null |
		awk '{ print $4 }' | sed 's,/.*,,' | sort
}
