#!/bin/bash
# POST /v1/config/reload and health's last errors, with the four real daemons of one
# instance (chorus-dhcp6d, chorus-leasequeryd, chorus-ddnsd, chorus-apid, each as a login
# user of its own role) on a private PostgreSQL, driven by curl: a changed pool reaches
# the engine (the next client gets the new address), changed requesters reach
# leasequeryd (NotAllowed), a changed window reaches ddnsd (its own answer names it), a
# restart-only key is named; a bad file is refused by every daemon with the loader's
# error (422) and the error shows in /v1/health per daemon; apid's own tokens are
# reloaded; a stopped daemon (no answer) and a stale heartbeat are reported (207); SIGHUP
# takes the same path. Every answer is checked against api/openapi.yaml.
unset PGHOST PGPORT PGUSER PGDATABASE
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

APID="$CHORUS_BUILDDIR/api/chorus-apid"
ENGINE="$CHORUS_BUILDDIR/server/chorus-dhcp6d"
LQD="$CHORUS_BUILDDIR/leasequeryd/chorus-leasequeryd"
DDNSD="$CHORUS_BUILDDIR/ddnsd/chorus-ddnsd"
CLIENT="$CHORUS_SRCDIR/tests/integration/test_dhcp6d_client.py"
REQ="$CHORUS_SRCDIR/tests/integration/lq_requestor.py"
SCHEMA=rl_$IT
UPORT=$(free_ports 3) || bail "no free ports"
TPORT=$((UPORT + 1))
APORT=$((UPORT + 2))
T=$(mktemp -d /tmp/chorus-reload.XXXXXX)
URL="http://[::1]:$APORT"
EPID= LPID= DPID= APID_PID=

cleanup() {
	for p in $APID_PID $DPID $LPID $EPID; do
		kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "${RELOAD_DEBUG_DIR:-}" ] && cp -r "$T" "$RELOAD_DEBUG_DIR/"
	rm -rf "$T"
	it_cleanup
}

need curl jq python3 node
export NODE_PATH=${CHORUS_NODE_MODULES:-$CHORUS_SRCDIR/_build/node_modules}
[ -d "$NODE_PATH/@apidevtools/swagger-parser" ] && [ -d "$NODE_PATH/ajv" ] ||
	bail "missing npm packages in $NODE_PATH (tests/run installs them: tests/lib/deps.sh deps_npm)"
it_setup reload
trap cleanup EXIT
it_role "${SCHEMA}_dhcp" "${SCHEMA}_lq" "${SCHEMA}_ddns" "${SCHEMA}_api" \
	"dhu_$IT" "lqu_$IT" "ddu_$IT" "apiu_$IT"
"$ADMIN" db-init --schema "$SCHEMA" >/dev/null || bail "db-init failed"
for r in dhu:dhcp lqu:lq ddu:ddns apiu:api; do
	q "CREATE ROLE ${r%%:*}_$IT LOGIN IN ROLE ${SCHEMA}_${r#*:}" >/dev/null ||
		bail "cannot create the ${r#*:} user"
done
read -r ADMIN_TOK ADMIN_HASH < <("$ADMIN" token-new | paste -sd' ')
read -r NEW_TOK NEW_HASH < <("$ADMIN" token-new | paste -sd' ')

# write_conf POOL_END REQUESTERS WINDOW MAX_BODY TOKEN_HASH [PREFERENCE]
write_conf() {
	cat >"$T/conf.json" <<EOC
{
  "instance": { "name": "it-reload", "schema": "$SCHEMA",
    "database": { "conninfo": "dbname=$PGDATABASE",
      "leasequery-conninfo": "dbname=$PGDATABASE user=lqu_$IT",
      "ddns-conninfo": "dbname=$PGDATABASE user=ddu_$IT" }, "pid-file": "$T/e.pid" },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": {
    "interfaces": ["lo"], "preference": ${6:-10}, "hash-key": "reload-test-key-000000001",
    "preferred-lifetime": 300, "valid-lifetime": 600,
    "subnets": [
      { "id": 1, "prefix": "2001:db8:1::/64", "interface-id": "eth8", "rapid-commit": true,
        "pools": [ { "start": "2001:db8:1::10", "end": "2001:db8:1::$1" } ] }
    ]
  },
  "leasequery": { "enabled": true, "local-socket": "$T/lq.sock", "bulk-address": "::1",
    "requesters": $2 },
  "ddns": { "enabled": true, "qualifying-suffix": "example.com.", "window": $3 },
  "api": { "listen": ["[::1]:$APORT"], "max-body": $4,
    "tokens": [ { "name": "ops", "token": "$5", "role": "admin" } ] }
}
EOC
}

