#!/bin/bash
# chorus-apid with TLS (libmicrohttpd's GnuTLS backend) against a private PostgreSQL: a
# test certificate made here with openssl, curl trusting it gets health and leases over
# https; plain HTTP to the same port gets no HTTP answer; a client that does not trust
# the certificate is refused; an unreadable key stops the daemon at start.
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"

APID="$CHORUS_BUILDDIR/api/chorus-apid"
SCHEMA=apitls_$IT
APORT=$(free_ports 1) || bail "no free port"
T=$(mktemp -d /tmp/chorus-apitls.XXXXXX)
APID_PID=

cleanup() {
	[ -n "$APID_PID" ] && kill "$APID_PID" 2>/dev/null && wait "$APID_PID" 2>/dev/null
	rm -rf "$T"
	it_cleanup
}

need curl openssl jq
it_setup apitls
trap cleanup EXIT
"$ADMIN" db-init --schema "$SCHEMA" --no-roles >/dev/null || bail "db-init failed"
read -r TOK HASH < <("$ADMIN" token-new | paste -sd' ')

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:::1" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || bail "openssl could not make a certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=other" -keyout "$T/other-key.pem" -out "$T/other.pem" >/dev/null 2>&1

write_conf() { # KEYFILE
	cat >"$T/conf.json" <<JSON
{ "instance": { "name": "it-tls", "schema": "$SCHEMA", "database": { "conninfo": "dbname=$PGDATABASE" } },
  "logging": { "level": "info", "syslog": false },
  "dhcp6": { "hash-key": "integration-test-key-0001", "subnets": [] },
  "api": { "listen": ["[::1]:$APORT"], "tls": { "cert": "$T/cert.pem", "key": "$1" },
    "tokens": [ { "name": "ops", "token": "$HASH", "role": "admin" } ] } }
JSON
}

write_conf "$T/missing-key.pem"
"$APID" -c "$T/conf.json" -d >"$T/bad.log" 2>&1
is "an unreadable key stops the daemon at start" "$?" 1
like "... naming the file" "$(cat "$T/bad.log")" "cannot read the TLS key $T/missing-key.pem"

write_conf "$T/key.pem"
"$APID" -c "$T/conf.json" -d >>"$T/a.log" 2>&1 &
APID_PID=$!
for _ in $(seq 100); do grep -q "database ready" "$T/a.log" 2>/dev/null && break; sleep 0.1; done
like "it listens on https" "$(cat "$T/a.log")" "listening on https://\[::1\]:$APORT"

out=$(curl -sS -g -m 10 --cacert "$T/cert.pem" -w '\n%{http_code}' "https://[::1]:$APORT/v1/health")
is "https with the test certificate: health answers" "$(tail -n1 <<<"$out")" 503
is "... as JSON (no engine here, so 503)" "$(sed '$d' <<<"$out" | jq -r .daemons.dhcp6d.status)" missing
out=$(curl -sS -g -m 10 --cacert "$T/cert.pem" -H "Authorization: Bearer $TOK" -w '\n%{http_code}' "https://[::1]:$APORT/v1/leases")
is "https with a token: the lease list" "$(tail -n1 <<<"$out"):$(sed '$d' <<<"$out" | jq -r .count)" "200:0"
out=$(curl -sS -g -m 10 --cacert "$T/cert.pem" -w '%{http_code}' -o /dev/null "https://localhost:$APORT/v1/leases" 2>&1)
is "https by name, no token: 401" "$out" 401
code=$(curl -sS -g -m 10 -o /dev/null -w '%{http_code}' "http://[::1]:$APORT/v1/health" 2>/dev/null)
is "plain HTTP to the TLS port gets no HTTP answer" "$code" 000
code=$(curl -sS -g -m 10 --cacert "$T/other.pem" -o /dev/null -w '%{http_code}' "https://[::1]:$APORT/v1/health" 2>/dev/null)
is "a client that does not trust the certificate is refused" "$code" 000
kill -0 "$APID_PID" 2>/dev/null && ok "the daemon is still up after the refused clients" || not_ok "the daemon is still up"
kill -TERM "$APID_PID"
wait "$APID_PID"
is "SIGTERM: clean exit" "$?" 0
APID_PID=
done_testing
