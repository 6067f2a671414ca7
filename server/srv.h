/*
 * chorus-dhcp6d: the process context shared by every server/ file. One
 * struct srv per process: configuration, loop, database, lease cache,
 * socket, commit queues and counters. Files add behaviour through their
 * own headers; this one only holds the state and the counters.
 */
#ifndef CHORUS_SRV_H
#define CHORUS_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "d6_msg.h"
#include "db.h"
#include "evl.h"
#include "srv_lease.h"
#include "srv_sock.h"

/* Counters: drop reasons, outcomes and the redundancy cases (RFC 6853 §4). */
enum srv_cnt {
	SRV_CNT_RX,
	SRV_CNT_TX,
	SRV_CNT_DROP_MALFORMED,
	SRV_CNT_DROP_RELAY,       /* relay chain malformed or too deep */
	SRV_CNT_DROP_TYPE,        /* a type a server never accepts */
	SRV_CNT_DROP_NO_CLIENTID, /* RFC 8415 §16 */
	SRV_CNT_DROP_SERVERID,    /* SERVERID where forbidden */
	SRV_CNT_DROP_NO_SERVERID, /* SERVERID missing where required */
	SRV_CNT_DROP_WRONG_SERVERID,
	SRV_CNT_DROP_UNICAST, /* direct unicast of a multicast-only message */
	SRV_CNT_DROP_IA_IN_INFOREQ,
	SRV_CNT_DROP_NO_LINK,     /* no subnet for the client's link */
	SRV_CNT_DROP_NOT_READY,   /* no server DUID yet */
	SRV_CNT_DROP_DB_DOWN,     /* would change a lease, database down */
	SRV_CNT_DROP_OVERLOAD,    /* transactions in flight at the cap */
	SRV_CNT_DROP_COMMIT_FAIL, /* Reply dropped: its commit failed */
	SRV_CNT_DROP_CONFIRM,     /* Confirm we cannot judge: no reply (§18.3.3) */
	SRV_CNT_DROP_REBIND,      /* Rebind with nothing to say (§18.3.5) */
	SRV_CNT_USE_MULTICAST,
	SRV_CNT_ADVERTISE,
	SRV_CNT_REPLY,
	SRV_CNT_LEASE_GRANTED,
	SRV_CNT_LEASE_EXTENDED,
	SRV_CNT_LEASE_RELEASED,
	SRV_CNT_LEASE_DECLINED,
	SRV_CNT_LEASE_EXPIRED,
	SRV_CNT_LEASE_UNFIT, /* no longer fits the configuration: zeroed, reclaimed */
	SRV_CNT_NO_ADDRS,
	SRV_CNT_NO_PREFIX,
	SRV_CNT_CONFIRM_FOREIGN, /* Confirm Success for a sibling's range */
	SRV_CNT_REBIND_REPLACED, /* foreign lease zeroed, a new one granted */
	SRV_CNT_REBIND_REFUSED,  /* foreign lease zeroed only */
	SRV_CNT_REBIND_ADOPTED,  /* foreign lease taken over */
	SRV_CNT_REBIND_ADOPT_CONFLICT,
	SRV_CNT_COMMIT_BATCHES,
	SRV_CNT_COMMIT_CONFLICT,    /* INSERT hit the exclusion constraint */
	SRV_CNT_HEALTH_DEGRADED,    /* went degraded (the instance or a subnet's pools) */
	SRV_CNT_ADVERTISE_DEGRADED, /* Advertise with the degraded Preference or none */
	SRV_CNT_LQ_PASSED,
	SRV_CNT_LQ_NOT_CONFIGURED,
	SRV_CNT_LQ_BUSY,       /* the responder's queue full: dropped, the requestor retries */
	SRV_CNT_LQ_BAD_ANSWER, /* the responder's answer malformed: dropped */
	SRV_CNT_LQ_SEND_FAIL,  /* its answer could not be sent */
	SRV_CNT_LQ_ANSWERS,    /* answers sent for the responder (it has no sockets of ours) */
	SRV_CNT_LQ_SOCKETS,    /* our sockets passed to the responder (lib/lq_handoff.h kind 3) */
	SRV_CNT_LQ_STEER_OFF,  /* the responder reads our steered sockets (kind 4) */
	SRV_CNT_LQ_STEER_ON,   /* ... no more (its lifeline hung up): we read them again */
	SRV_CNT_MAX,
};

