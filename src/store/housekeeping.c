/*
 * housekeeping.c - SQL of the housekeeping job (see housekeeping.h).
 *
 * The lease is a plain row rather than GET_LOCK() so that it holds on a
 * Galera cluster too; there a concurrent taker on another node loses at
 * certification (its commit fails) and simply does not get the lease.
 */
#include <config.h>

#include "store/housekeeping.h"

#include <stdio.h>
#include <string.h>

#include "store/registrations.h"

/*
 * The row is created (free: long expired) outside the transaction first,
 * so that the transaction always locks an existing row: two takers that
 * both found no row would otherwise deadlock on their gap locks.
 */
static const char SQL_LEASE_ENSURE[] =
    "INSERT IGNORE INTO job_lease (name, holder, expires_at)"
    " VALUES (?, '', '1970-01-01 00:00:01')";
static const char SQL_LEASE_LOCK[] =
    "SELECT holder, expires_at > UTC_TIMESTAMP(3) FROM job_lease"
    " WHERE name = ? FOR UPDATE";
static const char SQL_LEASE_UPDATE[] =
    "UPDATE job_lease SET holder = ?,"
    " expires_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE name = ?";
static const char SQL_LEASE_RELEASE[] =
    "DELETE FROM job_lease WHERE name = ? AND holder = ?";
/*
 * One status per statement: with `status IN (1, 2) ... ORDER BY
 * expires_at` the index (status, expires_at) cannot give the order, and
 * every batch would sort the whole backlog (measured: 250 ms per batch of
 * 50 with 60000 expired rows); with `status = ?` it reads just the batch.
 */
static const char SQL_EXPIRE[] =
    "UPDATE activation SET status = 5, activation_code = NULL,"
    " last_change_at = UTC_TIMESTAMP(3)"
    " WHERE status = ? AND expires_at <= UTC_TIMESTAMP(3)"
    " ORDER BY expires_at LIMIT ?";
/* Index (status, expires_at) gives the order: a batch reads just itself. */
static const char SQL_EXPIRE_OPERATIONS[] =
    "UPDATE operation SET status = 5, finalized_at = UTC_TIMESTAMP(3)"
    " WHERE status = 1 AND expires_at <= UTC_TIMESTAMP(3)"
    " ORDER BY expires_at LIMIT ?";
static const char SQL_PURGE_TEMPORARY_KEYS[] =
    "DELETE FROM temporary_key WHERE expires_at < UTC_TIMESTAMP(3) LIMIT ?";
static const char SQL_PURGE_ECIES_REPLAY[] =
    "DELETE FROM replay_value WHERE expires_at < UTC_TIMESTAMP(3) LIMIT ?";
/* Finished deliveries past their callback's retention (at least an hour:
 * the first bound lets the index (status, finished_at) narrow the scan). */
static const char SQL_PURGE_DELIVERIES[] =
    "DELETE FROM callback_delivery WHERE status IN (2, 3)"
    " AND finished_at < UTC_TIMESTAMP(3) - INTERVAL 1 HOUR"
    " AND finished_at < UTC_TIMESTAMP(3) - INTERVAL (SELECT c.retention_s"
    " FROM callback c WHERE c.id = callback_delivery.callback_id) SECOND"
    " LIMIT ?";
/* Finished pushes after HK_PUSH_RETENTION_S (index (status,
 * finished_at)). Pending ones go with their event (ON DELETE CASCADE). */
static const char SQL_PURGE_PUSH_DELIVERIES[] =
    "DELETE FROM push_delivery WHERE status IN (2, 3, 4)"
    " AND finished_at < UTC_TIMESTAMP(3) - INTERVAL 604800 SECOND"
    " LIMIT ?";
/* Events no delivery refers to any more, after HK_EVENTS_RETENTION_S. */
static const char SQL_PURGE_EVENTS[] =
    "DELETE FROM event_outbox WHERE created_at < UTC_TIMESTAMP(3)"
    " - INTERVAL 2592000 SECOND AND NOT EXISTS (SELECT 1 FROM"
    " callback_delivery d WHERE d.event_id = event_outbox.id)"
    " ORDER BY created_at LIMIT ?";
static const char SQL_PURGE_DISPATCHERS[] =
    "DELETE FROM dispatcher_status WHERE updated_at < UTC_TIMESTAMP(3)"
    " - INTERVAL 1 DAY LIMIT ?";
/* Index inbox_message_created gives the order; the foreign key removes
 * the messages' application rows with them. */
static const char SQL_PURGE_INBOX[] =
    "DELETE FROM inbox_message WHERE created_at < UTC_TIMESTAMP(3)"
    " - INTERVAL ? DAY ORDER BY created_at LIMIT ?";
/* Index (created_at) gives the order; the table's trigger refuses rows
 * younger than a day whatever the retention says. */
static const char SQL_PURGE_AUDIT[] =
    "DELETE FROM audit_event WHERE created_at < UTC_TIMESTAMP(3)"
    " - INTERVAL ? DAY ORDER BY created_at LIMIT ?";
