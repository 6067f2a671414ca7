/*
 * What the main() of every Chorus daemon shares: its options (-c FILE, -t,
 * -d, and -p PORT or -P PIDFILE where it has them), loading the
 * configuration and -t's print of it, the log, detaching, the pid file. The
 * reload on SIGHUP and on request is lib/reload.h. Daemon code shared by the
 * four main.c: it reports to stderr or the log itself.
 */
#ifndef CHORUS_DAEMON_H
#define CHORUS_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define DAEMON_OPT_PORT    0x1u /* -p PORT, 1..65535 */
#define DAEMON_OPT_PIDFILE 0x2u /* -P FILE */

struct daemon_opts {
	const char *conf;     /* -c, required */
	const char *pid_file; /* -P, or NULL */
	bool check;           /* -t */
	bool foreground;      /* -d */
	unsigned port;        /* -p, 0 when not given */
};

/* Parses argv (getopt) allowing the options of accept besides -c, -t, -d.
 * Returns 0, or -1 when the caller should print its usage. */
int daemon_opts_parse(int argc, char **argv, unsigned accept, struct daemon_opts *out);

/*
 * Loads o->conf with load (NULL: conf_load) into *out; on failure prints
 * "name: file: /path: expected ..." to stderr. With -t prints the effective
 * configuration to stdout. Returns 0 to go on, 1 when -t printed it (exit
 * 0), -1 to exit 1 (*out is then NULL, or freed by the caller as usual).
 */
int daemon_conf(const char *name, const struct daemon_opts *o,
                int (*load)(const char *path, struct conf **out, char *err, size_t errlen),
                struct conf **out);

/* The log: stderr with -d, else syslog unless logging.syslog is false; and
 * SIGPIPE ignored (a peer that goes away is an error return, not a death). */
void daemon_log_init(const char *name, const struct daemon_opts *o, const struct conf *c);

/* Detaches unless -d (logged when it fails). 0 or -errno. */
int daemon_detach(const struct daemon_opts *o);

/* Writes our pid into path (logged when it fails). 0 or -errno. */
int daemon_pid_write(const char *path);

#endif
