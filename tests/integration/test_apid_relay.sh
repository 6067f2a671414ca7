#!/bin/bash
# GET /v1/leases?relay-id=... and ?remote-id=... against a real chorus-apid and PostgreSQL
# (lib_admin.sh), on 20,000 rows written by SQL as the engine writes them: the id at the
# first, second or third place of relay_ids (remote_ids), twice in one row, in every state.
# Paged by next links, every filter gives exactly the rows the table holds, in (addr, id)
# order, none twice; an id that no row holds reads no row of the table (sql/0010 and 0011:
# index ranges, where the address order tested every row: 2.1 s at a million rows). apid
# connects as a login user of <schema>_api.
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

APID="$CHORUS_BUILDDIR/api/chorus-apid"
SCHEMA=apir_$IT
APORT=$(free_ports 1) || bail "no free ports"
T=$(mktemp -d /tmp/chorus-apir.XXXXXX)
APID_PID=
URL="http://[::1]:$APORT"

cleanup() {
	[ -n "$APID_PID" ] && kill -9 "$APID_PID" 2>/dev/null && wait "$APID_PID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need curl jq
it_setup apir
trap cleanup EXIT
it_role "${SCHEMA}_dhcp" "${SCHEMA}_lq" "${SCHEMA}_ddns" "${SCHEMA}_api" "apiru_$IT"
"$ADMIN" db-init --schema "$SCHEMA" >/dev/null || bail "db-init failed"
q "CREATE ROLE apiru_$IT LOGIN IN ROLE ${SCHEMA}_api" >/dev/null || bail "cannot create the api user"
read -r TOK HASH < <("$ADMIN" token-new | paste -sd' ')

# First only rows with one relay id and one remote id (as behind one relay layer), 0a0a0<n>
# and 00000de9a1a10<n>: pages by id read the first range alone (api_leases_relay_first).
q "INSERT INTO $SCHEMA.leases (lease_type, addr, duid, iaid, subnet_id, link_addr,
	preferred_lft, valid_lft, cltt, expires_at, state, granted_by, relay_ids, remote_ids)
   SELECT 'na', '2001:db8:2::'::inet + i, '\\x00030002'::bytea || int4send(i), 1, 1,
	'2001:db8:2::1', 300, 600, now(), now() + interval '600 s',
	(ARRAY['active', 'released', 'expired'])[1 + i % 3], 'filler',
	ARRAY[decode('0a0a0' || (i % 3), 'hex')], ARRAY[decode('00000de9a1a10' || (i % 4), 'hex')]
   FROM generate_series(1, 2000) i;
   ANALYZE $SCHEMA.leases" >/dev/null || bail "cannot insert the rows"

# one database connection: the table statistics of every request come from one backend
cat >"$T/conf.json" <<EOF
{ "instance": { "name": "it-apir", "schema": "$SCHEMA", "database": { "conninfo": "dbname=$PGDATABASE" } },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": { "hash-key": "integration-test-key-0001", "subnets": [] },
  "api": { "listen": ["[::1]:$APORT"], "rate-limit": 0, "db-connections": 1,
    "tokens": [ { "name": "viewer", "token": "$HASH", "role": "read" } ] } }
EOF
PGUSER=apiru_$IT "$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
APID_PID=$!
for _ in $(seq 200); do
	grep -q "database ready" "$T/a.log" && break
	sleep 0.1
done
grep -q "database ready" "$T/a.log" || bail "chorus-apid did not start: $(cat "$T/a.log")"

# pages QUERY: every address of every page, following next links (500 pages at most).
pages() {
	local path="/v1/leases?$1" n=0 b
	while [ -n "$path" ] && [ "$path" != null ] && [ $n -lt 500 ]; do
		b=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL$path") || return 1
		jq -r '.leases[].address' <<<"$b"
		path=$(jq -r .next <<<"$b")
		n=$((n + 1))
	done
}
# same DESCRIPTION QUERY SQLWHERE: the pages hold the rows SQLWHERE finds, in page order.
same() {
	local want got
	want=$(q "SELECT host(addr) FROM $SCHEMA.leases WHERE $3 ORDER BY addr, id")
	got=$(pages "$2")
	if [ "$got" = "$want" ]; then
		ok "$1 ($(grep -c . <<<"$want") rows)"
	else
		not_ok "$1"
		diff <(echo "$want") <(echo "$got") | head -n 5 | sed 's/^/#   /'
	fi
}
has() { echo "${2:-relay_ids} @> ARRAY['\\x$1'::bytea]"; }

