/*
 * The 48-octet header of the leasequery hand-off datagrams, the kind 3
 * that passes dhcp6d's UDP sockets with SCM_RIGHTS and the kind 4 that
 * says the responder reads the steered ones (lq_handoff.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "lq_handoff.h"
#include "wire.h"

void lq_handoff_put(uint8_t out[LQ_HANDOFF_HDR_LEN], const struct lq_handoff_hdr *h)
{
	struct wire_wr w = wire_wr_init(out, LQ_HANDOFF_HDR_LEN);

	wire_put_bytes(&w, LQ_HANDOFF_MAGIC, 4);
	wire_put_u8(&w, LQ_HANDOFF_VERSION);
	wire_put_u8(&w, h->kind);
	wire_put_u16(&w, LQ_HANDOFF_HDR_LEN);
	wire_put_bytes(&w, h->peer, 16);
	wire_put_u16(&w, h->port);
	wire_put_u16(&w, 0);
	wire_put_u32(&w, h->ifindex);
	wire_put_bytes(&w, h->local, 16);
}

int lq_handoff_get(const uint8_t *buf, size_t len, struct lq_handoff_hdr *out)
{
	struct wire_rd r = wire_rd_init(buf, len);
	struct lq_handoff_hdr h;
	uint8_t magic[4], version;
	uint16_t hlen;

	wire_get_bytes(&r, magic, 4);
	version = wire_get_u8(&r);
	h.kind = wire_get_u8(&r);
	hlen = wire_get_u16(&r);
	wire_get_bytes(&r, h.peer, 16);
	h.port = wire_get_u16(&r);
	wire_skip(&r, 2);
	h.ifindex = wire_get_u32(&r);
	wire_get_bytes(&r, h.local, 16);
	if (r.err)
		return CH_ETRUNC;
	if (memcmp(magic, LQ_HANDOFF_MAGIC, 4) != 0 || hlen != LQ_HANDOFF_HDR_LEN ||
	    h.kind < LQ_HANDOFF_QUERY || h.kind > LQ_HANDOFF_READING)
		return CH_EMALFORMED;
	if (version != LQ_HANDOFF_VERSION)
		return CH_EVERSION;
	if (len == LQ_HANDOFF_HDR_LEN)
		return CH_ETRUNC;
	if (len - LQ_HANDOFF_HDR_LEN > LQ_HANDOFF_MAX_DGRAM)
		return CH_EMALFORMED;
	*out = h;
	return (int)(len - LQ_HANDOFF_HDR_LEN);
}

/* Sends hdr, the payload (p, len) and the descriptors fds[0..n) on fd, to
 * to (NULL: fd is connected). */
static int send_fds(int fd, const struct sockaddr_un *to, socklen_t tolen, uint8_t kind,
                    const uint8_t *p, size_t len, const int *fds, size_t n)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(int) * LQ_HANDOFF_MAX_FDS)];
	} cb;
	uint8_t hdr[LQ_HANDOFF_HDR_LEN];
	struct lq_handoff_hdr h = {.kind = kind};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)p, len}};
	struct msghdr mh = {.msg_name = (void *)(uintptr_t)to,
	                    .msg_namelen = to ? tolen : 0,
	                    .msg_iov = iov,
	                    .msg_iovlen = 2,
	                    .msg_control = cb.b};
	struct cmsghdr *c;

	lq_handoff_put(hdr, &h);
	memset(&cb, 0, sizeof(cb));
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(fd, &mh, MSG_DONTWAIT) < 0 ? -errno : 0;
}

int lq_handoff_send_socks(int fd, const int *fds, const int *steer, const unsigned *ifindex,
                          size_t n, int lifeline)
{
	uint8_t idx[4 * LQ_HANDOFF_MAX_SOCKS];
	struct wire_wr w = wire_wr_init(idx, sizeof(idx));
	int all[LQ_HANDOFF_MAX_FDS];
	size_t k = 0;

	if (!n || n > LQ_HANDOFF_MAX_SOCKS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		wire_put_u32(&w, ifindex[i]);
		all[k++] = fds[i];
	}
	for (size_t i = 0; steer && i < n; i++)
		all[k++] = steer[i];
	all[k++] = lifeline;
	return send_fds(fd, NULL, 0, LQ_HANDOFF_SOCKETS, idx, 4 * n, all, k);
}

int lq_handoff_send_reading(int fd, const struct sockaddr_un *to, socklen_t tolen, uint32_t n,
                            int lifeline)
{
	uint8_t p[4];
	struct wire_wr w = wire_wr_init(p, sizeof(p));

	wire_put_u32(&w, n);
	return send_fds(fd, to, tolen, LQ_HANDOFF_READING, p, sizeof(p), &lifeline, 1);
}

size_t lq_handoff_take_fds(struct msghdr *mh, int *fds, size_t cap)
{
	size_t n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n < cap)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

static bool is_udp6(int fd)
{
	int v;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_INET6)
		return false;
	l = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

int lq_handoff_socks_get(const uint8_t *p, size_t len, const int *fds, size_t n,
                         struct lq_handoff_socks *out)
{
	struct wire_rd r = wire_rd_init(p, len);
	struct lq_handoff_socks s = {.n = len / 4};
	bool ok = len % 4 == 0 && s.n >= 1 && s.n <= LQ_HANDOFF_MAX_SOCKS &&
	          (n == s.n + 1 || n == 2 * s.n + 1);

	s.steered = ok && n == 2 * s.n + 1;
	for (size_t i = 0; ok && i < s.n; i++) {
		s.ifindex[i] = wire_get_u32(&r);
		s.fd[i] = fds[i];
		ok = is_udp6(fds[i]);
		if (ok && s.steered) {
			s.steer[i] = fds[s.n + i];
			ok = is_udp6(s.steer[i]);
		}
	}
	if (!ok) {
		close_all(fds, n);
		return CH_EMALFORMED;
	}
	s.lifeline = fds[n - 1];
	*out = s;
	return 0;
}

int lq_handoff_reading_get(const uint8_t *p, size_t len, const int *fds, size_t n, int *lifeline)
{
	struct wire_rd r = wire_rd_init(p, len);
	uint32_t k = wire_get_u32(&r);
	struct stat st;

	if (len != 4 || r.err || !k || k > LQ_HANDOFF_MAX_SOCKS || n != 1 ||
	    fstat(fds[0], &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close_all(fds, n);
		return CH_EMALFORMED;
	}
	*lifeline = fds[0];
	return (int)k;
}

void lq_handoff_socks_clear(struct lq_handoff_socks *s)
{
	for (size_t i = 0; i < s->n; i++) {
		close(s->fd[i]);
		if (s->steered)
			close(s->steer[i]);
	}
	if (s->n)
		close(s->lifeline);
	*s = (struct lq_handoff_socks){.lifeline = -1};
}

int lq_handoff_sock_for(const struct lq_handoff_socks *s, unsigned ifindex)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->ifindex[i] == ifindex)
			return s->fd[i];
	}
	return s->n ? s->fd[0] : -1;
}
