#!/usr/bin/env bash
# Every capture in shared/testdata decodes, and what we decode matches tshark.
set -u
captures=${CHORUS_CAPTURES:-$CHORUS_SRCDIR/tests/fixtures/captures}
exec python3 "$CHORUS_SRCDIR/tests/integration/compare_tshark.py" \
	"$CHORUS_BUILDDIR/contrib/chorus-pcap" "$captures"/*.pcap