# The rows apid's backend read, from the table's statistics. A backend sends its
# statistics when it exits, and else at most once a second (up to 10 s late): apid is
# restarted, so its new backend has read nothing of the table before, and a request after
# the one measured (MARK, which reads a row or two) marks when they have arrived.
read_rows() {
	q "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables
	   WHERE relid = '$SCHEMA.leases'::regclass"
}
# reads QUERY MARK: the body of QUERY from a restarted apid; $READ the rows both read.
reads() {
	local r0 r1 n
	kill "$APID_PID" && wait "$APID_PID"
	APID_PID=
	for _ in $(seq 200); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE usename = 'apiru_$IT'")" = 0 ] && break
		sleep 0.1
	done
	r0=$(read_rows)
	n=$(grep -c "database ready" "$T/a.log")
	PGUSER=apiru_$IT "$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
	APID_PID=$!
	for _ in $(seq 200); do
		[ "$(grep -c "database ready" "$T/a.log")" -gt "$n" ] && break
		sleep 0.1
	done
	BODY=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL/v1/leases?$1")
	curl -sS -g -m 20 -o /dev/null -H "Authorization: Bearer $TOK" "$URL/v1/leases?$2"
	for _ in $(seq 300); do
		r1=$(read_rows)
		[ "$r1" != "$r0" ] && break
		sleep 0.1
	done
	READ=$((r1 - r0))
	[ "$r1" != "$r0" ] || READ=unknown
}
# below NAME LIMIT: $READ is known and below LIMIT
below() {
	if [ "$READ" != unknown ] && [ "$READ" -lt "$2" ]; then
		ok "$1 (the two requests read $READ)"
	else
		not_ok "$1 (the two requests read $READ)"
	fi
}
# absent FILTER NAME: the page of FILTER (an id no row holds) is empty, and read few rows
# (the rows with three ids are tested: 200 with relay ids, 500 with remote ids; the
# address order read all 22,000).
absent() {
	reads "$1" "relay-id=0b0b&limit=1"
	is "$2 no row holds: no lease" "$(jq -r .count <<<"$BODY")" 0
	below "... and it read no more than the rows with three ids" 1000
}

same "relay-id, every row with one" "limit=150&relay-id=0a0a01" "$(has 0a0a01)"
# the first range alone, and the test that no row holds two ids: a page of 5 reads 6 rows
reads "relay-id=0a0a01&limit=5" "relay-id=0a0a02&limit=1"
is "a page of the first range alone" "$(jq -r .count <<<"$BODY")" 5
below "... read only its rows (no scan of the table for rows with two ids)" 20
same "remote-id, every row with one" "limit=120&remote-id=00000de9a1a102" \
	"$(has 00000de9a1a102 remote_ids)"
# a row with two ids now: the first range alone no longer answers, the merge of three does
q "UPDATE $SCHEMA.leases SET relay_ids = ARRAY['\\x0b0b'::bytea, '\\x0a0a01'::bytea],
	remote_ids = ARRAY['\\x00000de9ffff'::bytea, '\\x00000de9a1a102'::bytea]
   WHERE addr = '2001:db8:2::7'" >/dev/null
same "relay-id, one row with it at the second place" "limit=150&relay-id=0a0a01" "$(has 0a0a01)"
same "remote-id, one row with it at the second place" "limit=120&remote-id=00000de9a1a102" \
	"$(has 00000de9a1a102 remote_ids)"

