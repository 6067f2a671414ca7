/*
 * Host reservations made through chorus-apid (the reservations table,
 * sql/0006): loaded at connect and on NOTIFY <schema>_dhcp 'reservations',
 * and merged into the running configuration's subnets after the config
 * file's own, which win for their DUID. The allocator sees one list.
 */
#ifndef CHORUS_SRV_RESV_H
#define CHORUS_SRV_RESV_H

#include <libpq-fe.h>

#include "srv.h"

/* Merges the loaded reservations into c (a new configuration, or the
 * running one), whose file reservations are counted at its first merge.
 * Returns 0 or CH_ENOMEM (c unchanged). */
int srv_resv_merge(struct srv *s, struct conf *c, bool fresh);

/* Rows of ST_RESV (hex DUID, subnet id, addresses and prefixes as
 * space-separated text, hostname): replaces the loaded set, merges it into
 * the running configuration. Rows that do not parse are skipped and counted. */
void srv_resv_loaded(struct srv *s, const PGresult *res);

void srv_resv_free(struct srv *s);

#endif
