/*
 * JSON in and out: replies (a body, or the error shape {"error": {"code",
 * "message"}}), request bodies parsed with a depth limit, hex. A reply is
 * only set here; api_http.c delivers it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "hex.h"

void api_req_kick(struct api_req *r)
{
	if (r->sent || !r->ready || (r->db_pending && !r->timed_out))
		return;
	if (r->suspended) {
		r->suspended = false;
		MHD_resume_connection(r->conn);
		r->a->http_resumed = true;
	}
}

void api_reply_raw(struct api_req *r, unsigned status, const char *ctype, char *buf, size_t len)
{
	if (r->sent) {
		free(buf);
		return;
	}
	free(r->resp);
	r->resp = buf;
	r->resp_len = len;
	r->status = status;
	r->ctype = ctype;
	r->ready = true;
	api_req_kick(r);
}

void api_reply_link_next(struct api_req *r, const char *target)
{
	size_t n = strlen(target) + sizeof("<>; rel=\"next\"");

	free(r->link);
	if ((r->link = malloc(n)))
		snprintf(r->link, n, "<%s>; rel=\"next\"", target);
}

void api_reply_json(struct api_req *r, unsigned status, struct json_object *obj)
{
	size_t len = 0;
	const char *s;
	char *buf;

	if (!obj) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	s = json_object_to_json_string_length(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	buf = s ? malloc(len + 2) : NULL;
	if (buf) {
		memcpy(buf, s, len);
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	json_object_put(obj);
	if (!buf) {
		api_error(r, 503, "out_of_memory", "out of memory");
		return;
	}
	api_reply_raw(r, status, "application/json", buf, len);
}

void api_error(struct api_req *r, unsigned status, const char *code, const char *fmt, ...)
{
	static const char oom[] = "{\"error\": {\"code\": \"out_of_memory\", \"message\": \"\"}}\n";
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();
	char msg[1024];
	const char *s;
	size_t len = 0;
	char *buf = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o && e) {
		json_object_object_add(e, "code", json_object_new_string(code));
		json_object_object_add(e, "message", json_object_new_string(msg));
		json_object_object_add(o, "error", e);
		e = NULL;
		s = json_object_to_json_string_length(
		    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (s && (buf = malloc(len + 2))) {
			memcpy(buf, s, len);
			buf[len++] = '\n';
			buf[len] = '\0';
		}
	}
	json_object_put(e);
	json_object_put(o);
	if (!buf && (buf = strdup(oom)))
		len = sizeof(oom) - 1;
	api_reply_raw(r, status, "application/json", buf, buf ? len : 0);
}

/* What json-c lets through and RFC 8259 does not: control characters
 * inside strings (§7), strings in single quotes (§7: quotation marks).
 * Returns the offset of the first one, or len. */
static size_t raw_control(const char *b, size_t len)
{
	bool in = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)b[i];

		if ((in && c < 0x20) || (!in && c == '\''))
			return i;
		if (in && c == '\\')
			i++;
		else if (c == '"')
			in = !in;
	}
	return len;
}

/* json-c takes NaN and Infinity (and 1e999 becomes one), which RFC 8259 §6
 * does not allow. The depth is capped by the tokener, so recursion is bounded. */
static bool has_nonfinite(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_double:
		return !isfinite(json_object_get_double(v));
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (has_nonfinite(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object_object_foreach(v, key, val)
		{
			(void)key;
			if (has_nonfinite(val))
				return true;
		}
		return false;
	}
	default:
		return false;
	}
}

struct json_object *api_json_parse(const char *body, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *v;
	enum json_tokener_error je;
	size_t used;

	if (len == 0) {
		snprintf(err, errlen, "the body is empty; expected JSON");
		return NULL;
	}
	if (memchr(body, '\0', len)) {
		snprintf(err, errlen, "the body holds a NUL byte");
		return NULL;
	}
	if ((used = raw_control(body, len)) < len) {
		snprintf(err, errlen, "malformed JSON at byte %zu: %s", used,
		         body[used] == '\'' ? "strings take double quotes"
		                            : "a control character in a string");
		return NULL;
	}
	tok = json_tokener_new_ex(API_JSON_DEPTH);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	v = json_tokener_parse_ex(tok, body, (int)len);
	je = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (!v && je == json_tokener_continue) {
		/* a bare number ("2") may go on: the end of the body ends it */
		v = json_tokener_parse_ex(tok, "", 1);
		je = json_tokener_get_error(tok);
		used = len;
	}
	if (!v && je == json_tokener_continue)
		snprintf(err, errlen, "malformed JSON: the body ends inside a value");
	else if (!v)
		snprintf(err, errlen, "malformed JSON at byte %zu: %s", used,
		         json_tokener_error_desc(je));
	else {
		while (used < len && strchr(" \t\r\n", body[used]))
			used++;
		if (used < len) {
			snprintf(err, errlen,
			         "malformed JSON: trailing bytes after the value at byte %zu",
			         used);
			json_object_put(v);
			v = NULL;
		} else if (has_nonfinite(v)) {
			snprintf(err, errlen,
			         "malformed JSON: a number that is not finite "
			         "(NaN, Infinity or out of range)");
			json_object_put(v);
			v = NULL;
		}
	}
	json_tokener_free(tok);
	return v;
}

void api_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int api_unhex(const char *s, uint8_t *out, size_t max)
{
	bool colons = strchr(s, ':') != NULL;
	size_t n = 0;

	while (*s) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (colons && *s == ':' && s[1])
			s++;
		else if (colons && *s)
			return -1;
	}
	return (int)n;
}

char *api_buf_room(struct api_buf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2 + 256;
		char *nb = realloc(b->b, cap);

		if (!nb) {
			b->oom = true;
			return NULL;
		}
		b->b = nb;
		b->cap = cap;
	}
	return b->b + b->n;
}

void api_buf_done(struct api_buf *b, char *end)
{
	b->n = (size_t)(end - b->b);
	b->b[b->n] = '\0';
}

void api_buf_put(struct api_buf *b, const char *s, size_t n)
{
	char *p = api_buf_room(b, n);

	if (!p)
		return;
	memcpy(p, s, n);
	api_buf_done(b, p + n);
}

void api_buf_puts(struct api_buf *b, const char *s)
{
	api_buf_put(b, s, strlen(s));
}

void api_buf_printf(struct api_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = true; /* callers print short fields only */
		return;
	}
	api_buf_put(b, tmp, (size_t)n);
}

void api_buf_jstr(struct api_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	if (!s) {
		api_buf_put(b, "null", 4);
		return;
	}
	api_buf_put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		api_buf_put(b, run, (size_t)(p - run));
		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			api_buf_put(b, e, 2);
		} else {
			api_buf_put(b, e, 6);
		}
		run = p + 1;
	}
	api_buf_puts(b, run);
	api_buf_put(b, "\"", 1);
}

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void api_b64u_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64u[v >> 18 & 63];
		out[o++] = b64u[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = b64u[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = b64u[v & 63];
	}
	out[o] = '\0';
}

int api_b64u_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), o = 0;
	uint32_t v = 0;
	int bits = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *c = strchr(b64u, s[i]);

		if (!c || !s[i])
			return -1;
		v = v << 6 | (uint32_t)(c - b64u);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == max)
				return -1;
			out[o++] = (uint8_t)(v >> bits);
		}
	}
	if (bits && (v & ((1u << bits) - 1))) /* the unused low bits must be zero */
		return -1;
	return (int)o;
}
