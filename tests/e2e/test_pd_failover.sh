#!/usr/bin/env bash
# (e) Prefix delegation fails over like addresses: requesting routers bound
# to the preferred instance hold a prefix of a survivor's PD pool within T2
# plus a few seconds once it is stopped (split, unique), or keep their
# prefix, adopted by a sibling (identical). dhclient -P, dhcp6c and dhcpcd
# (ia_pd), each putting the delegated /56 on its chpd0 interface.
# Environment: E2E_SERVER (kea | chorus), E2E_MODELS (default: all three).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c python3
srv_need
models=${E2E_MODELS:-split unique identical}

pd_failover() { sc_failover "$1" pd dhclient dhcp6c dhcpcd; }

echo "# prefix delegation failover against $E2E_SERVER, models: $models"
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
# shellcheck disable=SC2086
e2e_parallel pd_failover $models
e2e_diag "took $(e2e_elapsed)s"
done_testing
