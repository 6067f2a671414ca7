#!/bin/bash
# chorus-apid with curl against a real chorus-dhcp6d and PostgreSQL (lib_admin.sh):
# leases made through the engine by the relay client (test_dhcp6d_client.py), listed,
# filtered and paged (keyset cursor, next link), fetched and deleted (the DNS removal
# queued in the same transaction); tokens (401, 403, hashed, throttled), limits (413,
# 415, 429), unknown paths and methods (404, 405), bad parameters (400, 422), SQL
# injection strings in every filter, malformed JSON, config test; health (200, and 503
# when the DDNS backlog ages, the engine dies, PostgreSQL stops) and /metrics checked
# by promtool. apid connects as a login user of the <schema>_api role.
# Always a private cluster of its own: the test stops and restarts PostgreSQL.
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

APID="$CHORUS_BUILDDIR/api/chorus-apid"
DAEMON="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
SCHEMA=apid_$IT
PORT=$(free_ports 2) || bail "no free ports"
APORT=$((PORT + 1))
T=$(mktemp -d /tmp/chorus-api.XXXXXX)
DPID=
APID_PID=
URL="http://[::1]:$APORT"
SID=

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "${EVPID:-}" ] && kill "$EVPID" 2>/dev/null
	[ -n "$APID_PID" ] && kill -9 "$APID_PID" 2>/dev/null && wait "$APID_PID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need curl jq python3 promtool node
export NODE_PATH=${CHORUS_NODE_MODULES:-$CHORUS_SRCDIR/_build/node_modules}
[ -d "$NODE_PATH/@apidevtools/swagger-parser" ] && [ -d "$NODE_PATH/ajv" ] ||
	bail "missing npm packages in $NODE_PATH (tests/run installs them: tests/lib/deps.sh deps_npm)"
it_setup apid
trap cleanup EXIT
it_role "${SCHEMA}_dhcp" "${SCHEMA}_lq" "${SCHEMA}_ddns" "${SCHEMA}_api" "apiu_$IT"
"$ADMIN" db-init --schema "$SCHEMA" >/dev/null || bail "db-init failed"
q "CREATE ROLE apiu_$IT LOGIN IN ROLE ${SCHEMA}_api" >/dev/null || bail "cannot create the api user"
# a second instance's schema in the same cluster: its lease events share chorus_events
OTHER=apidb_$IT
it_role "${OTHER}_dhcp" "${OTHER}_lq" "${OTHER}_ddns" "${OTHER}_api"
"$ADMIN" db-init --schema "$OTHER" >/dev/null || bail "db-init of a second schema failed"

# Tokens: only their hashes go into the config.
read -r ADMIN_TOK ADMIN_HASH < <("$ADMIN" token-new | paste -sd' ')
read -r READ_TOK READ_HASH < <("$ADMIN" token-new | paste -sd' ')
like "token-new prints a token and its hash" "$ADMIN_HASH" '^sha256:[0-9a-f]{64}$'
# 44 base64url characters are 264 bits from OpenSSL's RAND_bytes: an unsalted SHA-256 of
# such a token cannot be reversed by guessing
like "... a token of 44 base64url characters (264 random bits)" "$ADMIN_TOK" '^[A-Za-z0-9_-]{44}$'
is "... a new one each time" "$([ "$ADMIN_TOK" != "$READ_TOK" ] && echo differ)" differ
is "token-hash of the token gives the same hash" "$(printf '%s\n' "$ADMIN_TOK" | "$ADMIN" token-hash)" "$ADMIN_HASH"

write_conf() { # RATE BURST
	cat >"$T/conf.json" <<EOF
{
  "instance": { "name": "it-api", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE" }, "pid-file": "$T/d.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": 200, "hash-key": "integration-test-key-0001",
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64", "pools": [ { "prefix": "2001:db8:1::/65" } ],
        "reservations": [ { "duid": "00:01:00:01:00:00:00:00:00:00:00:00:00:61",
          "addresses": ["2001:db8:1::61"], "hostname": "fixed.example.com" },
          { "duid": "0001000100000000000000000045", "addresses": ["2001:db8:1::8000:0:0:45"] } ],
        "pd-pools": [ { "prefix": "2001:db8:100::/40", "delegated-length": 56 } ] },
      { "id": 2, "prefix": "2001:db8:2::/64", "interface-id": "eth9", "rapid-commit": true,
        "pools": [ { "start": "2001:db8:2::100", "end": "2001:db8:2::1ff" } ] },
      { "id": 3, "prefix": "2001:db8:3::/64", "interface-id": "eth8", "rapid-commit": true,
        "pools": [ { "start": "2001:db8:3::10", "end": "2001:db8:3::10" } ] }
    ]
  },
  "leasequery": { "enabled": false },
  "ddns": { "enabled": false, "qualifying-suffix": "example.com." },
  "api": { "listen": ["[::1]:$APORT"], "rate-limit": $1, "rate-burst": $2,
    "auth-fail-limit": 10, "max-body": 65536,
    "tokens": [ { "name": "ops", "token": "$ADMIN_HASH", "role": "admin" },
                { "name": "viewer", "token": "$READ_HASH", "role": "read" } ] }
}
EOF
}

# wait_log FILE PATTERN N: until FILE holds N lines matching PATTERN (20 s).
wait_log() { it_wait_lines "$@"; }

start_engine() {
	PGUSER=postgres "$DAEMON" -c "$T/conf.json" -d -p "$PORT" >>"$T/d.log" 2>&1 &
	DPID=$!
	wait_log "$T/d.log" "database ready" "${1:-1}"
}

start_apid() {
	PGUSER=apiu_$IT "$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
	APID_PID=$!
	wait_log "$T/a.log" "database ready" "${1:-1}"
}