# A (one of seven) at every place; B (0b0b) the outer relay of two-hop clients, C and D
# (0c0c, 0d0d) of the few three-hop ones; every fifth row without relay data. Remote ids
# (an enterprise number first): R (one of three) at every place, E (...eeee) first and F
# (...ffff) second of the few with three, F first of those with two; every fourth row none.
A="000300010a0b0c0d0e0"
R="00000de9aabb0"
E=00000de9eeee
F=00000de9ffff
q "INSERT INTO $SCHEMA.leases (lease_type, addr, duid, iaid, subnet_id, link_addr,
	preferred_lft, valid_lft, cltt, expires_at, state, granted_by, relay_ids, remote_ids)
   SELECT 'na', '2001:db8:1::'::inet + i, '\\x00030001'::bytea || int4send(i), 1, 1,
	'2001:db8:1::1', 300, 600, now(), now() + interval '600 s',
	(ARRAY['active', 'released', 'expired'])[1 + i % 3], 'filler',
	CASE WHEN i % 5 = 0 THEN '{}'::bytea[]
	  WHEN i % 100 = 3 THEN ARRAY['\\x0c0c'::bytea, '\\x0d0d'::bytea, decode('${A}' || (i % 7), 'hex')]
	  WHEN i % 5 IN (1, 3) THEN ARRAY[decode('${A}' || (i % 7), 'hex')]
	  WHEN i % 5 = 2 THEN ARRAY['\\x0b0b'::bytea, decode('${A}' || (i % 7), 'hex')]
	  ELSE ARRAY[decode('${A}' || (i % 7), 'hex'), decode('${A}' || (i % 7), 'hex')] END,
	CASE WHEN i % 4 = 0 THEN '{}'::bytea[]
	  WHEN i % 4 = 1 THEN ARRAY[decode('${R}' || (i % 3), 'hex')]
	  WHEN i % 4 = 2 THEN ARRAY['\\x${F}'::bytea, decode('${R}' || (i % 3), 'hex')]
	  WHEN i % 40 = 3 THEN ARRAY['\\x${E}'::bytea, '\\x${F}'::bytea, decode('${R}' || (i % 3), 'hex')]
	  ELSE ARRAY[decode('${R}' || (i % 3), 'hex'), decode('${R}' || (i % 3), 'hex')] END
   FROM generate_series(1, 20000) i;
   ANALYZE $SCHEMA.leases" >/dev/null || bail "cannot insert the rows"

same "relay-id at every place (first, second, third, twice), paged by 97" \
	"limit=97&relay-id=${A}3" "$(has "${A}3")"
same "relay-id only at the first place of two-hop rows" "limit=400&relay-id=0b0b" "$(has 0b0b)"
same "relay-id at the first place of three-hop rows" "limit=30&relay-id=0c0c" "$(has 0c0c)"
same "relay-id at the second place" "limit=70&relay-id=0d0d" "$(has 0d0d)"
same "relay-id with a state filter" "limit=50&state=active&relay-id=${A}5" \
	"$(has "${A}5") AND state = 'active'"
same "relay-id with a prefix filter" "limit=10&prefix=2001:db8:1::/116&relay-id=${A}1" \
	"$(has "${A}1") AND addr <<= '2001:db8:1::/116'"
b=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL/v1/leases?relay-id=${A}3&limit=1")
c=$(jq -r .cursor <<<"$b")
b=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL/v1/leases?limit=5&relay-id=${A}3&cursor=$c")
is "the first page after a cursor starts after it" "$(jq -r '.leases[0].address' <<<"$b")" \
	"$(q "SELECT host(addr) FROM $SCHEMA.leases WHERE $(has "${A}3") ORDER BY addr, id OFFSET 1 LIMIT 1")"

same "remote-id at every place (first, second, third, twice), paged by 250" \
	"limit=250&remote-id=${R}1" "$(has "${R}1" remote_ids)"
same "remote-id at the first place of rows with three" "limit=300&remote-id=$E" \
	"$(has $E remote_ids)"
same "remote-id first of rows with two, second of those with three" "limit=500&remote-id=$F" \
	"$(has $F remote_ids)"
same "remote-id with a state filter" "limit=60&state=active&remote-id=$F" \
	"$(has $F remote_ids) AND state = 'active'"
same "remote-id with a prefix filter" "limit=20&prefix=2001:db8:1::3000/116&remote-id=${R}2" \
	"$(has "${R}2" remote_ids) AND addr <<= '2001:db8:1::3000/116'"
same "remote-id with a relay-id" "limit=40&remote-id=${R}0&relay-id=${A}4" \
	"$(has "${R}0" remote_ids) AND $(has "${A}4")"
b=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL/v1/leases?remote-id=${R}1&limit=1")
c=$(jq -r .cursor <<<"$b")
b=$(curl -sS -g -m 20 -H "Authorization: Bearer $TOK" "$URL/v1/leases?limit=5&remote-id=${R}1&cursor=$c")
is "the first remote-id page after a cursor starts after it" "$(jq -r '.leases[0].address' <<<"$b")" \
	"$(q "SELECT host(addr) FROM $SCHEMA.leases WHERE $(has "${R}1" remote_ids) ORDER BY addr, id OFFSET 1 LIMIT 1")"

absent "relay-id=0e0e0e" "a relay-id"
absent "remote-id=00000de90e0e0e" "a remote-id"

done_testing
