/*
 * housekeeping.h - the background job: one pass expires unfinished
 * registrations past their expiry and purges expired temporary keys and
 * ECIES replay entries (and what housekeeping.h of store/ lists, inbox
 * messages only when inbox.retention_days is set).
 *
 * Owns: when a pass may work (it holds the database lease "housekeeping",
 * so any number of hosts can run the job and one at a time does), how it
 * works (statements of at most housekeeping.batch rows, each its own short
 * transaction, repeated until one changes fewer rows; the lease renewed on
 * the way and given up at the end) and the holder id of a process.
 * Must not: schedule itself, log, or hold SQL text (store/housekeeping.c).
 */
#ifndef PASERV_SERVICE_HOUSEKEEPING_H
#define PASERV_SERVICE_HOUSEKEEPING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"
#include "store/housekeeping.h"

#define HOUSEKEEPING_LEASE	"housekeeping"
#define HOUSEKEEPING_LEASE_TTL	60	/* s; a crashed holder's lease lapses */

struct hk_counts {
	int		 ran;		/* 0: the lease was someone else's */
	char		 held_by[HK_HOLDER_MAX + 1];	/* then: whose */
	uint64_t	 expired;	/* registrations set to REMOVED */
	uint64_t	 operations;	/* operations set to EXPIRED */
	uint64_t	 temporary_keys;	/* deleted */
	uint64_t	 replay_entries;	/* deleted */
	uint64_t	 deliveries;	/* finished webhook and push
					 * deliveries gone */
	uint64_t	 events;	/* old events deleted */
	uint64_t	 dispatchers;	/* status rows of silent ones deleted */
	uint64_t	 inbox_messages;	/* past inbox.retention_days */
	uint64_t	 audit_events;	/* past audit.retention_days */
	uint64_t	 abuse_counters;	/* windows older than a day */
	unsigned	 statements;	/* batch statements run */
};

/* "hostname:pid:8 hex digits" into out (HK_HOLDER_MAX + 1 bytes). 0 ok. */
int		housekeeping_holder_id(char *out, size_t cap);

/*
 * One pass when the lease can be had (else out->ran = 0 and SVC_OK).
 * stop (may be NULL) is looked at between statements: a pass asked to
 * stop ends early, leaving the rest to the next one. SVC_OK, SVC_DB_DOWN,
 * SVC_INTERNAL (the counts so far are kept).
 */
enum svc_rc	housekeeping_run(struct db *db, const struct config *cfg,
		    const char *holder, const atomic_int *stop,
		    struct hk_counts *out);

#endif