# api [curl options...] PATH: it_api with the method the options give (GET, POST with
# -d, or -X): the body, then the status on the last line.
api() {
	local path=${*: -1} m=GET a prev=
	for a in "$@"; do
		case $prev in -d | --data-binary) [ "$m" = GET ] && m=POST ;; esac
		prev=$a
	done
	prev=
	for a in "$@"; do
		[ "$prev" = -X ] && m=$a
		prev=$a
	done
	it_api "$m" "$path" "${@:1:$#-1}"
}
# get TOKEN PATH: the body of a GET (the status goes to $T/status).
get() {
	local out
	out=$(api -H "Authorization: Bearer $1" "$2")
	printf '%s\n' "$out" | tail -n1 >"$T/status"
	printf '%s\n' "$out" | sed '$d'
}
st() { cat "$T/status"; }
j() { printf '%s\n' "$1" | jq -r "$2"; }

write_conf 1000 1000
out=$("$APID" -c "$T/conf.json" -t)
like "-t prints the effective configuration, token hashes masked" "$out" '"token": "\*+"'
sed "s/$ADMIN_HASH/$ADMIN_TOK/" "$T/conf.json" >"$T/plain.json"
err=$("$APID" -c "$T/plain.json" -t 2>&1)
like "a plaintext token is refused, naming the key" "$err" \
	'plain.json: /api/tokens/0/token: expected a token hash .*not a plaintext token'

start_engine || bail "chorus-dhcp6d did not start"
start_apid || bail "chorus-apid did not start"
ok "both daemons up"

# --- leases made by the engine ---
python3 "$CLIENT" "$PORT" load 300 "$T/granted" 30 >"$T/load.out"
is "300 clients granted through the engine" "$(wc -l <"$T/granted")" 300
D1=0001000100000000000000000001
r=$(python3 "$CLIENT" "$PORT" solicit --duid $D1)
SID=$(j "$r" .serverid)
r=$(python3 "$CLIENT" "$PORT" request --duid $D1 --serverid "$SID" --pd --fqdn host1 --fqdn-flags 1 --hops 2)
A1=$(j "$r" '.ias[0].leases[0].addr')
P1=$(j "$r" '.ias[1].leases[0].addr')
like "a relayed client with a name and a prefix" "$A1 $P1" '^2001:db8:1:.* 2001:db8:1[0-9a-f]{2}:[0-9a-f]{0,2}00::/56$'
r=$(python3 "$CLIENT" "$PORT" solicit --duid 0001000100000000000000000002 --hops 1 --link :: --ifid eth9 --rapid)
A2=$(j "$r" '.ias[0].leases[0].addr')
like "a client of subnet 2" "$A2" '^2001:db8:2::1[0-9a-f]{2}$'
TOTAL=$(q "SELECT count(*) FROM $SCHEMA.leases")
is "the table holds every lease" "$TOTAL" 303

# --- tokens ---
out=$(api -D "$T/h" /v1/leases)
is "no token: 401" "$(tail -n1 <<<"$out")" 401
is "... the error shape" "$(sed '$d' <<<"$out" | jq -r .error.code)" unauthorized
grep -qi '^WWW-Authenticate: Bearer' "$T/h" && ok "... with WWW-Authenticate: Bearer" || not_ok "... with WWW-Authenticate: Bearer"
get "x$READ_TOK" /v1/leases >/dev/null
is "a wrong token: 401" "$(st)" 401
out=$(api -H "Authorization: Basic $(printf 'a:b' | base64)" /v1/leases)
is "Basic instead of Bearer: 401" "$(tail -n1 <<<"$out")" 401
out=$(api -X DELETE -H "Authorization: Bearer $READ_TOK" "/v1/leases/$A1")
is "a read token on DELETE: 403" "$(tail -n1 <<<"$out")" 403
is "... saying why" "$(sed '$d' <<<"$out" | jq -r .error.code)" forbidden
get "$READ_TOK" /v1/leases >/dev/null
is "a read token lists leases" "$(st)" 200

# --- list and keyset pagination ---
b=$(get "$READ_TOK" "/v1/leases")
is "default page: 100 leases" "$(j "$b" '.leases | length')" 100
like "... with a next link carrying an opaque cursor" "$(j "$b" .next)" '^/v1/leases\?cursor=[A-Za-z0-9_-]+$'
: >"$T/paged"
path="/v1/leases?limit=37&type=na"
pages=0
while [ -n "$path" ] && [ "$path" != null ] && [ $pages -lt 50 ]; do
	b=$(get "$READ_TOK" "$path")
	[ "$(st)" = 200 ] || break
	j "$b" '.leases[].address' >>"$T/paged"
	path=$(j "$b" .next)
	pages=$((pages + 1))
done
NA=$(q "SELECT count(*) FROM $SCHEMA.leases WHERE lease_type = 'na'")
is "paging by 37 visits every NA lease once" "$(sort -u "$T/paged" | wc -l):$(wc -l <"$T/paged")" "$NA:$NA"
is "... in $(((NA + 36) / 37)) pages" "$pages" $(((NA + 36) / 37))
like "... and the next link keeps the filters" "$(get "$READ_TOK" "/v1/leases?limit=2&type=na" | jq -r .next)" '^/v1/leases\?limit=2&type=na&cursor='
hdr=$(curl -sS -g -m 20 -D - -o "$T/page" -H "Authorization: Bearer $READ_TOK" "$URL/v1/leases?limit=2&type=na" | tr -d '\r')
is "... and a Link header (RFC 8288) says the same" "$(sed -n 's/^Link: //p' <<<"$hdr")" "<$(jq -r .next "$T/page")>; rel=\"next\""
hdr=$(curl -sS -g -m 20 -D - -o /dev/null -H "Authorization: Bearer $READ_TOK" "$URL/v1/leases?limit=1000" | tr -d '\r')
is "... which the last page has not" "$(grep -c '^Link: ' <<<"$hdr")" 0
# Leases change while paging: rows added behind the cursor show up, none is lost or repeated.
q "SELECT CASE WHEN lease_type = 'na' THEN host(addr) ELSE host(addr) || '/' || masklen(addr) END FROM $SCHEMA.leases" | sort >"$T/before"
b=$(get "$READ_TOK" "/v1/leases?limit=150")
j "$b" '.leases[].address' >"$T/p1"
next=$(j "$b" .next)
python3 "$CLIENT" "$PORT" load 40 "$T/granted2" 30 >/dev/null
python3 "$CLIENT" "$PORT" release --duid $D1 --serverid "$SID" --addr "$A1" >/dev/null
: >"$T/p2"
while [ -n "$next" ] && [ "$next" != null ]; do
	b=$(get "$READ_TOK" "$next")
	j "$b" '.leases[].address' >>"$T/p2"
	next=$(j "$b" .next)
