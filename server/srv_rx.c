/*
 * Receive path (see srv_rx.h): relay chain, message parse, the drop rules
 * as one table (spec/dhcpv6.md §8.1), link selection and dispatch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "srv_handlers.h"
#include "srv_link.h"
#include "srv_reply.h"
#include "srv_rx.h"
#include "srv_store.h"

enum sid_rule {
	SID_FORBID,  /* drop when present */
	SID_REQUIRE, /* drop when absent or not ours */
	SID_MATCH,   /* drop when present and not ours */
};

struct rx_rule {
	void (*handler)(struct srv_txn *t);
	uint8_t sid;        /* enum sid_rule */
	bool clientid;      /* drop without CLIENTID */
	bool mcast_only;    /* direct unicast: drop */
	bool use_multicast; /* direct unicast: UseMulticast (§18.4) */
	bool link;          /* drop when the link is unknown */
};

static const struct rx_rule rx_rules[D6_MSG_MAX + 1] = {
    [D6_MSG_SOLICIT] = {srv_solicit, SID_FORBID, true, true, false, true},
    [D6_MSG_REQUEST] = {srv_request, SID_REQUIRE, true, false, true, true},
    [D6_MSG_CONFIRM] = {srv_confirm, SID_FORBID, true, true, false, false},
    [D6_MSG_RENEW] = {srv_renew, SID_REQUIRE, true, false, true, true},
    [D6_MSG_REBIND] = {srv_renew, SID_FORBID, true, true, false, true},
    [D6_MSG_RELEASE] = {srv_release, SID_REQUIRE, true, false, true, false},
    [D6_MSG_DECLINE] = {srv_release, SID_REQUIRE, true, false, true, false},
    [D6_MSG_INFO_REQUEST] = {srv_inforeq, SID_MATCH, false, true, false, false},
    [D6_MSG_LEASEQUERY] = {srv_leasequery, SID_MATCH, false, false, false, false},
};

static int rx_parse(struct srv *s, struct srv_txn *t)
{
	const uint8_t *msg = t->pkt;
	size_t len = t->pkt_len;
	int i;

	if (len && t->pkt[0] == D6_MSG_RELAY_FORW) {
		if (d6_relay_parse(t->pkt, len, D6_HOP_COUNT_CAP, 0, &t->chain) < 0)
			return SRV_CNT_DROP_RELAY;
		t->relayed = true;
		msg = t->chain.inner;
		len = t->chain.inner_len;
	}
	if (d6_msg_parse(msg, len, &s->req) < 0)
		return SRV_CNT_DROP_MALFORMED;
	t->type = s->req.type;
	t->xid = s->req.xid;
	i = d6_msg_find(&s->req, D6_ROOT, D6_OPT_CLIENTID);
	if (i >= 0) {
		t->clientid = s->req.node[i].tail;
		t->clientid_len = s->req.node[i].tail_len;
	}
	return -1;
}

/* Returns the drop counter, -1 to go on, or -2 to answer UseMulticast. */
static int rx_check(const struct srv *s, const struct srv_txn *t, const struct rx_rule *r)
{
	int i = d6_msg_find(&s->req, D6_ROOT, D6_OPT_SERVERID);
	bool ours = i >= 0 && s->req.node[i].tail_len == s->duid_len &&
	            memcmp(s->req.node[i].tail, s->duid, s->duid_len) == 0;
	bool unicast = !t->relayed && !t->pi.dst_multicast;

	/* RFC 8415 §11.1: a DUID is 3..130 octets; the lease row checks it too,
	 * and one bad row would roll back the whole group commit */
	if (r->clientid && (!t->clientid || t->clientid_len < D6_DUID_MIN_LEN ||
	                    t->clientid_len > D6_DUID_MAX_LEN))
		return SRV_CNT_DROP_NO_CLIENTID;
	if (r->sid == SID_FORBID && i >= 0)
		return SRV_CNT_DROP_SERVERID;
	if (r->sid == SID_REQUIRE && i < 0)
		return SRV_CNT_DROP_NO_SERVERID;
	if (r->sid != SID_FORBID && i >= 0 && !ours)
		return SRV_CNT_DROP_WRONG_SERVERID;
	if (t->type == D6_MSG_INFO_REQUEST && s->req.n_ias)
		return SRV_CNT_DROP_IA_IN_INFOREQ;
	if (unicast && r->mcast_only)
		return SRV_CNT_DROP_UNICAST;
	if (unicast && r->use_multicast)
		return -2;
	return -1;
}

