/*
 * Which subnet a client is on (RFC 8415 §13.1): relayed by the innermost
 * non-zero link-address, or by INTERFACE_ID or relay address where a subnet
 * is configured so; direct by the arrival interface or the source address.
 * Also the on-link and own-range tests the handlers need.
 */
#ifndef CHORUS_SRV_LINK_H
#define CHORUS_SRV_LINK_H

#include <stdbool.h>

#include "conf.h"
#include "srv_txn.h"

/* Sets t->subnet, t->subnet_id and t->link_addr. Returns 0 or CH_ENOENT. */
int srv_link_select(const struct conf *c, struct srv_txn *t);

/* True if a lies in the subnet's link prefix or one of its foreign ranges. */
bool srv_link_on_link(const struct conf_subnet *sn, const struct in6_addr *a);
/* True if a lies in one of the subnet's own address pools. */
bool srv_link_own_addr(const struct conf_subnet *sn, const struct in6_addr *a);
/* The PD pool of the subnet that delegates exactly p/plen, or NULL. */
const struct conf_pd_pool *srv_link_own_prefix(const struct conf_subnet *sn,
                                               const struct in6_addr *p, uint8_t plen);
/* True if a lies in a foreign range of the subnet. */
bool srv_link_foreign(const struct conf_subnet *sn, const struct in6_addr *a);

#endif
