# Lease-store schema migrations and chorus-admin.
# Migrations are forward-only and numbered; list them here in order. Each is
# installed under $(pkgdatadir)/sql and embedded in chorus-admin.
ADMIN_MIGRATIONS = sql/0001_schema.sql sql/0002_cheaper_inserts.sql \
	sql/0003_heartbeats.sql sql/0004_ddns_outbox.sql \
	sql/0005_lease_events.sql sql/0006_reservations.sql \
	sql/0007_heartbeat_errors.sql sql/0008_bulk_id_indexes.sql \
	sql/0009_lease_pages.sql sql/0010_lease_relay_pages.sql \
	sql/0011_lease_remote_pages.sql
ADMIN_ROLES = sql/roles.sql
dist_sql_DATA += $(ADMIN_MIGRATIONS) $(ADMIN_ROLES)

sbin_PROGRAMS += sql/chorus-admin
sql_chorus_admin_SOURCES = \
	sql/admin_main.c sql/admin.h \
	sql/admin_store.c \
	sql/admin_sql.c sql/admin_sql.h sql/schema.h
sql_chorus_admin_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sql -I$(top_builddir)/sql
sql_chorus_admin_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS)
sql_chorus_admin_LDADD = $(CHORUS_LIBS)
CLEANFILES += sql/admin_sql.inc

# Each .sql file becomes a C string, the migrations a table {version, name,
# text}; the version is the file name's number. Not a .c file, so the
# format check never sees generated code.
$(sql_chorus_admin_OBJECTS): sql/admin_sql.inc
sql/admin_sql.inc: $(ADMIN_MIGRATIONS) $(ADMIN_ROLES) $(top_srcdir)/sql/local.mk
	$(AM_V_GEN)$(MKDIR_P) sql && \
	files=; for f in $(ADMIN_MIGRATIONS) $(ADMIN_ROLES); do files="$$files $(top_srcdir)/$$f"; done; \
	$(AWK) 'FNR == 1 { \
			if (n) print ";"; \
			n++; name[n] = FILENAME; sub(/.*\//, "", name[n]); \
			printf "static const char admin_sql_%d[] =\n", n; \
		} \
		{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); \
		  printf "\t\"%s\\n\"\n", $$0; } \
		END { \
			print ";"; \
			print "const struct admin_sql admin_migrations[] = {"; \
			for (i = 1; i < n; i++) \
				printf "\t{%d, \"%s\", admin_sql_%d},\n", name[i] + 0, name[i], i; \
			print "};"; \
			printf "const struct admin_sql admin_roles = {0, \"%s\", admin_sql_%d};\n", \
				name[n], n; \
		}' $$files >$@.tmp && \
	mv $@.tmp $@

TESTS += tests/integration/test_admin.sh tests/integration/test_schema.sh
EXTRA_DIST += tests/integration/test_admin.sh tests/integration/test_schema.sh \
	tests/integration/lib_admin.sh
