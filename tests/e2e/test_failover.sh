#!/usr/bin/env bash
# (b) After the preferred instance is stopped, clients of the split and
# unique-prefix models hold an address from a surviving instance's range
# within T2 plus a few seconds and the old address is gone; clients of the
# identical model keep their address (a sibling adopts the binding on
# Rebind). Every model (split also with three instances) runs at once, each
# on its own link, with dhclient, dhcpcd and dhcp6c.
# Environment: E2E_SERVER (kea | chorus), E2E_MODELS (default: all four).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c python3
srv_need
models=${E2E_MODELS:-split unique identical split3}

failover() { sc_failover "$1" na dhclient dhcpcd dhcp6c; }

echo "# failover (IA_NA) against $E2E_SERVER, models: $models"
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
# shellcheck disable=SC2086
e2e_parallel failover $models
e2e_diag "took $(e2e_elapsed)s"
done_testing
