# DHCPv6 codec (d6_*) and DUIDs: sources, unit tests.
lib_libchorus_a_SOURCES += \
	lib/d6_consts.c lib/d6_consts.h \
	lib/d6_dname.c lib/d6_dname.h \
	lib/d6_opt.c lib/d6_opt.h \
	lib/d6_msg.c lib/d6_msg.h \
	lib/d6_ia.c lib/d6_ia.h

EXTRA_DIST += tests/unit/lib/fixtures

check_PROGRAMS += tests/unit/lib/test_d6_msg
TESTS += tests/unit/lib/test_d6_msg
tests_unit_lib_test_d6_msg_SOURCES = tests/unit/lib/test_d6_msg.c
tests_unit_lib_test_d6_msg_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_d6_msg_LDADD = $(UNIT_LIBS)
