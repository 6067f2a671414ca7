# Scenario bodies shared by the test scripts. Source common.sh, netns.sh,
# servers.sh and clients.sh first. Each prints TAP lines (ok / not_ok) and
# is meant to run under e2e_parallel, one model per subshell.
#
#   sc_preference MODEL MODE KINDS   all instances up, then the clients:
#                                    each takes instance 1 (Preference 255)
#   sc_failover MODEL MODE KINDS     clients bound to instance 1, siblings
#                                    up, instance 1 stopped: each client
#                                    moves to a survivor's range (replace)
#                                    or keeps its lease, adopted (adopt)
# MODE is na or pd; KINDS a list of dhclient dhcpcd dhcp6c. SC_TOPO=relayed
# puts the clients behind dhcrelay -6 (netns_relayed), relaying to every
# instance; the default is one link (netns_direct).
SC_TOPO=${SC_TOPO:-direct}
SC_BIND_WAIT=${SC_BIND_WAIT:-15}
SC_SLACK=${SC_SLACK:-8}
SC_KILL_SIGNAL=${SC_KILL_SIGNAL:-TERM}

# The T2 a client really uses: WIDE dhcp6c raises a T2 under 30 s to 30 s.
sc_t2_of() {
	local t2
	t2=$(e2e_model get split t2)
	if [ "$1" = dhcp6c ] && [ "$t2" -lt 30 ]; then echo 30; else echo "$t2"; fi
}

