#!/bin/bash
# The lease-store schema as the daemons will use it: no double allocation (exclusion
# constraint), column checks, what each role may do, an index behind every leasequery
# shape and the expiry and DDNS scans, and the ddns_queue NOTIFY.
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"
it_setup schema

S=${IT}_s
it_role ${S}_dhcp ${S}_lq ${S}_ddns ${S}_api ${IT}_lquser ${IT}_dhcpuser
"$ADMIN" db-init --schema "$S" >/dev/null || bail "db-init failed"
export PGOPTIONS="-c search_path=$S"

# lease TYPE ADDR STATE [DUID]: inserts one lease, as the dhcp role would.
lease() {
	q "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr,
		preferred_lft, valid_lft, cltt, expires_at, state, granted_by)
	   VALUES ('$1', '$2', '${4:-\\x000100011c39cf88080027fe8f95}', 1, 1, '2001:db8::1',
		3600, 7200, now(), now() + interval '2 hours', '$3', 's1') RETURNING id"
}

# row TYPE ADDR [DUID] [IAID] [PREFERRED] [STATE]: the INSERT of one lease (valid
# lifetime 2, DUID \x02, IAID 1, preferred 1, active unless told), for the checks that
# expect the schema to refuse it.
row() {
	local duid=${3:-\\x02}
	printf "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft,
	 valid_lft, cltt, expires_at, state, granted_by) VALUES ('%s', '%s', '%s', %s, 1,
	 '2001:db8::1', %s, 2, now(), now(), '%s', 's1')" "$1" "$2" "$duid" "${4:-1}" "${5:-1}" "${6:-active}"
}

# --- tables and version ---------------------------------------------------------
is "the schema has its tables" \
	"$(q "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = '$S'")" \
	"ddns_queue events heartbeats leases reservations schema_version server_identity stats"
is "schema_version is one row" "$(q "SELECT count(*) FROM schema_version")" 1
fails "schema_version takes no second row" "duplicate key" \
	"INSERT INTO schema_version (version) VALUES (7)"
q "INSERT INTO server_identity (instance_name, server_duid) VALUES ('s1', '\\x0001000100000001')" >/dev/null
fails "server_identity takes no second row" "duplicate key" \
	"INSERT INTO server_identity (instance_name, server_duid) VALUES ('s2', '\\x000100010002')"

# --- no double allocation -------------------------------------------------------
a1=$(lease na 2001:db8::10/128 active)
like "an active address lease is stored" "$a1" "^[0-9]+$"
is "its prefix length is derived" "$(q "SELECT prefix_len FROM leases WHERE id = $a1")" 128
fails "a second active lease on the same address is refused" "leases_no_overlap" \
	"$(row na 2001:db8::10 \\x0002 9)"
fails "... and so is a declined one" "leases_no_overlap" \
	"$(row na 2001:db8::10 \\x0002 9 '' declined)"
like "a released lease may share the address (history)" "$(lease na 2001:db8::10/128 released)" "^[0-9]+$"
q "UPDATE leases SET state = 'expired' WHERE id = $a1" >/dev/null
like "once the first expired, a new active lease gets the address" \
	"$(lease na 2001:db8::10/128 active '\x0003')" "^[0-9]+$"
fails "an expired lease cannot be revived over the new one" "leases_no_overlap" \
	"UPDATE leases SET state = 'active' WHERE id = $a1"

p1=$(lease pd 2001:db8:100::/48 active)
like "an active delegated prefix is stored" "$p1" "^[0-9]+$"
fails "the same prefix twice is refused" "leases_no_overlap" \
	"$(row pd 2001:db8:100::/48)"
fails "a prefix nested in an active prefix is refused" "leases_no_overlap" \
	"$(row pd 2001:db8:100:ff00::/56)"
fails "a prefix containing an active prefix is refused" "leases_no_overlap" \
	"$(row pd 2001:db8::/32)"
fails "an address inside an active prefix is refused" "leases_no_overlap" \
	"$(row na 2001:db8:100::77)"
like "a neighbouring prefix is fine" "$(lease pd 2001:db8:101::/48 active '\x04')" "^[0-9]+$"
q "UPDATE leases SET state = 'released' WHERE id = $p1" >/dev/null
like "once the prefix is released, a nested one is delegated" \
	"$(lease pd 2001:db8:100:ff00::/56 active '\x05')" "^[0-9]+$"

