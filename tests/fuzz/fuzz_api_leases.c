/*
 * Fuzz target for the lease filters of GET /v1/leases (api/api_leases.c):
 * a query string through api_query_parse and api_lease_filter_parse. An
 * accepted filter holds only canonical values (addresses parse again to
 * themselves, the limit is 1..1000), and a cursor it made parses back to
 * the same row; a refusal is always a 400 or 422 with a code. The same
 * query also goes through the reservations' paging (api_reservations.c),
 * whose cursors must parse back to the same key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "api.h"
#include "api_leases.h"
#include "api_reservations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const struct api_lease_filter *f, int k)
{
	char again[API_LF_LEN];

	if (!f->set[k])
		return;
	if (api_lease_addr_parse(f->v[k], again, sizeof(again)) < 0 || strcmp(again, f->v[k]) != 0)
		abort();
}

static void check_cursor(const struct api_lease_filter *f)
{
	char cur[256], q[300];
	struct api_query aq;
	struct api_lease_filter g;

	if (!f->set[API_LF_CURSOR])
		return;
	api_lease_cursor_make(f->v[API_LF_CURSOR], f->v[API_LF_CURSOR_ID], cur, sizeof(cur));
	snprintf(q, sizeof(q), "cursor=%s", cur);
	if (api_query_parse(q, &aq) < 0)
		abort();
	if (api_lease_filter_parse(&aq, &g) < 0 ||
	    strcmp(g.v[API_LF_CURSOR], f->v[API_LF_CURSOR]) ||
	    strcmp(g.v[API_LF_CURSOR_ID], f->v[API_LF_CURSOR_ID]))
		abort();
	api_query_clear(&aq);
}

static void check_resv_page(const struct api_query *q)
{
	struct api_resv_page p, g;
	struct api_query aq;
	char cur[API_RESV_CURSOR_LEN], s[API_RESV_CURSOR_LEN + 8];

	if (api_resv_page_parse(q, &p) < 0) {
		if ((p.status != 400 && p.status != 422) || !p.code || !p.err[0])
			abort();
		return;
	}
	if (p.limit < 1 || p.limit > 1000)
		abort();
	if (!p.has_cursor)
		return;
	api_resv_cursor_make(&p.after, cur);
	snprintf(s, sizeof(s), "cursor=%s", cur);
	if (api_query_parse(s, &aq) < 0)
		abort();
	if (api_resv_page_parse(&aq, &g) < 0 || !g.has_cursor ||
	    api_resv_key_cmp(&g.after, &p.after) != 0)
		abort();
	api_query_clear(&aq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct api_lease_filter f;
	char *s = malloc(size + 1);
	struct api_query q;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (api_query_parse(s, &q) == 0) {
		check_resv_page(&q);
		if (api_lease_filter_parse(&q, &f) == 0) {
			if (f.limit < 1 || f.limit > 1000)
				abort();
			check_addr(&f, API_LF_ADDRESS);
			check_addr(&f, API_LF_PREFIX);
			check_addr(&f, API_LF_LINK);
			check_cursor(&f);
		} else if ((f.status != 400 && f.status != 422) || !f.code || !f.err[0]) {
			abort();
		}
		api_query_clear(&q);
	}
	free(s);
	return 0;
}
