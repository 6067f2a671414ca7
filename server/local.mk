# server/: chorus-dhcp6d. Everything but main.c and srv_sock.c is also
# linked into the unit tests, which replace the socket with a fake.
SRV_CORE = \
	server/srv.h \
	server/srv_alloc.c server/srv_alloc.h \
	server/srv_fqdn.c server/srv_fqdn.h \
	server/srv_health.c server/srv_health.h \
	server/srv_history.c server/srv_history.h \
	server/srv_confirm.c \
	server/srv_handlers.h \
	server/srv_ia.c server/srv_ia.h \
	server/srv_inforeq.c \
	server/srv_lease.c server/srv_lease.h \
	server/srv_link.c server/srv_link.h \
	server/srv_lq.c server/srv_lq.h \
	server/srv_opts.c server/srv_opts.h \
	server/srv_reclaim.c server/srv_reclaim.h \
	server/srv_resv.c server/srv_resv.h \
	server/srv_relayinfo.c server/srv_relayinfo.h \
	server/srv_release.c \
	server/srv_renew.c \
	server/srv_reply.c server/srv_reply.h \
	server/srv_request.c \
	server/srv_rx.c server/srv_rx.h \
	server/srv_solicit.c \
	server/srv_stats.c \
	server/srv_store.c server/srv_store.h \
	server/srv_store_conn.c \
	server/srv_store_group.c server/srv_store_group.h \
	server/srv_store_sql.c server/srv_store_sql.h \
	server/srv_txn.c server/srv_txn.h
SRV_CF = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)
SRV_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/server -I$(top_srcdir)/sql

sbin_PROGRAMS += server/chorus-dhcp6d
server_chorus_dhcp6d_SOURCES = server/main.c server/srv_sock.c server/srv_sock.h $(SRV_CORE)
server_chorus_dhcp6d_CPPFLAGS = $(SRV_CPPFLAGS)
server_chorus_dhcp6d_CFLAGS = $(SRV_CF)
server_chorus_dhcp6d_LDADD = $(CHORUS_LIBS)

# Unit tests: the real packet path and handlers, a fake socket (link time).
SRV_UT_SOURCES = tests/unit/server/fixture.c tests/unit/server/fixture.h \
	tests/unit/server/fake_sock.c server/srv_sock.h $(SRV_CORE)
SRV_UT_CPPFLAGS = $(SRV_CPPFLAGS) -I$(top_srcdir)/tests/unit/server

check_PROGRAMS += tests/unit/server/test_srv_handlers
TESTS += tests/unit/server/test_srv_handlers
tests_unit_server_test_srv_handlers_SOURCES = tests/unit/server/test_srv_handlers.c \
	$(SRV_UT_SOURCES)
tests_unit_server_test_srv_handlers_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_handlers_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_handlers_LDADD = $(UNIT_LIBS)

# Integration: the daemon against a private PostgreSQL, driven by a relay client.
TESTS += tests/integration/test_dhcp6d.sh
EXTRA_DIST += tests/integration/test_dhcp6d.sh tests/integration/test_dhcp6d_client.py \
	tests/integration/d6wire.py
TESTS += tests/integration/test_dhcp6d_reconf.sh
EXTRA_DIST += tests/integration/test_dhcp6d_reconf.sh
TESTS += tests/integration/test_dhcp6d_reconf_refuse.sh
EXTRA_DIST += tests/integration/test_dhcp6d_reconf_refuse.sh tests/integration/lib_reconf.sh
TESTS += tests/integration/test_dhcp6d_options.sh
EXTRA_DIST += tests/integration/test_dhcp6d_options.sh tests/integration/tshark_options.py
TESTS += tests/integration/test_dhcp6d_deleted.sh
EXTRA_DIST += tests/integration/test_dhcp6d_deleted.sh

check_PROGRAMS += tests/unit/server/test_srv_alloc
TESTS += tests/unit/server/test_srv_alloc
tests_unit_server_test_srv_alloc_SOURCES = tests/unit/server/test_srv_alloc.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_alloc_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_alloc_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_alloc_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_txn
TESTS += tests/unit/server/test_srv_txn
tests_unit_server_test_srv_txn_SOURCES = tests/unit/server/test_srv_txn.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_txn_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_txn_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_txn_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_link
TESTS += tests/unit/server/test_srv_link
tests_unit_server_test_srv_link_SOURCES = tests/unit/server/test_srv_link.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_link_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_link_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_link_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_reconf
TESTS += tests/unit/server/test_srv_reconf
tests_unit_server_test_srv_reconf_SOURCES = tests/unit/server/test_srv_reconf.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_reconf_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_reconf_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_reconf_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_health
TESTS += tests/unit/server/test_srv_health
tests_unit_server_test_srv_health_SOURCES = tests/unit/server/test_srv_health.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_health_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_health_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_health_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_opts
TESTS += tests/unit/server/test_srv_opts
tests_unit_server_test_srv_opts_SOURCES = tests/unit/server/test_srv_opts.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_opts_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_opts_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_opts_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/server/test_srv_fqdn
TESTS += tests/unit/server/test_srv_fqdn
tests_unit_server_test_srv_fqdn_SOURCES = tests/unit/server/test_srv_fqdn.c $(SRV_UT_SOURCES)
tests_unit_server_test_srv_fqdn_CPPFLAGS = $(SRV_UT_CPPFLAGS)
tests_unit_server_test_srv_fqdn_CFLAGS = $(UNIT_CF)
tests_unit_server_test_srv_fqdn_LDADD = $(UNIT_LIBS)