static const char SQL_PURGE_ABUSE[] =
    "DELETE FROM abuse_counter WHERE window_start"
    " < UNIX_TIMESTAMP() - 86400 LIMIT ?";

int
hk_lease_take(struct db *db, const char *name, const char *holder,
    long ttl_s, int *taken, char *held_by, size_t cap)
{
	char cur[HK_HOLDER_MAX + 1];
	struct db_col c[2];
	struct db_arg a[3];
	int rc, n;

	*taken = 0;
	if (cap > 0)
		held_by[0] = '\0';
	memset(c, 0, sizeof(c));
	c[0].type = DB_T_STR;
	c[0].buf = cur;
	c[0].cap = sizeof(cur);
	c[1].type = DB_T_I64;
	a[0] = db_str(name);
	if ((rc = db_exec(db, SQL_LEASE_ENSURE, a, 1, NULL)) != DB_OK)
		return rc;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((n = db_query(db, SQL_LEASE_LOCK, a, 1, c, 2, NULL, NULL)) <= 0) {
		db_rollback(db);
		return n < 0 ? n : DB_ERROR;
	}
	if (c[1].i != 0 && strcmp(cur, holder) != 0) {
		/* Someone else's and still running. */
		db_rollback(db);
		snprintf(held_by, cap, "%s", cur);
		return DB_OK;
	}
	a[0] = db_str(holder);
	a[1] = db_i64(ttl_s);
	a[2] = db_str(name);
	if ((rc = db_exec(db, SQL_LEASE_UPDATE, a, 3, NULL)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) == DB_ERROR) {
		/* Lost a race at commit (Galera certification): not ours. */
		snprintf(held_by, cap, "another holder");
		return DB_OK;
	}
	*taken = rc == DB_OK;
	return rc;
}

int
hk_lease_release(struct db *db, const char *name, const char *holder)
{
	struct db_arg a[2];

	a[0] = db_str(name);
	a[1] = db_str(holder);
	return db_exec(db, SQL_LEASE_RELEASE, a, 2, NULL);
}

/*
 * One batch statement; the LIMIT is the last argument. It runs at READ
 * COMMITTED: its range scan then takes no gap locks and waits for a row
 * another transaction holds only when the row's committed version matches
 * (semi-consistent read), so it neither blocks nor deadlocks with creates
 * and key exchanges writing the same index ranges (at REPEATABLE READ a
 * multi-row insert of expired rows deadlocked with it).
 */
static int
limited(struct db *db, const char *sql, struct db_arg *a, size_t n,
    uint64_t *changed)
{
	int rc;

	*changed = 0;
	if ((rc = db_read_committed(db)) != DB_OK)
		return rc;
	return db_exec(db, sql, a, n, changed);
}

/* The statement of each batch kind; status: its first argument (the
 * registration state to expire), 0 when it has none; with_arg: the
 * caller's arg comes first. */
static const struct {
	const char	*sql;
	int		 status;
	int		 with_arg;
} BATCHES[] = {
	[HK_EXPIRE_CREATED] = { SQL_EXPIRE, REG_CREATED, 0 },
	[HK_EXPIRE_PENDING_COMMIT] = { SQL_EXPIRE, REG_PENDING_COMMIT, 0 },
	[HK_EXPIRE_OPERATIONS] = { SQL_EXPIRE_OPERATIONS, 0, 0 },
	[HK_PURGE_TEMPORARY_KEYS] = { SQL_PURGE_TEMPORARY_KEYS, 0, 0 },
	[HK_PURGE_REPLAY] = { SQL_PURGE_ECIES_REPLAY, 0, 0 },
	[HK_PURGE_DELIVERIES] = { SQL_PURGE_DELIVERIES, 0, 0 },
	[HK_PURGE_PUSH_DELIVERIES] = { SQL_PURGE_PUSH_DELIVERIES, 0, 0 },
	[HK_PURGE_EVENTS] = { SQL_PURGE_EVENTS, 0, 0 },
	[HK_PURGE_DISPATCHERS] = { SQL_PURGE_DISPATCHERS, 0, 0 },
	[HK_PURGE_INBOX] = { SQL_PURGE_INBOX, 0, 1 },
	[HK_PURGE_AUDIT] = { SQL_PURGE_AUDIT, 0, 1 },
	[HK_PURGE_ABUSE] = { SQL_PURGE_ABUSE, 0, 0 },
};

int
hk_batch(struct db *db, enum hk_batch kind, int64_t arg, int64_t limit,
    uint64_t *changed)
{
	struct db_arg a[2];
	size_t n = 0;

	*changed = 0;
	if ((unsigned)kind >= sizeof(BATCHES) / sizeof(BATCHES[0]))
		return DB_ERROR;
	if (BATCHES[kind].status != 0)
		a[n++] = db_i64(BATCHES[kind].status);
	if (BATCHES[kind].with_arg)
		a[n++] = db_i64(arg);
	a[n++] = db_i64(limit);
	return limited(db, BATCHES[kind].sql, a, n, changed);
}
