/* The start of every Chorus daemon's main(); see daemon.h. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

int daemon_opts_parse(int argc, char **argv, unsigned accept, struct daemon_opts *out)
{
	struct daemon_opts o = {0};
	char spec[16] = "c:tdh";
	unsigned long port;
	char *end;
	int c;

	if (accept & DAEMON_OPT_PORT)
		strcat(spec, "p:");
	if (accept & DAEMON_OPT_PIDFILE)
		strcat(spec, "P:");
	while ((c = getopt(argc, argv, spec)) != -1) {
		switch (c) {
		case 'c':
			o.conf = optarg;
			break;
		case 't':
			o.check = true;
			break;
		case 'd':
			o.foreground = true;
			break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || port == 0 || port > 65535)
				return -1;
			o.port = (unsigned)port;
			break;
		case 'P':
			o.pid_file = optarg;
			break;
		default:
			return -1;
		}
	}
	if (!o.conf || optind != argc)
		return -1;
	*out = o;
	return 0;
}

int daemon_conf(const char *name, const struct daemon_opts *o,
                int (*load)(const char *path, struct conf **out, char *err, size_t errlen),
                struct conf **out)
{
	char err[CONF_ERR_LEN];

	*out = NULL;
	if ((load ? load : conf_load)(o->conf, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		return -1;
	}
	if (o->check)
		return conf_print(*out, stdout, 0) < 0 ? -1 : 1;
	return 0;
}

void daemon_log_init(const char *name, const struct daemon_opts *o, const struct conf *c)
{
	log_init(name, !o->foreground && c->logging.syslog, c->logging.level);
	signal(SIGPIPE, SIG_IGN);
}

int daemon_detach(const struct daemon_opts *o)
{
	int err;

	if (o->foreground || daemon(0, 0) == 0)
		return 0;
	err = -errno;
	log_err("cannot detach: %s", strerror(-err));
	return err;
}

int daemon_pid_write(const char *path)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f) {
		err = -errno;
	} else {
		fprintf(f, "%ld\n", (long)getpid());
		if (fclose(f))
			err = -errno;
	}
	if (err)
		log_err("cannot write pid file %s: %s", path, strerror(-err));
	return err;
}
