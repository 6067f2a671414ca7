# ddnsd/: chorus-ddnsd, the RFC 2136 DNS updater of an instance. Everything
# but main.c, ddns_net.c and ddns_conn.c is also linked into the unit tests.
DDNS_CORE = \
	ddnsd/ddns.h \
	ddnsd/ddns_batch.c ddnsd/ddns_batch.h \
	ddnsd/ddns_outbox.c ddnsd/ddns_outbox.h \
	ddnsd/ddns_store.c ddnsd/ddns_store.h \
	ddnsd/ddns_update.c ddnsd/ddns_update.h
DDNS_CF = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(LDNS_CFLAGS) $(CRYPTO_CFLAGS)
DDNS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/ddnsd -I$(top_srcdir)/sql
DDNS_LIBS = $(CHORUS_LIBS) $(LDNS_LIBS) $(CRYPTO_LIBS)

sbin_PROGRAMS += ddnsd/chorus-ddnsd
ddnsd_chorus_ddnsd_SOURCES = ddnsd/main.c ddnsd/ddns_net.c ddnsd/ddns_net.h \
	ddnsd/ddns_conn.c ddnsd/ddns_conn.h $(DDNS_CORE)
ddnsd_chorus_ddnsd_CPPFLAGS = $(DDNS_CPPFLAGS)
ddnsd_chorus_ddnsd_CFLAGS = $(DDNS_CF)
ddnsd_chorus_ddnsd_LDADD = $(DDNS_LIBS)

# Unit tests: the DNS messages against the spec digest's vectors.
check_PROGRAMS += tests/unit/ddnsd/test_ddns_update
TESTS += tests/unit/ddnsd/test_ddns_update
tests_unit_ddnsd_test_ddns_update_SOURCES = tests/unit/ddnsd/test_ddns_update.c \
	ddnsd/ddns_update.c ddnsd/ddns_update.h
tests_unit_ddnsd_test_ddns_update_CPPFLAGS = $(DDNS_CPPFLAGS)
tests_unit_ddnsd_test_ddns_update_CFLAGS = $(UNIT_CF) $(LDNS_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_ddnsd_test_ddns_update_LDADD = $(UNIT_LIBS) $(LDNS_LIBS) $(CRYPTO_LIBS)

# Integration: the daemon with a real chorus-dhcp6d, PostgreSQL and BIND 9 named.
TESTS += tests/integration/test_ddnsd.sh tests/integration/test_ddnsd_knot.sh \
	tests/integration/test_ddnsd_failover.sh tests/integration/test_ddns_wire.sh
EXTRA_DIST += tests/integration/test_ddnsd.sh tests/integration/test_ddnsd_knot.sh \
	tests/integration/test_ddnsd_failover.sh tests/integration/test_ddns_wire.sh \
	tests/integration/lib_dns.sh
