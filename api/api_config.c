/*
 * GET /v1/config: the running configuration as the loader resolved it
 * (defaults applied), secrets masked as conf_print masks them (hash-key,
 * TSIG secrets, token hashes, conninfo). POST /v1/config/test: a posted
 * config goes through the same loader; its error is returned exactly as
 * the loader words it ("file: /json/path: expected ...", the file being
 * the running one's path, as if the posted text were in it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

void api_config_get(struct api_req *r)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (!f || conf_print(r->a->conf, f, 0) < 0) {
		if (f)
			fclose(f);
		free(text);
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	fclose(f);
	api_reply_raw(r, 200, "application/json", text, n);
}

void api_config_test(struct api_req *r)
{
	char err[CONF_ERR_LEN], jerr[256];
	struct json_object *v = api_json_parse(r->body, r->body_len, jerr, sizeof(jerr)), *o;
	struct conf *c = NULL;

	if (!v) {
		api_error(r, 400, "malformed_json", "%s", jerr);
		return;
	}
	json_object_put(v);
	if (conf_load_string(r->a->conf_path, r->body, r->body_len, &c, err, sizeof(err)) < 0) {
		api_error(r, 422, "invalid_config", "%s", err);
		return;
	}
	conf_free(c);
	o = json_object_new_object();
	json_object_object_add(o, "valid", json_object_new_boolean(1));
	api_reply_json(r, 200, o);
}
