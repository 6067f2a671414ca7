# lib/: the only shared code. One static library linked by daemons, tests
# and fuzzers; daemons depend on lib, lib depends on no daemon.
noinst_LIBRARIES += lib/libchorus.a
lib_libchorus_a_SOURCES = \
	lib/errors.c lib/errors.h \
	lib/wire.c lib/wire.h lib/hex.c lib/hex.h \
	lib/log.c lib/log.h \
	lib/daemon.c lib/daemon.h \
	lib/evl.c lib/evl.h \
	lib/db.c lib/db.h \
	lib/addr6.c lib/addr6.h \
	lib/duid.c lib/duid.h \
	lib/d6_consts.c lib/d6_consts.h \
	lib/d6_dname.c lib/d6_dname.h \
	lib/d6_opt.c lib/d6_opt.h \
	lib/d6_msg.c lib/d6_msg.h \
	lib/d6_ia.c lib/d6_ia.h \
	lib/d6_relay.c lib/d6_relay.h \
	lib/d6_lq.c lib/d6_lq.h \
	lib/lq_handoff.c lib/lq_handoff.h \
	lib/udp6_out.c lib/udp6_out.h \
	lib/d6_text.c lib/d6_text.h \
	lib/conf.c lib/conf.h \
	lib/conf_diff.c lib/conf_diff.h \
	lib/reload.c lib/reload_chan.c lib/reload.h \
	lib/conf_walk.c lib/conf_walk.h \
	lib/conf_instance.c \
	lib/conf_dhcp6.c lib/conf_health.c lib/conf_optdata.c lib/conf_options.c lib/conf_subnet.c \
	lib/conf_leasequery.c \
	lib/conf_ddns.c \
	lib/conf_api.c \
	lib/token.c lib/token.h \
	lib/pg_ident.c lib/pg_ident.h
lib_libchorus_a_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)

# Link line for anything built on lib/.
CHORUS_LIBS = lib/libchorus.a $(PQ_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)

dist_examples_DATA += \
	contrib/examples/README.md \
	contrib/examples/split-prefixes-s1.json contrib/examples/split-prefixes-s2.json \
	contrib/examples/unique-prefixes-s1.json contrib/examples/unique-prefixes-s2.json \
	contrib/examples/identical-prefixes-s1.json contrib/examples/identical-prefixes-s2.json
