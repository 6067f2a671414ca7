# Hook of the e2e clients, sourced by the per-client wrapper that sets
# CH_LOG (where to log), CH_KIND (dhclient | dhcpcd | dhcp6c) and CH_IF.
# Logs the environment of every call. For dhclient it also does what
# dhclient-script would, without touching /etc: addresses on the interface
# with their lifetimes, a delegated prefix as prefix::1/64 on chpd0.
{
	echo "=== $(date +%s.%N) $CH_KIND ${reason:-${REASON:-}}"
	env | grep -Ev '^(PWD|SHLVL|_|CH_[A-Z]+)=' | sort
} >>"$CH_LOG"

if [ "$CH_KIND" = dhclient ]; then
	case $reason in
	BOUND6 | RENEW6 | REBIND6 | REBOOT6)
		if [ -n "${new_ip6_address:-}" ]; then
			if [ "${new_max_life:-1}" = 0 ]; then
				ip -6 addr del "$new_ip6_address/128" dev "$CH_IF" 2>/dev/null
			else
				ip -6 addr replace "$new_ip6_address/128" dev "$CH_IF" scope global nodad \
					valid_lft "$new_max_life" preferred_lft "$new_preferred_life"
			fi
		fi
		if [ -n "${new_ip6_prefix:-}" ]; then
			if [ "${new_max_life:-1}" = 0 ]; then
				ip -6 addr del "${new_ip6_prefix%/*}1/64" dev chpd0 2>/dev/null
			else
				ip -6 addr replace "${new_ip6_prefix%/*}1/64" dev chpd0 nodad \
					valid_lft "$new_max_life" preferred_lft "$new_preferred_life"
			fi
		fi
		;;
	DEPREF6)
		[ -n "${cur_ip6_address:-}" ] &&
			ip -6 addr change "$cur_ip6_address/128" dev "$CH_IF" preferred_lft 0
		;;
	EXPIRE6 | RELEASE6 | STOP6)
		[ -n "${old_ip6_address:-}" ] && ip -6 addr del "$old_ip6_address/128" dev "$CH_IF" 2>/dev/null
		[ -n "${old_ip6_prefix:-}" ] && ip -6 addr del "${old_ip6_prefix%/*}1/64" dev chpd0 2>/dev/null
		;;
	esac
fi
exit 0
