/*
 * The outbox worker: reads due rows (ddns_store.c), runs each through the
 * RFC 4703 steps as one job (forward name, then PTR; or the removals), sends
 * each step's UPDATE to the zone's servers in order, and finishes the row on
 * a definitive answer or puts it back with exponential backoff and jitter.
 * At most ddns.window jobs are in flight. The steps of several rows share
 * an UPDATE (ddns_batch.h); a batch not done as a whole comes back split,
 * each row sent again alone for its own RFC 4703 outcome.
 */
#ifndef CHORUS_DDNS_OUTBOX_H
#define CHORUS_DDNS_OUTBOX_H

#include <stddef.h>

#include "ddns.h"

/* What chorus-ddnsd needs of a configuration beyond conf_load: ddns enabled,
 * every TSIG algorithm one ldns has, a key for every zone's servers. 0, or
 * CH_ECONF with "file: /json/path: why" in err. */
int ddns_outbox_check(const struct conf *c, char *err, size_t errlen);

/* Opens a socket per server and the keys of d->conf. 0 or a CH_E*. */
int ddns_outbox_open(struct ddns *d);
void ddns_outbox_close(struct ddns *d);

/* Reads the due rows soon (NOTIFY, sweep, a retry's time, a free slot). */
void ddns_outbox_kick(struct ddns *d);

/* Takes c as the next configuration; it applies once nothing is in flight. */
void ddns_outbox_reload(struct ddns *d, struct conf *c);

#endif