# wait_for FILE PATTERN N: until FILE holds N lines matching PATTERN (20 s).
wait_for() { it_wait_lines "$@"; }

# api TOKEN METHOD PATH: it_api with the token: the body, then the status on the last line.
api() { it_api "$2" "$3" -X "$2" -H "Authorization: Bearer $1"; }
# reload [QUERY]: POST /v1/config/reload with the admin token; body to $T/r, status out.
reload() {
	local out
	out=$(api "$ADMIN_TOK" POST "/v1/config/reload${1:-}")
	sed '$d' <<<"$out" >"$T/r"
	tail -n1 <<<"$out"
}
r() { jq -r "$1" "$T/r"; }
solicit() {
	python3 "$CLIENT" "$UPORT" solicit --duid "$1" --hops 1 --link :: --ifid eth8 --rapid |
		jq -r '.ias[0].leases[0].addr // "none"'
}
lq_status() { python3 "$REQ" udp "$UPORT" --qtype 1 --addr "$1" | jq -r '.status // 0'; }

write_conf 10 '["::1/128"]' 16 65536 "$ADMIN_HASH"
PGUSER=dhu_$IT "$ENGINE" -c "$T/conf.json" -d -p "$UPORT" >>"$T/e.log" 2>&1 &
EPID=$!
"$LQD" -c "$T/conf.json" -d -p "$TPORT" >>"$T/l.log" 2>&1 &
LPID=$!
"$DDNSD" -c "$T/conf.json" -d >>"$T/d.log" 2>&1 &
DPID=$!
PGUSER=apiu_$IT "$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
APID_PID=$!
for f in e l d a; do
	wait_for "$T/$f.log" "listening for reload requests on ${SCHEMA}_reload" 1 ||
		bail "a daemon ($f.log) does not listen for reload requests"
done
ok "the four daemons listen on ${SCHEMA}_reload"
# the first heartbeats come 10 s after a start
for _ in $(seq 300); do
	n=$(q "SELECT count(*) FROM ${SCHEMA}.heartbeats WHERE beat_at > now() - interval '30 s'")
	[ "$n" -ge 4 ] && break
	sleep 0.1
done
is "all four heartbeats are fresh" "$n" 4

# --- a changed pool, requesters, window and a restart-only key, in one reload ---
is "the pool has one address, and a first client gets it" "$(solicit 00010001000000000000000000a1)" 2001:db8:1::10
is "... a second one gets none" "$(solicit 00010001000000000000000000a2)" none
is "leasequery from ::1 is answered" "$(lq_status 2001:db8:1::10)" 0
write_conf 11 '["2001:db8:ffff::/48"]' 8 32768 "$ADMIN_HASH"
is "POST /v1/config/reload: 200 when every daemon reloaded" "$(reload)" 200
is "... the reply says reloaded" "$(r .status)" reloaded
is "... for each daemon" "$(r '[.daemons[] | .status] | join(" ")')" "reloaded reloaded reloaded reloaded"
is "... each from its own process" \
	"$(r '[.daemons.dhcp6d.pid, .daemons.leasequeryd.pid, .daemons.ddnsd.pid, .daemons.apid.pid] | join(" ")')" \
	"$EPID $LPID $DPID $APID_PID"
is "... the engine names the changed pool end" \
	"$(r '.daemons.dhcp6d.changed | index("/dhcp6/subnets/0/pools/0/end") != null')" true
