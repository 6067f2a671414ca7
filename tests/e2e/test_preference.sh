#!/usr/bin/env bash
# (a) With every instance up, clients take the address of the instance
# whose Advertise carries Preference 255. All models at once, dhclient,
# dhcpcd and dhcp6c each.
# dhcpcd (9.4) requests the first Advertise it receives and never compares
# Preference values, so its line only checks that it holds a lease of one
# of the instances, and says whose.
# Environment: E2E_SERVER (kea | chorus), E2E_MODELS (default: all four).
set -u
. "$(dirname "$0")/lib/all.sh"
e2e_need_root
e2e_need dhclient dhcpcd dhcp6c python3
srv_need
models=${E2E_MODELS:-split unique identical split3}
SC_TODO_dhcpcd="dhcpcd takes the first Advertise, whatever its Preference"

preference() { sc_preference "$1" na dhclient dhcpcd dhcp6c; }

echo "# preference against $E2E_SERVER, models: $models"
[ "$E2E_SERVER" = chorus ] && { srv_pg || bail "no PostgreSQL"; }
# shellcheck disable=SC2086
e2e_parallel preference $models
e2e_diag "took $(e2e_elapsed)s"
done_testing
