/*
 * Identity associations and their contents (RFC 8415 §21.4-21.6, §21.13,
 * §21.21-21.22; RFC 6603 PD_EXCLUDE): builders for IA_NA, IA_TA, IA_PD,
 * IAADDR, IAPREFIX, STATUS_CODE and PD_EXCLUDE on a struct d6_msg, readers
 * for their status, and the PD_EXCLUDE subnet-ID arithmetic.
 */
#ifndef CHORUS_D6_IA_H
#define CHORUS_D6_IA_H

#include <stddef.h>
#include <stdint.h>

#include "d6_msg.h"

/* Each returns the new option's index, or CH_ELIMIT / CH_EINVAL / CH_ENEST
 * as d6_msg_add does. */
int d6_ia_add_na(struct d6_msg *m, uint32_t iaid, uint32_t t1, uint32_t t2);
int d6_ia_add_ta(struct d6_msg *m, uint32_t iaid);
int d6_ia_add_pd(struct d6_msg *m, uint32_t iaid, uint32_t t1, uint32_t t2);
/* ia is an IA_NA or IA_TA (or CLIENT_DATA, LQ_QUERY). */
int d6_ia_add_addr(struct d6_msg *m, int ia, const uint8_t addr[16], uint32_t pref, uint32_t valid);
/* ia is an IA_PD (or CLIENT_DATA). */
int d6_ia_add_prefix(struct d6_msg *m, int ia, const uint8_t prefix[16], uint8_t plen,
                     uint32_t pref, uint32_t valid);
/* text is not copied and must outlive m; parent D6_ROOT for the top level. */
int d6_ia_add_status(struct d6_msg *m, int parent, uint16_t code, const char *text, size_t len);
/*
 * Adds PD_EXCLUDE under the IAPREFIX at index iaprefix, excluding
 * excluded/xlen from that delegated prefix (RFC 6603 §4.2).
 * Returns the index, CH_EINVAL if excluded is not inside the delegated
 * prefix or xlen is not longer, or what d6_msg_add returns.
 */
int d6_ia_add_pd_exclude(struct d6_msg *m, int iaprefix, const uint8_t excluded[16], uint8_t xlen);

/* Status code of the STATUS_CODE child of parent; Success when there is
 * none (RFC 8415 §21.13). text and len (optional) get its message. */
uint16_t d6_ia_status(const struct d6_msg *m, int parent, const uint8_t **text, size_t *len);

/*
 * RFC 6603 §4.2 encoding. Fills *out (plen, id, id_len) for excluded/xlen
 * within prefix/plen. Returns 0 or CH_EINVAL.
 */
int d6_ia_pdx_encode(const uint8_t prefix[16], uint8_t plen, const uint8_t excluded[16],
                     uint8_t xlen, union d6_val *out);
/* Rebuilds the excluded prefix from the delegated one and a PD_EXCLUDE
 * value. Returns its length, or CH_EMALFORMED / CH_EBADLEN. */
int d6_ia_pdx_decode(const uint8_t prefix[16], uint8_t plen, const union d6_val *pdx,
                     uint8_t out[16]);

#endif
