/*
 * Process logging: stderr in the foreground, syslog otherwise. Levels are
 * syslog's (LOG_ERR .. LOG_DEBUG); the threshold changes at runtime.
 * lib/ itself logs nothing above LOG_DEBUG: it returns errors instead.
 */
#ifndef CHORUS_LOG_H
#define CHORUS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

void log_init(const char *ident, bool use_syslog, int max_level);
void log_set_level(int max_level);
int log_get_level(void);
/* Parses "err", "warning", "notice", "info" or "debug"; -1 if unknown. */
int log_level_parse(const char *name);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_err(...)     log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
