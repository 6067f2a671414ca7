# tests/e2e: end-to-end scenarios with real third-party clients (ISC
# dhclient, dhcpcd, WIDE dhcp6c, ISC dhcrelay) in network namespaces named
# ch*, against chorus-dhcp6d (E2E_SERVER=chorus, the default; the binary of
# the build dir they run in) or Kea 2.2 (E2E_SERVER=kea). Root only: each
# script skips itself otherwise. tests/e2e/run-all.sh runs them all.
E2E_TESTS = tests/e2e/test_preference.sh tests/e2e/test_failover.sh \
	tests/e2e/test_relay.sh tests/e2e/test_pd_failover.sh \
	tests/e2e/test_stateless.sh tests/e2e/test_durability.sh \
	tests/e2e/test_decode.sh tests/e2e/test_cohost.sh \
	tests/e2e/test_health_preference.sh tests/e2e/test_boot_options.sh \
	tests/e2e/test_reconf.sh tests/e2e/test_ddns.sh tests/e2e/test_api_events.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/e2e/run-all.sh tests/e2e/demo-failover.sh \
	tests/e2e/lib/all.sh tests/e2e/lib/common.sh tests/e2e/lib/netns.sh tests/e2e/lib/servers.sh \
	tests/e2e/lib/clients.sh tests/e2e/lib/scenarios.sh tests/e2e/lib/hook.sh \
	tests/e2e/lib/model.py tests/e2e/lib/ip6.awk
