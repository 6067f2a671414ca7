/*
 * The IAs of Solicit, Request, Renew and Rebind (RFC 8415 §18.3.1-18.3.5):
 * find the binding, allocate or extend, and for leases this instance does
 * not hold apply the subnet's rebind-policy (replace, refuse, adopt: the
 * three models of RFC 6853 §4). Each request IA gets one reply IA.
 */
#ifndef CHORUS_SRV_IA_H
#define CHORUS_SRV_IA_H

#include "srv_txn.h"

enum srv_ia_mode {
	SRV_IA_ADVERTISE, /* show what a Request would get; change nothing */
	SRV_IA_REQUEST,   /* Request, and Solicit with Rapid Commit */
	SRV_IA_RENEW,
	SRV_IA_REBIND,
};

/* Processes every IA_NA, IA_TA and IA_PD of s->req into s->rep, recording
 * lease operations on t. Returns 0 or a negative CH_E* (t->drop set). */
int srv_ia_process(struct srv_txn *t, enum srv_ia_mode mode);

#endif