done
dups=$(cat "$T/p1" "$T/p2" | sort | uniq -d | wc -l)
is "no lease repeated across pages while leases change" "$dups" 0
missing=$(comm -23 "$T/before" <(cat "$T/p1" "$T/p2" | sort) | wc -l)
is "... and none of the leases there before is lost" "$missing" 0
# 10,000 more rows (another instance's range, as a sibling's shared table would hold), paged
# by 1,000 while the engine keeps granting: every row there at the start is seen once.
q "INSERT INTO $SCHEMA.leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft,
	valid_lft, cltt, expires_at, granted_by)
	SELECT 'na', '2001:db8:1:0:8000::'::inet + g, '\\x00030001'::bytea || int4send(g), 1, 9,
	'2001:db8:1::1', 300, 600, now(), now() + interval '600 s', 'filler'
	FROM generate_series(1, 10000) g" >/dev/null
q "SELECT CASE WHEN lease_type = 'na' THEN host(addr) ELSE host(addr) || '/' || masklen(addr) END FROM $SCHEMA.leases" | sort >"$T/before10k"
python3 "$CLIENT" "$PORT" load 200 "$T/granted3" 30 >/dev/null &
LOADPID=$!
: >"$T/p10k"
path="/v1/leases?limit=1000"
pages=0
t0=$(date +%s%N)
while [ -n "$path" ] && [ "$path" != null ] && [ $pages -lt 40 ]; do
	b=$(get "$READ_TOK" "$path")
	[ "$(st)" = 200 ] || break
	j "$b" '.leases[].address' >>"$T/p10k"
	path=$(j "$b" .next)
	pages=$((pages + 1))
done
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$LOADPID"
is "10,000 more rows paged by 1,000 while 200 clients are granted: none repeated" "$(sort "$T/p10k" | uniq -d | wc -l)" 0
is "... none of those there at the start lost ($pages pages, $ms ms)" "$(comm -23 "$T/before10k" <(sort "$T/p10k") | wc -l)" 0
q "DELETE FROM $SCHEMA.leases WHERE granted_by = 'filler'" >/dev/null
get "$READ_TOK" "/v1/leases?limit=1000" >/dev/null
is "limit=1000 is allowed" "$(st)" 200
b=$(get "$READ_TOK" "/v1/leases?limit=1001")
is "limit=1001: 422" "$(st):$(j "$b" .error.code)" "422:bad_parameter"
get "$READ_TOK" "/v1/leases?limit=0" >/dev/null
is "limit=0: 422" "$(st)" 422
b=$(get "$READ_TOK" "/v1/leases?cursor=bm90LWEtY3Vyc29y")
is "a forged cursor: 400 bad_cursor" "$(st):$(j "$b" .error.code)" "400:bad_cursor"

# --- filters, each against the same question asked of the table ---
# cnt QUERY SQLWHERE: leases the API finds and the table holds agree.
cnt() {
	local b
	b=$(get "$READ_TOK" "/v1/leases?limit=1000&$1")
	is "filter $1" "$(st):$(j "$b" .count)" "200:$(q "SELECT count(*) FROM $SCHEMA.leases WHERE $2")"
}
cnt "type=pd" "lease_type = 'pd'"
cnt "duid=$D1" "duid = '\\x$D1'"
cnt "duid=00:01:00:01:00:00:00:00:00:00:00:00:00:01" "duid = '\\x$D1'"
cnt "iaid=7" "iaid = 7"
cnt "subnet=2" "subnet_id = 2"
cnt "state=active" "state = 'active'"
cnt "state=released" "state = 'released'"
cnt "address=$A1" "addr >>= '$A1'"
cnt "address=${P1%/*}5" "addr >>= '${P1%/*}5'"
cnt "prefix=2001:db8:2::/64" "addr <<= '2001:db8:2::/64'"
cnt "link=2001:db8:1::/64" "link_addr <<= '2001:db8:1::/64'"
cnt "relay-id=000300010a0b0c0d0e01" "relay_ids @> ARRAY['\\x000300010a0b0c0d0e01'::bytea]"
cnt "remote-id=0000118b706f727430" "remote_ids @> ARRAY['\\x0000118b706f727430'::bytea]"
cnt "hostname=host1.example.com" "fqdn = 'host1.example.com.'"
cnt "expiring-before=2099-01-01T00:00:00Z" "expires_at < '2099-01-01'"
cnt "expiring-after=$(date -u -d '+5 min' +%Y-%m-%dT%H:%M:%SZ)" "expires_at > now() + interval '5 min'"
cnt "type=na&subnet=1&state=active" "lease_type = 'na' AND subnet_id = 1 AND state = 'active'"
b=$(get "$READ_TOK" "/v1/leases?relay-id=000300010a0b0c0d0e01")
is "the relay-id filter finds the two-hop client's lease" "$(j "$b" '[.leases[].address] | sort | join(" ")')" "$(printf '%s\n' "$A1" "$P1" | sort | paste -sd' ')"
is "... with its relay data" "$(j "$b" '.leases[0].relay.relay_ids | length')" 2

# --- one lease ---
b=$(get "$READ_TOK" "/v1/leases/$A2")
is "GET /v1/leases/{address}" "$(st):$(j "$b" '.lease.address + " " + .lease.state + " " + (.lease.subnet_id|tostring)')" "200:$A2 active 2"
b=$(get "$READ_TOK" "/v1/leases/${P1/\//%2F}")
is "GET a delegated prefix (%2F)" "$(st):$(j "$b" '.lease.address + " " + .lease.type')" "200:$P1 pd"
b=$(get "$READ_TOK" "/v1/leases/2001:db8:99::1")
is "an address nobody had: 404" "$(st):$(j "$b" .error.code)" "404:not_found"
b=$(get "$READ_TOK" "/v1/leases/not-an-address")
is "not an address: 400" "$(st):$(j "$b" .error.code)" "400:bad_address"

