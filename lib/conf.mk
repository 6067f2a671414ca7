# Address math (addr6) and the JSON config loader (conf*): sources, unit tests.
lib_libchorus_a_SOURCES += lib/addr6.c lib/addr6.h

check_PROGRAMS += tests/unit/lib/test_addr6
TESTS += tests/unit/lib/test_addr6
tests_unit_lib_test_addr6_SOURCES = tests/unit/lib/test_addr6.c
tests_unit_lib_test_addr6_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_addr6_LDADD = $(UNIT_LIBS)

lib_libchorus_a_SOURCES += \
	lib/conf.c lib/conf.h \
	lib/conf_walk.c lib/conf_walk.h \
	lib/conf_instance.c \
	lib/conf_dhcp6.c lib/conf_subnet.c \
	lib/conf_leasequery.c \
	lib/conf_ddns.c \
	lib/conf_api.c

check_PROGRAMS += tests/unit/lib/test_conf
TESTS += tests/unit/lib/test_conf
tests_unit_lib_test_conf_SOURCES = tests/unit/lib/test_conf.c
tests_unit_lib_test_conf_CFLAGS = $(UNIT_CF)
tests_unit_lib_test_conf_LDADD = $(UNIT_LIBS)

dist_examples_DATA += \
	contrib/examples/README.md \
	contrib/examples/split-prefixes-s1.json contrib/examples/split-prefixes-s2.json \
	contrib/examples/unique-prefixes-s1.json contrib/examples/unique-prefixes-s2.json \
	contrib/examples/identical-prefixes-s1.json contrib/examples/identical-prefixes-s2.json
