# Address math (addr6) and the JSON config loader (conf*): sources, unit tests.
lib_libchorus_a_SOURCES += lib/addr6.c lib/addr6.h

check_PROGRAMS += tests/unit/lib/test_addr6
TESTS += tests/unit/lib/test_addr6
tests_unit_lib_test_addr6_SOURCES = tests/unit/lib/test_addr6.c
tests_unit_lib_test_addr6_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_addr6_LDADD = $(UNIT_LIBS)
