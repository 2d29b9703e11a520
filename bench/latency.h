/*
 * latency.h - latency samples of the load benchmarks (db_baseline,
 * http_load): collecting per thread, merging, percentiles.
 *
 * Owns: a growable array of samples in microseconds and the nearest-rank
 * percentile over it. Must not: print or time anything itself.
 */
#ifndef PASERV_BENCH_LATENCY_H
#define PASERV_BENCH_LATENCY_H

#include <stddef.h>
#include <stdint.h>

struct latency {
	uint32_t	*us;
	size_t		 n, cap;
};

#define LATENCY_INIT	{ NULL, 0, 0 }

/* Appends one sample (saturates at UINT32_MAX us). 0 or -1 (no memory). */
int	latency_add(struct latency *l, uint64_t us);
/* Appends all of src to dst. */
int	latency_merge(struct latency *dst, const struct latency *src);
/* Sorts the samples; call once before latency_pct(). */
void	latency_sort(struct latency *l);
/* Nearest-rank percentile (0 < p <= 100) of sorted samples, in ms; 0 if none. */
double	latency_pct_ms(const struct latency *l, double p);
void	latency_free(struct latency *l);

#endif