# --- DELETE frees the address and queues its DNS removal, in one transaction ---
q "UPDATE $SCHEMA.leases SET ddns_fwd = true, ddns_rev = true WHERE addr = '$A2'" >/dev/null # as ddnsd would
q "UPDATE $SCHEMA.leases SET fqdn = 'host2.example.com.' WHERE addr = '$A2'" >/dev/null
before=$(q "SELECT count(*) FROM $SCHEMA.ddns_queue WHERE action = 'remove' AND addr = '$A2'")
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/leases/$A2")
is "DELETE with an admin token: 200" "$(tail -n1 <<<"$out")" 200
is "... answers the freed lease and the DNS removal" "$(sed '$d' <<<"$out" | jq -r '"\(.lease.state) \(.dns_removal_queued)"')" "released true"
is "... the row is released" "$(q "SELECT state FROM $SCHEMA.leases WHERE addr = '$A2' ORDER BY id DESC LIMIT 1")" released
is "... the removal is queued for its name" \
	"$(q "SELECT count(*) - $before || ' ' || max(fqdn) FROM $SCHEMA.ddns_queue WHERE action = 'remove' AND addr = '$A2'")" "1 host2.example.com."
is "... and an event says who" "$(q "SELECT kind || ' ' || (detail->>'by') FROM $SCHEMA.events WHERE addr = '$A2' AND kind = 'deleted'")" "deleted api:ops"
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/leases/$A2")
is "a second DELETE: 404" "$(tail -n1 <<<"$out")" 404
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/leases/${P1/\//%2F}")
is "DELETE a delegated prefix" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .dns_removal_queued)" "200:false"

# --- the event stream: live, then a reconnect with Last-Event-ID replays what it missed ---
# wait_file FILE PATTERN: until FILE holds a line matching PATTERN (15 s).
wait_file() {
	for _ in $(seq 150); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
curl -sS -g -N -m 60 -H "Authorization: Bearer $READ_TOK" "$URL/v1/events" >"$T/ev1" 2>&1 &
EVPID=$!
wait_file "$T/ev1" '^retry: ' || not_ok "the event stream opens"
# the other instance's leases change first: NOTIFY chorus_events with its schema as payload
for i in 1 2 3; do
	q "INSERT INTO $OTHER.leases (lease_type, addr, duid, iaid, subnet_id, link_addr,
		preferred_lft, valid_lft, cltt, expires_at, granted_by)
	    VALUES ('na', '2001:db8:ee::$i', '\\x00ee', 1, 1, '2001:db8::1', 600, 900, now(),
		now() + interval '900 s', 'other')" >/dev/null
done
is "the other schema wrote its events" "$(q "SELECT count(*) FROM $OTHER.events")" 3
D7=0001000100000000000000000007
r=$(python3 "$CLIENT" "$PORT" request --duid $D7 --serverid "$SID")
A7=$(j "$r" '.ias[0].leases[0].addr')
if wait_file "$T/ev1" "\"$A7\""; then
	ok "a lease granted by the engine shows on the stream"
else
	not_ok "a lease granted by the engine shows on the stream"
	sed 's/^/#   /' "$T/ev1" | tail -5
fi
is "... as a granted event with its id" "$(grep -B2 "\"$A7\"" "$T/ev1" | head -2 | sed 's/[0-9][0-9]*$/N/' | paste -sd' ')" "id: N event: granted"
is "... and no event of the other schema in one cluster leaks into it" \
	"$(grep -c '2001:db8:ee::' "$T/ev1")" 0
LAST=$(grep -B2 "\"$A7\"" "$T/ev1" | sed -n 's/^id: //p' | tail -1)
kill "$EVPID" 2>/dev/null
wait "$EVPID" 2>/dev/null
# missed while away: a renewal, a release and a delete
python3 "$CLIENT" "$PORT" renew --duid $D7 --serverid "$SID" --addr "$A7" >/dev/null
D8=0001000100000000000000000008
r=$(python3 "$CLIENT" "$PORT" request --duid $D8 --serverid "$SID")
A8=$(j "$r" '.ias[0].leases[0].addr')
api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/leases/$A8" >/dev/null
curl -sS -g -N -m 60 -H "Authorization: Bearer $READ_TOK" -H "Last-Event-ID: $LAST" "$URL/v1/events" >"$T/ev2" 2>&1 &
EVPID=$!
wait_file "$T/ev2" "\"deleted\".*\"$A8\""
kill "$EVPID" 2>/dev/null
wait "$EVPID" 2>/dev/null
EVPID=
got=$(sed -n 's/^data: //p' "$T/ev2" | jq -r '"\(.kind) \(.address)"' | paste -sd,)
is "a reconnect with Last-Event-ID replays what it missed, in order" "$got" \
	"renewed $A7,granted $A8,deleted $A8"
ids=$(sed -n 's/^id: //p' "$T/ev2" | paste -sd' ')
like "... with ids after the last one it saw" "$ids" "^$((LAST + 1)) [0-9]+ [0-9]+\$"
is "... the deleted event names the token" "$(sed -n 's/^data: //p' "$T/ev2" | jq -r 'select(.kind == "deleted") | .detail.by')" "api:ops"
out=$(api -H "Authorization: Bearer $READ_TOK" -H "Last-Event-ID: x1" /v1/events)
is "a bad Last-Event-ID: 400" "$(tail -n1 <<<"$out")" 400
out=$(api /v1/events)
is "the stream needs a token: 401" "$(tail -n1 <<<"$out")" 401

