/*
 * stats.h - how many rows of a kind are in each status, for the metrics
 * gauges read at scrape time.
 *
 * Owns: the counting SQL over activation.status and operation.status
 * (both served by their (status, expires_at) index).
 * Must not: decide what a status means or render anything.
 */
#ifndef PASERV_STORE_STATS_H
#define PASERV_STORE_STATS_H

#include <stdint.h>

#include "store/db.h"

#define STATS_STATUS_MAX	8	/* statuses 1..7; 0 collects others */

enum stats_table {
	STATS_ACTIVATIONS = 0,
	STATS_OPERATIONS
};

/*
 * counts[s] = rows in status s (1..STATS_STATUS_MAX - 1); rows in any
 * other status are added to counts[0]. DB_OK or a negative enum db_rc.
 */
int	stats_by_status(struct db *db, enum stats_table t,
	    int64_t counts[STATS_STATUS_MAX]);

#endif
