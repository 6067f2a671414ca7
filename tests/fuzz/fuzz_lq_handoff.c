/*
 * Fuzz target for lib/lq_handoff.c, the datagrams chorus-dhcp6d and
 * chorus-leasequeryd trade: the header read as either side reads it, and a
 * kind 3 (sockets, steered or not) or kind 4 (reading) payload with
 * descriptors as they may come, real ones of the kinds and count the first
 * input octet picks (UDP over IPv6, UDP over IPv4, a pipe), so the checks
 * see what the kernel would hand over. A header read is the header written
 * back; a payload never claims more than the datagram holds; whatever the
 * verdict on the descriptors, none is left open (none stays with the
 * caller, none leaks).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "lq_handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A new descriptor of the kind k picks. */
static int fd_of_kind(unsigned k)
{
	int p[2];

	switch (k % 3) {
	case 0:
		return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	case 1:
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	default:
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		close(p[1]);
		return p[0];
	}
}

/* The lowest descriptor free now: after the call under test, it must be
 * free again (every descriptor handed over closed). */
static int lowest_free(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void check_header(const uint8_t *data, size_t size, const struct lq_handoff_hdr *h, int n)
{
	uint8_t back[LQ_HANDOFF_HDR_LEN];

	if ((size_t)n != size - LQ_HANDOFF_HDR_LEN)
		abort();
	lq_handoff_put(back, h);
	/* the reserved octets are not read, so are not compared */
	if (memcmp(back, data, 26) != 0 || memcmp(back + 28, data + 28, 20) != 0)
		abort();
}

/* picks: bit 0 one descriptor more, bit 1 twice the sockets (steered),
 * the rest the kinds */
static void check_sockets(const uint8_t *p, size_t len, uint8_t picks)
{
	int fds[LQ_HANDOFF_MAX_FDS + 1], before = lowest_free();
	size_t n = (len / 4 * (1 + ((picks >> 1) & 1)) + (picks & 1)) % (LQ_HANDOFF_MAX_FDS + 2);
	struct lq_handoff_socks s;

	for (size_t i = 0; i < n; i++) {
		fds[i] = fd_of_kind(picks >> 2 ? (unsigned)(picks >> 2) + (unsigned)i : 0);
		if (fds[i] < 0)
			abort();
	}
	if (lq_handoff_socks_get(p, len, fds, n, &s) == 0) {
		if ((n != s.n + 1 && n != 2 * s.n + 1) || s.steered != (n == 2 * s.n + 1) ||
		    lq_handoff_sock_for(&s, s.ifindex[s.n - 1]) < 0)
			abort();
		lq_handoff_socks_clear(&s);
	}
	if (lowest_free() != before)
		abort();
}

/* picks: bits 0-1 the count of descriptors, the rest their kinds (2: a pipe) */
static void check_reading(const uint8_t *p, size_t len, uint8_t picks)
{
	int fds[3], before = lowest_free(), life = -1, k;
	size_t n = picks & 3;

	for (size_t i = 0; i < n; i++) {
		fds[i] = fd_of_kind((unsigned)(picks >> 2) + (unsigned)i);
		if (fds[i] < 0)
			abort();
	}
	k = lq_handoff_reading_get(p, len, fds, n, &life);
	if (k > 0) {
		if (n != 1 || life != fds[0] || k > LQ_HANDOFF_MAX_SOCKS)
			abort();
		close(life);
	} else if (k != CH_EMALFORMED || life != -1) {
		abort();
	}
	if (lowest_free() != before)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lq_handoff_hdr h;
	int n;

	if (size < 1)
		return 0;
	n = lq_handoff_get(data + 1, size - 1, &h);
	if (n < 0) {
		if (n != CH_ETRUNC && n != CH_EMALFORMED && n != CH_EVERSION)
			abort();
		return 0;
	}
	check_header(data + 1, size - 1, &h, n);
	if (h.kind == LQ_HANDOFF_SOCKETS)
		check_sockets(data + 1 + LQ_HANDOFF_HDR_LEN, (size_t)n, data[0]);
	if (h.kind == LQ_HANDOFF_READING)
		check_reading(data + 1 + LQ_HANDOFF_HDR_LEN, (size_t)n, data[0]);
	return 0;
}
