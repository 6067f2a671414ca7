# contrib/: example configs, demo and benchmark scripts, and chorus-pcap,
# which decodes DHCPv6 captures with our codec (also used by the tests).
bin_PROGRAMS += contrib/chorus-pcap
contrib_chorus_pcap_SOURCES = contrib/tools/chorus_pcap.c contrib/tools/pcap_read.c \
	contrib/tools/pcap_read.h contrib/tools/pcap_write.c contrib/tools/pcap_write.h
contrib_chorus_pcap_LDADD = $(CHORUS_LIBS)

TESTS += tests/integration/test_captures.sh
EXTRA_DIST += contrib/demo contrib/bench tests/integration/test_captures.sh tests/integration/compare_tshark.py \
	tests/fixtures/captures
