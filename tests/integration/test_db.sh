#!/bin/bash
# Runs the lib/db.c integration test against a real PostgreSQL (see lib_admin.sh).
. "$CHORUS_SRCDIR/tests/integration/lib_admin.sh"
it_setup db
"$CHORUS_BUILDDIR/tests/integration/test_db"
