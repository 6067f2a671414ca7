# Shared helpers of the end-to-end tests. Source it first; it sources tap.sh.
#   E2E_SERVER   kea | chorus (default chorus): which server the scenarios run
#   E2E_KEEP=1   keep the temp dir (logs, configs, leases) after the run
#   E2E_VERBOSE=1  echo what is being done on stderr
# Every namespace, link and bridge is named ch<tag>..., <tag> the hex pid of
# the scenario, so scenarios can run in parallel; e2e_cleanup (trap on EXIT,
# INT, TERM) stops what we started, by pid, and deletes what we created.
e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
e2e_top=$(cd "$e2e_dir/../.." && pwd)
. "$e2e_top/tests/lib/tap.sh"
. "$e2e_top/tests/lib/ports.sh"

E2E_SERVER=${E2E_SERVER:-chorus}
e2e_tag=ch$(printf '%x' $$)
e2e_tmp=$(mktemp -d "/tmp/chorus-e2e.$e2e_tag.XXXXXX")
chmod 755 "$e2e_tmp"
e2e_cleanups=()
e2e_t0=$(date +%s.%N)

e2e_log() { [ -z "${E2E_VERBOSE:-}" ] || echo "e2e[$(e2e_elapsed)s]: $*" >&2; }

# Diagnostics as TAP comments, so they show in the .log without breaking TAP.
e2e_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

e2e_elapsed() { awk -v a="$e2e_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# e2e_on_exit CMD: run CMD (a string for eval) at cleanup, last registered first.
e2e_on_exit() { e2e_cleanups+=("$1"); }

e2e_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	e2e_cleanups_run
	if [ -n "${E2E_KEEP:-}" ] || [ "${tap_failed:-0}" != 0 ]; then
		echo "# e2e: files kept in $e2e_tmp" >&2
	else
		rm -rf "$e2e_tmp"
	fi
	return $rc
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# e2e_stop_pid PID [SIGNAL [SECONDS]]: signal a process we started, wait up
# to SECONDS (5) for it to go, then SIGKILL it.
e2e_stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq $((${3:-5} * 10))); do
		kill -0 "$pid" 2>/dev/null || return 0
		# A zombie child of ours: reap it.
		local st=
		read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null
		[ "$st" = Z ] && { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# e2e_wait TIMEOUT CMD...: poll CMD every 0.2 s until it succeeds or TIMEOUT
# seconds pass; returns CMD's last status.
e2e_wait() {
	local timeout=$1 end
	shift
	end=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		"$@" && return 0
		[ "$(date +%s%N)" -lt "$end" ] || { "$@"; return; }
		sleep 0.2
	done
}

# e2e_need CMD...: skip the whole scenario when a program is missing.
e2e_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || {
			echo "1..0 # SKIP $c not installed"
			exit 0
		}
	done
}

e2e_need_root() {
	[ "$(id -u)" = 0 ] || {
		echo "1..0 # SKIP needs root (network namespaces)"
		exit 0
	}
}

# e2e_parallel FUNC ARG...: run "FUNC ARG" for each ARG at once, each in a
# subshell with its own tag (namespace names), temp dir and cleanup trap,
# its TAP lines collected and re-emitted here in ARG order, renumbered.
e2e_parallel() {
	local fn=$1 arg pids=() outs=() k line
	shift
	for arg in "$@"; do
		(
			# $BASHPID inside $(...) would be the command substitution's.
			e2e_sub=$BASHPID
			e2e_tag=ch$(printf '%x' "$e2e_sub")
			e2e_tmp=$e2e_tmp/$arg
			mkdir -p "$e2e_tmp"
			e2e_cleanups=()
			tap_n=0 tap_failed=0
			trap 'e2e_cleanups_run' EXIT
			trap 'exit 143' TERM
			trap 'exit 130' INT
			"$fn" "$arg"
		) >"$e2e_tmp/tap-$arg.out" 2>"$e2e_tmp/tap-$arg.err" &
		pids+=($!)
		outs+=("$e2e_tmp/tap-$arg.out")
		# On TERM: the subshell cleans up after itself; whatever it left
		# (killed before it could) is swept by its tag afterwards.
		e2e_on_exit "e2e_sweep ch$(printf '%x' $!)"
		e2e_on_exit "e2e_stop_pid $! TERM 20"
	done
	for k in "${!pids[@]}"; do
		wait "${pids[$k]}"
		while IFS= read -r line; do
			case $line in
			"ok "*) ok "${line#ok * - }" ;;
			"not ok "*) not_ok "${line#not ok * - }" ;;
			*) echo "$line" ;;
			esac
		done <"${outs[$k]}"
		[ -s "${outs[$k]%.out}.err" ] && sed 's/^/# stderr: /' "${outs[$k]%.out}.err"
	done
	return 0
}

# e2e_sweep TAG: delete the namespaces named TAG<letter><digits> (ours: TAG
# is the hex pid of one of our subshells), and the processes in them.
e2e_sweep() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$1[lscr][0-9]*\$"); do
		netns_del "$ns"
	done
}

e2e_cleanups_run() {
	local i
	for ((i = ${#e2e_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${e2e_cleanups[$i]}" >>"${E2E_CLEANUP_LOG:-/dev/null}" 2>&1 || true
	done
	e2e_cleanups=()
}

# e2e_model ARGS...: the model helper (ranges, configs, membership).
e2e_model() { python3 "$e2e_dir/lib/model.py" "$@"; }

# e2e_owner MODEL ADDR...: like "e2e_model owner" but in awk, for polling
# loops (a python start costs seconds on a loaded machine). One per line.
e2e_owner() {
	local model=$1 r
	shift
	[ $# -gt 0 ] || return 0
	r=$e2e_tmp/ranges-$model
	[ -s "$r" ] || e2e_model ranges "$model" >"$r"
	printf '%s\n' "$@" | awk -f "$e2e_dir/lib/ip6.awk" -v op=owner "$r" -
}

# e2e_net LEN ADDR...: each address's LEN-bit network, e.g. 2001:db8::/56.
e2e_net() {
	local len=$1
	shift
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | awk -f "$e2e_dir/lib/ip6.awk" -v op=net -v len="$len" -
}