sc_now() { date +%s.%N; }
sc_since() { awk -v t="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - t }'; }
sc_past() { awk -v t="$1" -v n="$(date +%s.%N)" 'BEGIN { exit !(n > t) }'; }
sc_plus() { awk -v t="$1" -v d="$2" 'BEGIN { printf "%.3f", t + d }'; }

# sc_event CLIENT T_KILL AFTER DEADLINE: seconds from T_KILL to the
# client's first hook call after AFTER (the last poll that still saw the
# old state, at least T_KILL): the Reply that moved or kept its lease (an
# unanswered Renew calls no hook). "late:SECONDS" when past DEADLINE. Taken
# from the hook log, so a slow polling loop on a loaded machine neither
# inflates the figure nor hides a late failover.
sc_event() {
	local t
	t=$(awk -v k="$3" '/^=== / && $2 > k && $4 != "DEPREF6" { print $2; exit }' "${CLI_DIR[$1]}/hook.log")
	[ -n "$t" ] || t=$(sc_now)
	awk -v t="$t" -v k="$2" -v d="$4" 'BEGIN { printf "%s%.1f", (t > d ? "late:" : ""), t - k }'
}

# sc_clients MODE KINDS...: one client of each kind, c1.. in NS_CLIENTS.
sc_clients() {
	local mode=$1 k=0 kind
	shift
	for kind in "$@"; do
		cli_start "c$((k + 1))" "$kind" "$mode" "${NS_CLIENTS[$k]}"
		k=$((k + 1))
	done
}

sc_what() { [ "$1" = pd ] && echo prefix || echo address; }

# sc_wait_bound MODEL MODE WANT TIMEOUT KINDS...: poll every client at once
# until each holds only leases of instance WANT; one TAP line per client.
# SC_TODO_<kind> names why a kind cannot follow Preference (dhcpcd takes the
# first Advertise): that client must hold a lease of some instance, and the
# line says whose; a TODO directive would make a lucky pass an XPASS.
sc_wait_bound() {
	local model=$1 mode=$2 want=$3 timeout=$4 t0 deadline k kind todo
	shift 4
	local kinds=("$@") done_at=() pending
	pending=${#kinds[@]}
	t0=$(sc_now)
	deadline=$(sc_plus "$t0" "$timeout")
	while [ "$pending" -gt 0 ] && ! sc_past "$deadline"; do
		for k in "${!kinds[@]}"; do
			[ -n "${done_at[$k]:-}" ] && continue
			todo=SC_TODO_${kinds[$k]}
			if { [ -n "${!todo:-}" ] && [ -n "$(cli_leases "c$((k + 1))")" ]; } ||
				cli_owners_are "c$((k + 1))" "$model" "$want"; then
				done_at[$k]=$(sc_since "$t0")
				pending=$((pending - 1))
			fi
		done
		[ "$pending" -gt 0 ] && sleep 0.3
	done
	for k in "${!kinds[@]}"; do
		kind=${kinds[$k]}
		todo=SC_TODO_$kind
		todo=${!todo:-}
		if [ -n "${done_at[$k]:-}" ] && [ -n "$todo" ]; then
			ok "$model: $kind ($mode) holds $(cli_leases "c$((k + 1))" | xargs) of instance $(cli_owners "c$((k + 1))" "$model" | xargs) after ${done_at[$k]}s (Preference not checked: $todo)"
		elif [ -n "${done_at[$k]:-}" ]; then
			ok "$model: $kind ($mode) holds instance $want's $(sc_what "$mode") $(cli_leases "c$((k + 1))" | xargs) after ${done_at[$k]}s"
		else
			not_ok "$model: $kind ($mode) holds instance $want's $(sc_what "$mode") within ${timeout}s (has '$(cli_leases "c$((k + 1))" | xargs)', of instance '$(cli_owners "c$((k + 1))" "$model")')"
			cli_log "c$((k + 1))"
			[ -n "$RELAY_PID" ] && relay_log
		fi
	done
}

# sc_topology MODEL NSERVERS NCLIENTS: the namespaces (and the relay).
sc_topology() {
	local model=$1 n=$2 m=$3 i ups=()
	if [ "$SC_TOPO" = relayed ]; then
		netns_relayed "$n" "$m" "$model" || { not_ok "$model: namespaces"; return 1; }
		for i in $(seq "$n"); do ups+=("$(netns_server_addr "$i")"); done
		relay_start "$NS_RELAY" "${ups[@]}" || { not_ok "$model: dhcrelay -6 starts"; return 1; }
	else
		netns_direct "$n" "$m" || { not_ok "$model: namespaces"; return 1; }
	fi
}

sc_servers() {
	local model=$1 from=$2 n=$3 relay='' i
	[ "$SC_TOPO" = relayed ] && relay=relay
	for i in $(seq "$from" "$n"); do
		srv_start "$model" "$i" "${NS_SERVERS[$((i - 1))]}" $relay || {
			not_ok "$model: server $i ($E2E_SERVER) starts"
			return 1
		}
	done
}

sc_preference() {
	local model=$1 mode=$2 n
	shift 2
	n=$(e2e_model get "$model" n)
	sc_topology "$model" "$n" $# || return
	sc_servers "$model" 1 "$n" || return
	sc_clients "$mode" "$@"
	sc_wait_bound "$model" "$mode" 1 "$SC_BIND_WAIT" "$@"
}

sc_failover() {
	local model=$1 mode=$2 n k kind c t_kill policy i before=() deadline=() result=() why=() seen=() pending
	shift 2
	local kinds=("$@")
	n=$(e2e_model get "$model" n)
	policy=$(e2e_model get "$model" rebind-policy)
	sc_topology "$model" "$n" $# || return
	# The preferred instance alone first, so that every client (even dhcpcd,
	# which requests the first Advertise whatever its Preference) binds there.
	sc_servers "$model" 1 1 || return
	sc_clients "$mode" "$@"
	sc_wait_bound "$model" "$mode" 1 "$SC_BIND_WAIT" "$@"
	for k in "${!kinds[@]}"; do before[$k]=$(cli_leases "c$((k + 1))" | xargs); done
	sc_servers "$model" 2 "$n" || return
	local survivors
	survivors=$(seq 2 "$n" | xargs)
	srv_stop 1 "$SC_KILL_SIGNAL"
	t_kill=$(sc_now)
	e2e_diag "$model: instance 1 stopped (SIG$SC_KILL_SIGNAL); survivors: $survivors; policy $policy"
	pending=0
	for k in "${!kinds[@]}"; do
		if [ -z "${before[$k]}" ]; then
			result[$k]=fail why[$k]="never bound"
			continue
		fi
		deadline[$k]=$(sc_plus "$t_kill" $(($(sc_t2_of "${kinds[$k]}") + SC_SLACK)))
		seen[$k]=$t_kill
		pending=$((pending + 1))
	done
	while [ "$pending" -gt 0 ]; do
		for k in "${!kinds[@]}"; do
			[ -n "${result[$k]:-}" ] && continue
			c=c$((k + 1))
			local now owners poll_t
			poll_t=$(sc_now)
			now=$(cli_leases "$c" | xargs)
			if [ "$policy" = adopt ]; then
				# The lease must stay, without a gap, until a survivor
				# holds its binding: it adopted it on Rebind.
				if [ "$now" != "${before[$k]}" ]; then
					result[$k]=fail why[$k]="holds '$now' instead of ${before[$k]} $(sc_since "$t_kill")s after the failure"
				else
					for i in $survivors; do
						srv_has_lease "$i" "${before[$k]}" &&
							result[$k]=$(sc_event "$c" "$t_kill" "${seen[$k]}" "${deadline[$k]}") why[$k]="adopted by instance $i"
					done
				fi
			else
				owners=$(e2e_owner "$model" $now | sort | xargs)
				for i in $survivors; do
					[ "$owners" = "$i" ] &&
						result[$k]=$(sc_event "$c" "$t_kill" "${seen[$k]}" "${deadline[$k]}") why[$k]="instance $i's $now"
				done
			fi
			if [ -z "${result[$k]:-}" ] && sc_past "${deadline[$k]}"; then
				result[$k]=fail why[$k]="holds '$now' (of instance '$owners') at T2+${SC_SLACK}s"
			fi
			if [ -n "${result[$k]:-}" ]; then
				pending=$((pending - 1))
			else
				seen[$k]=$poll_t
			fi
		done
		[ "$pending" -gt 0 ] && sleep 0.3
	done
	for k in "${!kinds[@]}"; do
		kind=${kinds[$k]}
		case ${result[$k]} in
		late:*)
			why[$k]="${why[$k]} only ${result[$k]#late:}s after the failure"
			result[$k]=fail
			;;
		esac
		if [ "${result[$k]}" = fail ]; then
			if [ "$policy" = adopt ]; then
				not_ok "$model: $kind ($mode) keeps its $(sc_what "$mode") and a survivor adopts it: ${why[$k]}"
			else
				not_ok "$model: $kind ($mode) holds only a survivor's $(sc_what "$mode") within T2+${SC_SLACK}s: ${why[$k]}"
			fi
			cli_log "c$((k + 1))"
			for i in $survivors; do srv_log "$i" 15; done
			[ -n "$RELAY_PID" ] && relay_log
		elif [ "$policy" = adopt ]; then
			ok "$model: $kind ($mode) keeps ${before[$k]}, ${why[$k]} ${result[$k]}s after the failure (T2 $(sc_t2_of "$kind"))"
		else
			ok "$model: $kind ($mode) moved from ${before[$k]} to ${why[$k]} ${result[$k]}s after the failure, the old one gone (T2 $(sc_t2_of "$kind"))"
		fi
	done
}
