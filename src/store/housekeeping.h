/*
 * housekeeping.h - the SQL of the housekeeping job: its lease (table
 * job_lease) and the bounded batches it runs on activation, operation,
 * temporary_key, replay_value, callback_delivery, event_outbox and
 * dispatcher_status.
 *
 * Owns: taking, renewing and releasing a named lease (one row: who holds
 * it and until when), and the three batch statements, each limited to a
 * given number of rows and each its own short transaction (autocommit).
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

/*
 * Registrations in status (enum reg_status) past their expiry -> REMOVED
 * (code cleared), oldest expiry first, at most limit rows; *changed: how
 * many. Runs at READ COMMITTED (no gap locks).
 */
int	hk_expire_registrations(struct db *db, int status, int64_t limit,
	    uint64_t *changed);
/* Sets at most limit overdue PENDING operations to EXPIRED. */
int	hk_expire_operations(struct db *db, int64_t limit, uint64_t *changed);
/* Deletes at most limit expired temporary keys / ECIES replay entries. */
int	hk_purge_temporary_keys(struct db *db, int64_t limit,
	    uint64_t *changed);
int	hk_purge_replay(struct db *db, int64_t limit,
	    uint64_t *changed);
/* Deletes at most limit finished (DELIVERED, FAILED) webhook deliveries
 * older than their callback's retention (and at least an hour old). */
int	hk_purge_deliveries(struct db *db, int64_t limit, uint64_t *changed);
/* Deletes at most limit events older than HK_EVENTS_RETENTION_S that no
 * delivery refers to. */
int	hk_purge_events(struct db *db, int64_t limit, uint64_t *changed);
/* Deletes status rows of dispatchers silent for a day. */
int	hk_purge_dispatchers(struct db *db, int64_t limit, uint64_t *changed);

#endif
