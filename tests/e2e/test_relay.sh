#!/usr/bin/env bash
# (c) Clients behind ISC dhcrelay -6, which relays to every instance, get
# their lease from the preferred instance, and fail over through the relay
# when it is stopped. Split model (subnet by the relay's link-address) and
# unique model (the second instance selects its subnet by the relay's
# address), dhclient, dhcpcd and dhcp6c each.
# Environment: E2E_SERVER (kea | chorus), E2E_MODELS (default: split unique).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c dhcrelay python3
srv_need
models=${E2E_MODELS:-split unique}
SC_TOPO=relayed

relayed() { sc_failover "$1" na dhclient dhcpcd dhcp6c; }

echo "# relayed clients against $E2E_SERVER, models: $models"
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
# shellcheck disable=SC2086
e2e_parallel relayed $models
e2e_diag "took $(e2e_elapsed)s"
done_testing