# --- column checks ----------------------------------------------------------------
fails "an IA_NA lease must be a /128" "leases_check" \
	"$(row na 2001:db8:5::/64)"
fails "a prefix with host bits set is refused" "leases_addr_check1" \
	"$(row pd 2001:db8:5::1/64)"
fails "an IPv4 address is refused" "leases_addr_check" \
	"$(row na 192.0.2.1)"
fails "an IAID above 2^32-1 is refused" "leases_iaid_check" \
	"$(row na 2001:db8:5::1 '' 4294967296)"
fails "preferred above valid lifetime is refused" "leases_check1" \
	"$(row na 2001:db8:5::1 '' '' 3)"
fails "an unknown state is refused" "leases_state_check" \
	"UPDATE leases SET state = 'offered' WHERE id = $p1"

# --- roles ------------------------------------------------------------------------
q "CREATE ROLE ${IT}_lquser LOGIN IN ROLE ${S}_lq; CREATE ROLE ${IT}_dhcpuser LOGIN IN ROLE ${S}_dhcp" >/dev/null
LQ=(-U "${IT}_lquser")
is "the lq role reads leases" "$(psql -X -At "${LQ[@]}" -c "SELECT count(*) > 0 FROM leases")" t
is "the lq role reads the server DUID (for SERVERID)" \
	"$(psql -X -At "${LQ[@]}" -c "SELECT encode(server_duid, 'hex') FROM server_identity")" \
	0001000100000001
fails "the lq role cannot INSERT a lease" "permission denied" \
	"$(row na 2001:db8:9::1)" "${LQ[@]}"
fails "the lq role cannot UPDATE a lease" "permission denied" \
	"UPDATE leases SET state = 'released'" "${LQ[@]}"
fails "the lq role cannot DELETE a lease" "permission denied" "DELETE FROM leases" "${LQ[@]}"
fails "the lq role cannot queue DNS work" "permission denied" \
	"INSERT INTO ddns_queue (action, fqdn, addr, duid) VALUES ('add', 'h.', '2001:db8::1', '\\x01')" \
	"${LQ[@]}"
fails "the lq role cannot write events" "permission denied" \
	"INSERT INTO events (kind) VALUES ('x')" "${LQ[@]}"
fails "the lq role cannot change schema_version" "permission denied" \
	"UPDATE schema_version SET version = 2" "${LQ[@]}"
fails "the lq role cannot create tables in the schema" "permission denied" \
	"CREATE TABLE $S.sneaky (x int)" "${LQ[@]}"
is "the lq role keeps its heartbeat row" \
	"$(psql -X -q -At "${LQ[@]}" -c "INSERT INTO heartbeats (daemon, pid, started_at)
	   VALUES ('leasequeryd', 42, now()) ON CONFLICT (daemon) DO UPDATE SET beat_at = now()
	   RETURNING daemon || ':' || pid")" leasequeryd:42
fails "a heartbeat names a known daemon" "heartbeats_daemon_check" \
	"INSERT INTO heartbeats (daemon, pid, started_at) VALUES ('nobody', 1, now())"
# 0007: the last error lines ride with the heartbeat, a JSON array
is "a heartbeat starts with no errors" \
	"$(q "SELECT errors FROM heartbeats WHERE daemon = 'leasequeryd'")" "[]"
is "the lq role writes its last errors with its heartbeat" \
	"$(psql -X -q -At "${LQ[@]}" -c "UPDATE heartbeats SET errors =
	   '[{\"at\": \"2026-12-01T12:00:00Z\", \"count\": 1, \"message\": \"reload refused\"}]'
	   WHERE daemon = 'leasequeryd' RETURNING errors->0->>'message'")" "reload refused"
fails "a heartbeat's errors are an array" "heartbeats_errors_check" \
	"UPDATE heartbeats SET errors = '{}' WHERE daemon = 'leasequeryd'"
# Reload requests and answers are NOTIFY payloads on <schema>_reload (lib/reload.h): the
# read-only lq role answers there too.
lout=$(mktemp)
psql -X -q -At -c "LISTEN ${S}_reload" -c "SELECT pg_sleep(2)" -c "SELECT 'done'" >"$lout" 2>&1 &
lpid=$!
sleep 1
psql -X -q -At "${LQ[@]}" -c "SELECT pg_notify('${S}_reload', '{\"answer\": \"1\"}')" >/dev/null
wait $lpid
like "the lq role answers a reload on <schema>_reload" "$(cat "$lout")" \
	"notification \"${S}_reload\" with payload \"\\{\"answer\": \"1\"\\}\" received"
