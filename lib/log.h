/*
 * Process logging: stderr in the foreground, syslog otherwise. Levels are
 * syslog's (LOG_ERR .. LOG_DEBUG); the threshold changes at runtime.
 * lib/ itself logs nothing above LOG_DEBUG: it returns errors instead.
 */
#ifndef CHORUS_LOG_H
#define CHORUS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

void log_init(const char *ident, bool use_syslog, int max_level);
void log_set_level(int max_level);
int log_get_level(void);
/* Parses "err", "warning", "notice", "info" or "debug"; -1 if unknown. */
int log_level_parse(const char *name);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The last LOG_ERRORS_N lines logged at LOG_ERR or worse (whatever the
 * threshold, stderr or syslog), kept for the heartbeat: chorus-apid's
 * /v1/health shows them. A line equal to the newest one counts up instead. */
#define LOG_ERRORS_N   5
#define LOG_ERRORS_LEN 256 /* bytes of one kept line */
struct log_error {
	long long at;   /* wall clock, Unix seconds, of its last occurrence */
	unsigned count; /* times in a row */
	char msg[LOG_ERRORS_LEN];
};
/* Copies up to max kept lines, oldest first; returns how many. */
size_t log_errors(struct log_error *out, size_t max);
/* The kept lines as a JSON array of {"at": RFC 3339, "count": n, "message":
 * text}, oldest first, into buf (cap >= 3); returns buf. Bytes outside ASCII
 * print as '?', so the text is always valid UTF-8. */
char *log_errors_json(char *buf, size_t cap);
/* Forgets the kept lines (for tests). */
void log_errors_clear(void);

#define log_err(...)     log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
