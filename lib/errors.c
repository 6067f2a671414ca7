/* Names and descriptions of the CH_E* codes of errors.h. */
#include <string.h>

#include "errors.h"

struct ch_err_desc {
	int code;
	const char *name;
	const char *text;
};

static const struct ch_err_desc ch_err_table[] = {
    {CH_OK, "CH_OK", "success"},
    {CH_ETRUNC, "CH_ETRUNC", "truncated: input ends inside a field or option"},
    {CH_EBADLEN, "CH_EBADLEN", "bad length for this option"},
    {CH_ENEST, "CH_ENEST", "option not allowed where it appears"},
    {CH_EDEEP, "CH_EDEEP", "nested too deep"},
    {CH_EDUP, "CH_EDUP", "duplicate of an option that may appear only once"},
    {CH_EMALFORMED, "CH_EMALFORMED", "malformed"},
    {CH_ENOSPACE, "CH_ENOSPACE", "no space left in output buffer"},
    {CH_ELIMIT, "CH_ELIMIT", "count exceeds the configured limit"},
    {CH_EMISSING, "CH_EMISSING", "required option or field missing"},
    {CH_EDB, "CH_EDB", "database error"},
    {CH_ECONF, "CH_ECONF", "configuration error"},
    {CH_EVERSION, "CH_EVERSION", "unsupported version"},
    {CH_EPERM, "CH_EPERM", "permission denied"},
    {CH_ENOMEM, "CH_ENOMEM", "out of memory"},
    {CH_EINVAL, "CH_EINVAL", "invalid argument"},
    {CH_ENOENT, "CH_ENOENT", "not found"},
    {CH_EIO, "CH_EIO", "input/output error"},
};

static const struct ch_err_desc *ch_err_find(int err)
{
	for (size_t i = 0; i < sizeof(ch_err_table) / sizeof(ch_err_table[0]); i++)
		if (ch_err_table[i].code == err)
			return &ch_err_table[i];
	return NULL;
}

const char *ch_strerror(int err)
{
	const struct ch_err_desc *d = ch_err_find(err);

	if (d)
		return d->text;
	if (err < 0 && err > CH_EBASE)
		return strerror(-err);
	return "unknown error";
}

const char *ch_errname(int err)
{
	const struct ch_err_desc *d = ch_err_find(err);

	return d ? d->name : "CH_E?";
}