rm -f "$lout"

out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "${IT}_dhcpuser" 2>&1 <<EOF
BEGIN;
WITH l AS (
	INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft,
		valid_lft, cltt, expires_at, granted_by, fqdn)
	VALUES ('na', '2001:db8:77::1', '\\x0a', 1, 1, '2001:db8::1', 1, 2, now(), now(), 's1',
		'h.example.')
	RETURNING id, fqdn, addr, duid)
INSERT INTO ddns_queue (lease_id, action, fqdn, addr, duid)
	SELECT id, 'add', fqdn, addr, duid FROM l;
INSERT INTO events (kind, addr) VALUES ('lease-granted', '2001:db8:77::1');
COMMIT;
EOF
)
is "the dhcp role writes a lease, its DNS work and an event in one transaction" "$out" ""
fails "the dhcp role cannot rewrite events" "permission denied" "DELETE FROM events" -U "${IT}_dhcpuser"
fails "the dhcp role cannot change schema_version" "permission denied" \
	"UPDATE schema_version SET version = 2" -U "${IT}_dhcpuser"
fails "the ddns role may record DNS done flags but not lease state" "permission denied" \
	"SET ROLE ${S}_ddns; UPDATE leases SET state = 'released'"
is "the ddns role records DNS done flags and removes finished work" \
	"$(q "SET ROLE ${S}_ddns; UPDATE leases SET ddns_fwd = true WHERE fqdn = 'h.example.';
	      DELETE FROM ddns_queue WHERE fqdn = 'h.example.' RETURNING action")" add
is "the ddns role marks a permanent failure and queues a removal of its own" \
	"$(q "SET ROLE ${S}_ddns; INSERT INTO ddns_queue (action, fqdn, addr, duid)
	      VALUES ('remove', 'p.example.', '2001:db8::9', '\\x01');
	      UPDATE ddns_queue SET permanent = true, last_error = 'NOTAUTH' WHERE fqdn = 'p.example.';
	      DELETE FROM ddns_queue WHERE fqdn = 'p.example.' RETURNING permanent")" t
fails "the ddns role cannot write leases beyond the DNS flags" "permission denied" \
	"SET ROLE ${S}_ddns; UPDATE leases SET fqdn = 'x.example.'"

is "the api role deletes a lease and queues its DNS removal" \
	"$(q "SET ROLE ${S}_api; BEGIN;
	      WITH d AS (DELETE FROM leases WHERE fqdn = 'h.example.' RETURNING fqdn, addr, duid)
	      INSERT INTO ddns_queue (action, fqdn, addr, duid) SELECT 'remove', fqdn, addr, duid FROM d;
	      INSERT INTO events (kind) VALUES ('api-delete');
	      COMMIT; SELECT count(*) FROM ddns_queue WHERE fqdn = 'h.example.'")" 1
fails "the api role cannot change schema_version" "permission denied" \
	"SET ROLE ${S}_api; UPDATE schema_version SET version = 2"

# --- reservations (0006): the api role keeps them, the engine hears of each change -----
out=$(psql -X -q -At -c "LISTEN ${S}_dhcp" \
	-c "SET ROLE ${S}_api; INSERT INTO reservations (duid, subnet_id, addresses, hostname)
	    VALUES ('\\x0001aa', 1, ARRAY['2001:db8::77'::inet], 'r.example.')" 2>&1)
like "the api role adds a reservation; the engine's channel hears of it" "$out" \
	"notification \"${S}_dhcp\" with payload \"reservations\""
is "the dhcp role reads reservations" \
	"$(psql -X -q -At -U "${IT}_dhcpuser" -c "SELECT host(addresses[1]) FROM reservations")" 2001:db8::77
fails "the dhcp role cannot change reservations" "permission denied" \
	"DELETE FROM reservations" -U "${IT}_dhcpuser"
fails "a reservation holds something" "reservations_check" \
	"INSERT INTO reservations (duid, subnet_id) VALUES ('\\x02', 1)"
fails "one reservation per DUID" "reservations_pkey" \
	"INSERT INTO reservations (duid, subnet_id, hostname) VALUES ('\\x0001aa', 2, 'x.')"
q "DELETE FROM reservations" >/dev/null

# --- lease changes become events (0005), written by the statement that makes them --------
ev() { q "SELECT string_agg(kind || coalesce(' ' || (detail->>'by'), ''), ',' ORDER BY id) FROM events WHERE addr = '$1'"; }
q "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft, valid_lft,
	cltt, expires_at, granted_by) VALUES ('na', '2001:db8:78::1', '\\x0b', 1, 1, '2001:db8::1',
	1, 2, now(), now(), 's1')" >/dev/null
