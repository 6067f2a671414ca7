/*
 * Internal to the lease store: commit groups, one INSERT for every grant
 * and one UPDATE for every extend of many transactions (srv_store_flush
 * feeds them, srv_store_sql.c has the statements). A transaction whose row
 * did not take is marked failed by the statement's result.
 */
#ifndef CHORUS_SRV_STORE_GROUP_H
#define CHORUS_SRV_STORE_GROUP_H

#include "srv_txn.h"

/* Adds t's lease operations to the open group, sending Release, Decline
 * and Expire rows at once and closing the group first where an address
 * comes again. Returns 0 or the first error (CH_ENOMEM, CH_ELIMIT, a
 * db_query error). */
int srv_store_group_txn(struct srv *s, struct srv_txn *t);

/* Sends the group's grants and extends and starts a new group. Returns 0,
 * CH_ENOMEM, or a db_query error. */
int srv_store_group_close(struct srv *s);

/* Drops the open group unsent (the batch failed). */
void srv_store_group_reset(void);

/* Frees the group's buffers (the store closes). */
void srv_store_group_free(void);

#endif
