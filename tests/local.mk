# tests/: cmocka unit tests (TAP output), integration and e2e scripts (TAP),
# fuzz targets. Every test speaks TAP so the summary counts single cases.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT += CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT;

UNIT_CF = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)
UNIT_LIBS = $(CHORUS_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/lib/test_wire
TESTS += tests/unit/lib/test_wire
tests_unit_lib_test_wire_SOURCES = tests/unit/lib/test_wire.c
tests_unit_lib_test_wire_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_wire_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_evl
TESTS += tests/unit/lib/test_evl
tests_unit_lib_test_evl_SOURCES = tests/unit/lib/test_evl.c
tests_unit_lib_test_evl_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_evl_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/integration/test_db
TESTS += tests/integration/test_db.sh
tests_integration_test_db_SOURCES = tests/integration/test_db.c
tests_integration_test_db_CFLAGS = $(UNIT_CF)
tests_integration_test_db_LDADD = $(UNIT_LIBS)

EXTRA_DIST += tests/integration/test_db.sh tests/lib/deps.sh tests/lib/tap.sh tests/lib/pg.sh tests/run

include tests/fuzz/local.mk
