/*
 * stats.h - the figures the metrics scrape reads from the database:
 * registrations and operations by status.
 *
 * Owns: collecting them in one call (the webhook queue figures come from
 * callback_queue_status()).
 * Must not: speak HTTP, render, or hold SQL text.
 */
#ifndef PASERV_SERVICE_STATS_H
#define PASERV_SERVICE_STATS_H

#include <stdint.h>

#include "service/result.h"
#include "store/db.h"
#include "store/stats.h"

struct stats_snapshot {
	/* [status] as in enum reg_status / enum op_status; [0]: other */
	int64_t	 registrations[STATS_STATUS_MAX];
	int64_t	 operations[STATS_STATUS_MAX];
};

/* SVC_OK, SVC_DB_DOWN or SVC_INTERNAL. */
enum svc_rc	stats_collect(struct db *db, struct stats_snapshot *out);

#endif
