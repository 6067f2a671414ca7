# Debian packages Chorus needs, and an installer that fetches only the
# missing ones. Source it, then: deps_install build test e2e bench
# clang's runtime (libclang-rt-14-dev) is only a Recommends of clang: the ASan and
# libFuzzer builds do not link without it. llvm brings llvm-symbolizer: without it
# sanitizer reports have no function names and LeakSanitizer's suppression of ldns's own
# leak (ddnsd/ddns_update.c) matches nothing.
deps_build="build-essential autoconf automake libtool pkg-config clang libclang-rt-14-dev llvm
 clang-format libpq-dev libmicrohttpd-dev libjson-c-dev libcmocka-dev libssl-dev libldns-dev"
deps_test="postgresql postgresql-client tshark python3 python3-scapy jq iproute2 procps
 util-linux coreutils bind9 bind9-dnsutils knot curl prometheus openssl cmd:node=nodejs
 cmd:npm=npm cmd:text2pcap=wireshark-common xxd"
deps_e2e="isc-dhcp-client dhcpcd5 wide-dhcpv6-client isc-dhcp-relay bind9 bind9-dnsutils kea-admin"
deps_bench="kea-dhcp6-server kea-admin kea-ctrl-agent bind9 bind9-dnsutils bc wrk curl jq"

# npm packages of the tests (pinned): a real OpenAPI 3.1 validator for api/openapi.yaml and
# a JSON Schema 2020-12 validator for the API's answers (tests/integration/openapi_check.js).
deps_npm="@apidevtools/swagger-parser@12.1.0 ajv@8.17.1 ajv-formats@3.0.1"

# deps_npm_install DIR: installs deps_npm into DIR/node_modules unless they are there.
deps_npm_install() {
	local dir=$1 p name ver have missing=""
	for p in $deps_npm; do
		name=${p%@*}
		ver=${p##*@}
		have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$dir/node_modules/$name/package.json" 2>/dev/null)
		[ "$have" = "$ver" ] || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "deps: npm installing$missing into $dir/node_modules"
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" $deps_npm >/dev/null
}

# A word cmd:TOOL=PACKAGE asks for a command, not a package: PACKAGE is installed only when
# TOOL is not on PATH. Node.js is like that: a machine may have it from another source
# (nodesource's nodejs bundles npm and conflicts with Debian's npm package).
deps_missing() {
	local p
	for p in "$@"; do
		case $p in
		cmd:*=*)
			p=${p#cmd:}
			command -v "${p%%=*}" >/dev/null 2>&1 || echo "${p#*=}"
			continue
			;;
		esac
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

deps_install() {
	local want="" group missing
	for group in "$@"; do
		eval "want=\"\$want \$deps_$group\""
	done
	# shellcheck disable=SC2086
	missing=$(deps_missing $want)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:" $missing "(run as root to install them)" >&2
		return 1
	fi
	echo "deps: installing" $missing
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		echo "deps: apt-get could not install:" $missing >&2
		return 1
	fi
	# Debian starts the packaged services on install; ours run privately.
	systemctl disable --now isc-dhcp-relay bind9 named knot kea-dhcp6-server kea-ctrl-agent \
		prometheus prometheus-node-exporter 2>/dev/null || true
}