is "a granted lease writes a granted event" "$(ev 2001:db8:78::1)" granted
q "UPDATE leases SET cltt = cltt + interval '1 s' WHERE addr = '2001:db8:78::1'" >/dev/null
q "UPDATE leases SET ddns_fwd = true WHERE addr = '2001:db8:78::1'" >/dev/null
is "a renewal writes renewed, a DNS flag nothing" "$(ev 2001:db8:78::1)" granted,renewed
q "SET ROLE ${S}_api; BEGIN; SELECT set_config('chorus.actor', 'api:ops', true);
   UPDATE leases SET state = 'released' WHERE addr = '2001:db8:78::1'; COMMIT" >/dev/null
is "the api role's release under chorus.actor is a deleted event naming it" "$(ev 2001:db8:78::1)" \
	"granted,renewed,deleted api:ops"
q "UPDATE leases SET state = 'active' WHERE addr = '2001:db8:78::1'" >/dev/null
q "UPDATE leases SET state = 'expired' WHERE addr = '2001:db8:78::1'" >/dev/null
q "UPDATE leases SET state = 'reclaimed' WHERE addr = '2001:db8:78::1'" >/dev/null
is "re-activation, expiry; reclaim writes nothing" "$(ev 2001:db8:78::1)" \
	"granted,renewed,deleted api:ops,granted,expired"
n0=$(q "SELECT count(*) FROM events")
q "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft, valid_lft,
	cltt, expires_at, granted_by) SELECT 'na', '2001:db8:79::'::inet + i, '\\x0c', i, 1,
	'2001:db8::1', 1, 2, now(), now(), 's1' FROM generate_series(1, 50) i" >/dev/null
is "one statement of 50 grants writes 50 events" "$(($(q "SELECT count(*) FROM events") - n0))" 50
out=$(psql -X -q -At -U "${IT}_dhcpuser" -c "LISTEN chorus_events" \
	-c "UPDATE leases SET state = 'declined' WHERE addr = '2001:db8:79::1'" 2>&1)
like "a change notifies chorus_events with the schema as payload" "$out" \
	"notification \"chorus_events\" with payload \"$S\""
out=$(psql -X -q -At -U "${IT}_dhcpuser" -c "LISTEN chorus_events" \
	-c "UPDATE leases SET ddns_rev = true WHERE addr = '2001:db8:79::2'" 2>&1)
is "... and an update that makes no event notifies nobody" "$out" ""

# --- an index behind every query ---------------------------------------------------
q "INSERT INTO leases (lease_type, addr, duid, iaid, subnet_id, link_addr, preferred_lft,
	valid_lft, cltt, expires_at, state, granted_by, relay_ids, remote_ids)
   SELECT CASE WHEN i % 4 = 0 THEN 'pd' ELSE 'na' END,
	CASE WHEN i % 4 = 0 THEN set_masklen('2001:db8:8000::'::inet + (i::bigint << 16), 112)
	     ELSE '2001:db8:4000::'::inet + i END,
	decode(lpad(to_hex(i), 16, '0'), 'hex'), i % 7, i % 50,
	'2001:db8:ffff::'::inet + (i % 50), 3600, 7200, now(),
	now() + (i % 7200) * interval '1 second',
	CASE WHEN i % 10 = 0 THEN 'released' ELSE 'active' END, 's1',
	ARRAY[decode(lpad(to_hex(i % 500), 8, '0'), 'hex')],
	ARRAY[decode('00000de9' || lpad(to_hex(i % 1000), 8, '0'), 'hex')]
   FROM generate_series(1, 20000) i;
   INSERT INTO ddns_queue (action, fqdn, addr, duid, next_attempt_at)
   SELECT 'add', 'h' || i || '.example.', '2001:db8::'::inet + i, '\\x01',
	now() + i * interval '1 second' FROM generate_series(1, 5000) i;
   ANALYZE" >/dev/null

