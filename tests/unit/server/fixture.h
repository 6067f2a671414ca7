/*
 * Shared fixture of the server unit tests: a struct srv on a config given
 * as JSON text, with an in-memory lease cache and no database (the commit
 * is simulated at the sync-callback boundary), request builders on the
 * codec, and a decoder for the reply a handler produced.
 */
#ifndef CHORUS_TEST_SRV_FIXTURE_H
#define CHORUS_TEST_SRV_FIXTURE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "d6_msg.h"
#include "srv.h"
#include "srv_txn.h"

struct fake_sent {
	uint8_t buf[65536];
	size_t len;
	struct sockaddr_in6 dst;
	unsigned ifindex;
	unsigned count;
};
extern struct fake_sent fake_sent;

extern const char fx_conf_json[];
extern const uint8_t fx_server_duid[14];

/* A server on fx_conf_json (or json), database "up", DUID fx_server_duid. */
struct srv *fx_new(const char *json);
void fx_free(struct srv *s);
/* cmocka setup and teardown: fx_new(NULL) into *state, fx_free(*state). */
int fx_setup(void **state);
int fx_teardown(void **state);
/* Swaps in the configuration json as a SIGHUP does; leases stay. */
void fx_reconf(struct srv *s, const char *json);

/* Request under construction. */
struct fx_req {
	struct d6_msg m;
	uint8_t duid[32];
	size_t duid_len;
};
void fx_req_init(struct fx_req *r, uint8_t type, uint8_t client);
void fx_req_serverid(struct fx_req *r, const uint8_t *duid, size_t len);
void fx_req_oro(struct fx_req *r, const uint16_t *codes, size_t n);
/* Adds an IA_NA (or IA_PD with pd) and returns its index. */
int fx_req_ia(struct fx_req *r, bool pd, uint32_t iaid);
void fx_req_addr(struct fx_req *r, int ia, const char *addr);
void fx_req_prefix(struct fx_req *r, int ia, const char *prefix, uint8_t plen);

enum { FX_DIRECT_MCAST, FX_DIRECT_UNICAST, FX_RELAYED, FX_RELAYED2 };

/* Runs the request through srv_rx_handle: how is one of FX_*. The
 * transaction is the caller's (fx_done). */
struct srv_txn *fx_run(struct srv *s, struct fx_req *r, int how);
/* Simulates the sync callback: commit ok (or failed) then frees t. */
void fx_done(struct srv *s, struct srv_txn *t, bool ok);

/* A Request from client c for IA_NA 1 (or IA_PD 2 with pd), sent as how
 * (FX_*): asserts that it grants one lease, commits it and returns the
 * address (or prefix). */
struct in6_addr fx_grant(struct srv *s, uint8_t c, bool pd, int how);

/* Parses t->out (unwrapping relay layers) into *out. 0 or a codec error. */
int fx_reply(const struct srv_txn *t, struct d6_msg *out);

/* The reply's n-th IA (0-based) of code, or -1. */
int fx_ia(const struct d6_msg *m, uint16_t code, unsigned n);
/* STATUS_CODE under parent, or -1 if none. */
int fx_status(const struct d6_msg *m, int parent);
/* Count of IAADDR/IAPREFIX children of ia with valid lifetime > 0. */
size_t fx_live(const struct d6_msg *m, int ia);

struct in6_addr fx_a(const char *s);

#endif
