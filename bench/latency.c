/* latency.c - latency samples and percentiles (see latency.h). */
#include <config.h>

#include "latency.h"

#include <stdlib.h>
#include <string.h>

static int
reserve(struct latency *l, size_t more)
{
	size_t cap = l->cap ? l->cap : 1024;
	uint32_t *p;

	if (more > SIZE_MAX / sizeof(uint32_t) - l->n)
		return -1;
	while (cap < l->n + more)
		cap *= 2;
	if (cap == l->cap)
		return 0;
	if ((p = realloc(l->us, cap * sizeof(*p))) == NULL)
		return -1;
	l->us = p;
	l->cap = cap;
	return 0;
}

int
latency_add(struct latency *l, uint64_t us)
{
	if (l->n == l->cap && reserve(l, 1) != 0)
		return -1;
	l->us[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	return 0;
}

int
latency_merge(struct latency *dst, const struct latency *src)
{
	if (src->n == 0)
		return 0;
	if (reserve(dst, src->n) != 0)
		return -1;
	memcpy(dst->us + dst->n, src->us, src->n * sizeof(*src->us));
	dst->n += src->n;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
latency_sort(struct latency *l)
{
	if (l->n > 1)
		qsort(l->us, l->n, sizeof(*l->us), cmp_u32);
}

double
latency_pct_ms(const struct latency *l, double p)
{
	double r = p / 100.0 * (double)l->n;
	size_t rank;

	if (l->n == 0)
		return 0;
	rank = (size_t)r;
	if ((double)rank < r)
		rank++;		/* ceil */
	if (rank < 1)
		rank = 1;
	if (rank > l->n)
		rank = l->n;
	return l->us[rank - 1] / 1000.0;
}

void
latency_free(struct latency *l)
{
	free(l->us);
	l->us = NULL;
	l->n = l->cap = 0;
}
