/*
 * Error codes shared by every Chorus component. Functions return 0 (or a
 * count) on success and a negative CH_E* on failure; system errors reuse
 * -errno, protocol and store errors live below CH_EBASE.
 */
#ifndef CHORUS_ERRORS_H
#define CHORUS_ERRORS_H

#include <errno.h>

enum ch_err {
	CH_OK = 0,
	CH_ENOMEM = -ENOMEM,
	CH_EINVAL = -EINVAL,
	CH_ENOENT = -ENOENT,
	CH_EIO = -EIO,
	CH_EBASE = -1000,
	CH_ETRUNC = CH_EBASE - 1,     /* input ends inside a field or option */
	CH_EBADLEN = CH_EBASE - 2,    /* option length outside what its layout allows */
	CH_ENEST = CH_EBASE - 3,      /* option where its parent or message forbids it */
	CH_EDEEP = CH_EBASE - 4,      /* relay chain or encapsulation nested too deep */
	CH_EDUP = CH_EBASE - 5,       /* a singleton option appears twice */
	CH_EMALFORMED = CH_EBASE - 6, /* any other violation of the wire format */
	CH_ENOSPACE = CH_EBASE - 7,   /* output buffer too small */
	CH_ELIMIT = CH_EBASE - 8,     /* a count a peer controls exceeded our cap */
	CH_EMISSING = CH_EBASE - 9,   /* a required option or field is absent */
	CH_EDB = CH_EBASE - 10,       /* database unreachable or query failed */
	CH_ECONF = CH_EBASE - 11,     /* configuration rejected */
	CH_EVERSION = CH_EBASE - 12,  /* schema or protocol version we do not know */
	CH_EPERM = CH_EBASE - 13,     /* database user lacks a right */
	CH_ELAST = CH_EBASE - 14,
};

/* Returns a static English description of err, for logs. Never NULL. */
const char *ch_strerror(int err);

/* Returns a short stable identifier such as "CH_ETRUNC", for tests and logs. */
const char *ch_errname(int err);

#endif
