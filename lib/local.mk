# lib/: the only shared code. One static library linked by daemons, tests
# and fuzzers. Each area adds its sources through its own fragment.
noinst_LIBRARIES += lib/libchorus.a
lib_libchorus_a_SOURCES = \
	lib/errors.c lib/errors.h \
	lib/wire.c lib/wire.h \
	lib/log.c lib/log.h \
	lib/evl.c lib/evl.h \
	lib/db.c lib/db.h
lib_libchorus_a_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)

# Link line for anything built on lib/.
CHORUS_LIBS = lib/libchorus.a $(PQ_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)

include lib/codec.mk
include lib/conf.mk
