/*
 * The query string of a request URI (RFC 3986 §3.4, with the form encoding's
 * '+' for space): split at '&' and '=', percent-decoded, bounded. Our own
 * parser rather than libmicrohttpd's, so it can be fuzzed and its limits are
 * ours.
 */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "api.h"
#include "hex.h"

/* Decodes s[0..n) into a new string; NULL with *err set on a bad escape or a NUL. */
static char *decode(const char *s, size_t n, int *err)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out) {
		*err = CH_ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1;
			int lo = hi >= 0 && i + 2 < n ? hex_digit(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				goto fail;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == '\0')
			goto fail;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
fail:
	free(out);
	*err = CH_EMALFORMED;
	return NULL;
}

static int add(struct api_query *q, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t kn = eq ? (size_t)(eq - s) : n;
	int err = 0;
	char *k, *v;

	if (kn == 0)
		return CH_EMALFORMED;
	if (q->n == API_QUERY_MAX)
		return CH_ELIMIT;
	k = decode(s, kn, &err);
	if (!k)
		return err;
	v = eq ? decode(eq + 1, n - kn - 1, &err) : strdup("");
	if (!v) {
		free(k);
		return err ? err : CH_ENOMEM;
	}
	q->p[q->n].key = k;
	q->p[q->n].val = v;
	q->n++;
	return 0;
}

int api_query_parse(const char *s, struct api_query *out)
{
	struct api_query q = {0};
	size_t len = strlen(s);
	const char *p = s, *end = s + len;
	int err = 0;

	if (len > API_QUERY_MAX_LEN)
		return CH_ELIMIT;
	q.p = calloc(API_QUERY_MAX, sizeof(*q.p));
	if (!q.p)
		return CH_ENOMEM;
	while (p < end && !err) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);

		if (n) /* "a=1&&b=2" and a trailing '&' are harmless */
			err = add(&q, p, n);
		p += n + 1;
	}
	if (err) {
		api_query_clear(&q);
		return err;
	}
	*out = q;
	return 0;
}

void api_query_clear(struct api_query *q)
{
	for (size_t i = 0; q->p && i < q->n; i++) {
		free(q->p[i].key);
		free(q->p[i].val);
	}
	free(q->p);
	q->p = NULL;
	q->n = 0;
}

const char *api_query_get(const struct api_query *q, const char *key, bool *dup)
{
	const char *v = NULL;

	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->p[i].key, key) != 0)
			continue;
		if (v && dup)
			*dup = true;
		v = q->p[i].val;
	}
	return v;
}

bool api_query_read(struct api_req *r, struct api_query *out)
{
	int err = api_query_parse(r->query, out);

	if (err)
		api_error(r, 400, "bad_query",
		          err == CH_ELIMIT
		              ? "the query string is too long or has too many parameters"
		              : "the query string is malformed (bad %%-escape or NUL)");
	return !err;
}
