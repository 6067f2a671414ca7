# A private DNS server for the DDNS tests: BIND 9 named, or Knot DNS knotd with
# DNS_IMPL=knot; a temp dir, [::1] on a high port, a forward zone (with a static name), the
# reverse zone of 2001:db8:1::/48, a TSIG key that may update both, zone transfers to
# loopback. Source it after tap.sh; dns_start DIR PORT; dns_stop; dns_start again keeps the
# zones (journals). DNS_REV2, when set, is a second reverse zone served the same way (the
# delegated prefixes' zone of tests/e2e/test_ddns.sh).
DNS_KEY_NAME=ddns-key.
DNS_SECRET=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
DNS_FWD=example.com
DNS_REV=${DNS_REV:-1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa}
DNS_PID=
DNS_IMPL=${DNS_IMPL:-named}

dns_write() {
	if [ "$DNS_IMPL" = knot ]; then
		dns_write_knot "$@"
	else
		dns_write_named "$@"
	fi
	dns_write_zones "$1"
}

dns_write_named() {
	local dir=$1 port=$2 z
	mkdir -p "$dir"
	cat >"$dir/named.conf" <<CONF
options {
	directory "$dir";
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	managed-keys-directory "$dir";
	listen-on port $port { none; };
	listen-on-v6 port $port { ::1; };
	recursion no;
	notify no;
	dnssec-validation no;
	allow-query { any; };
	allow-transfer { ::1; };
};
controls { };
key "$DNS_KEY_NAME" { algorithm hmac-sha256; secret "$DNS_SECRET"; };
zone "$DNS_FWD" { type primary; file "fwd.db"; allow-update { key "$DNS_KEY_NAME"; }; };
zone "$DNS_REV" { type primary; file "rev.db"; allow-update { key "$DNS_KEY_NAME"; }; };
CONF
	[ -z "${DNS_REV2:-}" ] ||
		echo "zone \"$DNS_REV2\" { type primary; file \"rev2.db\"; allow-update { key \"$DNS_KEY_NAME\"; }; };" \
			>>"$dir/named.conf"
}

dns_write_knot() {
	local dir=$1 port=$2
	mkdir -p "$dir/db"
	cat >"$dir/knot.conf" <<CONF
server:
    rundir: "$dir"
    pidfile: "$dir/knot.pid"
    listen: ::1@$port
log:
  - target: stderr
    any: info
database:
    storage: "$dir/db"
key:
  - id: $DNS_KEY_NAME
    algorithm: hmac-sha256
    secret: $DNS_SECRET
acl:
  - id: update
    key: $DNS_KEY_NAME
    action: update
  - id: transfer
    address: ::1
    action: transfer
template:
  - id: default
    storage: "$dir"
    acl: [update, transfer]
    zonefile-sync: -1
    zonefile-load: difference-no-serial
    journal-content: all
zone:
  - domain: $DNS_FWD
    file: fwd.db
  - domain: $DNS_REV
    file: rev.db
CONF
	[ -z "${DNS_REV2:-}" ] || printf '  - domain: %s\n    file: rev2.db\n' "$DNS_REV2" >>"$dir/knot.conf"
}

dns_write_zones() {
	local dir=$1 z
	for z in fwd rev ${DNS_REV2:+rev2}; do
		[ -e "$dir/$z.db" ] && continue
		cat >"$dir/$z.db" <<ZONE
\$TTL 300
@ IN SOA ns.$DNS_FWD. hostmaster.$DNS_FWD. 1 60 60 3600 60
@ IN NS ns.$DNS_FWD.
ZONE
	done
	printf 'ns IN AAAA ::1\nstatic IN AAAA 2001:db8:ffff::1\n' >>"$dir/fwd.db"
}

# dns_start DIR PORT: starts named and waits (20 s) until it answers for both zones.
dns_start() {
	local dir=$1 port=$2
	need dig
	if [ "$DNS_IMPL" = knot ]; then
		need knotd
		[ -e "$dir/knot.conf" ] || dns_write "$dir" "$port"
		knotd -c "$dir/knot.conf" >>"$dir/named.log" 2>&1 &
	else
		need named
		[ -e "$dir/named.conf" ] || dns_write "$dir" "$port"
		named -g -c "$dir/named.conf" >>"$dir/named.log" 2>&1 &
	fi
	DNS_PID=$!
	for _ in $(seq 200); do
		dig -p "$port" @::1 +short +time=1 +tries=1 SOA "$DNS_REV" 2>/dev/null | grep -q . &&
			dig -p "$port" @::1 +short +time=1 +tries=1 SOA "$DNS_FWD" 2>/dev/null | grep -q . &&
			return 0
		sleep 0.1
	done
	echo "# $DNS_IMPL log:" && sed 's/^/#   /' "$dir/named.log" | tail -20
	return 1
}

dns_stop() {
	[ -n "$DNS_PID" ] || return 0
	kill "$DNS_PID" 2>/dev/null
	wait "$DNS_PID" 2>/dev/null
	DNS_PID=
}

# dq PORT TYPE NAME: the answer's records, one per line, sorted.
dq() {
	dig -p "$1" @::1 +short +time=2 +tries=2 "$2" "$3" | sort
}
