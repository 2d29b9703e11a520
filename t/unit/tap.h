/*
 * tap.h - a minimal TAP producer for the unit tests (read by automake's
 * tap-driver.sh). Tests print "ok N - name" / "not ok N - name" and a plan;
 * tap_done() prints the plan at the end and returns the exit status.
 */
#ifndef PASERV_T_TAP_H
#define PASERV_T_TAP_H

#include <stddef.h>
#include <stdint.h>

/* Records one result; returns cond so callers can chain diagnostics. */
int	tap_ok(int cond, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Compares byte strings; on mismatch prints both in hex as diagnostics. */
int	tap_mem(const void *got, size_t gotlen, const void *want,
	    size_t wantlen, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	tap_str(const char *got, const char *want, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A diagnostic line ("# ..."). */
void	tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Marks the whole file skipped (prints "1..0 # SKIP why") and returns 0. */
int	tap_skip_all(const char *why);
/* Prints the plan; returns 0 if every test passed, 1 otherwise. */
int	tap_done(void);
/* Number of failures so far. */
int	tap_failures(void);

#endif
