# tests/: cmocka unit tests (TAP output), integration and e2e scripts (TAP),
# fuzz targets. Every test speaks TAP so the summary counts single cases.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT += CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT;

# Test programs need only be listed: their source is <name>.c and they link
# with LDADD. UNIT_CF and UNIT_LIBS are for programs that set their own flags.
UNIT_CF = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)
UNIT_LIBS = $(CHORUS_LIBS) $(CMOCKA_LIBS)
AM_CFLAGS += $(CMOCKA_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)
LDADD = $(UNIT_LIBS)

# One cmocka program per source file of lib/ (STYLE.md section 12).
LIB_UNIT_TESTS = \
	tests/unit/lib/test_wire \
	tests/unit/lib/test_evl \
	tests/unit/lib/test_addr6 \
	tests/unit/lib/test_duid \
	tests/unit/lib/test_hex \
	tests/unit/lib/test_d6_opt \
	tests/unit/lib/test_d6_msg \
	tests/unit/lib/test_d6_ia \
	tests/unit/lib/test_d6_relay \
	tests/unit/lib/test_d6_lq \
	tests/unit/lib/test_lq_handoff \
	tests/unit/lib/test_udp6_out \
	tests/unit/lib/test_d6_text \
	tests/unit/lib/test_d6_malformed \
	tests/unit/lib/test_conf \
	tests/unit/lib/test_conf_diff \
	tests/unit/lib/test_log \
	tests/unit/lib/test_daemon \
	tests/unit/lib/test_reload
check_PROGRAMS += $(LIB_UNIT_TESTS)
TESTS += $(LIB_UNIT_TESTS)
EXTRA_DIST += tests/unit/lib/fixtures tests/unit/lib/corpus_walk.h

# Integration tests: a real PostgreSQL (lib_admin.sh starts one if PGHOST is unset).
check_PROGRAMS += tests/integration/test_db
TESTS += tests/integration/test_db.sh
# POST /v1/config/reload and health's last errors with all four daemons (lib/reload.h).
TESTS += tests/integration/test_reload.sh
EXTRA_DIST += tests/integration/test_reload.sh
# tests/lib/ports.sh: free_ports skips ports held for TCP or UDP.
TESTS += tests/integration/test_ports.sh
EXTRA_DIST += tests/integration/test_ports.sh

EXTRA_DIST += tests/integration/test_db.sh tests/lib/deps.sh tests/lib/tap.sh tests/lib/pg.sh tests/lib/ports.sh tests/run

include tests/fuzz/local.mk
