/*
 * The lease filters of GET /v1/leases, parsed and checked (api_leases.c);
 * exported for the fuzz target. Each filter is one parameter of the list
 * statement (api_store.c, AST_LEASES_LIST), in the same order.
 */
#ifndef CHORUS_API_LEASES_H
#define CHORUS_API_LEASES_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "api.h"

enum api_lf {
	API_LF_ADDRESS,
	API_LF_PREFIX,
	API_LF_DUID,
	API_LF_IAID,
	API_LF_TYPE,
	API_LF_SUBNET,
	API_LF_LINK,
	API_LF_RELAY_ID,
	API_LF_REMOTE_ID,
	API_LF_STATE,
	API_LF_HOSTNAME,
	API_LF_EXPIRING_BEFORE,
	API_LF_EXPIRING_AFTER,
	API_LF_CURSOR,    /* the cursor's address */
	API_LF_CURSOR_ID, /* the cursor's row id */
	API_LF_LIMIT,
	API_LF_MAX,
};

#define API_LF_LEN 520 /* hex of 255 octets, and NUL */

struct api_lease_filter {
	char v[API_LF_MAX][API_LF_LEN]; /* the statement's text parameters */
	bool set[API_LF_MAX];           /* false: SQL NULL, the filter is off */
	bool seen[API_LF_MAX];
	unsigned limit;
	/* on failure */
	unsigned status; /* 400 or 422 */
	const char *code;
	char err[256];
};

/* Fills *f from the query; 0, or CH_EINVAL with f->status, f->code, f->err. */
int api_lease_filter_parse(const struct api_query *q, struct api_lease_filter *f);
/* An address or a prefix ("2001:db8::/56") in canonical text. 0 or CH_EINVAL. */
int api_lease_addr_parse(const char *s, char *out, size_t cap);
/* The opaque cursor of the row (addr as "a/len", id); "" if it does not fit. */
void api_lease_cursor_make(const char *addr, const char *id, char *out, size_t cap);

/* The columns of LEASE_COLS (api_store.c), in binary results. */
#define API_LEASE_NCOLS 27
/* Appends row of res, columns 0..26 of LEASE_COLS (api_lease_row.c), as a Lease object.
 * known is NULL, or the relay id and the remote id (hex, or NULL) to write as the only
 * element of relay_ids and remote_ids when the statement sent NULL for them. */
void api_lease_row_json(const PGresult *res, int row, const char *const *known,
                        struct api_buf *out);
/* RFC 5952 text of the 16 octets at a into out (ADDR6_STRLEN), as
 * inet_ntop prints it; returns its length (0 on failure). */
size_t api_ntop6(const uint8_t *a, char *out);
/* The row's place in the keyset order, for its cursor: addr as "a/len" and
 * the row id (column API_LEASE_NCOLS) as text; both "" if malformed. */
void api_lease_row_key(const PGresult *res, int row, char *addr, size_t cap, char *id,
                       size_t idcap);

#endif
