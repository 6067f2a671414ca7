/*
 * Fuzz target for the config loader (lib/conf*.c): any bytes go through
 * conf_load_string; an accepted config is printed (secrets included) and
 * the output must load again, so parse -> print -> parse agrees.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_LEN];
	struct conf *c = NULL, *again = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (conf_load_string("fuzz.json", (const char *)data, size, &c, err, sizeof(err)) != 0)
		return 0;
	f = open_memstream(&text, &len);
	if (f) {
		conf_print(c, f, CONF_PRINT_SECRETS);
		fclose(f);
		if (conf_load_string("printed.json", text, len, &again, err, sizeof(err)) != 0) {
			fprintf(stderr, "printed config rejected: %s\n%s\n", err, text);
			abort();
		}
		conf_free(again);
		free(text);
	}
	conf_free(c);
	return 0;
}
