#!/bin/bash
# The core cases of test_ddnsd.sh (names added and removed with AAAA, DHCID and PTR, two
# addresses, each conflict policy, a wrong key, a zone not served, order, kill -9) against
# Knot DNS knotd instead of BIND 9 named: we talk DNS, not BIND.
DNS_IMPL=knot DDNS_CORE_ONLY=1 exec bash "$CHORUS_SRCDIR/tests/integration/test_ddnsd.sh"
