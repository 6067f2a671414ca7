/*
 * Fuzz target for chorus-apid's request bodies (api_json_parse in
 * api/api_json.c, then the config loader as POST /v1/config/test runs it):
 * a refused body has a reason; an accepted one prints as JSON that parses
 * again to an equal value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "", cerr[CONF_ERR_LEN];
	struct json_object *v = api_json_parse((const char *)data, size, err, sizeof(err)), *w;
	struct conf *c = NULL;
	const char *text;
	size_t n;

	if (!v) {
		if (!err[0])
			abort();
		return 0;
	}
	text = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN, &n);
	w = api_json_parse(text, n, err, sizeof(err));
	if (!w || !json_object_equal(v, w))
		abort();
	json_object_put(w);
	json_object_put(v);
	if (conf_load_string("/etc/chorus.json", (const char *)data, size, &c, cerr,
	                     sizeof(cerr)) == 0)
		conf_free(c);
	else if (strncmp(cerr, "/etc/chorus.json: ", 18) != 0)
		abort();
	return 0;
}
