# Fuzz targets: tests/fuzz/fuzz_<parser>.c each define LLVMFuzzerTestOneInput.
# With --enable-fuzzing they link libFuzzer and `make fuzz-smoke` runs each
# for FUZZ_SECONDS; otherwise they link replay.c and `make check` replays
# tests/fuzz/corpus/<target>/ through them.
# Each target also needs its stanza below (SOURCES, LDADD, LDFLAGS).
FUZZ_TARGETS = \
	tests/fuzz/fuzz_d6_msg \
	tests/fuzz/fuzz_d6_relay \
	tests/fuzz/fuzz_conf \
	tests/fuzz/fuzz_reload \
	tests/fuzz/fuzz_d6_lq \
	tests/fuzz/fuzz_lq_query \
	tests/fuzz/fuzz_lq_handoff \
	tests/fuzz/fuzz_ddns_update \
	tests/fuzz/fuzz_api_query \
	tests/fuzz/fuzz_api_leases \
	tests/fuzz/fuzz_api_json
FUZZ_SECONDS ?= 60

if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_LIBS = $(CHORUS_LIBS)
FUZZ_LINKFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
noinst_LIBRARIES += tests/fuzz/libreplay.a
tests_fuzz_libreplay_a_SOURCES = tests/fuzz/replay.c
FUZZ_LIBS = tests/fuzz/libreplay.a $(CHORUS_LIBS)
FUZZ_LINKFLAGS = $(AM_LDFLAGS)
endif

tests_fuzz_fuzz_d6_msg_SOURCES = tests/fuzz/fuzz_d6_msg.c
tests_fuzz_fuzz_d6_msg_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_d6_msg_LDFLAGS = $(FUZZ_LINKFLAGS)
tests_fuzz_fuzz_d6_relay_SOURCES = tests/fuzz/fuzz_d6_relay.c
tests_fuzz_fuzz_d6_relay_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_d6_relay_LDFLAGS = $(FUZZ_LINKFLAGS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c
tests_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_conf_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_conf_LDFLAGS = $(FUZZ_LINKFLAGS)
tests_fuzz_fuzz_reload_SOURCES = tests/fuzz/fuzz_reload.c
tests_fuzz_fuzz_reload_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_reload_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_reload_LDFLAGS = $(FUZZ_LINKFLAGS)

tests_fuzz_fuzz_ddns_update_SOURCES = tests/fuzz/fuzz_ddns_update.c ddnsd/ddns_update.c \
	ddnsd/ddns_update.h
tests_fuzz_fuzz_ddns_update_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/ddnsd
tests_fuzz_fuzz_ddns_update_CFLAGS = $(AM_CFLAGS) $(LDNS_CFLAGS) $(CRYPTO_CFLAGS)
tests_fuzz_fuzz_ddns_update_LDADD = $(FUZZ_LIBS) $(LDNS_LIBS) $(CRYPTO_LIBS)
tests_fuzz_fuzz_ddns_update_LDFLAGS = $(FUZZ_LINKFLAGS)

tests_fuzz_fuzz_d6_lq_SOURCES = tests/fuzz/fuzz_d6_lq.c
tests_fuzz_fuzz_d6_lq_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_d6_lq_LDFLAGS = $(FUZZ_LINKFLAGS)
# leasequeryd's parse-and-decide, linked from its sources (lib/ is all it needs)
tests_fuzz_fuzz_lq_query_SOURCES = tests/fuzz/fuzz_lq_query.c leasequeryd/lq_query.c
tests_fuzz_fuzz_lq_query_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/leasequeryd
tests_fuzz_fuzz_lq_query_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_lq_query_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_lq_query_LDFLAGS = $(FUZZ_LINKFLAGS)

# the hand-off datagrams between chorus-dhcp6d and chorus-leasequeryd (lib/ only)
tests_fuzz_fuzz_lq_handoff_SOURCES = tests/fuzz/fuzz_lq_handoff.c
tests_fuzz_fuzz_lq_handoff_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_lq_handoff_LDFLAGS = $(FUZZ_LINKFLAGS)

# chorus-apid's parsers: query strings, lease filters, request bodies (all of api/ but main.c)
FUZZ_API_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/api -I$(top_srcdir)/sql
FUZZ_API_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS)
tests_fuzz_fuzz_api_query_SOURCES = tests/fuzz/fuzz_api_query.c $(API_CORE)
tests_fuzz_fuzz_api_query_CPPFLAGS = $(FUZZ_API_CPPFLAGS)
tests_fuzz_fuzz_api_query_CFLAGS = $(FUZZ_API_CFLAGS)
tests_fuzz_fuzz_api_query_LDADD = $(FUZZ_LIBS) $(MHD_LIBS)
tests_fuzz_fuzz_api_query_LDFLAGS = $(FUZZ_LINKFLAGS)
tests_fuzz_fuzz_api_leases_SOURCES = tests/fuzz/fuzz_api_leases.c $(API_CORE)
tests_fuzz_fuzz_api_leases_CPPFLAGS = $(FUZZ_API_CPPFLAGS)
tests_fuzz_fuzz_api_leases_CFLAGS = $(FUZZ_API_CFLAGS)
tests_fuzz_fuzz_api_leases_LDADD = $(FUZZ_LIBS) $(MHD_LIBS)
tests_fuzz_fuzz_api_leases_LDFLAGS = $(FUZZ_LINKFLAGS)
tests_fuzz_fuzz_api_json_SOURCES = tests/fuzz/fuzz_api_json.c $(API_CORE)
tests_fuzz_fuzz_api_json_CPPFLAGS = $(FUZZ_API_CPPFLAGS)
tests_fuzz_fuzz_api_json_CFLAGS = $(FUZZ_API_CFLAGS)
tests_fuzz_fuzz_api_json_LDADD = $(FUZZ_LIBS) $(MHD_LIBS)
tests_fuzz_fuzz_api_json_LDFLAGS = $(FUZZ_LINKFLAGS)

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/dict

# Runs every target for FUZZ_SECONDS on a scratch copy of its corpus and
# fails on the first crash or sanitizer report.
fuzz-smoke: $(FUZZ_TARGETS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		name=$$(basename $$t); \
		work=fuzz-work/$$name; rm -rf $$work; mkdir -p $$work/corpus $$work/artifacts; \
		cp -r $(top_srcdir)/tests/fuzz/corpus/$$name/. $$work/corpus/ 2>/dev/null || true; \
		dict=""; test -f $(top_srcdir)/tests/fuzz/dict/$$name.dict && dict="-dict=$(top_srcdir)/tests/fuzz/dict/$$name.dict"; \
		echo "fuzz-smoke: $$name for $(FUZZ_SECONDS)s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$$work/artifacts/ \
			$$dict $$work/corpus > $$work/log 2>&1 || { tail -60 $$work/log; echo "fuzz-smoke: $$name FAILED"; exit 1; }; \
		grep -E 'stat::number_of_executed_units|Done' $$work/log | tail -2; \
	done; echo "fuzz-smoke: all targets clean"

.PHONY: fuzz-smoke
