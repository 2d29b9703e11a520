/*
 * housekeeping.h - the SQL of the housekeeping job: its lease (table
 * job_lease) and the bounded batches it runs on activation, operation,
 * temporary_key, replay_value, callback_delivery, push_delivery,
 * event_outbox, dispatcher_status and inbox_message.
 *
 * Owns: taking, renewing and releasing a named lease (one row: who holds
 * it and until when), and the batch statements, each limited to a given
 * number of rows and each its own short transaction (autocommit).
 * Must not: decide when to run, how many batches, or log.
 */
#ifndef PASERV_STORE_HOUSEKEEPING_H
#define PASERV_STORE_HOUSEKEEPING_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define HK_LEASE_NAME_MAX	64
#define HK_HOLDER_MAX		128
#define HK_EVENTS_RETENTION_S	2592000		/* 30 days */
#define HK_PUSH_RETENTION_S	604800		/* 7 days */

/*
 * Takes the lease `name` for holder for ttl_s seconds when it is free,
 * expired or already holder's (then it is renewed), in one transaction
 * with the row locked. *taken: 1 or 0; when 0, held_by (cap bytes) names
 * the current holder. DB_OK, DB_ERROR, DB_DOWN.
 */
int	hk_lease_take(struct db *db, const char *name, const char *holder,
	    long ttl_s, int *taken, char *held_by, size_t cap);
/* Gives the lease up if holder has it. DB_OK, DB_ERROR, DB_DOWN. */
int	hk_lease_release(struct db *db, const char *name, const char *holder);

/* The bounded batch statements of a pass. */
enum hk_batch {
	HK_EXPIRE_CREATED,	/* CREATED past expiry -> REMOVED, code gone */
	HK_EXPIRE_PENDING_COMMIT,	/* the same for PENDING_COMMIT */
	HK_EXPIRE_OPERATIONS,	/* overdue PENDING operations -> EXPIRED */
	HK_PURGE_TEMPORARY_KEYS,	/* expired temporary keys */
	HK_PURGE_REPLAY,	/* expired ECIES/token replay entries */
	HK_PURGE_DELIVERIES,	/* finished webhook deliveries older than
				 * their callback's retention (and 1 h) */
	HK_PURGE_PUSH_DELIVERIES,	/* finished pushes older than
					 * HK_PUSH_RETENTION_S */
	HK_PURGE_EVENTS,	/* events older than HK_EVENTS_RETENTION_S
				 * that no delivery refers to */
	HK_PURGE_DISPATCHERS,	/* status rows of dispatchers silent a day */
	HK_PURGE_INBOX,		/* inbox messages older than arg days (with
				 * their application rows) */
	HK_PURGE_AUDIT,		/* audit rows older than arg days */
	HK_PURGE_ABUSE		/* abuse counter windows older than a day */
};

/*
 * Runs one statement of kind on at most limit rows, oldest first where
 * order matters, at READ COMMITTED (no gap locks); *changed: how many.
 * arg: the age in days of HK_PURGE_INBOX and HK_PURGE_AUDIT; the other
 * kinds ignore it.
 */
int	hk_batch(struct db *db, enum hk_batch kind, int64_t arg,
	    int64_t limit, uint64_t *changed);

#endif