/* A queue of transactions waiting for, or inside, one commit. */
struct srv_txn;
struct srv_queue {
	struct srv_txn *head, *tail;
	size_t n;
};

/* The latest commits' durations (srv_health.c). */
#define SRV_LAT_WINDOW 256
struct srv_lat {
	uint32_t us[SRV_LAT_WINDOW];   /* a ring, microseconds */
	uint32_t at_s[SRV_LAT_WINDOW]; /* monotonic seconds each came back */
	size_t n, pos;
	uint32_t last_us;
	uint32_t max_us;  /* longest since the last heartbeat */
	uint64_t sent_us; /* the commit in flight, 0 when none */
	uint64_t commits;
};

/* Health-driven Preference (srv_health.c): one state per condition. */
struct srv_degraded {
	bool on;
	int64_t since; /* wall-clock seconds it went on */
};

enum srv_health_reason {
	SRV_HEALTH_LATENCY = 1,
	SRV_HEALTH_DATABASE = 2,
	SRV_HEALTH_POOL = 4,
};

/* A warning a peer can repeat at will: one line per interval, with how
 * many were held back since the last (srv_lq.c). */
struct srv_loglimit {
	uint64_t next_ms; /* evl_now() before which nothing more is logged */
	uint64_t held;
};

/* A reservation from the schema (srv_resv.c) and the subnet it is for. */
struct srv_dbresv {
	uint32_t subnet_id;
	struct conf_reservation r;
};

struct srv_store_hooks;
struct srv {
	struct conf *conf;
	struct evl *l;
	struct db *db;
	/* given to srv_store_open */
	const struct srv_store_hooks *store_hooks;
	bool db_up;      /* connected and the startup queries are done */
	bool loaded;     /* server DUID known, leases loaded */
	bool resv_ready; /* the schema's reservations read since the last connect */
	bool stopping;
	uint8_t duid[D6_DUID_MAX_LEN];
	size_t duid_len;
	struct srv_cache cache;
	struct srv_cache history; /* leases ended early (srv_history.c) */
	size_t history_bucket;    /* where its prune goes on */
	struct srv_sock sock;
	int lq_fd;          /* unix datagram socket to the leasequery responder, -1 */
	bool lq_connected;  /* lq_fd is connected to leasequery.local-socket (srv_lq.c) */
	bool lq_socks_sent; /* the responder has our UDP sockets since that connect */
	int lq_life[2];     /* the lifeline pipe passed with them (read, write), -1 */
	int lq_peer_life;   /* the responder's lifeline while it reads our steered sockets, -1 */
	struct srv_loglimit lq_bad_log, lq_send_log, lq_busy_log;
	struct srv_queue pending;  /* decided, not yet sent to the database */
	struct srv_queue inflight; /* sent, waiting for the sync */
	size_t max_txns;           /* cap on pending + inflight */
	uint64_t flush_timer;      /* evl timer that sends a commit group when it is due */
	uint64_t *iter_cursor;     /* iterative allocator, per pool */
	size_t n_iter_cursor;
	size_t reclaim_bucket; /* where the expiry scan goes on */
	uint64_t cnt[SRV_CNT_MAX];
	uint64_t cnt_flushed[SRV_CNT_MAX]; /* what the stats table already has */
	uint64_t cnt_sending[SRV_CNT_MAX];
	bool stats_busy;
	int64_t started_at; /* for the heartbeat row */
	struct srv_lat lat;
	struct srv_degraded deg;       /* the instance: commit latency, database */
	unsigned deg_reasons;          /* enum srv_health_reason bits of deg */
	struct srv_degraded *deg_pool; /* per subnet (index in the configuration) */
	size_t n_deg_pool;
	struct srv_dbresv *dbresv; /* reservations made through the API */
	size_t n_dbresv;
	size_t *resv_file_n; /* per subnet of conf: reservations from the file */
	/* scratch for one packet at a time; the loop is single-threaded */
	struct d6_msg req;
	struct d6_msg rep;
};

static inline void srv_count(struct srv *s, enum srv_cnt c)
{
	s->cnt[c]++;
}

/* Stable name of a counter for logs and the stats table. */
const char *srv_cnt_name(enum srv_cnt c);

/* True when a lease change can be committed now. */
static inline bool srv_can_commit(const struct srv *s)
{
	return s->db_up && !s->stopping;
}

#endif