# --- the engine hears a DELETE: the freed address goes to the next client at once ---
one() { python3 "$CLIENT" "$PORT" solicit --duid "$1" --hops 1 --link :: --ifid eth8 --rapid | jq -r '.ias[0].leases[0].addr // "none"'; }
is "subnet 3 has one address, and client X holds it" "$(one 0001000100000000000000000031)" 2001:db8:3::10
is "... so client Y gets none" "$(one 0001000100000000000000000032)" none
api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" /v1/leases/2001:db8:3::10 >/dev/null
t0=$(date +%s%N)
got=none
for _ in $(seq 20); do
	got=$(one 0001000100000000000000000032)
	[ "$got" != none ] && break
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
is "after the DELETE client Y gets it (in ${ms} ms)" "$got" 2001:db8:3::10
[ "$ms" -lt 2000 ] && ok "... within about a second" || not_ok "... within about a second ($ms ms)"
is "... and the table says so" "$(q "SELECT encode(duid, 'hex') FROM $SCHEMA.leases WHERE addr = '2001:db8:3::10' AND state = 'active'")" 0001000100000000000000000032

# --- stats: per range and PD pool, counters of the daemons ---
b=$(get "$READ_TOK" /v1/stats)
is "GET /v1/stats" "$(st)" 200
is "... the one-address range: total 1, assigned 1, free 0, utilisation 1" \
	"$(j "$b" '.subnets[] | select(.id == 3) | .pools[0] | "\(.range) \(.total) \(.assigned) \(.free) \(.utilisation)"')" \
	"2001:db8:3::10-2001:db8:3::10 1 1 0 1"
is "... the /65 range counts what the table holds" \
	"$(j "$b" '.subnets[] | select(.id == 1) | .pools[0] | "\(.range) \(.assigned)"')" \
	"2001:db8:1::/65 $(q "SELECT count(*) FROM $SCHEMA.leases WHERE state = 'active' AND lease_type = 'na' AND addr <<= '2001:db8:1::/65'")"
like "... of 2^63 addresses (exact, not a float)" "$b" '"range":"2001:db8:1::/65","total":9223372036854775808|"total":9223372036854775808,[^}]*"range":"2001:db8:1::/65"'
is "... the PD pool: 65536 /56 prefixes of the /40" \
	"$(j "$b" '.subnets[] | select(.id == 1) | .pd_pools[0] | "\(.prefix) \(.delegated_length) \(.total) \(.assigned)"')" \
	"2001:db8:100::/40 56 65536 $(q "SELECT count(*) FROM $SCHEMA.leases WHERE state = 'active' AND lease_type = 'pd'")"

# --- a reservation written to the schema is honoured by the running engine ---
offer() { python3 "$CLIENT" "$PORT" solicit --duid "$1" --hops 1 --link :: --ifid eth9 "${@:2}" | jq -r '.ias[0].leases[0].addr // "none"'; }
D41=0001000100000000000000000041
before=$(offer $D41)
RA=2001:db8:2::1ee
[ "$before" = $RA ] && RA=2001:db8:2::1ed
q "INSERT INTO $SCHEMA.reservations (duid, subnet_id, addresses) VALUES ('\\x$D41', 2, ARRAY['$RA'::inet])" >/dev/null
got=none
for _ in $(seq 20); do
	got=$(offer $D41 --rapid)
	[ "$got" = $RA ] && break
	sleep 0.1
done
is "a reservation in the schema reaches the running engine (NOTIFY): $before before, then" "$got" $RA

