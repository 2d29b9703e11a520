/*
 * timeutil.h - clocks.
 *
 * Owns: wall-clock time in epoch milliseconds (the unit of every timestamp on
 * the wire), a monotonic microsecond clock for measuring durations, and
 * timed waits on the monotonic clock (a background thread's sleep must not
 * stretch or shrink when the wall clock is set).
 */
#ifndef PASERV_COMMON_TIMEUTIL_H
#define PASERV_COMMON_TIMEUTIL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

int64_t		time_now_ms(void);
uint64_t	time_mono_us(void);
/* A condition variable whose timed waits count on the monotonic clock.
 * 0 or -1. */
int		time_cond_init(pthread_cond_t *cv);
/* The monotonic time ms from now: the deadline of a timed wait on such a
 * condition variable. */
struct timespec	time_mono_deadline(int64_t ms);

#endif
