# DHCPv6 codec (d6_*) and DUIDs: sources, unit tests.
lib_libchorus_a_SOURCES += \
	lib/d6_consts.c lib/d6_consts.h \
	lib/d6_dname.c lib/d6_dname.h \
	lib/d6_opt.c lib/d6_opt.h \
	lib/d6_msg.c lib/d6_msg.h \
	lib/d6_ia.c lib/d6_ia.h \
	lib/d6_relay.c lib/d6_relay.h \
	lib/d6_lq.c lib/d6_lq.h \
	lib/duid.c lib/duid.h \
	lib/d6_text.c lib/d6_text.h

EXTRA_DIST += tests/unit/lib/fixtures

check_PROGRAMS += tests/unit/lib/test_d6_msg
TESTS += tests/unit/lib/test_d6_msg
tests_unit_lib_test_d6_msg_SOURCES = tests/unit/lib/test_d6_msg.c
tests_unit_lib_test_d6_msg_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_msg_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_opt
TESTS += tests/unit/lib/test_d6_opt
tests_unit_lib_test_d6_opt_SOURCES = tests/unit/lib/test_d6_opt.c
tests_unit_lib_test_d6_opt_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_opt_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_ia
TESTS += tests/unit/lib/test_d6_ia
tests_unit_lib_test_d6_ia_SOURCES = tests/unit/lib/test_d6_ia.c
tests_unit_lib_test_d6_ia_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_ia_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_relay
TESTS += tests/unit/lib/test_d6_relay
tests_unit_lib_test_d6_relay_SOURCES = tests/unit/lib/test_d6_relay.c
tests_unit_lib_test_d6_relay_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_relay_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_lq
TESTS += tests/unit/lib/test_d6_lq
tests_unit_lib_test_d6_lq_SOURCES = tests/unit/lib/test_d6_lq.c
tests_unit_lib_test_d6_lq_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_lq_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_duid
TESTS += tests/unit/lib/test_duid
tests_unit_lib_test_duid_SOURCES = tests/unit/lib/test_duid.c
tests_unit_lib_test_duid_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_duid_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_text
TESTS += tests/unit/lib/test_d6_text
tests_unit_lib_test_d6_text_SOURCES = tests/unit/lib/test_d6_text.c
tests_unit_lib_test_d6_text_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_text_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/lib/test_d6_malformed
TESTS += tests/unit/lib/test_d6_malformed
tests_unit_lib_test_d6_malformed_SOURCES = tests/unit/lib/test_d6_malformed.c
tests_unit_lib_test_d6_malformed_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_malformed_LDADD = $(UNIT_LIBS)