# --- reservations over the API, honoured by the running engine ---
# post|put TOKEN PATH BODY: the status, a space, the body
send() { local m=$1 tok=$2 path=$3 body=$4 out
	out=$(api -X "$m" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' --data-binary "$body" "$path")
	printf '%s %s\n' "$(tail -n1 <<<"$out")" "$(sed '$d' <<<"$out")"
}
D51=0001000100000000000000000051
R51='{"duid": "'$D51'", "subnet_id": 2, "addresses": ["2001:db8:2::1e0"], "hostname": "r51.example.com"}'
before=$(offer $D51)
out=$(send POST "$ADMIN_TOK" /v1/reservations "$R51")
is "POST /v1/reservations: 201" "${out%% *}:$(jq -r '.reservation | "\(.duid) \(.addresses[0]) \(.source)"' <<<"${out#* }")" "201:$D51 2001:db8:2::1e0 api"
got=none
for _ in $(seq 20); do
	got=$(offer $D51)
	[ "$got" = 2001:db8:2::1e0 ] && break
	sleep 0.1
done
is "the running engine offers the reserved address ($before before)" "$got" 2001:db8:2::1e0
is "POST of the same DUID again: 409" "$(send POST "$ADMIN_TOK" /v1/reservations "$R51" | jq -r .error.code 2>/dev/null; send POST "$ADMIN_TOK" /v1/reservations "$R51" | cut -d' ' -f1)" "$(printf 'exists\n409')"
out=$(send POST "$ADMIN_TOK" /v1/reservations '{"duid": "0001000100000000000000000052", "subnet_id": 2, "addresses": ["2001:db8:2::1e0"]}')
is "another DUID for the same address: 409 conflict" "${out%% *}:$(jq -r .error.code <<<"${out#* }")" "409:conflict"
out=$(send POST "$ADMIN_TOK" /v1/reservations '{"duid": "0001000100000000000000000052", "subnet_id": 1, "addresses": ["2001:db8:1::61"]}')
is "... also against the config file's reservations" "${out%% *}:$(jq -r .error.message <<<"${out#* }")" "409:an address or prefix is reserved for DUID 0001000100000000000000000061 in the config file"
b=$(get "$READ_TOK" /v1/reservations)
D45=0001000100000000000000000045 D47=0001000100000000000000000047 D61=0001000100000000000000000061
is "GET /v1/reservations lists the file's and the API's, by DUID" "$(j "$b" '[.reservations[] | "\(.source):\(.duid)"] | join(" ")'):$(j "$b" '"\(.count) \(.next)"')" "api:$D41 config:$D45 api:$D51 config:$D61:4 null"
# pages of one: a reservation added behind the cursor while paging shows, none repeats
b=$(get "$READ_TOK" "/v1/reservations?limit=1")
seen=$(j "$b" '.reservations[] | "\(.source):\(.duid)"')
out=$(send POST "$ADMIN_TOK" /v1/reservations '{"duid": "'$D47'", "subnet_id": 2, "hostname": "r47.example.com"}')
is "... a reservation added while paging: 201" "${out%% *}" 201
pages=1
while next=$(j "$b" '.next // empty') && [ -n "$next" ] && [ $pages -lt 10 ]; do
	b=$(get "$READ_TOK" "$next")
	seen="$seen $(j "$b" '.reservations[] | "\(.source):\(.duid)"')"
	pages=$((pages + 1))
done
is "pages of one follow next links through both kinds in order" "$pages:$(echo $seen)" "5:api:$D41 config:$D45 api:$D47 api:$D51 config:$D61"
b=$(get "$READ_TOK" "/v1/reservations?limit=2&cursor=$(j "$(get "$READ_TOK" "/v1/reservations?limit=2")" .cursor)")
is "limit=2, the second page" "$(j "$b" '[.reservations[] | .duid] | join(" ")'):$(j "$b" .count)" "$D47 $D51:2"
api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/reservations/$D47" >/dev/null
for bad in "limit=0:422" "limit=1001:422" "limit=x:400" "cursor=djEgMjAwMTpkYjg6OjEvMTI4IDE:400" \
	"cursor=%27%3B--:400" "colour=1:400" "limit=1&limit=2:400"; do
	get "$READ_TOK" "/v1/reservations?${bad%:*}" >/dev/null
	is "GET /v1/reservations?${bad%:*}: ${bad##*:}" "$(st)" "${bad##*:}"
done
b=$(get "$READ_TOK" "/v1/reservations/00:01:00:01:00:00:00:00:00:00:00:00:00:61")
is "GET one of the file's" "$(st):$(j "$b" '.reservation | "\(.source) \(.hostname)"')" "200:config fixed.example.com"
get "$READ_TOK" /v1/reservations/00ff >/dev/null
is "GET an unknown DUID: 404" "$(st)" 404
get "$READ_TOK" /v1/reservations/xyz >/dev/null
is "GET a DUID that is not hex: 400" "$(st)" 400
out=$(send PUT "$ADMIN_TOK" "/v1/reservations/$D51" '{"subnet_id": 2, "addresses": ["2001:db8:2::1e1"]}')
is "PUT replaces it: 200" "${out%% *}:$(jq -r '.reservation | "\(.addresses[0]) \(.hostname)"' <<<"${out#* }")" "200:2001:db8:2::1e1 null"
got=none
for _ in $(seq 20); do
	got=$(offer $D51)
	[ "$got" = 2001:db8:2::1e1 ] && break
	sleep 0.1
done
is "... and the engine follows" "$got" 2001:db8:2::1e1
out=$(send PUT "$ADMIN_TOK" /v1/reservations/0001000100000000000000000053 '{"subnet_id": 2, "prefixes": ["2001:db8:200::/56"]}')
is "PUT of a new DUID: 201" "${out%% *}" 201
for bad in '{"duid": "0001", "subnet_id": 99, "hostname": "x.example"}' \
	'{"duid": "0001", "subnet_id": 2, "addresses": ["2001:db8:7::1"]}' \
	'{"duid": "0001", "subnet_id": 2, "prefixes": ["2001:db8:2::/80"]}' \
	'{"duid": "0001", "subnet_id": 2}' '{"duid": "zz", "subnet_id": 2, "hostname": "a"}' \
	'{"duid": "0001", "subnet_id": 2, "hostname": "a b"}' '{"duid": "0001", "subnet_id": 2, "colour": 1}' \
	'[1]' '{"duid": "0001", "subnet_id": "2", "hostname": "a"}'; do
	out=$(send POST "$ADMIN_TOK" /v1/reservations "$bad")
	is "an invalid reservation '${bad:0:40}': 422" "${out%% *}:$(jq -r .error.code <<<"${out#* }")" "422:invalid_reservation"
done
out=$(send POST "$ADMIN_TOK" /v1/reservations '{"duid": ')
is "a reservation in malformed JSON: 400" "${out%% *}" 400
out=$(send PUT "$READ_TOK" "/v1/reservations/$D51" '{"subnet_id": 2, "hostname": "x"}')
is "PUT with a read token: 403" "${out%% *}" 403
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" /v1/reservations/0001000100000000000000000061)
is "DELETE of the file's: 409 read_only" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.code)" "409:read_only"
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/reservations/$D51")
is "DELETE: 200" "$(tail -n1 <<<"$out")" 200
out=$(api -X DELETE -H "Authorization: Bearer $ADMIN_TOK" "/v1/reservations/$D51")
is "DELETE again: 404" "$(tail -n1 <<<"$out")" 404

# --- paths, methods, media types, sizes ---
b=$(get "$READ_TOK" /v1/nothing)
is "unknown path: 404 JSON" "$(st):$(j "$b" .error.code)" "404:not_found"
out=$(api -D "$T/h" -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' -d '{}' /v1/leases)
is "POST /v1/leases: 405" "$(tail -n1 <<<"$out")" 405
like "... with Allow" "$(grep -i '^Allow:' "$T/h" | tr -d '\r')" '^Allow: GET, HEAD$'
out=$(api -X PATCH -H "Authorization: Bearer $ADMIN_TOK" /v1/leases)
is "PATCH: 405 JSON" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.code)" "405:method_not_allowed"
out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: text/plain' -d '{}' /v1/config/test)
is "a body that is not JSON by its type: 415" "$(tail -n1 <<<"$out")" 415
head -c 70000 /dev/zero | tr '\0' 'x' >"$T/big"
out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' --data-binary @"$T/big" /v1/config/test)
is "a body over max-body: 413" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.code)" "413:body_too_large"
out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" /v1/config/test)
is "... also chunked, without a length" "$(tail -n1 <<<"$out")" 413
for body in '{"instance": ' '{"a": 1} x' '[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]' "$(printf '{"a": "\x01"}')" ''; do
	out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' --data-binary "$body" /v1/config/test)
	is "malformed JSON '${body:0:12}': 400" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.code)" "400:malformed_json"
done
jq '.dhcp6."preference" = 300' "$T/conf.json" >"$T/bad.json"
out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' --data-binary @"$T/bad.json" /v1/config/test)
is "config test: the loader's error, exactly: 422" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.message)" \
	"422:$("$APID" -c "$T/bad.json" -t 2>&1 | sed "s|^chorus-apid: $T/bad.json|$T/conf.json|")"
out=$(api -X POST -H "Authorization: Bearer $ADMIN_TOK" -H 'Content-Type: application/json' --data-binary @"$T/conf.json" /v1/config/test)
is "config test of a good file: 200" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .valid)" "200:true"
out=$(api -X POST -H "Authorization: Bearer $READ_TOK" -H 'Content-Type: application/json' -d '{}' /v1/config/test)
is "config test needs admin: 403" "$(tail -n1 <<<"$out")" 403
b=$(get "$READ_TOK" /v1/config)
is "GET /v1/config: secrets masked" "$(st):$(j "$b" '.api.tokens[0].token + " " + .instance.database.conninfo')" "200:******** ********"
out=$(curl -sS -g -m 10 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' a)" "$URL/v1/health")
like "a header block over the memory limit is refused" "$out" '^4[0-9][0-9]$'

# --- SQL injection strings in every filter: 4xx JSON, never a 500 ---
bad=0
for k in address prefix duid iaid type subnet link relay-id remote-id state hostname \
	expiring-before expiring-after cursor limit; do
	for v in "1' OR '1'='1" "x'); DROP TABLE leases; --" "\$1" "1;SELECT pg_sleep(5)" \
		"%27%20OR%201%3D1--" "%00" "2001:db8::1' --" "\\x00"; do
		out=$(api -H "Authorization: Bearer $READ_TOK" "/v1/leases?$k=$(jq -rn --arg v "$v" '$v|@uri')")
		code=$(tail -n1 <<<"$out")
		ecode=$(sed '$d' <<<"$out" | jq -r '.error.code // "none"' 2>/dev/null)
		case "$k:$code" in
		hostname:200) [ "$(sed '$d' <<<"$out" | jq -r .count)" = 0 ] || bad=$((bad + 1)) ;;
		*:4??) [ "$ecode" != none ] || bad=$((bad + 1)) ;;
		*) bad=$((bad + 1)) && echo "# $k=$v: $code" ;;
		esac
	done
