/*
 * Fuzz target for chorus-apid's query-string parser (api/api_query.c): any
 * bytes, as the text after '?'. An accepted query has at most API_QUERY_MAX
 * parameters, each with a non-empty key and no NUL inside.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct api_query q;
	bool dup = false;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (api_query_parse(s, &q) == 0) {
		if (q.n > API_QUERY_MAX)
			abort();
		for (size_t i = 0; i < q.n; i++) {
			if (!q.p[i].key[0] || strlen(q.p[i].key) > size ||
			    strlen(q.p[i].val) > size)
				abort();
			if (api_query_get(&q, q.p[i].key, &dup) == NULL)
				abort();
		}
		api_query_clear(&q);
	}
	free(s);
	return 0;
}
