/* Process logging to stderr or syslog; see log.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *log_ident = "chorus";
static bool log_syslog;
static int log_level = LOG_INFO;

static const char *const log_level_names[] = {
    [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
    [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_init(const char *ident, bool use_syslog, int max_level)
{
	log_ident = ident;
	log_syslog = use_syslog;
	log_level = max_level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int max_level)
{
	log_level = max_level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *name)
{
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (strcmp(name, log_level_names[i]) == 0)
			return i;
	return -1;
}

static struct log_error log_ring[LOG_ERRORS_N];
static size_t log_ring_n, log_ring_next; /* kept lines; slot of the next one */

__attribute__((format(printf, 1, 0))) static void log_keep(const char *fmt, va_list ap)
{
	struct log_error *last =
	    log_ring_n ? &log_ring[(log_ring_next + LOG_ERRORS_N - 1) % LOG_ERRORS_N] : NULL;
	char msg[LOG_ERRORS_LEN];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (last && strcmp(last->msg, msg) == 0) {
		last->count++;
		last->at = (long long)time(NULL);
		return;
	}
	last = &log_ring[log_ring_next];
	log_ring_next = (log_ring_next + 1) % LOG_ERRORS_N;
	if (log_ring_n < LOG_ERRORS_N)
		log_ring_n++;
	memcpy(last->msg, msg, sizeof(msg));
	last->count = 1;
	last->at = (long long)time(NULL);
}

size_t log_errors(struct log_error *out, size_t max)
{
	size_t n = log_ring_n < max ? log_ring_n : max;
	size_t first = (log_ring_next + LOG_ERRORS_N - log_ring_n) % LOG_ERRORS_N;

	/* the newest n, oldest first */
	first = (first + log_ring_n - n) % LOG_ERRORS_N;
	for (size_t i = 0; i < n; i++)
		out[i] = log_ring[(first + i) % LOG_ERRORS_N];
	return n;
}

void log_errors_clear(void)
{
	log_ring_n = log_ring_next = 0;
}

/* Appends s as a JSON string body; false when it did not fit. */
static bool json_str(char *buf, size_t cap, size_t *used, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		int n;

		if (c == '"' || c == '\\')
			n = snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			n = snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			n = snprintf(esc, sizeof(esc), "%c", c < 0x80 ? c : '?');
		if ((size_t)n >= cap - *used)
			return false;
		memcpy(buf + *used, esc, (size_t)n + 1);
		*used += (size_t)n;
	}
	return true;
}

char *log_errors_json(char *buf, size_t cap)
{
	struct log_error e[LOG_ERRORS_N];
	size_t n = log_errors(e, LOG_ERRORS_N), used = 1;

	snprintf(buf, cap, "[");
	for (size_t i = 0; i < n; i++) {
		size_t mark = used;
		char stamp[32], head[96];
		time_t t = (time_t)e[i].at;
		struct tm tm;
		int k;

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		k = snprintf(head, sizeof(head),
		             "%s{\"at\": \"%s\", \"count\": %u, \"message\": \"", i ? ", " : "",
		             stamp, e[i].count);
		if ((size_t)k < cap - used - 3) {
			memcpy(buf + used, head, (size_t)k + 1);
			used += (size_t)k;
			if (json_str(buf, cap - 3, &used, e[i].msg) && used + 2 < cap - 1) {
				memcpy(buf + used, "\"}", 3);
				used += 2;
				continue;
			}
		}
		used = mark; /* did not fit: stop before it */
		break;
	}
	buf[used] = ']';
	buf[used + 1] = '\0';
	return buf;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	if (level <= LOG_ERR) {
		va_list keep;

		va_copy(keep, ap);
		log_keep(fmt, keep);
		va_end(keep);
	}
	if (level > log_level)
		return;
	if (log_syslog) {
		vsyslog(level, fmt, ap);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s %s: ", stamp, ts.tv_nsec / 1000000, log_ident,
	        level >= LOG_EMERG && level <= LOG_DEBUG ? log_level_names[level] : "?");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
