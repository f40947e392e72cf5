/* SPDX-License-Identifier: MIT */
/*
 * gslerr.c - GSL errors recorded per thread instead of aborting (see gslerr.h).
 *
 * The choice, rather than gsl_set_error_handler_off(): both make GSL return its error code
 * without aborting, and both need every caller to check it; the recording handler also
 * keeps GSL's reason ("matrix is singular"), which a NULL from an allocation or a value from
 * a function that cannot return a code would otherwise lose. The handler never prints (the
 * library does not) and copies the reason into a fixed buffer, so recording never allocates
 * and an out-of-memory error is recorded like any other. Cost: one copy of at most 127
 * bytes per GSL error, nothing when there is none.
 */
#include "gslerr.h"

#include <stdarg.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>

typedef struct gslerr_record {
    int gsl_errno;    /* GSL_E* of the last error, 0 when none */
    char reason[128]; /* GSL's text for it, cut to fit */
} gslerr_record_t;

static _Thread_local gslerr_record_t t_last;

/* GSL's handler: remember the error on this thread and return to the GSL function. */
static void gslerr_record(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)file;
    (void)line;
    t_last.gsl_errno = gsl_errno;
    snprintf(t_last.reason, sizeof(t_last.reason), "%s", reason ? reason : "");
}

void ts_gsl_install(void)
{
    gsl_set_error_handler(gslerr_record);
}

void ts_gsl_clear(void)
{
    t_last.gsl_errno = 0;
    t_last.reason[0] = 0;
}

int ts_gsl_errno(void)
{
    return t_last.gsl_errno;
}

int ts_gsl_code(int gsl_errno)
{
    switch (gsl_errno) {
    case GSL_SUCCESS:
        return 0;
    case GSL_ENOMEM:
        return TS_ENOMEM;
    case GSL_EINVAL:
        return TS_EINVAL;
    case GSL_EUNSUP:
    case GSL_EUNIMPL:
        return TS_EUNSUPPORTED;
    case GSL_EOF:
        return TS_EIO;
    case GSL_EBADLEN:
    case GSL_ENOTSQR:
    case GSL_EFAULT:
    case GSL_ESANITY:
    case GSL_EBADFUNC:
    case GSL_EBADTOL:
        return TS_EINTERNAL;
    default:
        return TS_ERANGE;
    }
}

int ts_gsl_fail(ts_err_t *err, int fallback, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    int code = t_last.gsl_errno ? ts_gsl_code(t_last.gsl_errno) : fallback;
    if (t_last.gsl_errno)
        ts_err_set(err, code, "%s: %s (GSL: %s)", what, t_last.reason,
                   gsl_strerror(t_last.gsl_errno));
    else
        ts_err_set(err, code, "%s", what);
    ts_gsl_clear();
    return code;
}