# uses DESCRIPTION INDEX SQL: EXPLAIN of SQL names INDEX.
uses() {
	local plan
	plan=$(q "EXPLAIN $3")
	if printf '%s\n' "$plan" | grep -q " on $2\b\| using $2\b"; then
		ok "$1 uses $2"
	else
		not_ok "$1 uses $2"
		printf '%s\n' "$plan" | sed 's/^/#   /'
	fi
}
uses "QUERY_BY_ADDRESS (address lease)" leases_no_overlap \
	"SELECT * FROM leases WHERE addr >>= '2001:db8:4000::5' AND state = 'active'"
uses "QUERY_BY_ADDRESS (prefix containing the address)" leases_no_overlap \
	"SELECT * FROM leases WHERE addr >>= '2001:db8:8000::4:5' AND state = 'active'"
uses "QUERY_BY_CLIENTID" leases_client_idx \
	"SELECT * FROM leases WHERE duid = '\\x0000000000000005' AND state = 'active'"
uses "QUERY_BY_CLIENTID on one link" leases_client_idx \
	"SELECT * FROM leases WHERE duid = '\\x0000000000000005' AND subnet_id = 5 AND state = 'active'"
uses "the engine's IA lookup" leases_client_idx \
	"SELECT * FROM leases WHERE duid = '\\x0000000000000005' AND lease_type = 'na' AND iaid = 5"
# bulk pages by relay-id and remote-id (0008): a range of (first id, duid) in DUID order,
# and the rows with more than one id, tested for it further in
uses "QUERY_BY_RELAY_ID (the first relay-id, in DUID order)" leases_relay_id_idx \
	"SELECT * FROM leases WHERE relay_ids[1] = '\\x00000005' AND relay_ids <> '{}' AND state IN ('active', 'declined') AND duid > '\\x00' ORDER BY relay_ids[1], duid LIMIT 1000"
uses "QUERY_BY_RELAY_ID (further in, rows with several)" leases_relay_ids_more_idx \
	"SELECT * FROM leases WHERE cardinality(relay_ids) > 1 AND relay_ids @> ARRAY['\\x00000005'::bytea] AND state IN ('active', 'declined') AND duid > '\\x00' ORDER BY duid LIMIT 1000"
uses "QUERY_BY_REMOTE_ID (the first remote-id, in DUID order)" leases_remote_id_idx \
	"SELECT * FROM leases WHERE remote_ids[1] = '\\x00000de900000005' AND remote_ids <> '{}' AND state IN ('active', 'declined') AND duid > '\\x00' ORDER BY remote_ids[1], duid LIMIT 1000"
uses "QUERY_BY_REMOTE_ID (further in, rows with several)" leases_remote_ids_more_idx \
	"SELECT * FROM leases WHERE cardinality(remote_ids) > 1 AND remote_ids @> ARRAY['\\x00000de900000005'::bytea] AND state IN ('active', 'declined') AND duid > '\\x00' ORDER BY duid LIMIT 1000"
uses "QUERY_BY_LINK_ADDRESS (by subnet)" leases_subnet_idx \
	"SELECT * FROM leases WHERE subnet_id = 5 AND state = 'active'"
uses "QUERY_BY_LINK_ADDRESS (by link address)" leases_link_idx \
	"SELECT * FROM leases WHERE link_addr = '2001:db8:ffff::5' AND state = 'active'"
uses "an address in any state" leases_addr_idx \
	"SELECT * FROM leases WHERE addr = '2001:db8:4000::5'"
# schema 9: the API's keyset page after a cursor reads the (addr, id) index in order, no sort
page="SELECT * FROM leases WHERE (addr, id) > ('2001:db8::5'::inet, 5) ORDER BY addr, id LIMIT 101"
uses "the API's lease page after a cursor" leases_addr_idx "$page"
is "... in the index's order, with no sort of the rows" "$(q "EXPLAIN $page" | grep -c Sort)" 0
# schema 10: the API's pages by relay-id, in (addr, id) order after a cursor: the rows whose
# first id it is, whose second, and those with more than two ids (api_leases_relay)
uses "the API's relay-id page (the first id)" leases_relay1_addr_idx \
	"SELECT * FROM leases WHERE relay_ids <> '{}' AND relay_ids[1] = '\\x00000005' AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
