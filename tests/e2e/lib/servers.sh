# DHCPv6 server instances and the relay for the end-to-end tests. Source
# common.sh and netns.sh first.
#
#   srv_start MODEL I NS [relay]   start instance I of MODEL (model.py) in NS
#                                  on ch0, as E2E_SERVER says: kea (memfile
#                                  leases) or chorus (its own schema in the
#                                  private PostgreSQL cluster)
#   srv_stop I [SIGNAL]            stop it (TERM by default; KILL for a crash)
#   srv_log I                      its output, as TAP comments
#   srv_schema I                   chorus: its schema
#   relay_start NS SERVER_ADDR...  dhcrelay -6 from ch0 (clients) to the
#                                  servers on ch1
# SRV_PID[I], SRV_DIR[I] hold the pid and the directory of instance I.
# chorus only: SRV_JQ[I], a jq filter applied to instance I's generated
# config before it starts; SRV_PRESTART, a function called as
# "$SRV_PRESTART I SCHEMA" once the schema exists, before the daemon starts.
declare -A SRV_PID SRV_DIR SRV_NS SRV_SCHEMA SRV_JQ
SRV_PRESTART=
RELAY_PID=
SRV_WAIT=${SRV_WAIT:-15}

# The chorus binaries: E2E_CHORUS_BIN / E2E_ADMIN_BIN, else the build dir
# we run in (make check), else any build under _build/.
srv_find() {
	local rel=$1 var=$2 c
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return 0
	fi
	for c in "$PWD/$rel" "$e2e_top/$rel" "$e2e_top/_build/e2e/$rel" "$e2e_top"/_build/*/"$rel"; do
		[ -x "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

# srv_need: skip the scenario when the selected server cannot run here.
srv_need() {
	case $E2E_SERVER in
	kea)
		e2e_need kea-dhcp6
		;;
	chorus)
		CHORUS_DHCP6D=$(srv_find server/chorus-dhcp6d E2E_CHORUS_BIN) || {
			echo "1..0 # SKIP chorus-dhcp6d is not built (set E2E_CHORUS_BIN or build server/)"
			exit 0
		}
		CHORUS_ADMIN=$(srv_find sql/chorus-admin E2E_ADMIN_BIN) || {
			echo "1..0 # SKIP sql/chorus-admin is not built"
			exit 0
		}
		e2e_need psql
		;;
	*)
		bail "E2E_SERVER must be kea or chorus, not '$E2E_SERVER'"
		;;
	esac
}

# srv_pg: a PostgreSQL cluster for the chorus schemas: the one tests/run
# started (PGHOST answers), else a private one for this scenario.
srv_pg_ready=
srv_pg() {
	[ -n "$srv_pg_ready" ] && return 0
	if [ -n "${PGHOST:-}" ] && psql -qAtX -c 'select 1' >/dev/null 2>&1; then
		:
	else
		. "$e2e_top/tests/lib/pg.sh"
		pg_start "$e2e_tmp/pg" || return 1
		e2e_on_exit pg_stop
	fi
	srv_pg_ready=1
}

srv_conninfo() { echo "host=$PGHOST port=${PGPORT:-5432} user=${PGUSER:-postgres} dbname=${PGDATABASE:-postgres}"; }

srv_listening() {
	# UDP 547 bound in the namespace.
	netns_exec "$1" ss -Hlun 'sport = :547' 2>/dev/null | grep -q .
}

srv_start() {
	local model=$1 i=$2 ns=$3 relay=${4:-} dir schema opts
	dir=$e2e_tmp/srv-$model-s$i
	mkdir -p "$dir"
	SRV_DIR[$i]=$dir
	SRV_NS[$i]=$ns
	opts=(--iface ch0 --dir "$dir")
	if [ -n "$relay" ]; then
		opts+=(--relay --unicast "$(netns_server_addr "$i")")
	fi
	case $E2E_SERVER in
	kea)
		e2e_model conf kea "$model" "$i" "${opts[@]}" --log-level "${E2E_KEA_LOG:-info}" \
			>"$dir/kea-dhcp6.json" || return 1
		ip netns exec "$ns" env KEA_PIDFILE_DIR="$dir" KEA_LOCKFILE_DIR="$dir" \
			kea-dhcp6 -c "$dir/kea-dhcp6.json" >"$dir/server.log" 2>&1 &
		SRV_PID[$i]=$!
		;;
	chorus)
		srv_pg || return 1
		schema=${e2e_tag}_${model}_s$i
		SRV_SCHEMA[$i]=$schema
		e2e_model conf chorus "$model" "$i" "${opts[@]}" --schema "$schema" \
			--conninfo "$(srv_conninfo)" --log-level "${E2E_CHORUS_LOG:-info}" \
			>"$dir/chorus.json" || return 1
		if [ -n "${SRV_JQ[$i]:-}" ]; then
			jq "${SRV_JQ[$i]}" "$dir/chorus.json" >"$dir/chorus.json.new" &&
				mv "$dir/chorus.json.new" "$dir/chorus.json" || return 1
		fi
		"$CHORUS_ADMIN" db-init --schema "$schema" --no-roles >"$dir/db-init.log" 2>&1 || {
			e2e_diag "chorus-admin db-init --schema $schema failed:"
			sed 's/^/# /' "$dir/db-init.log"
			return 1
		}
		e2e_on_exit "psql -qX -c 'DROP SCHEMA IF EXISTS $schema CASCADE'"
		if [ -n "$SRV_PRESTART" ]; then
			"$SRV_PRESTART" "$i" "$schema" || return 1
		fi
		ip netns exec "$ns" "$CHORUS_DHCP6D" -c "$dir/chorus.json" -d >"$dir/server.log" 2>&1 &
		SRV_PID[$i]=$!
		;;
	esac
	# No "Killed" job report from bash when a scenario kills it on purpose.
	disown "${SRV_PID[$i]}"
	e2e_on_exit "e2e_stop_pid ${SRV_PID[$i]}"
	e2e_log "server $i ($E2E_SERVER, $model) pid ${SRV_PID[$i]} in $ns"
	if ! e2e_wait "$SRV_WAIT" srv_listening "$ns"; then
		e2e_diag "server $i ($E2E_SERVER) is not listening on UDP 547 after ${SRV_WAIT}s:"
		srv_log "$i"
		return 1
	fi
	if ! kill -0 "${SRV_PID[$i]}" 2>/dev/null; then
		e2e_diag "server $i ($E2E_SERVER) exited:"
		srv_log "$i"
		return 1
	fi
}

srv_stop() {
	local i=$1 sig=${2:-TERM}
	e2e_log "server $i: SIG$sig"
	e2e_stop_pid "${SRV_PID[$i]}" "$sig"
}

srv_log() {
	local n=${2:-40}
	echo "# --- server $1 ($E2E_SERVER) log, last $n lines:"
	tail -n "$n" "${SRV_DIR[$1]}/server.log" 2>/dev/null | sed 's/^/#   /'
}

srv_schema() { echo "${SRV_SCHEMA[$1]}"; }

relay_start() {
	local ns=$1 dir=$e2e_tmp/relay a ups=()
	shift
	mkdir -p "$dir"
	for a in "$@"; do ups+=(-u "$a%ch1"); done
	ip netns exec "$ns" dhcrelay -6 -d -pf "$dir/dhcrelay.pid" -l ch0 "${ups[@]}" \
		>"$dir/relay.log" 2>&1 &
	RELAY_PID=$!
	e2e_on_exit "e2e_stop_pid $RELAY_PID"
	e2e_wait 10 srv_listening "$ns" || {
		e2e_diag "dhcrelay is not listening:"
		sed 's/^/#   /' "$dir/relay.log"
		return 1
	}
}

relay_log() {
	echo "# --- dhcrelay log:"
	tail -n 30 "$e2e_tmp/relay/relay.log" 2>/dev/null | sed 's/^/#   /'
}

# srv_has_lease I ADDR|PREFIX/LEN: instance I's lease store holds an active
# lease for it (Kea: a line of its memfile; chorus: a row of its schema).
srv_has_lease() {
	local i=$1 what=$2 addr len
	addr=${what%/*}
	len=128
	[ "$addr" != "$what" ] && len=${what#*/}
	case $E2E_SERVER in
	kea)
		# address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,...
		awk -F, -v a="$addr" -v l="$len" '$1 == a && $9 == l { v = $3 } END { exit !(v > 0) }' \
			"${SRV_DIR[$i]}/leases6.csv" 2>/dev/null
		;;
	chorus)
		[ "$(psql -qAtX -c "SELECT count(*) FROM ${SRV_SCHEMA[$i]}.leases
			WHERE addr = '$addr/$len'::inet AND state = 'active' AND valid_lft > 0")" -gt 0 ] 2>/dev/null
		;;
	esac
}
