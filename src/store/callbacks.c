/* callbacks.c - SQL for webhook callbacks and their deliveries
 * (callbacks.h). */
#include <config.h>

#include "store/callbacks.h"

#include <stdlib.h>
#include <string.h>

#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"

#define CB_COLUMNS \
    "SELECT id, app_id, name, type, url, attributes, auth_enc," \
    " secret_enc, max_attempts, initial_backoff_ms," \
    " backoff_multiplier_pct, max_backoff_ms, retention_s," \
    " failures_in_row, " MS("breaker_until") ", " MS("created_at") ", " \
    MS("updated_at") " FROM callback"
#define CB_NCOLS	17
static const char SQL_CB_GET[] = CB_COLUMNS " WHERE id = ? AND app_id = ?";
static const char SQL_CB_LIST[] = CB_COLUMNS
    " WHERE app_id = ? ORDER BY name";
static const char SQL_CB_INSERT[] =
    "INSERT INTO callback (name, type, url, attributes, auth_enc,"
    " secret_enc, max_attempts, initial_backoff_ms,"
    " backoff_multiplier_pct, max_backoff_ms, retention_s, id, app_id,"
    " created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3),"
    " UTC_TIMESTAMP(3))";
static const char SQL_CB_REPLACE[] =
    "UPDATE callback SET name = ?, type = ?, url = ?, attributes = ?,"
    " auth_enc = ?, secret_enc = ?, max_attempts = ?,"
    " initial_backoff_ms = ?, backoff_multiplier_pct = ?,"
    " max_backoff_ms = ?, retention_s = ?, updated_at = UTC_TIMESTAMP(3)"
    " WHERE id = ? AND app_id = ?";
static const char SQL_CB_DELETE[] =
    "DELETE FROM callback WHERE id = ? AND app_id = ?";

/* Newest first; the event's public id and payload come along. */
static const char SQL_CB_DELIVERIES[] =
    "SELECT d.id, e.event_id, d.object_id, d.status, d.attempts, "
    MS("d.next_attempt_at") ", d.last_status, d.last_error, "
    MS("d.created_at") ", " MS("d.finished_at") ", e.payload"
    " FROM callback_delivery d JOIN event_outbox e ON e.id = d.event_id"
    " WHERE d.callback_id = ? AND (? = 0 OR d.status = ?)"
    " ORDER BY d.id DESC LIMIT ?";
#define DELIVERY_NCOLS	11

/* --- callbacks ---------------------------------------------------------- */

struct cb_fetch {
	struct callback_row	 row;
	struct db_col		 c[CB_NCOLS];
	int			(*fn)(const struct callback_row *, void *);
	void			*arg;
};