is "... every daemon names the same changed keys" \
	"$(r '[.daemons[] | .changed | sort | join(",")] | unique | length')" 1
is "... leasequeryd names its requesters" \
	"$(r '.daemons.leasequeryd.changed | index("/leasequery/requesters/0") != null')" true
is "... ddnsd names its window" "$(r '.daemons.ddnsd.changed | index("/ddns/window") != null')" true
is "... apid says max-body needs a restart, the others do not" \
	"$(r '[.daemons[] | .restart | join(",")] | join(";")')" ";;;/api/max-body"
is "the next client gets the pool's new address" "$(solicit 00010001000000000000000000a2)" 2001:db8:1::11
is "leasequeryd now refuses ::1: NotAllowed" "$(lq_status 2001:db8:1::10)" 10
wait_for "$T/d.log" "reload applied" 1 && ok "ddnsd logged its reload"
wait_for "$T/a.log" "reload: /api/max-body changed; it takes effect at the next restart" 1 &&
	ok "apid warns about the key that needs a restart"

# --- a bad file: refused everywhere with the loader's error, the running one stays ---
write_conf 11 '["2001:db8:ffff::/48"]' 8 32768 "$ADMIN_HASH" 300
is "a bad file: 422" "$(reload)" 422
is "... refused" "$(r .status)" refused
is "... by every daemon" "$(r '[.daemons[] | .status] | join(" ")')" "refused refused refused refused"
like "... with the loader's error, file and JSON path" "$(r .daemons.dhcp6d.error)" \
	"^$T/conf.json: /dhcp6/preference: expected"
is "... the same from every daemon, and as the reply's error" \
	"$(r '[(.daemons[] | .error), .error.message] | unique | length')" 1
is "... error code invalid_config" "$(r .error.code)" invalid_config
is "the engine still serves the running pool" "$(solicit 00010001000000000000000000a3)" none
cfg=$(api "$ADMIN_TOK" GET /v1/config | sed '$d')
is "apid still runs the old file" "$(jq -r .dhcp6.preference <<<"$cfg")" 10

