# TAP output for shell tests. Source it, call plan N (or use done_testing),
# then ok/not_ok/is/check; the automake TAP driver reads the result.
tap_n=0
tap_failed=0

plan() { echo "1..$1"; tap_planned=1; }

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

# A "# TODO reason" at the end marks a known failure (TAP: counted as XFAIL, not
# as a failure, so it does not fail the script either).
not_ok() {
	tap_n=$((tap_n + 1))
	case "$*" in
	*"# TODO"*) ;;
	*) tap_failed=$((tap_failed + 1)) ;;
	esac
	echo "not ok $tap_n - $*"
}

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0; shows its output otherwise.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

# is DESCRIPTION GOT WANT: passes when the two strings are equal.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got: '$2'"
		echo "#  want: '$3'"
	fi
}

# tap_lines: counts the "ok - X" and "not ok - X" lines of another program (read on
# stdin) as this script's own tests; other lines pass through.
tap_lines() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done
}

done_testing() {
	[ -n "${tap_planned:-}" ] || echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# need TOOL...: stop at once, naming the first tool that is not installed, instead of
# failing later in a way that hides why (tests/run installs them: tests/lib/deps.sh).
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || bail "missing tool: $t (tests/lib/deps.sh installs it)"
	done
}

# need_py MODULE...: the same for modules of Debian's /usr/bin/python3.
need_py() {
	local m
	for m in "$@"; do
		/usr/bin/python3 -c "import $m" 2>/dev/null ||
			bail "missing Python module: $m for /usr/bin/python3 (tests/lib/deps.sh installs it)"
	done
}
