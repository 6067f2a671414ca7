# api/: chorus-apid, the HTTP JSON admin API. Stands on lib/ only.
API_CORE = \
	api/api.h \
	api/api_config.c \
	api/api_events.c \
	api/api_health.c \
	api/api_http.c \
	api/api_json.c \
	api/api_lease_row.c \
	api/api_leases.c api/api_leases.h \
	api/api_metrics.c \
	api/api_query.c \
	api/api_reload.c \
	api/api_reservations.c api/api_reservations.h \
	api/api_route.c \
	api/api_stats.c \
	api/api_store.c api/api_store.h
API_CF = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS)
API_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/api -I$(top_srcdir)/sql

sbin_PROGRAMS += api/chorus-apid
api_chorus_apid_SOURCES = api/main.c $(API_CORE)
api_chorus_apid_CPPFLAGS = $(API_CPPFLAGS)
api_chorus_apid_CFLAGS = $(API_CF)
api_chorus_apid_LDADD = $(CHORUS_LIBS) $(MHD_LIBS)

# Integration: chorus-apid, chorus-dhcp6d and a private PostgreSQL, driven by curl.
TESTS += tests/integration/test_apid.sh tests/integration/test_apid_tls.sh \
	tests/integration/test_apid_relay.sh
EXTRA_DIST += tests/integration/test_apid.sh tests/integration/test_apid_tls.sh \
	tests/integration/test_apid_relay.sh \
	tests/integration/openapi_check.js api/openapi.yaml

# Unit tests: one cmocka program per parsing source file, linked with all of api/ but main.c.
API_UNIT_TESTS = tests/unit/api/test_api_json tests/unit/api/test_api_query \
	tests/unit/api/test_api_leases tests/unit/api/test_api_lease_row
check_PROGRAMS += $(API_UNIT_TESTS)
TESTS += $(API_UNIT_TESTS)
tests_unit_api_test_api_json_SOURCES = tests/unit/api/test_api_json.c $(API_CORE)
tests_unit_api_test_api_json_CPPFLAGS = $(API_CPPFLAGS)
tests_unit_api_test_api_json_CFLAGS = $(UNIT_CF) $(MHD_CFLAGS)
tests_unit_api_test_api_json_LDADD = $(UNIT_LIBS) $(MHD_LIBS)
tests_unit_api_test_api_query_SOURCES = tests/unit/api/test_api_query.c $(API_CORE)
tests_unit_api_test_api_query_CPPFLAGS = $(API_CPPFLAGS)
tests_unit_api_test_api_query_CFLAGS = $(UNIT_CF) $(MHD_CFLAGS)
tests_unit_api_test_api_query_LDADD = $(UNIT_LIBS) $(MHD_LIBS)
tests_unit_api_test_api_leases_SOURCES = tests/unit/api/test_api_leases.c $(API_CORE)
tests_unit_api_test_api_leases_CPPFLAGS = $(API_CPPFLAGS)
tests_unit_api_test_api_leases_CFLAGS = $(UNIT_CF) $(MHD_CFLAGS)
tests_unit_api_test_api_leases_LDADD = $(UNIT_LIBS) $(MHD_LIBS)
tests_unit_api_test_api_lease_row_SOURCES = tests/unit/api/test_api_lease_row.c $(API_CORE)
tests_unit_api_test_api_lease_row_CPPFLAGS = $(API_CPPFLAGS)
tests_unit_api_test_api_lease_row_CFLAGS = $(UNIT_CF) $(MHD_CFLAGS)
tests_unit_api_test_api_lease_row_LDADD = $(UNIT_LIBS) $(MHD_LIBS)