uses "the API's relay-id page (the second id)" leases_relay2_addr_idx \
	"SELECT * FROM leases WHERE cardinality(relay_ids) > 1 AND relay_ids[2] = '\\x00000005' AND relay_ids[1] IS DISTINCT FROM '\\x00000005' AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
uses "the API's relay-id page (further in)" leases_relay3_addr_idx \
	"SELECT * FROM leases WHERE cardinality(relay_ids) > 2 AND relay_ids[1] IS DISTINCT FROM '\\x00000005' AND relay_ids[2] IS DISTINCT FROM '\\x00000005' AND relay_ids @> ARRAY['\\x00000005'::bytea] AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
# schema 11: the same three for remote-id (api_leases_remote); an id that no row holds is
# found missing by the index lookups, with no row read
uses "the API's remote-id page (the first id)" leases_remote1_addr_idx \
	"SELECT * FROM leases WHERE remote_ids <> '{}' AND remote_ids[1] = '\\x00000de900000005' AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
uses "the API's remote-id page (the second id)" leases_remote2_addr_idx \
	"SELECT * FROM leases WHERE cardinality(remote_ids) > 1 AND remote_ids[2] = '\\x00000de900000005' AND remote_ids[1] IS DISTINCT FROM '\\x00000de900000005' AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
uses "the API's remote-id page (further in)" leases_remote3_addr_idx \
	"SELECT * FROM leases WHERE cardinality(remote_ids) > 2 AND remote_ids[1] IS DISTINCT FROM '\\x00000de900000005' AND remote_ids[2] IS DISTINCT FROM '\\x00000de900000005' AND remote_ids @> ARRAY['\\x00000de900000005'::bytea] AND (addr, id) > ('::/0'::inet, 0) ORDER BY addr, id LIMIT 101"
# A renewal changes lifetimes, CLTT and expiry, no indexed column: PostgreSQL rewrites the row
# in its page (a HOT update) and no index. chorus-dhcp6d reclaims expired leases from its
# own cache, so no index on expires_at makes every renewal touch every index.
hot0=$(q "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'leases'::regclass")
q "UPDATE leases SET cltt = now(), preferred_lft = 3000, valid_lft = 4000,
	expires_at = now() + interval '4000 s', granted_by = 's2'
   WHERE addr = '2001:db8:4000::5' AND state = 'active'" >/dev/null
for _ in $(seq 50); do # the statistics arrive shortly after the transaction
	hot1=$(q "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'leases'::regclass")
	[ "$hot1" != "$hot0" ] && break
	sleep 0.1
done
is "a renewal is a HOT update (no index rewritten)" "$((hot1 - hot0))" 1
uses "ddnsd's due work" ddns_queue_due_idx \
	"SELECT * FROM ddns_queue WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 10"
is "QUERY_BY_ADDRESS finds the delegated prefix containing an address" \
	"$(q "SELECT addr FROM leases WHERE addr >>= '2001:db8:8000::4:5' AND state = 'active'")" \
	"2001:db8:8000::4:0/112"

# --- NOTIFY -------------------------------------------------------------------------
# A listener in its own session sleeps while another session queues DNS work; psql
# prints the notification after the statement that was running when it arrived.
lout=$(mktemp)
# The engine's commit-group INSERT runs its outbox part every time, mostly with no row.
psql -X -q -At -c "LISTEN chorus_ddns" -c "SELECT pg_sleep(2)" -c "SELECT 'done'" >"$lout" 2>&1 &
lpid=$!
sleep 1
q "INSERT INTO ddns_queue (action, fqdn, addr, duid) SELECT 'add', 'z.example.', '2001:db8::9',
	'\\x01' WHERE false" >/dev/null
wait $lpid
is "an insert of no row into ddns_queue notifies nobody" \
	"$(grep -c notification "$lout"):$(grep -c done "$lout")" "0:1"
psql -X -q -At -c "LISTEN chorus_ddns" -c "SELECT pg_sleep(3)" -c "SELECT 'done'" >"$lout" 2>&1 &
lpid=$!
sleep 1
q "INSERT INTO ddns_queue (action, fqdn, addr, duid) VALUES ('remove', 'n.example.', '2001:db8::9', '\\x01')" \
	>/dev/null
wait $lpid
like "an insert into ddns_queue notifies chorus_ddns with the schema name" "$(cat "$lout")" \
	"notification \"chorus_ddns\" with payload \"$S\" received"
rm -f "$lout"

done_testing