done
is "every injection attempt is a 4xx JSON error (or, for hostname, no match)" "$bad" 0
is "... and the table is intact" "$(q "SELECT count(*) > 300 FROM $SCHEMA.leases")" t
for raw in "address=%zz" "address=%" "a%00b=1" "=1" "type=na&type=pd"; do
	out=$(api -H "Authorization: Bearer $READ_TOK" "/v1/leases?$raw")
	is "malformed query '$raw': 400" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r '.error.code|type')" "400:string"
done

# --- health and metrics ---
# No chorus-ddnsd runs here, so the outbox rows queued above would age with the machine's
# speed (past health's 120 s on a slow sanitizer run): they are worked off as ddnsd would,
# and one fresh row stands for the backlog until it is counted; the aged backlog is tested
# on its own below.
q "DELETE FROM $SCHEMA.ddns_queue" >/dev/null
q "INSERT INTO $SCHEMA.ddns_queue (action, fqdn, addr, duid) VALUES ('add', 'fresh.example.com.', '2001:db8:1::98', '\\x01')" >/dev/null
h=
for _ in $(seq 150); do # the engine's first heartbeat comes 10 s after its start
	h=$(get "" /v1/health)
	[ "$(st)" = 200 ] && break
	sleep 0.2
done
is "health: 200 without a token" "$(st):$(j "$h" .status)" "200:ok"
is "... the engine's heartbeat is fresh" "$(j "$h" '.daemons.dhcp6d.status')" ok
is "... leasequeryd and ddnsd are disabled in this config" "$(j "$h" '[.daemons.leasequeryd.status, .daemons.ddnsd.status] | join(" ")')" "disabled disabled"
like "... the engine's commit latency from its heartbeat" "$(j "$h" .database.commit_latency_ms_p99)" '^[0-9.]+$'
for _ in 1 2 3; do # the engine may beat (and rewrite its detail) in between
	q "UPDATE $SCHEMA.heartbeats SET detail = detail || '{\"degraded_subnets\": 2}' WHERE daemon = 'dhcp6d'" >/dev/null
	h2=$(get "" /v1/health)
	[ "$(j "$h2" '.warnings | length')" = 1 ] && break
done
is "... subnets near pool exhaustion (the engine's view) warn, health stays 200" "$(st):$(j "$h2" '.warnings | join(";")')" \
	"200:dhcp6d: 2 subnets near pool exhaustion"
is "... the DDNS backlog counted" "$(j "$h" .ddns.backlog)" "$(q "SELECT count(*) FROM $SCHEMA.ddns_queue")"
q "DELETE FROM $SCHEMA.ddns_queue" >/dev/null
b=$(get "$READ_TOK" /v1/stats)
like "stats: the engine's counters, drops and redundancy cases" \
	"$(j "$b" '"\(.counters.dhcp6.rx) \(.counters.dhcp6_drops | has("malformed")) \(.counters.dhcp6_redundancy | has("rebind-adopted"))"')" \
	'^[1-9][0-9]* true true$'
curl -sS -g -m 10 "$URL/metrics" >"$T/metrics"
check "promtool check metrics accepts /metrics" promtool check metrics <"$T/metrics"
like "metrics: the engine's counters" "$(grep '^chorus_dhcp6_rx_total ' "$T/metrics")" '^chorus_dhcp6_rx_total [1-9]'
like "metrics: holding leases per subnet" "$(grep '^chorus_leases{subnet="1",type="na"' "$T/metrics")" 'state="active"} [1-9]'
like "metrics: the API's own responses" "$(grep '^chorus_api_responses_total{code="404"}' "$T/metrics")" ' [1-9]'

