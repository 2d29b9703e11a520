/* deliveries.c - SQL of the webhook dispatcher (see deliveries.h). */
#include <config.h>

#include "store/deliveries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"

/*
 * Due, unclaimed (or claim lapsed), callback neither excluded nor with
 * its circuit breaker open, and the first
 * pending one of its (callback, object): events of one registration or
 * operation reach a receiver in the order they happened. The subquery
 * reads without locks; SKIP LOCKED passes over rows another dispatcher is
 * claiming at this moment.
 */
static const char SQL_CLAIM_SELECT[] =
    "SELECT d.id FROM callback_delivery d"
    " WHERE d.status = 1 AND d.next_attempt_at <= UTC_TIMESTAMP(3)"
    " AND (d.lease_until IS NULL OR d.lease_until < UTC_TIMESTAMP(3))"
    " AND NOT JSON_CONTAINS(?, JSON_QUOTE(d.callback_id))"
    " AND d.callback_id NOT IN (SELECT c.id FROM callback c"
    " WHERE c.breaker_until > UTC_TIMESTAMP(3))"
    " AND NOT EXISTS (SELECT 1 FROM callback_delivery p"
    " WHERE p.callback_id = d.callback_id AND p.object_id = d.object_id"
    " AND p.status = 1 AND p.id < d.id)"
    " ORDER BY d.next_attempt_at, d.id LIMIT ? FOR UPDATE SKIP LOCKED";
static const char SQL_CLAIM_UPDATE[] =
    "UPDATE callback_delivery SET lease_holder = ?,"
    " lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE id = ?";
static const char SQL_LOAD[] =
    "SELECT d.id, d.callback_id, d.object_id, e.event_id, e.type,"
    " d.attempts, e.payload, c.url, c.attributes, c.auth_enc,"
    " c.secret_enc, c.max_attempts, c.initial_backoff_ms,"
    " c.backoff_multiplier_pct, c.max_backoff_ms"
    " FROM callback_delivery d JOIN event_outbox e ON e.id = d.event_id"
    " JOIN callback c ON c.id = d.callback_id WHERE d.id = ?";
static const char SQL_SUCCEEDED[] =
    "UPDATE callback_delivery SET status = 2, attempts = attempts + 1,"
    " last_status = ?, last_error = NULL, finished_at = UTC_TIMESTAMP(3),"
    " lease_holder = NULL, lease_until = NULL"
    " WHERE id = ? AND status = 1 AND lease_holder = ?";
static const char SQL_BREAKER_RESET[] =
    "UPDATE callback SET failures_in_row = 0, breaker_until = NULL"
    " WHERE id = ? AND (failures_in_row <> 0 OR breaker_until IS NOT NULL)";
static const char SQL_FAILED[] =
    "UPDATE callback_delivery SET attempts = attempts + 1,"
    " last_status = ?, last_error = ?,"
    " status = IF(? = 1, 3, 1),"
    " finished_at = IF(? = 1, UTC_TIMESTAMP(3), NULL),"
    " next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? * 1000 MICROSECOND,"
    " lease_holder = NULL, lease_until = NULL"
    " WHERE id = ? AND status = 1 AND lease_holder = ?";
static const char SQL_BREAKER_COUNT[] =
    "UPDATE callback SET failures_in_row = failures_in_row + 1,"
    " breaker_until = IF(failures_in_row >= ?,"
    " UTC_TIMESTAMP(3) + INTERVAL ? SECOND, breaker_until) WHERE id = ?";
static const char SQL_REPORT[] =
    "INSERT INTO dispatcher_status (holder, started_at, updated_at,"
    " in_flight, delivered, failed_attempts, gave_up, latency_p50_ms,"
    " latency_p99_ms) VALUES (?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3),"
    " ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
    " updated_at = UTC_TIMESTAMP(3), in_flight = VALUES(in_flight),"
    " delivered = VALUES(delivered),"
    " failed_attempts = VALUES(failed_attempts),"
    " gave_up = VALUES(gave_up), latency_p50_ms = VALUES(latency_p50_ms),"
    " latency_p99_ms = VALUES(latency_p99_ms)";
static const char SQL_COUNTS[] =
    "SELECT"
    " (SELECT COUNT(*) FROM callback_delivery WHERE status = 1),"
    " (SELECT COUNT(*) FROM callback_delivery WHERE status = 1"
    " AND next_attempt_at <= UTC_TIMESTAMP(3)"
    " AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(3))),"
    " (SELECT COUNT(*) FROM callback_delivery WHERE status = 3),"
    " COALESCE((SELECT " MS("UTC_TIMESTAMP(3)") " - " MS("MIN(next_attempt_at)")
    " FROM callback_delivery WHERE status = 1"
    " AND next_attempt_at <= UTC_TIMESTAMP(3)), 0)";
static const char SQL_DISPATCHERS[] =
    "SELECT holder, " MS("started_at") ", " MS("updated_at") ","
    " in_flight, delivered, failed_attempts, gave_up, latency_p50_ms,"
    " latency_p99_ms FROM dispatcher_status ORDER BY updated_at DESC"
    " LIMIT 100";

int
dlv_claim(struct db *db, const char *holder, int64_t lease_s,
    const char *exclude_json, int64_t limit, int64_t *ids, size_t *n)
{
	return db_claim(db, SQL_CLAIM_SELECT, exclude_json, SQL_CLAIM_UPDATE,
	    holder, lease_s, limit, ids, n);
}

