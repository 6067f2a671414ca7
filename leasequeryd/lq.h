/*
 * chorus-leasequeryd: the state of the daemon and what its files share.
 * RFC 5007 leasequery arrives through chorus-dhcp6d's hand-off (lq_local.c),
 * RFC 5460 bulk leasequery on TCP (lq_tcp.c); both parse and decide in
 * lq_query.c, read bindings through lq_store.c and build in lq_reply.c.
 */
#ifndef CHORUS_LQ_H
#define CHORUS_LQ_H

#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "d6_consts.h"
#include "db.h"
#include "errors.h"
#include "evl.h"

#define LQ_CLIENT_ROWS 32   /* bindings of one client on one link we return */
#define LQ_PAGE_ROWS   1000 /* rows per keyset page of a bulk query */

enum lq_cnt {
	LQ_CNT_UDP_QUERIES,
	LQ_CNT_TCP_QUERIES,
	LQ_CNT_BY_ADDRESS,
	LQ_CNT_BY_CLIENTID,
	LQ_CNT_BY_RELAY_ID,
	LQ_CNT_BY_LINK_ADDRESS,
	LQ_CNT_BY_REMOTE_ID,
	LQ_CNT_BY_UNKNOWN,
	LQ_CNT_REPLY_DATA,     /* answered with client data */
	LQ_CNT_REPLY_EMPTY,    /* Success without data */
	LQ_CNT_CLIENT_LINK,    /* LQ_CLIENT_LINK */
	LQ_CNT_UNKNOWN_QTYPE,  /* UnknownQueryType */
	LQ_CNT_MALFORMED,      /* MalformedQuery */
	LQ_CNT_NOT_CONFIGURED, /* NotConfigured */
	LQ_CNT_NOT_ALLOWED,    /* NotAllowed */
	LQ_CNT_DB_FAILED,      /* UnspecFail / QueryTerminated after a database error */
	LQ_CNT_TERMINATED,     /* QueryTerminated at shutdown */
	LQ_CNT_DROPPED,        /* discarded (RFC 5007 §4.2 rules, overload) */
	LQ_CNT_RATE_LIMITED,   /* over the requestor's token bucket */
	LQ_CNT_BINDINGS,       /* CLIENT_DATA sent in bulk streams */
	LQ_CNT_CONN_ACCEPTED,
	LQ_CNT_CONN_DENIED,   /* requestor not in requesters */
	LQ_CNT_CONN_REFUSED,  /* over max-connections or the per-requestor limit */
	LQ_CNT_CONN_IDLE,     /* closed after idle-timeout */
	LQ_CNT_CONN_STALLED,  /* reader stopped reading */
	LQ_CNT_CONN_BAD,      /* framing error: closed */
	LQ_CNT_UDP_BATCHES,   /* statements for UDP queries by address (lq_batch.c) */
	LQ_CNT_UDP_DIRECT,    /* UDP answers sent out of the engine's sockets (lq_direct.c) */
	LQ_CNT_UDP_SEND_FAIL, /* ... that could not be sent */
	LQ_CNT_UDP_STEERED,   /* UDP queries read from the engine's steered sockets */
	LQ_CNT_MAX,
};

/* One leases row, as the store reads it. */
struct lq_bind {
	int64_t id;
	bool pd;
	uint8_t addr[16];
	uint8_t plen;
	uint8_t duid[D6_DUID_MAX_LEN];
	size_t duid_len;
	uint32_t subnet;
	uint8_t link[16];
	uint32_t pref, valid; /* remaining lifetimes */
	uint32_t age;         /* seconds since the last client transaction */
	bool relayed;
	uint8_t relay_src[16];
	uint8_t *chain; /* owned (malloc), NULL without relay data */
	size_t chain_len;
	int hwtype; /* -1 when none */
	uint8_t hwaddr[64];
	size_t hwaddr_len;
	char fqdn[256]; /* RFC 4704 name of the lease, "" when none */
	uint8_t fqdn_flags;
	uint8_t *opts; /* the client's stored options (TLVs, owned), NULL when none */
	size_t opts_len;
};

/* The bindings of one client on one link: one CLIENT_DATA. */
struct lq_client {
	size_t n;
	struct lq_bind row[LQ_CLIENT_ROWS];
};

/* What the LQ_QUERY's ORO asks for, minus the sensitive options. */
#define LQ_WANT_CODES 16

struct lq_want {
	bool relay_data; /* LQ_RELAY_DATA (47) */
	bool fqdn;       /* CLIENT_FQDN (39), from the lease's name */
	bool lladdr;     /* CLIENT_LINKLAYER_ADDR (79) */
	/* any other code: from the client's stored options (leases.client_opts) */
	uint16_t codes[LQ_WANT_CODES];
	size_t n_codes;
};

/* A parsed LEASEQUERY (lq_query.c). */
struct lq_req {
	uint32_t xid;
	uint8_t qtype;
	uint8_t link[16];
	bool has_link;   /* link-address is not :: */
	uint32_t subnet; /* the link's subnet id (0: any link) */
	uint8_t target[256];
	size_t target_len;            /* IAADDR: 16 octets; DUID, RELAY_ID, REMOTE_ID data */
	uint8_t cid[D6_DUID_MAX_LEN]; /* the requestor's CLIENTID */
	size_t cid_len;
	struct lq_want want;
};

struct lq_conn;
struct lq_ask;

struct lq {
	struct conf *conf;
	const char *conf_path;
	struct evl *l;
	struct db *db;
	uint16_t port; /* TCP */
	int local_fd, tcp_fd;
	uint8_t duid[D6_DUID_MAX_LEN]; /* our (the engine's) Server Identifier */
	size_t duid_len;
	struct lq_conn *conns; /* bulk connections, a list */
	size_t n_conns;
	size_t udp_inflight;
	struct lq_ask *ask_head, *ask_tail; /* UDP questions by address waiting (lq_batch.c) */
	size_t n_asks;
	struct lq_ask *pfx_head, *pfx_tail; /* ... asked again for a delegated prefix */
	size_t n_pfx;
	unsigned batches; /* their statements with the database */
	uint64_t cnt[LQ_CNT_MAX], cnt_sending[LQ_CNT_MAX], cnt_flushed[LQ_CNT_MAX];
	bool stats_busy, stats_refused;
	bool ident_busy, ident_warned; /* the Server Identifier asked for, missing once */
	uint64_t ident_timer;          /* asks again while it is missing */
	bool sync_due;                 /* reads sent since the last db_sync */
	bool db_was_lost;
	int64_t started_at;
	bool stopping;
	struct lq_rate *rate;
};

static inline void lq_count(struct lq *lq, enum lq_cnt c)
{
	lq->cnt[c]++;
}

/* lq_stats.c */
const char *lq_cnt_name(enum lq_cnt c);
void lq_count_qtype(struct lq *lq, unsigned qtype);

/* lq_acl.c: requesters prefixes and the per-requestor token bucket */
bool lq_acl_allowed(const struct conf_leasequery *c, const struct in6_addr *a);
int lq_rate_new(struct lq_rate **out);
void lq_rate_free(struct lq_rate *r);
/* Takes one token for a; false when a's bucket is empty. With rate 0,
 * always true. now_ms is monotonic. */
bool lq_rate_take(struct lq_rate *r, const struct conf_leasequery *c, const struct in6_addr *a,
                  uint64_t now_ms);
/* Milliseconds until a's next token (0 when one is there). */
uint64_t lq_rate_wait(struct lq_rate *r, const struct conf_leasequery *c, const struct in6_addr *a,
                      uint64_t now_ms);

#endif
