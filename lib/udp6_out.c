/* IPV6_PKTINFO sends of one or many datagrams, and its reading (see udp6_out.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "udp6_out.h"

void udp6_out_msg(const struct udp6_out *o, struct msghdr *mh, struct iovec *iov,
                  union udp6_out_cmsg *cb)
{
	struct in6_pktinfo pi = {.ipi6_ifindex = o->ifindex};
	bool src = !IN6_IS_ADDR_UNSPECIFIED(&o->src) && !IN6_IS_ADDR_MULTICAST(&o->src);
	struct cmsghdr *c;

	memset(mh, 0, sizeof(*mh));
	/* sendmsg's structures are not const; the kernel only reads them */
	*iov = (struct iovec){(void *)(uintptr_t)o->p, o->n};
	mh->msg_name = (void *)(uintptr_t)&o->dst;
	mh->msg_namelen = sizeof(o->dst);
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (!o->ifindex && !src)
		return;
	if (src)
		pi.ipi6_addr = o->src;
	memset(cb, 0, sizeof(*cb));
	mh->msg_control = cb->b;
	mh->msg_controllen = sizeof(cb->b);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
}

void udp6_out_pktinfo(struct msghdr *mh, struct in6_addr *dst, unsigned *ifindex)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct in6_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		*dst = pi.ipi6_addr;
		*ifindex = pi.ipi6_ifindex;
	}
}

size_t udp6_out_send(int fd, const struct udp6_out *o, size_t n, int *err)
{
	union udp6_out_cmsg cb[UDP6_OUT_MAX];
	struct mmsghdr mm[UDP6_OUT_MAX];
	struct iovec iov[UDP6_OUT_MAX];
	size_t k = n > UDP6_OUT_MAX ? UDP6_OUT_MAX : n;
	int r;

	*err = 0;
	for (size_t i = 0; i < k; i++) {
		udp6_out_msg(&o[i], &mm[i].msg_hdr, &iov[i], &cb[i]);
		mm[i].msg_len = 0;
	}
	r = sendmmsg(fd, mm, (unsigned)k, MSG_DONTWAIT);
	if (r < 0) {
		*err = -errno;
		return 0;
	}
	if ((size_t)r < k)
		*err = -EAGAIN;
	return (size_t)r;
}