int
dlv_load(struct db *db, int64_t id, struct delivery *out)
{
	struct db_arg a = db_i64(id);
	struct db_col c[15];
	int rc;

	memset(out, 0, sizeof(*out));
	c[0] = db_out(DB_T_I64, NULL, 0);
	c[1] = db_out(DB_T_STR, out->callback_id, sizeof(out->callback_id));
	c[2] = db_out(DB_T_STR, out->object_id, sizeof(out->object_id));
	c[3] = db_out(DB_T_STR, out->event_uuid, sizeof(out->event_uuid));
	c[4] = db_out(DB_T_STR, out->event_type, sizeof(out->event_type));
	c[5] = db_out(DB_T_I64, NULL, 0);
	c[6] = db_out(DB_T_STR, out->payload, sizeof(out->payload));
	c[7] = db_out(DB_T_STR, out->url, sizeof(out->url));
	c[8] = db_out(DB_T_STR, out->attributes, sizeof(out->attributes));
	c[9] = db_out(DB_T_STR, out->auth_enc, sizeof(out->auth_enc));
	c[10] = db_out(DB_T_STR, out->secret_enc, sizeof(out->secret_enc));
	c[11] = db_out(DB_T_I64, NULL, 0);
	c[12] = db_out(DB_T_I64, NULL, 0);
	c[13] = db_out(DB_T_I64, NULL, 0);
	c[14] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_LOAD, &a, 1, c, 15, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->id = c[0].i;
	out->attempts = c[5].i;
	if (c[9].is_null)
		out->auth_enc[0] = '\0';
	out->max_attempts = c[11].i;
	out->initial_backoff_ms = c[12].i;
	out->backoff_multiplier_pct = c[13].i;
	out->max_backoff_ms = c[14].i;
	return DB_OK;
}

int
dlv_succeeded(struct db *db, const struct delivery *d, const char *holder,
    long http)
{
	struct db_arg a[3];
	int rc;

	a[0] = db_i64(http);
	a[1] = db_i64(d->id);
	a[2] = db_str(holder);
	if ((rc = db_exec(db, SQL_SUCCEEDED, a, 3, NULL)) != DB_OK)
		return rc;
	a[0] = db_str(d->callback_id);
	return db_exec(db, SQL_BREAKER_RESET, a, 1, NULL);
}

int
dlv_failed(struct db *db, const struct delivery *d, const char *holder,
    long http, const char *error, int give_up, int64_t delay_ms,
    int64_t breaker_failures, int64_t breaker_open_s)
{
	struct db_arg a[7];
	int rc;

	a[0] = db_i64(http);
	a[1] = db_str(error);
	a[2] = db_i64(give_up ? 1 : 0);
	a[3] = a[2];
	a[4] = db_i64(give_up ? 0 : delay_ms);
	a[5] = db_i64(d->id);
	a[6] = db_str(holder);
	if ((rc = db_exec(db, SQL_FAILED, a, 7, NULL)) != DB_OK)
		return rc;
	/* failures_in_row before this one: opens at the breaker_failures-th */
	a[0] = db_i64(breaker_failures - 1);
	a[1] = db_i64(breaker_open_s);
	a[2] = db_str(d->callback_id);
	return db_exec(db, SQL_BREAKER_COUNT, a, 3, NULL);
}

int
dlv_report(struct db *db, const struct dispatcher_report *r)
{
	struct db_arg a[7];

	a[0] = db_str(r->holder);
	a[1] = db_i64(r->in_flight);
	a[2] = db_i64(r->delivered);
	a[3] = db_i64(r->failed_attempts);
	a[4] = db_i64(r->gave_up);
	a[5] = db_i64(r->latency_p50_ms);
	a[6] = db_i64(r->latency_p99_ms);
	return db_exec(db, SQL_REPORT, a, 7, NULL);
}

int
dlv_counts(struct db *db, struct delivery_counts *out)
{
	struct db_col c[4];
	int rc, i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 4; i++)
		c[i] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_COUNTS, NULL, 0, c, 4, NULL, NULL);
	if (rc < 0)
		return rc;
	out->pending = c[0].i;
	out->due = c[1].i;
	out->failed = c[2].i;
	out->oldest_due_ms = c[3].i;
	return DB_OK;
}

struct dispatcher_fetch {
	struct dispatcher_row	 row;
	struct db_col		 c[9];
	int			(*fn)(const struct dispatcher_row *, void *);
	void			*arg;
};

static int
dispatcher_row(void *arg)
{
	struct dispatcher_fetch *f = arg;
	int64_t *v[8];
	int i;

	v[0] = &f->row.started_ms;
	v[1] = &f->row.updated_ms;
	v[2] = &f->row.in_flight;
	v[3] = &f->row.delivered;
	v[4] = &f->row.failed_attempts;
	v[5] = &f->row.gave_up;
	v[6] = &f->row.latency_p50_ms;
	v[7] = &f->row.latency_p99_ms;
	for (i = 0; i < 8; i++)
		*v[i] = f->c[i + 1].i;
	return f->fn(&f->row, f->arg);
}

int
dlv_dispatchers(struct db *db,
    int (*fn)(const struct dispatcher_row *, void *), void *arg)
{
	struct dispatcher_fetch f;
	int rc, i;

	memset(&f, 0, sizeof(f));
	f.fn = fn;
	f.arg = arg;
	f.c[0] = db_out(DB_T_STR, f.row.holder, sizeof(f.row.holder));
	for (i = 1; i < 9; i++)
		f.c[i] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_DISPATCHERS, NULL, 0, f.c, 9, dispatcher_row,
	    &f);
	return rc < 0 ? rc : DB_OK;
}
