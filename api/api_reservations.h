/*
 * The paging of GET /v1/reservations (api_reservations.c), exported for the
 * fuzz target: the config file's reservations and the schema's in one order,
 * by DUID (as octets), the file's before the API's for one DUID, and the
 * file's among themselves by their place in the file. The cursor names the
 * last one of a page.
 */
#ifndef CHORUS_API_RESERVATIONS_H
#define CHORUS_API_RESERVATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

#define API_RESV_DUID_MAX 130

enum api_resv_src {
	API_RESV_CONFIG, /* sorts first */
	API_RESV_API,
};

/* A place in the order: (duid, src, seq); seq is the place in the file. */
struct api_resv_key {
	char duid[2 * API_RESV_DUID_MAX + 1]; /* lower-case hex sorts as the octets do */
	enum api_resv_src src;
	unsigned seq;
};

struct api_resv_page {
	unsigned limit;
	bool has_cursor;
	struct api_resv_key after;
	/* on failure */
	unsigned status; /* 400 or 422 */
	const char *code;
	char err[128];
};

/* limit and cursor of the query; 0, or CH_EINVAL with p->status, p->code, p->err. */
int api_resv_page_parse(const struct api_query *q, struct api_resv_page *p);
/* The opaque cursor of k; out holds API_RESV_CURSOR_LEN. */
#define API_RESV_CURSOR_LEN 384
void api_resv_cursor_make(const struct api_resv_key *k, char *out);
/* <0, 0, >0 as a sorts before, with or after b. */
int api_resv_key_cmp(const struct api_resv_key *a, const struct api_resv_key *b);

#endif
