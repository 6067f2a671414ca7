# leasequeryd/: chorus-leasequeryd (RFC 5007 through the engine's hand-off,
# RFC 5460 bulk leasequery on TCP) and the requestor chorus-lq.
LQ_CORE = \
	leasequeryd/lq.h \
	leasequeryd/lq_acl.c \
	leasequeryd/lq_batch.c leasequeryd/lq_batch.h \
	leasequeryd/lq_direct.c leasequeryd/lq_direct.h \
	leasequeryd/lq_local.c leasequeryd/lq_local.h \
	leasequeryd/lq_query.c leasequeryd/lq_query.h \
	leasequeryd/lq_reply.c leasequeryd/lq_reply.h \
	leasequeryd/lq_stats.c \
	leasequeryd/lq_store.c leasequeryd/lq_store.h \
	leasequeryd/lq_tcp.c leasequeryd/lq_tcp.h
LQ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/leasequeryd -I$(top_srcdir)/sql
LQ_CF = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)

sbin_PROGRAMS += leasequeryd/chorus-leasequeryd
leasequeryd_chorus_leasequeryd_SOURCES = leasequeryd/main.c leasequeryd/lq_net.c \
	leasequeryd/lq_net.h $(LQ_CORE)
leasequeryd_chorus_leasequeryd_CPPFLAGS = $(LQ_CPPFLAGS)
leasequeryd_chorus_leasequeryd_CFLAGS = $(LQ_CF)
leasequeryd_chorus_leasequeryd_LDADD = $(CHORUS_LIBS)

# Integration: leasequeryd behind a real chorus-dhcp6d, a private PostgreSQL.
TESTS += tests/integration/test_leasequeryd.sh tests/integration/test_leasequeryd_bulk.sh \
	tests/integration/test_chorus_lq.sh tests/integration/test_leasequeryd_standby.sh \
	tests/integration/test_leasequeryd_batch.sh tests/integration/test_leasequeryd_direct.sh \
	tests/integration/test_leasequeryd_steer.sh
EXTRA_DIST += tests/integration/test_leasequeryd.sh tests/integration/test_leasequeryd_bulk.sh \
	tests/integration/test_chorus_lq.sh tests/integration/test_leasequeryd_standby.sh \
	tests/integration/test_leasequeryd_batch.sh tests/integration/test_leasequeryd_direct.sh \
	tests/integration/test_leasequeryd_steer.sh \
	tests/integration/lq_requestor.py \
	tests/integration/lib_lq.sh

# chorus-lq, the requestor: one view across instances.
bin_PROGRAMS += leasequeryd/chorus-lq
leasequeryd_chorus_lq_SOURCES = leasequeryd/lq_cli.c leasequeryd/lq_cli.h \
	leasequeryd/lq_cli_ask.c leasequeryd/lq_cli_merge.c
leasequeryd_chorus_lq_CPPFLAGS = $(LQ_CPPFLAGS)
leasequeryd_chorus_lq_CFLAGS = $(LQ_CF)
leasequeryd_chorus_lq_LDADD = $(CHORUS_LIBS)

# Unit tests of parse-and-decide, of the builders and of the batches (no sockets, no
# database: the batch test stands in for the statement at link time).
check_PROGRAMS += tests/unit/leasequeryd/test_lq_query tests/unit/leasequeryd/test_lq_reply \
	tests/unit/leasequeryd/test_lq_batch
TESTS += tests/unit/leasequeryd/test_lq_query tests/unit/leasequeryd/test_lq_reply \
	tests/unit/leasequeryd/test_lq_batch
tests_unit_leasequeryd_test_lq_batch_SOURCES = tests/unit/leasequeryd/test_lq_batch.c \
	leasequeryd/lq_batch.c leasequeryd/lq_store.c leasequeryd/lq_stats.c
tests_unit_leasequeryd_test_lq_batch_CPPFLAGS = $(LQ_CPPFLAGS)
tests_unit_leasequeryd_test_lq_batch_CFLAGS = $(UNIT_CF)
tests_unit_leasequeryd_test_lq_batch_LDFLAGS = -Wl,--wrap=lq_store_lookup_addrs
tests_unit_leasequeryd_test_lq_batch_LDADD = $(UNIT_LIBS)
tests_unit_leasequeryd_test_lq_query_SOURCES = tests/unit/leasequeryd/test_lq_query.c \
	leasequeryd/lq_query.c
tests_unit_leasequeryd_test_lq_query_CPPFLAGS = $(LQ_CPPFLAGS)
tests_unit_leasequeryd_test_lq_query_CFLAGS = $(UNIT_CF)
tests_unit_leasequeryd_test_lq_query_LDADD = $(UNIT_LIBS)
tests_unit_leasequeryd_test_lq_reply_SOURCES = tests/unit/leasequeryd/test_lq_reply.c \
	leasequeryd/lq_reply.c
tests_unit_leasequeryd_test_lq_reply_CPPFLAGS = $(LQ_CPPFLAGS)
tests_unit_leasequeryd_test_lq_reply_CFLAGS = $(UNIT_CF)
tests_unit_leasequeryd_test_lq_reply_LDADD = $(UNIT_LIBS)

# End to end: real dhclient -6 behind a real dhcrelay -6 (tests/e2e/lib), root only.
TESTS += tests/e2e/test_leasequery.sh
EXTRA_DIST += tests/e2e/test_leasequery.sh
