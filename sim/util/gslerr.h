/* SPDX-License-Identifier: MIT */
/*
 * gslerr.h - the project's policy for GSL errors: GSL never aborts tiersim.
 *
 * GSL's default error handler prints and calls abort() on any error (an allocation that
 * fails, a domain error, a fit that does not converge). ts_gsl_install replaces it, once per
 * process and before the first GSL call, with a handler that only records the error in the
 * calling thread's record and returns; the GSL function then returns its error code (or
 * NULL, or its documented value) and the caller turns it into a ts_err_t with ts_gsl_fail.
 * The record is thread-local, so OpenMP points running side by side never see each
 * other's errors. Where each program installs it, and which GSL calls can fail at all:
 * docs/invariants.md ("GSL errors").
 */
#ifndef TS_SIM_UTIL_GSLERR_H
#define TS_SIM_UTIL_GSLERR_H

#include "err.h"

/* Makes GSL's error handler the recording one (above). Every program that links libtiersim
 * calls it from its main thread before its first GSL call and before it starts threads
 * (ts_cli_main, the bench programs, the fuzz harness, and the tests that call GSL); it sets
 * the process-wide handler again each time, so a second call is harmless. */
void ts_gsl_install(void);

/* Clears the calling thread's record. Call it before a GSL call whose failure is reported,
 * so that ts_gsl_fail gives that call's reason and not an older one. */
void ts_gsl_clear(void);

/* The GSL code (GSL_ENOMEM, GSL_EDOM, ...) of the calling thread's last recorded error
 * since ts_gsl_clear, or 0 (GSL_SUCCESS) when there was none. */
int ts_gsl_errno(void);

/* The tiersim code for a GSL code: GSL_ENOMEM -> TS_ENOMEM; GSL_EINVAL -> TS_EINVAL;
 * GSL_EUNSUP and GSL_EUNIMPL -> TS_EUNSUPPORTED; GSL_EOF -> TS_EIO; lengths or shapes that
 * do not match (GSL_EBADLEN, GSL_ENOTSQR, GSL_EFAULT, GSL_ESANITY, GSL_EBADFUNC,
 * GSL_EBADTOL), which are bugs of the caller -> TS_EINTERNAL; 0 -> 0; every numerical
 * failure (domain, range, singular matrix, no convergence, loss of accuracy...) ->
 * TS_ERANGE. */
int ts_gsl_code(int gsl_errno);

/* Fills err (when still clear) with what the caller was doing, a printf-style text, then
 * GSL's reason when an error was recorded: "cannot allocate the fit's matrices: failed to
 * allocate space for block data (GSL: malloc failed)". The code is ts_gsl_code of the
 * recorded error, or fallback when none was recorded (a failure GSL tells by its return
 * value only). Clears the record. Returns the code. err may be NULL. */
int ts_gsl_fail(ts_err_t *err, int fallback, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
