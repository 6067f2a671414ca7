/*
 * Subnet selection for a transaction (RFC 8415 §13.1) and the on-link /
 * own-range predicates. Configured selectors (interface-id, relay address)
 * win over the link-address, which wins over the arrival interface.
 */
#include <net/if.h>
#include <string.h>
#include <time.h>

#include "addr6.h"
#include "errors.h"
#include "srv_link.h"

bool srv_link_foreign(const struct conf_subnet *sn, const struct in6_addr *a)
{
	for (size_t i = 0; i < sn->n_foreign_ranges; i++) {
		if (addr6_range_contains(&sn->foreign_ranges[i].range, a))
			return true;
	}
	return false;
}

bool srv_link_on_link(const struct conf_subnet *sn, const struct in6_addr *a)
{
	return addr6_in_prefix(a, &sn->prefix) || srv_link_foreign(sn, a);
}

bool srv_link_own_addr(const struct conf_subnet *sn, const struct in6_addr *a)
{
	for (size_t i = 0; i < sn->n_pools; i++) {
		if (addr6_range_contains(&sn->pools[i].range, a))
			return true;
	}
	return false;
}

const struct conf_pd_pool *srv_link_own_prefix(const struct conf_subnet *sn,
                                               const struct in6_addr *p, uint8_t plen)
{
	for (size_t i = 0; i < sn->n_pd_pools; i++) {
		const struct conf_pd_pool *pp = &sn->pd_pools[i];

		if (plen == pp->delegated_len && addr6_in_prefix(p, &pp->prefix))
			return pp;
	}
	return NULL;
}

static const struct conf_subnet *by_ifid(const struct conf *c, const struct d6_relay_chain *ch)
{
	const struct d6_relay_layer *in = &ch->layer[ch->n - 1];

	if (!in->ifid)
		return NULL;
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		const struct conf_subnet *sn = &c->dhcp6.subnets[i];
		size_t n = strlen(sn->interface_id);

		if (n && n == in->ifid_len && memcmp(sn->interface_id, in->ifid, n) == 0)
			return sn;
	}
	return NULL;
}

static bool relay_addr_match(const struct conf_subnet *sn, const struct in6_addr *a)
{
	for (size_t i = 0; i < sn->n_relay_addresses; i++) {
		if (addr6_eq(&sn->relay_addresses[i], a))
			return true;
	}
	return false;
}

/* The relay facing the client is the source of the innermost Relay-forward:
 * the peer-address of the layer above it, or the packet source. */
static const struct conf_subnet *by_relay(const struct conf *c, const struct srv_txn *t)
{
	const struct d6_relay_chain *ch = &t->chain;
	struct in6_addr relay = t->pi.src.sin6_addr;

	if (ch->n > 1)
		memcpy(&relay, ch->layer[ch->n - 2].peer, 16);
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		if (relay_addr_match(&c->dhcp6.subnets[i], &relay))
			return &c->dhcp6.subnets[i];
	}
	return NULL;
}

static const struct conf_subnet *by_addr(const struct conf *c, const struct in6_addr *a)
{
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		if (addr6_in_prefix(a, &c->dhcp6.subnets[i].prefix))
			return &c->dhcp6.subnets[i];
	}
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		if (srv_link_foreign(&c->dhcp6.subnets[i], a))
			return &c->dhcp6.subnets[i];
	}
	return NULL;
}

/*
 * if_indextoname costs a socket, an ioctl and a close: a sixth of the
 * daemon's CPU when asked per packet. Names are remembered for a few
 * seconds, so a renamed interface is seen after at most IFNAME_TTL_S.
 */
#define IFNAME_SLOTS 16 /* a power of two */
#define IFNAME_TTL_S 5

static struct {
	unsigned ifindex;
	time_t until;
	char name[IF_NAMESIZE];
} ifname_cache[IFNAME_SLOTS];

static const char *ifname_of(unsigned ifindex)
{
	struct timespec now;
	unsigned i = ifindex & (IFNAME_SLOTS - 1);

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (ifname_cache[i].ifindex == ifindex && now.tv_sec < ifname_cache[i].until)
		return ifname_cache[i].name;
	if (!if_indextoname(ifindex, ifname_cache[i].name)) {
		ifname_cache[i].ifindex = 0;
		return NULL;
	}
	ifname_cache[i].ifindex = ifindex;
	ifname_cache[i].until = now.tv_sec + IFNAME_TTL_S;
	return ifname_cache[i].name;
}

static const struct conf_subnet *by_iface(const struct conf *c, unsigned ifindex)
{
	const char *name = ifindex ? ifname_of(ifindex) : NULL;

	if (!name)
		return NULL;
	for (size_t i = 0; i < c->dhcp6.n_subnets; i++) {
		if (strcmp(c->dhcp6.subnets[i].interface, name) == 0)
			return &c->dhcp6.subnets[i];
	}
	return NULL;
}

static const struct conf_subnet *select_relayed(const struct conf *c, struct srv_txn *t)
{
	const struct conf_subnet *sn = by_ifid(c, &t->chain);
	uint8_t link[16];

	if (!sn)
		sn = by_relay(c, t);
	if (d6_relay_link_addr(&t->chain, link) == 0) {
		memcpy(&t->link_addr, link, 16);
		if (!sn)
			sn = by_addr(c, &t->link_addr);
	}
	return sn;
}

int srv_link_select(const struct conf *c, struct srv_txn *t)
{
	const struct conf_subnet *sn;
	const struct in6_addr *src = &t->pi.src.sin6_addr;

	memset(&t->link_addr, 0, sizeof(t->link_addr));
	if (t->relayed)
		sn = select_relayed(c, t);
	else if (IN6_IS_ADDR_LINKLOCAL(src) || IN6_IS_ADDR_LOOPBACK(src))
		sn = by_iface(c, t->pi.ifindex);
	else
		sn = by_addr(c, src);
	if (!sn)
		return CH_ENOENT;
	t->subnet = sn;
	t->subnet_id = sn->id;
	if (IN6_IS_ADDR_UNSPECIFIED(&t->link_addr))
		t->link_addr = sn->prefix.addr;
	return 0;
}
