/*
 * timeutil.h - clocks.
 *
 * Owns: wall-clock time in epoch milliseconds (the unit of every timestamp on
 * the wire) and a monotonic microsecond clock for measuring durations.
 */
#ifndef PASERV_COMMON_TIMEUTIL_H
#define PASERV_COMMON_TIMEUTIL_H

#include <stdint.h>

int64_t		time_now_ms(void);
uint64_t	time_mono_us(void);

#endif
