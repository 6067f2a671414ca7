/*
 * The config loader's entry points: read the file (size capped), parse the
 * JSON (depth capped), walk the top-level sections, print and free. The
 * sections themselves live in conf_<section>.c, the walker in conf_walk.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "conf.h"
#include "conf_diff.h"
#include "conf_walk.h"
#include "errors.h"

_Static_assert(sizeof(enum conf_allocator) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum conf_tsig_alg) == sizeof(int), "enums are stored as int");

/* Section parsers take the struct conf; these adapt them to their part. */
static int instance_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_instance_parse(c, v, &((struct conf *)base)->instance);
}

static struct json_object *instance_print(const void *base, unsigned flags)
{
	return conf_instance_print(&((const struct conf *)base)->instance, flags);
}

static int logging_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_logging_parse(c, v, &((struct conf *)base)->logging);
}

static struct json_object *logging_print(const void *base, unsigned flags)
{
	return conf_logging_print(&((const struct conf *)base)->logging, flags);
}

static int dhcp6_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_dhcp6_parse(c, v, &((struct conf *)base)->dhcp6);
}

static struct json_object *dhcp6_print(const void *base, unsigned flags)
{
	return conf_dhcp6_print(&((const struct conf *)base)->dhcp6, flags);
}

static int leasequery_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_leasequery_parse(c, v, &((struct conf *)base)->leasequery);
}

static struct json_object *leasequery_print(const void *base, unsigned flags)
{
	return conf_leasequery_print(&((const struct conf *)base)->leasequery, flags);
}

static int ddns_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_ddns_parse(c, v, &((struct conf *)base)->ddns);
}

static struct json_object *ddns_print(const void *base, unsigned flags)
{
	return conf_ddns_print(&((const struct conf *)base)->ddns, flags);
}

static int api_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_api_parse(c, v, &((struct conf *)base)->api);
}

static struct json_object *api_print(const void *base, unsigned flags)
{
	return conf_api_print(&((const struct conf *)base)->api, flags);
}

static const struct conf_key top_keys[] = {
    {.name = "instance",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_REQUIRED,
     .expect = "an object with \"name\" and \"database\"",
     .parse = instance_parse,
     .print = instance_print},
    {.name = "logging", .type = CONF_T_CUSTOM, .parse = logging_parse, .print = logging_print},
    {.name = "dhcp6",
     .type = CONF_T_CUSTOM,
     .flags = CONF_F_REQUIRED,
     .expect = "an object",
     .parse = dhcp6_parse,
     .print = dhcp6_print},
    {.name = "leasequery",
     .type = CONF_T_CUSTOM,
     .parse = leasequery_parse,
     .print = leasequery_print},
    {.name = "ddns", .type = CONF_T_CUSTOM, .parse = ddns_parse, .print = ddns_print},
    {.name = "api", .type = CONF_T_CUSTOM, .parse = api_parse, .print = api_print},
};

#define N_TOP (sizeof(top_keys) / sizeof(top_keys[0]))

void conf_free(struct conf *c)
{
	if (!c)
		return;
	conf_dhcp6_clear(&c->dhcp6);
	conf_ddns_clear(&c->ddns);
	conf_api_clear(&c->api);
	free(c);
}

/* Optional sections that are absent get their defaults from an empty object. */
static int walk_top(struct conf_ctx *c, struct json_object *root)
{
	struct json_object *empty;
	uint64_t seen = 0;

	if (conf_walk(c, root, top_keys, N_TOP, c->conf, 0, &seen) < 0)
		return c->rc;
	empty = json_object_new_object();
	if (!empty)
		return conf_nomem(c);
	for (size_t i = 0; i < N_TOP && c->rc == 0; i++) {
		if (!(seen & ((uint64_t)1 << i))) {
			size_t mark = conf_push(c, top_keys[i].name);

			top_keys[i].parse(c, empty, c->conf);
			conf_pop(c, mark);
		}
	}
	json_object_put(empty);
	return c->rc;
}

/* Turns a byte offset into "line L, column C" for the parse error. */
static void where(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int parse_json(struct conf_ctx *c, const char *text, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end, line, col;

	if (len > CONF_MAX_FILE)
		return conf_err(c, "expected a file of at most %u bytes", CONF_MAX_FILE);
	tok = json_tokener_new_ex(CONF_MAX_DEPTH);
	if (!tok)
		return conf_nomem(c);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (jerr == json_tokener_success && end < len) {
		/* only white space may follow the document */
		while (end < len && strchr(" \t\r\n", text[end]) && text[end] != '\0')
			end++;
		if (end < len) {
			json_object_put(root);
			root = NULL;
			jerr = json_tokener_error_parse_unexpected;
		}
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !root) {
		where(text, end < len ? end : len, &line, &col);
		if (jerr == json_tokener_error_depth)
			return conf_err(c,
			                "expected JSON nested at most %d deep (line %zu, column "
			                "%zu)",
			                CONF_MAX_DEPTH, line, col);
		return conf_err(c, "expected JSON: %s at line %zu, column %zu",
		                json_tokener_error_desc(jerr), line, col);
	}
	*out = root;
	return 0;
}

int conf_load_string(const char *name, const char *text, size_t len, struct conf **out, char *err,
                     size_t errlen)
{
	struct conf_ctx c;
	struct json_object *root = NULL;
	struct conf *conf;

	memset(&c, 0, sizeof(c));
	c.file = name ? name : "(string)";
	c.err = err;
	c.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (parse_json(&c, text, len, &root) < 0)
		return c.rc;
	conf = calloc(1, sizeof(*conf));
	if (!conf) {
		json_object_put(root);
		return conf_nomem(&c);
	}
	snprintf(conf->file, sizeof(conf->file), "%s", c.file);
	c.conf = conf;
	walk_top(&c, root);
	json_object_put(root);
	if (c.rc) {
		conf_free(conf);
		return c.rc;
	}
	*out = conf;
	return 0;
}

static int io_err(const char *path, const char *what, char *err, size_t errlen, int rc)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, what);
	return rc;
}

int conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;
	int rc;

	if (!f)
		return io_err(path, "cannot open for reading", err, errlen, CH_EIO);
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return io_err(path, "expected a regular file", err, errlen, CH_EIO);
	}
	if ((unsigned long long)st.st_size > CONF_MAX_FILE) {
		fclose(f);
		snprintf(err, errlen, "%s: expected a file of at most %u bytes", path,
		         CONF_MAX_FILE);
		return CH_EIO;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return io_err(path, "out of memory", err, errlen, CH_ENOMEM);
	}
	/* read one byte more than expected to notice a file that grew */
	n = fread(buf, 1, (size_t)st.st_size + 1, f);
	if (ferror(f) || n > (size_t)st.st_size) {
		fclose(f);
		free(buf);
		return io_err(path, "read error or file changed while reading", err, errlen,
		              CH_EIO);
	}
	fclose(f);
	rc = conf_load_string(path, buf, n, out, err, errlen);
	free(buf);
	return rc;
}

struct json_object *conf_to_json(const struct conf *c, unsigned flags)
{
	struct json_object *root = json_object_new_object();

	if (!root || !conf_print_keys(root, top_keys, N_TOP, c, flags)) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int conf_print(const struct conf *c, FILE *f, unsigned flags)
{
	struct json_object *root = conf_to_json(c, flags);
	const char *s;
	int rc = 0;

	if (!root)
		return CH_ENOMEM;
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                             JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		rc = CH_ENOMEM;
	else if (fprintf(f, "%s\n", s) < 0)
		rc = CH_EIO;
	json_object_put(root);
	return rc;
}