static void
cb_fetch_init(struct cb_fetch *f)
{
	struct callback_row *r = &f->row;
	size_t i;

	f->c[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	f->c[1] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	f->c[2] = db_out(DB_T_STR, r->name, sizeof(r->name));
	f->c[3] = db_out(DB_T_STR, r->type, sizeof(r->type));
	f->c[4] = db_out(DB_T_STR, r->url, sizeof(r->url));
	f->c[5] = db_out(DB_T_STR, r->attributes, sizeof(r->attributes));
	f->c[6] = db_out(DB_T_STR, r->auth_enc, sizeof(r->auth_enc));
	f->c[7] = db_out(DB_T_STR, r->secret_enc, sizeof(r->secret_enc));
	for (i = 8; i < CB_NCOLS; i++)
		f->c[i] = db_out(DB_T_I64, NULL, 0);
}

static int
cb_row(void *arg)
{
	struct cb_fetch *f = arg;
	struct callback_row *r = &f->row;

	if (f->c[6].is_null)
		r->auth_enc[0] = '\0';
	r->max_attempts = f->c[8].i;
	r->initial_backoff_ms = f->c[9].i;
	r->backoff_multiplier_pct = f->c[10].i;
	r->max_backoff_ms = f->c[11].i;
	r->retention_s = f->c[12].i;
	r->failures_in_row = f->c[13].i;
	r->breaker_until_ms = f->c[14].is_null ? 0 : f->c[14].i;
	r->created_ms = f->c[15].i;
	r->updated_ms = f->c[16].i;
	return f->fn != NULL ? f->fn(r, f->arg) : 0;
}

int
cb_get(struct db *db, const char *app_id, const char *id,
    struct callback_row *out)
{
	struct cb_fetch *f;
	struct db_arg a[2];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	cb_fetch_init(f);
	a[0] = db_str(id);
	a[1] = db_str(app_id);
	rc = db_query(db, SQL_CB_GET, a, 2, f->c, CB_NCOLS, cb_row, f);
	if (rc > 0) {
		memcpy(out, &f->row, sizeof(*out));
		rc = DB_OK;
	} else if (rc == 0)
		rc = DB_NOT_FOUND;
	free(f);
	return rc;
}

int
cb_list(struct db *db, const char *app_id,
    int (*fn)(const struct callback_row *, void *), void *arg)
{
	struct db_arg a = db_str(app_id);
	struct cb_fetch *f;
	int rc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	cb_fetch_init(f);
	f->fn = fn;
	f->arg = arg;
	rc = db_query(db, SQL_CB_LIST, &a, 1, f->c, CB_NCOLS, cb_row, f);
	free(f);
	return rc < 0 ? rc : DB_OK;
}

/* The bound values of c's configurable fields, then id and app_id, in
 * the order of SQL_CB_INSERT and SQL_CB_REPLACE. */
static void
cb_args(const struct callback_row *c, struct db_arg a[13])
{
	a[0] = db_str(c->name);
	a[1] = db_str(c->type);
	a[2] = db_str(c->url);
	a[3] = db_str(c->attributes);
	a[4] = db_str(c->auth_enc[0] != '\0' ? c->auth_enc : NULL);
	a[5] = db_str(c->secret_enc);
	a[6] = db_i64(c->max_attempts);
	a[7] = db_i64(c->initial_backoff_ms);
	a[8] = db_i64(c->backoff_multiplier_pct);
	a[9] = db_i64(c->max_backoff_ms);
	a[10] = db_i64(c->retention_s);
	a[11] = db_str(c->id);
	a[12] = db_str(c->app_id);
}

int
cb_insert(struct db *db, const struct callback_row *c)
{
	struct db_arg a[13];

	cb_args(c, a);
	return db_exec(db, SQL_CB_INSERT, a, 13, NULL);
}

int
cb_replace(struct db *db, const struct callback_row *c)
{
	struct db_arg a[13];

	cb_args(c, a);
	return db_exec_one(db, SQL_CB_REPLACE, a, 13);
}

int
cb_delete(struct db *db, const char *app_id, const char *id)
{
	struct db_arg a[2];

	a[0] = db_str(id);
	a[1] = db_str(app_id);
	return db_exec_one(db, SQL_CB_DELETE, a, 2);
}

/* --- deliveries --------------------------------------------------------- */

struct delivery_fetch {
	struct cb_delivery_row	 row;
	struct db_col		 c[DELIVERY_NCOLS];
	int			(*fn)(const struct cb_delivery_row *, void *);
	void			*arg;
};

static int
delivery_row(void *arg)
{
	struct delivery_fetch *f = arg;
	struct cb_delivery_row *d = &f->row;

	d->id = f->c[0].i;
	d->status = f->c[3].i;
	d->attempts = f->c[4].i;
	d->next_attempt_ms = f->c[5].i;
	d->has_last_status = !f->c[6].is_null;
	d->last_status = d->has_last_status ? f->c[6].i : 0;
	if (f->c[7].is_null)
		d->last_error[0] = '\0';
	d->created_ms = f->c[8].i;
	d->finished_ms = f->c[9].is_null ? 0 : f->c[9].i;
	return f->fn(d, f->arg);
}

int
cb_deliveries(struct db *db, const char *callback_id, int status,
    int64_t limit, int (*fn)(const struct cb_delivery_row *, void *),
    void *arg)
{
	struct delivery_fetch *f;
	struct cb_delivery_row *d;
	struct db_arg a[4];
	int rc;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return DB_ERROR;
	d = &f->row;
	f->fn = fn;
	f->arg = arg;
	f->c[0] = db_out(DB_T_I64, NULL, 0);
	f->c[1] = db_out(DB_T_STR, d->event_id, sizeof(d->event_id));
	f->c[2] = db_out(DB_T_STR, d->object_id, sizeof(d->object_id));
	f->c[3] = db_out(DB_T_I64, NULL, 0);
	f->c[4] = db_out(DB_T_I64, NULL, 0);
	f->c[5] = db_out(DB_T_I64, NULL, 0);
	f->c[6] = db_out(DB_T_I64, NULL, 0);
	f->c[7] = db_out(DB_T_STR, d->last_error, sizeof(d->last_error));
	f->c[8] = db_out(DB_T_I64, NULL, 0);
	f->c[9] = db_out(DB_T_I64, NULL, 0);
	f->c[10] = db_out(DB_T_STR, d->payload, sizeof(d->payload));
	a[0] = db_str(callback_id);
	a[1] = db_i64(status);
	a[2] = db_i64(status);
	a[3] = db_i64(limit < 1 ? 1 : limit > CB_DELIVERY_LIST_MAX ?
	    CB_DELIVERY_LIST_MAX : limit);
	rc = db_query(db, SQL_CB_DELIVERIES, a, 4, f->c, DELIVERY_NCOLS,
	    delivery_row, f);
	free(f);
	return rc < 0 ? rc : DB_OK;
}
