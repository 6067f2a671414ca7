/*
 * Fuzz target for the <schema>_reload payload parser (lib/reload.c), which
 * reads what anyone who may connect can NOTIFY: any bytes go through
 * reload_msg_parse; an accepted answer's parts are read, and an accepted
 * request's id goes into a request payload that must parse back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), buf[256];
	struct reload_msg m, again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (reload_msg_parse(text, &m) == 0) {
		if (m.is_request) {
			if (reload_request_json(m.id, buf, sizeof(buf)) < 0 ||
			    reload_msg_parse(buf, &again) != 0 || strcmp(again.id, m.id) != 0)
				abort();
			reload_msg_clear(&again);
		} else if (!m.daemon[0]) {
			abort();
		}
		reload_msg_clear(&m);
	}
	free(text);
	return 0;
}
