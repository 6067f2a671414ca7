#!/usr/bin/env bash
# Every capture of real clients, relays and servers decodes, and so does a pcap
# of our own synthetic messages covering every option code; what we decode
# matches tshark field by field and tshark finds nothing malformed.
set -u
captures=${CHORUS_CAPTURES:-$CHORUS_SRCDIR/tests/fixtures/captures}
tool=$CHORUS_BUILDDIR/contrib/chorus-pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=$CHORUS_SRCDIR/tests/fuzz/corpus
"$tool" --wrap "$tmp/synthetic-every-option.pcap" "$corpus"/fuzz_d6_msg/syn-* \
	"$corpus"/fuzz_d6_relay/* || {
	echo "Bail out! chorus-pcap --wrap failed"
	exit 1
}
python3 "$CHORUS_SRCDIR/tests/integration/compare_tshark.py" "$tool" \
	"$captures"/*.pcap "$tmp/synthetic-every-option.pcap"