# --- last errors in /v1/health ---
for _ in $(seq 250); do
	h=$(api "$ADMIN_TOK" GET /v1/health | sed '$d')
	[ "$(jq -r '[.daemons.dhcp6d, .daemons.leasequeryd, .daemons.ddnsd] |
		map(.errors // [] | map(.message) | join(" ") | contains("reload refused")) | all' <<<"$h")" = true ] && break
	sleep 0.1
done
like "/v1/health shows the engine's last error with its heartbeat" \
	"$(jq -r '.daemons.dhcp6d.errors[-1] | "\(.at) \(.message)"' <<<"$h")" \
	"^20[0-9-]{8}T[0-9:]{8}Z reload refused, keeping the running configuration: $T/conf.json: /dhcp6/preference"
like "... leasequeryd's and ddnsd's too" \
	"$(jq -r '[.daemons.leasequeryd, .daemons.ddnsd] | map(.errors[-1].message) | join("|")' <<<"$h")" \
	"^reload refused.*preference.*\|reload refused.*preference"
like "... and apid's own" "$(jq -r '.daemons.apid.errors[-1].message' <<<"$h")" "^reload refused"
is "... health stays 200: errors are shown, not judged" "$(jq -r .status <<<"$h")" ok

# --- apid's own tokens ---
write_conf 11 '["2001:db8:ffff::/48"]' 8 32768 "$NEW_HASH"
is "a new token in the file: 200" "$(reload)" 200
is "... apid names the token key" "$(r '.daemons.apid.changed | index("/api/tokens/0/token") != null')" true
is "the old token is refused now" "$(api "$ADMIN_TOK" GET /v1/config | tail -n1)" 401
is "the new one is taken" "$(api "$NEW_TOK" GET /v1/config | tail -n1)" 200
ADMIN_TOK=$NEW_TOK

# --- SIGHUP takes the same path ---
write_conf 12 '["2001:db8:ffff::/48"]' 8 32768 "$NEW_HASH"
kill -HUP "$EPID"
wait_for "$T/e.log" "configuration reloaded from $T/conf.json: 1 keys changed, first /dhcp6/subnets/0/pools/0/end" 1 &&
	ok "SIGHUP reloads the engine the same way, naming what changed"
is "... and the new address is given" "$(solicit 00010001000000000000000000a4)" 2001:db8:1::12

# --- a burst of requests: one reload a second, each daemon stays responsive ---
# Any role that can connect may NOTIFY <schema>_reload (lib/reload_chan.c).
declare -A before
for f in e l d a; do before[$f]=$(grep -c "configuration reloaded" "$T/$f.log"); done
for i in $(seq 50); do
	echo "NOTIFY ${SCHEMA}_reload, '{\"request\": \"burst-$i\"}';"
done | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
is "during a burst of 50 reload requests the engine answers" \
	"$(solicit 00010001000000000000000000a4)" 2001:db8:1::12
is "... and leasequeryd too" "$(lq_status 2001:db8:1::10)" 10
for f in e l d a; do
	wait_for "$T/$f.log" "configuration reloaded" $((before[$f] + 1)) ||
		not_ok "the burst reloads $f.log"
done
sleep 3 # a second reload, if any, comes at most 1 s after the first
for f in e l d a; do
	n=$(($(grep -c "configuration reloaded" "$T/$f.log") - before[$f]))
	[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "the burst costs $f.log $n reloads (at most 2)" ||
		not_ok "the burst costs $f.log $n reloads (at most 2)"
done
is "... and the engine says once that it coalesced them" \
	"$(grep -c "reload requests on ${SCHEMA}_reload within 1000 ms: reloading once" "$T/e.log")" 1
is "a reload right after another: 200" "$(reload)" 200
start=$(date +%s%N)
is "... and one within the second after it waits for the end of it: 200" "$(reload)" 200
is "... reloaded by every daemon" "$(r '[.daemons[] | .status] | join(" ")')" "reloaded reloaded reloaded reloaded"
el=$((($(date +%s%N) - start) / 1000000))
[ "$el" -le 10000 ] && ok "... within $el ms" || not_ok "... within $el ms"
sleep 1.2 # the next reload below must not wait

# --- a stopped daemon, a stale heartbeat ---
kill "$DPID" && wait "$DPID" 2>/dev/null
DPID=
start=$(date +%s)
is "ddnsd stopped, its heartbeat still fresh: 207" "$(reload '?timeout=2')" 207
is "... partial" "$(r .status)" partial
is "... ddnsd did not answer, the others reloaded" \
	"$(r '[.daemons.dhcp6d.status, .daemons.leasequeryd.status, .daemons.ddnsd.status, .daemons.apid.status] | join(" ")')" \
	"reloaded reloaded no_answer reloaded"
el=$(($(date +%s) - start))
[ "$el" -ge 2 ] && [ "$el" -le 8 ] && ok "... after the 2 s deadline ($el s)" || not_ok "... after the 2 s deadline ($el s)"
q "UPDATE ${SCHEMA}.heartbeats SET beat_at = now() - interval '90 s' WHERE daemon = 'ddnsd'" >/dev/null
is "its heartbeat stale: 207 at once" "$(reload)" 207
is "... ddnsd is stale, with its heartbeat's age" \
	"$(r '"\(.daemons.ddnsd.status) \(.daemons.ddnsd.heartbeat_age >= 90)"')" "stale true"
is "a bad timeout: 400" "$(reload '?timeout=60')" 400
is "without a token: 401" "$(curl -sS -g -o /dev/null -w '%{http_code}' -X POST "$URL/v1/config/reload")" 401

# --- api/openapi.yaml: every answer above fits it ---
tap_lines < <(node "$CHORUS_SRCDIR/tests/integration/openapi_check.js" answers "$CHORUS_SRCDIR/api/openapi.yaml" "$T/answers.jsonl")

done_testing
