#!/usr/bin/env bash
# Stateless DHCPv6 (RFC 8415 section 6.1): Information-request answered
# with the DNS servers and the domain search list, to dhclient -S, dhcpcd
# --inform6 and dhcp6c (information-only), with both instances of the
# split model on the link.
# Environment: E2E_SERVER (kea | chorus).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c python3
srv_need
model='split'
kinds=(dhclient dhcpcd dhcp6c)
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
echo "# stateless against $E2E_SERVER"
sc_topology $model 2 ${#kinds[@]} || exit 1
sc_servers $model 1 2 || exit 1
sc_clients info "${kinds[@]}"
dns=$(e2e_model get $model dns-servers)
search=$(e2e_model get $model domain-search)
# dhclient: new_dhcp6_name_servers, new_dhcp6_domain_search; dhcpcd: the
# same names; dhcp6c: new_domain_name_servers, new_domain_name.
for k in "${!kinds[@]}"; do
	c=c$((k + 1))
	if e2e_wait 20 cli_hook_has "$c" "^new_(dhcp6_)?(domain_)?name_servers='?${dns%% *}"; then
		got=$(grep -Eh "^new_(dhcp6_)?(domain_)?name_servers=" "${CLI_DIR[$c]}/hook.log" | tail -1)
		all=1
		for a in $dns; do
			case " $(echo "${got#*=}" | tr -d "'") " in *" $a "*) ;; *) all= ;; esac
		done
		if [ -n "$all" ]; then
			ok "${kinds[$k]}: DNS servers $dns"
		else
			not_ok "${kinds[$k]}: DNS servers $dns (got $got)"
		fi
		if cli_hook_has "$c" "^new_(dhcp6_domain_search|domain_name)='?${search%% *}"; then
			ok "${kinds[$k]}: domain search $search"
		else
			not_ok "${kinds[$k]}: domain search $search"
			grep -E '^(new_|reason|REASON)' "${CLI_DIR[$c]}/hook.log" | sed 's/^/#   /' | tail -20
		fi
		if [ -z "$(cli_leases "$c" 2>/dev/null)" ] && [ -z "$(netns_global "${CLI_NS[$c]}" ch0)" ]; then
			ok "${kinds[$k]}: no address configured"
		else
			not_ok "${kinds[$k]}: no address configured (has $(netns_global "${CLI_NS[$c]}" ch0 | xargs))"
		fi
	else
		not_ok "${kinds[$k]}: Information-request answered with DNS servers"
		cli_log "$c"
		srv_log 1 15
	fi
done
e2e_diag "took $(e2e_elapsed)s"
done_testing
