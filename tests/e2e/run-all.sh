#!/usr/bin/env bash
# Run every end-to-end scenario (as root) and summarise: one line per
# script with its passes, failures, TODOs and time; the TAP of each in
# $E2E_LOGDIR (default /tmp/chorus-e2e-logs). Exit status 1 on any failure.
# Environment: E2E_SERVER (kea | chorus, default chorus), E2E_JOBS (scripts
# run at once, default 2; each also runs its models in parallel),
# E2E_TESTS (default: all test_*.sh here).
set -u
here=$(cd "$(dirname "$0")" && pwd)
server=${E2E_SERVER:-chorus}
export E2E_SERVER=$server
jobs=${E2E_JOBS:-2}
logdir=${E2E_LOGDIR:-/tmp/chorus-e2e-logs}
mkdir -p "$logdir"
tests=${E2E_TESTS:-$(cd "$here" && ls test_*.sh)}
rm -f "$logdir"/*."$server".pid
t0=$(date +%s)
pids=()

run_one() {
	local t=$1 s e
	s=$(date +%s)
	"$here/$t" >"$logdir/${t%.sh}.$server.tap" 2>"$logdir/${t%.sh}.$server.err" &
	echo $! >"$logdir/${t%.sh}.$server.pid"
	wait $!
	e=$(date +%s)
	echo $((e - s)) >"$logdir/${t%.sh}.$server.time"
}

# Ctrl-C or TERM: each scenario gets TERM (its trap removes its namespaces
# and stops its servers and clients), by the pid run_one recorded.
cleanup() {
	local t
	for t in $tests; do
		[ -f "$logdir/${t%.sh}.$server.pid" ] && kill -TERM "$(cat "$logdir/${t%.sh}.$server.pid")" 2>/dev/null
	done
	wait
	exit 130
}
trap cleanup INT TERM

echo "e2e against $server: $(echo $tests | wc -w) scenarios, $jobs at a time; logs in $logdir"
for t in $tests; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	run_one "$t" &
	pids+=($!)
done
wait

failed=0
printf '%-22s %5s %5s %5s %5s %6s\n' scenario pass fail todo skip time
for t in $tests; do
	tap=$logdir/${t%.sh}.$server.tap
	p=$(grep -cE '^ok ' "$tap")
	todo=$(grep -cE '^(not )?ok .*# TODO' "$tap")
	f=$(grep -E '^not ok ' "$tap" | grep -cv '# TODO')
	sk=$(grep -cE '^1\.\.0 # SKIP|^ok .*# SKIP' "$tap")
	# A plan that does not match the count is a failure too (a crash).
	plan=$(grep -oE '^1\.\.[0-9]+' "$tap" | head -1 | cut -d. -f3)
	n=$(grep -cE '^(not )?ok ' "$tap")
	[ -n "$plan" ] && [ "$plan" != "$n" ] && f=$((f + 1))
	[ -z "$plan" ] && f=$((f + 1))
	printf '%-22s %5s %5s %5s %5s %5ss\n' "${t%.sh}" "$p" "$f" "$todo" "$sk" "$(cat "$logdir/${t%.sh}.$server.time")"
	if [ "$f" -gt 0 ]; then
		failed=1
		grep -E '^not ok ' "$tap" | grep -v '# TODO' | sed 's/^/    /'
	fi
done
echo "total $(($(date +%s) - t0))s"
exit $failed