static void use_multicast(struct srv_txn *t)
{
	srv_count(t->srv, SRV_CNT_USE_MULTICAST);
	if (srv_reply_init(t, D6_MSG_REPLY) < 0 ||
	    srv_reply_status(t, D6_ROOT, D6_STATUS_USEMULTICAST) < 0) {
		t->drop = true;
		return;
	}
	srv_reply_finish(t);
}

static void rx_drop(struct srv_txn *t, int cnt)
{
	srv_count(t->srv, (enum srv_cnt)cnt);
	srv_log(t, LOG_DEBUG, "%s dropped: %s", d6_msg_name(t->type),
	        srv_cnt_name((enum srv_cnt)cnt));
	t->drop = true;
}

static void rx_dispatch(struct srv *s, struct srv_txn *t)
{
	const struct rx_rule *r = t->type <= D6_MSG_MAX ? &rx_rules[t->type] : NULL;
	int c;

	if (!r || !r->handler) {
		rx_drop(t, SRV_CNT_DROP_TYPE);
		return;
	}
	c = rx_check(s, t, r);
	if (c >= 0) {
		rx_drop(t, c);
		return;
	}
	if (c == -2) {
		use_multicast(t); /* §18.4: needs no link */
		return;
	}
	if (srv_link_select(s->conf, t) < 0 && r->link) {
		rx_drop(t, SRV_CNT_DROP_NO_LINK);
		return;
	}
	r->handler(t);
	t->subnet = NULL; /* the configuration may be swapped before the commit */
}

struct srv_txn *srv_rx_handle(struct srv *s, const uint8_t *buf, size_t len,
                              const struct srv_pktinfo *pi)
{
	struct srv_txn *t;
	int c;

	srv_count(s, SRV_CNT_RX);
	/* without a server DUID we cannot answer anything; with one (configured,
	 * or read from the schema once) Information-request and Confirm are
	 * answered even before the leases are loaded */
	if (!s->duid_len) {
		srv_count(s, SRV_CNT_DROP_NOT_READY);
		return NULL;
	}
	t = srv_txn_new(s, buf, len, pi);
	if (!t)
		return NULL;
	t->now = (int64_t)time(NULL);
	c = rx_parse(s, t);
	if (c >= 0)
		rx_drop(t, c);
	else
		rx_dispatch(s, t);
	return t;
}

void srv_rx_send(struct srv *s, struct srv_txn *t)
{
	const struct in6_addr *src = t->pi.dst_multicast ? NULL : &t->pi.dst;
	int err;

	if (!t->out_len)
		return;
	err = srv_sock_send(&s->sock, t->out, t->out_len, &t->pi.src, t->pi.ifindex, src);
	if (err < 0) {
		srv_log(t, LOG_WARNING, "cannot send the %s reply: %s", d6_msg_name(t->type),
		        strerror(-err));
		return;
	}
	srv_count(s, SRV_CNT_TX);
}

void srv_rx_on_read(struct evl *l, int fd, uint32_t events, void *arg)
{
	static uint8_t buf[65536];
	struct srv *s = arg;

	(void)l;
	(void)events;
	for (int i = 0; i < SRV_RX_BURST; i++) {
		struct srv_pktinfo pi;
		int n = srv_sock_recv(fd, buf, sizeof(buf), &pi);

		if (n == -EAGAIN)
			return;
		if (n < 0)
			continue;
		srv_rx_packet(s, buf, (size_t)n, &pi);
	}
}

void srv_rx_packet(struct srv *s, const uint8_t *buf, size_t len, const struct srv_pktinfo *pi)
{
	struct srv_txn *t = srv_rx_handle(s, buf, len, pi);

	if (!t)
		return;
	if (t->drop) {
		srv_txn_free(t);
		return;
	}
	if (!t->n_ops) {
		srv_rx_send(s, t);
		srv_txn_free(t);
		return;
	}
	srv_store_queue(s, t);
}