q "INSERT INTO $SCHEMA.ddns_queue (action, fqdn, addr, duid, created_at) VALUES ('add', 'old.example.com.', '2001:db8:1::99', '\\x01', now() - interval '10 min')" >/dev/null
h=$(get "" /v1/health)
is "health: 503 when the DDNS backlog ages" "$(st):$(j "$h" .status)" "503:failing"
like "... saying so" "$(j "$h" '.problems | join(";")')" '^ddns: the oldest pending DNS change was queued 6[0-9][0-9] s ago$'
q "DELETE FROM $SCHEMA.ddns_queue WHERE fqdn = 'old.example.com.'" >/dev/null
get "" /v1/health >/dev/null
is "... and 200 once it is worked off" "$(st)" 200

{ kill -9 "$DPID" && wait "$DPID"; } 2>/dev/null
DPID=
# The engine is dead; its heartbeat ages as time passes (moved back here, not waited for).
q "UPDATE $SCHEMA.heartbeats SET beat_at = now() - interval '45 s' WHERE daemon = 'dhcp6d'" >/dev/null
h=$(get "" /v1/health)
is "health: 503 when the engine is killed" "$(st):$(j "$h" .daemons.dhcp6d.status)" "503:stale"
start_engine 2 || bail "engine restart failed"
for _ in $(seq 150); do
	get "" /v1/health >/dev/null
	[ "$(st)" = 200 ] && break
	sleep 0.2
done
is "... and 200 when it beats again" "$(st)" 200

pg_stop
wait_log "$T/a.log" "database lost" 1
h=$(get "" /v1/health)
is "health: 503 when PostgreSQL stops" "$(st):$(j "$h" .database.reachable)" "503:false"
get "$READ_TOK" /v1/leases >/dev/null
is "a list without the database: 503" "$(st)" 503
curl -sS -g -m 10 "$URL/metrics" >"$T/metrics"
like "metrics still answer, database down" "$(grep '^chorus_api_database_up' "$T/metrics")" ' 0$'
pg_as_postgres "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
	-o "-c listen_addresses='' -k $PG_TEST_DIR -p $PGPORT -c fsync=on -c synchronous_commit=on" \
	start >/dev/null || bail "cannot restart PostgreSQL"
wait_log "$T/a.log" "database ready" 2
for _ in $(seq 150); do
	get "" /v1/health >/dev/null
	[ "$(st)" = 200 ] && break
	sleep 0.2
done
is "... and 200 when it is back" "$(st)" 200

# --- rate limit (a reload lowers it) and failed-auth throttling ---
write_conf 2 3
kill -HUP "$APID_PID"
wait_log "$T/a.log" "configuration reloaded" 1
codes=$(for _ in $(seq 8); do curl -sS -g -m 5 -o /dev/null -w '%{http_code}\n' "$URL/v1/health"; done | sort | uniq -c | awk '{print $2}' | paste -sd' ')
like "over the rate: 429" "$codes" '429'
write_conf 1000 1000
kill -HUP "$APID_PID"
wait_log "$T/a.log" "configuration reloaded" 2
# a fresh apid, so no failed authentication earlier in this script shares the minute's
# window (one that opened 59 s ago would close mid-loop and leave 429 unreached)
kill -TERM "$APID_PID"
wait "$APID_PID"
start_apid 3 || bail "chorus-apid did not start again"
fails=
for _ in $(seq 10); do
	get "wrong-token-$RANDOM" /v1/leases >/dev/null
	fails+="$(st) "
done
is "10 wrong tokens: 401 each" "$fails" "$(printf '401 %.0s' $(seq 10))"
out=$(api -D "$T/h" -H "Authorization: Bearer $READ_TOK" /v1/leases)
is "after 10 failed authentications even a good token gets 429" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .error.code)" "429:too_many_failed_authentications"
grep -qi '^Retry-After: [1-9]' "$T/h" && ok "... with Retry-After" || not_ok "... with Retry-After"

# --- api/openapi.yaml: a valid OpenAPI 3.1 document, and every answer above fits it ---
tap_lines < <(node "$CHORUS_SRCDIR/tests/integration/openapi_check.js" validate "$CHORUS_SRCDIR/api/openapi.yaml")
printf 'openapi: 3.1.0\ninfo: {title: x, version: "1"}\npaths:\n  /x:\n    get:\n      responses:\n        "200": {content: {}}\n' >"$T/broken.yaml"
like "... and the validator refuses a broken one" \
	"$(node "$CHORUS_SRCDIR/tests/integration/openapi_check.js" validate "$T/broken.yaml")" "must have required property 'description'"
tap_lines < <(node "$CHORUS_SRCDIR/tests/integration/openapi_check.js" answers "$CHORUS_SRCDIR/api/openapi.yaml" "$T/answers.jsonl")
echo '{"method": "GET", "path": "/v1/leases", "status": 200, "body": "{\"leases\": 1}"}' >"$T/wrong.jsonl"
like "... and the check catches an answer that does not" \
	"$(node "$CHORUS_SRCDIR/tests/integration/openapi_check.js" answers "$CHORUS_SRCDIR/api/openapi.yaml" "$T/wrong.jsonl")" "^not ok - GET /v1/leases 200: "

# --- SIGTERM, with an event stream open (its connection is suspended: it must end first) ---
curl -sS -g -N -m 30 -H "Authorization: Bearer $READ_TOK" "$URL/v1/events" >"$T/ev3" 2>&1 &
EVPID=$!
wait_file "$T/ev3" '^retry: '
kill -TERM "$APID_PID"
wait "$APID_PID"
rc=$?
wait "$EVPID" 2>/dev/null
is "... the open stream ended with the daemon" "$?" 0
EVPID=
APID_PID=
is "SIGTERM: clean exit" "$rc" 0
is "apid's heartbeat row is there" "$(q "SELECT count(*) FROM $SCHEMA.heartbeats WHERE daemon = 'apid'")" 1
! grep -q "statement failed" "$T/a.log" && ok "no statement failed in apid's log" || {
	not_ok "no statement failed in apid's log"
	grep "statement failed" "$T/a.log" | head -5 | sed 's/^/#   /'
}
done_testing
