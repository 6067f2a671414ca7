/*
 * One DHCPv6 transaction: the datagram and how it arrived, the relay chain,
 * the client's link, the lease operations its handler decided, and the
 * reply bytes. Everything it holds dies in srv_txn_free(). A transaction
 * with lease operations waits for its commit (srv_store.c); the others
 * are answered at once. Lease operations change the cache immediately and
 * keep what is needed to undo them if the commit fails.
 */
#ifndef CHORUS_SRV_TXN_H
#define CHORUS_SRV_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_relay.h"
#include "srv.h"

enum srv_op_kind {
	SRV_OP_GRANT,   /* new lease: INSERT */
	SRV_OP_EXTEND,  /* new lifetimes and relay data: UPDATE */
	SRV_OP_RELEASE, /* lease leaves the cache: state released */
	SRV_OP_DECLINE, /* lease quarantined: state declined */
	SRV_OP_EXPIRE,  /* reclaim: state expired, DDNS removal queued */
	SRV_OP_FORGET,  /* drop a ghost from the cache; no SQL */
};

struct srv_op {
	uint8_t kind;
	struct srv_lease *lease;
	struct srv_lease saved; /* EXTEND, DECLINE: the values before */
};

#define SRV_TXN_MAX_OPS 64
#define SRV_SCRATCH     2048

struct srv_txn {
	struct srv_txn *next;
	struct srv *srv;
	uint8_t *pkt; /* the datagram as received (owned) */
	size_t pkt_len;
	struct srv_pktinfo pi;
	bool relayed;
	struct d6_relay_chain chain;      /* points into pkt */
	const struct conf_subnet *subnet; /* valid while the handler runs only */
	uint32_t subnet_id;
	struct in6_addr link_addr; /* representative address of the client's link */
	uint8_t type;              /* the client's message type */
	uint32_t xid;
	int64_t now; /* wall clock at arrival */
	const uint8_t *clientid;
	size_t clientid_len;
	bool drop;          /* no reply */
	bool failed;        /* the commit did not take (a row was missing or in conflict) */
	uint64_t queued_ms; /* evl_now() when it joined the commit queue */
	struct srv_op ops[SRV_TXN_MAX_OPS];
	size_t n_ops;
	uint32_t min_pref; /* shortest preferred lifetime granted, for T1/T2 */
	uint32_t min_valid;
	bool granted;
	char fqdn[256];           /* RFC 4704 name, "" if none (srv_fqdn.c) */
	uint8_t fqdn_flags;       /* the client's S/O/N */
	uint8_t fqdn_reply_flags; /* ours */
	bool fqdn_fwd, fqdn_rev;  /* DDNS updates to queue */
	bool fqdn_generate;       /* fqdn comes from the first address (generated-prefix) */
	uint8_t *out;             /* the reply, relay-wrapped when relayed (owned) */
	size_t out_len;
	uint8_t scratch[SRV_SCRATCH]; /* option data the reply points to */
	size_t scratch_len;
};

/* New transaction owning a copy of the datagram. NULL when out of memory. */
struct srv_txn *srv_txn_new(struct srv *s, const uint8_t *pkt, size_t len,
                            const struct srv_pktinfo *pi);
void srv_txn_free(struct srv_txn *t);

/* Reserves n octets of scratch; NULL when full. */
uint8_t *srv_txn_scratch(struct srv_txn *t, size_t n);

/*
 * Lease operations: each changes the cache now and records the undo. grant
 * takes l. Return 0, CH_ELIMIT (too many operations in one transaction) or
 * CH_ENOMEM; nothing changes on failure.
 */
int srv_txn_grant(struct srv_txn *t, struct srv_lease *l);
int srv_txn_extend(struct srv_txn *t, struct srv_lease *l, uint32_t pref, uint32_t valid);
int srv_txn_release(struct srv_txn *t, struct srv_lease *l);
int srv_txn_decline(struct srv_txn *t, struct srv_lease *l, uint32_t quarantine);
int srv_txn_expire(struct srv_txn *t, struct srv_lease *l);

/* Undoes every operation, newest first (the commit failed). */
void srv_txn_undo(struct srv_txn *t);
/* Undoes t and marks it dropped: its handler gives up and no reply leaves. */
void srv_txn_drop(struct srv_txn *t);
/* For handlers that change leases, first: false, counted and t dropped, when
 * nothing can be committed now (no lease-changing Reply without a commit). */
bool srv_txn_can_commit(struct srv_txn *t);
/* The commit took: frees the leases that left the cache. */
void srv_txn_committed(struct srv_txn *t);
/* The commit took but this transaction's rows did not: grants become ghosts. */
void srv_txn_conflicted(struct srv_txn *t);

/* Logs with the transaction's subject: xid, link and client DUID. */
void srv_log(const struct srv_txn *t, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
