#!/usr/bin/env bash
# RFC 5970 boot options from option-data (issue 10 item 3) to a real ISC
# dhclient -6 that defines BOOTFILE_URL itself ("option dhcp6.bootfile-url
# code 59 = string") and asks for it: its hook sees the URL of the instance it
# binds to, and a vendor option it did not ask for stays out. Chorus only.
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient python3 jq psql
[ "$E2E_SERVER" = chorus ] || { echo "1..0 # SKIP option-data is chorus's configuration"; exit 0; }
srv_need
model=split
URL='http://[2001:db8:1:1::8]/boot/ipxe.efi'
SRV_JQ[1]='.dhcp6["option-data"] = [
	{"name": "bootfile-url", "data": "'"$URL"'"},
	{"name": "bootfile-url", "data": "http://[2001:db8:1:1::8]/boot/arm64.efi", "client-arch": [11]},
	{"name": "vendor-opts", "enterprise": 32473,
	 "sub-options": [{"code": 1, "type": "string", "data": "not-asked"}]}]'
CLI_DHCLIENT_EXTRA='option dhcp6.bootfile-url code 59 = string;
also request dhcp6.bootfile-url;'

echo "# boot options against chorus, model $model"
srv_pg || bail "no PostgreSQL"
sc_topology "$model" 1 1 || bail "no namespaces"
sc_servers "$model" 1 1 || bail "server did not start"
sc_clients na dhclient
sc_wait_bound "$model" na 1 "$SC_BIND_WAIT" dhclient
if e2e_wait 10 cli_hook_has c1 "^new_dhcp6_bootfile_url="; then
	is "dhclient received BOOTFILE_URL" \
		"$(grep -h '^new_dhcp6_bootfile_url=' "${CLI_DIR[c1]}/hook.log" | tail -1 | cut -d= -f2- | tr -d "'")" \
		"$URL"
else
	not_ok "dhclient received BOOTFILE_URL"
	cli_log c1
	srv_log 1 15
fi
cli_hook_has c1 "^new_dhcp6_vendor" && not_ok "no vendor option it did not ask for" ||
	ok "no vendor option it did not ask for"
e2e_diag "took $(e2e_elapsed)s"
done_testing
