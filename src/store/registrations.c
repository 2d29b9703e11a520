/*
 * registrations.c - SQL for registrations (see registrations.h).
 *
 * The caller's scope is part of every read: a registration of an
 * application not granted to an integration user is simply not found.
 */
#include <config.h>

#include "store/registrations.h"

#include <string.h>

static const char SQL_INSERT[] =
    "INSERT INTO activation (id, app_id, user_id, status, activation_code,"
    " code_signature, server_private_key_enc, server_public_key, ctr,"
    " failed_attempts, max_failed_attempts, otp_hash, commit_phase, flags,"
    " created_at, last_used_at, last_change_at, expires_at)"
    " VALUES (?, ?, ?, 1, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, UTC_TIMESTAMP(3),"
    " UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), FROM_UNIXTIME(? / 1000))";
static const char SQL_UNFINISHED[] =
    "SELECT COUNT(*) FROM (SELECT 1 FROM activation WHERE user_id = ?"
    " AND app_id = ? AND status IN (1, 2) AND expires_at > UTC_TIMESTAMP(3)"
    " LIMIT ?) u";
#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"
#define REG_COLUMNS \
    "SELECT a.id, a.app_id, a.user_id, a.status, a.activation_code," \
    " a.code_signature, a.name, a.platform, a.device_info, a.flags," \
    " a.blocked_reason, " MS("a.created_at") ", " MS("a.last_used_at") \
    ", " MS("a.expires_at") ", a.fingerprint FROM activation a"
#define REG_SCOPE \
    " (? = 1 OR a.app_id IN (SELECT g.app_id FROM cloud_user_app g" \
    " WHERE g.user_id = ?))"
static const char SQL_GET[] = REG_COLUMNS " WHERE a.id = ? AND" REG_SCOPE;
static const char SQL_LIST[] = REG_COLUMNS " WHERE a.user_id = ? AND"
    REG_SCOPE " AND (? = 1 OR a.status <> 5)"
    " ORDER BY a.created_at DESC, a.id LIMIT 500";
static const char SQL_LOCK[] = "SELECT a.id FROM activation a"
    " WHERE a.id = ? AND" REG_SCOPE " FOR UPDATE";
static const char SQL_REMOVE[] =
    "UPDATE activation SET status = 5, activation_code = NULL,"
    " last_change_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_LOCK_STATE[] = "SELECT a.status,"
    " a.status IN (1, 2) AND a.expires_at <= UTC_TIMESTAMP(3),"
    " a.failed_attempts, a.max_failed_attempts, a.commit_phase, a.otp_hash"
    " FROM activation a WHERE a.id = ? AND" REG_SCOPE " FOR UPDATE";
static const char SQL_LOCK_APP[] =
    "SELECT 1 FROM app WHERE id = ? FOR UPDATE";
/* A write to the row that leaves it as it was (see reg_lock_app). */
static const char SQL_TOUCH_APP_FWD[] =
    "UPDATE app SET created_at = created_at + INTERVAL 1 SECOND"
    " WHERE id = ?";
static const char SQL_TOUCH_APP_BACK[] =
    "UPDATE app SET created_at = created_at - INTERVAL 1 SECOND"
    " WHERE id = ?";
static const char SQL_SET_ACTIVE[] =
    "UPDATE activation SET status = 3, activation_code = NULL,"
    " failed_attempts = 0, committed_by = ?,"
    " last_change_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_SET_FAILED[] =
    "UPDATE activation SET failed_attempts = ?,"
    " last_change_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_SET_BLOCKED[] =
    "UPDATE activation SET status = 4, blocked_reason = ?,"
    " last_change_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_SET_UNBLOCKED[] =
    "UPDATE activation SET status = 3, blocked_reason = NULL,"
    " failed_attempts = 0, last_change_at = UTC_TIMESTAMP(3) WHERE id = ?";

#define NCOLS	15

int
reg_insert(struct db *db, const struct reg_new *r)
{
	struct db_arg a[12];

	a[0] = db_str(r->id);
	a[1] = db_str(r->app_id);
	a[2] = db_str(r->user_id);
	a[3] = db_str(r->code);
	a[4] = db_str(r->code_signature);
	a[5] = db_str(r->server_private_key_enc);
	a[6] = db_blob(r->server_public_key, r->server_public_key_len);
	a[7] = db_i64(r->max_failed_attempts);
	a[8] = db_str(r->otp_hash);
	a[9] = db_str(r->commit_phase);
	a[10] = db_str(r->flags);
	a[11] = db_i64(r->expires_ms);
	return db_exec(db, SQL_INSERT, a, 12, NULL);
}

int
reg_count_unfinished(struct db *db, const char *user_id, const char *app_id,
    int64_t limit, int64_t *n)
{
	struct db_arg a[3];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	a[2] = db_i64(limit);
	return db_count(db, SQL_UNFINISHED, a, 3, n);
}

struct fetch {
	struct reg_row	*row;
	struct db_col	 cols[NCOLS];
	int		(*fn)(const struct reg_row *, void *);
	void		*arg;
};

static void
fetch_init(struct fetch *f, struct reg_row *r)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->row = r;
	f->cols[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	f->cols[1] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	f->cols[2] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	f->cols[3].type = DB_T_I64;
	f->cols[4] = db_out(DB_T_STR, r->code, sizeof(r->code));
	f->cols[5] = db_out(DB_T_STR, r->code_signature,
	    sizeof(r->code_signature));
	f->cols[6] = db_out(DB_T_STR, r->name, sizeof(r->name));
	f->cols[7] = db_out(DB_T_STR, r->platform, sizeof(r->platform));
	f->cols[8] = db_out(DB_T_STR, r->device_info, sizeof(r->device_info));
	f->cols[9] = db_out(DB_T_STR, r->flags, sizeof(r->flags));
	f->cols[10] = db_out(DB_T_STR, r->blocked_reason,
	    sizeof(r->blocked_reason));
	for (i = 11; i < 14; i++)
		f->cols[i].type = DB_T_I64;
	f->cols[14] = db_out(DB_T_STR, r->fingerprint, sizeof(r->fingerprint));
}

static int
on_row(void *arg)
{
	struct fetch *f = arg;
	struct reg_row *r = f->row;
	size_t i;

	/* A NULL text column reads as "" (store_row leaves the buffer). */
	for (i = 4; i <= 10; i++)
		if (f->cols[i].is_null)
			((char *)f->cols[i].buf)[0] = '\0';
	r->status = (int)f->cols[3].i;
	r->has_name = !f->cols[6].is_null;
	r->has_platform = !f->cols[7].is_null;
	r->has_device_info = !f->cols[8].is_null;
	r->has_blocked_reason = !f->cols[10].is_null;
	r->created_ms = f->cols[11].i;
	r->last_used_ms = f->cols[12].i;
	r->expires_ms = f->cols[13].i;
	r->has_fingerprint = !f->cols[14].is_null;
	if (!r->has_fingerprint)
		r->fingerprint[0] = '\0';
	return f->fn != NULL ? f->fn(r, f->arg) : 0;
}

int
reg_get(struct db *db, const struct reg_scope *scope, const char *id,
    struct reg_row *out)
{
	struct db_arg a[3];
	struct fetch f;
	int rc;

	memset(out, 0, sizeof(*out));
	fetch_init(&f, out);
	a[0] = db_str(id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	rc = db_query(db, SQL_GET, a, 3, f.cols, NCOLS, on_row, &f);
	if (rc < 0)
		return rc;
	return rc == 0 ? DB_NOT_FOUND : DB_OK;
}

int
reg_list(struct db *db, const struct reg_scope *scope, const char *user_id,
    int include_removed, int (*fn)(const struct reg_row *, void *),
    void *arg)
{
	struct reg_row row;
	struct db_arg a[4];
	struct fetch f;
	int rc;

	memset(&row, 0, sizeof(row));
	fetch_init(&f, &row);
	f.fn = fn;
	f.arg = arg;
	a[0] = db_str(user_id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	a[3] = db_i64(include_removed ? 1 : 0);
	rc = db_query(db, SQL_LIST, a, 4, f.cols, NCOLS, on_row, &f);
	return rc < 0 ? rc : DB_OK;
}

int
reg_remove(struct db *db, const struct reg_scope *scope, const char *id)
{
	char buf[REG_ID_LEN + 1];
	struct db_arg a[3];
	struct db_col c = { DB_T_STR, buf, sizeof(buf), 0, 0, 0 };
	int rc;

	a[0] = db_str(id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_query(db, SQL_LOCK, a, 3, &c, 1, NULL, NULL);
	if (rc <= 0) {
		db_rollback(db);
		return rc == 0 ? DB_NOT_FOUND : rc;
	}
	if ((rc = db_exec(db, SQL_REMOVE, a, 1, NULL)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int
reg_lock(struct db *db, const struct reg_scope *scope, const char *id,
    struct reg_state *out)
{
	struct db_arg a[3];
	struct db_col c[6];
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(c, 0, sizeof(c));
	for (i = 0; i < 4; i++)
		c[i].type = DB_T_I64;
	c[4] = db_out(DB_T_STR, out->commit_phase, sizeof(out->commit_phase));
	c[5] = db_out(DB_T_STR, out->otp_hash, sizeof(out->otp_hash));
	a[0] = db_str(id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	rc = db_query(db, SQL_LOCK_STATE, a, 3, c, 6, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->status = (int)c[0].i;
	out->expired = c[1].i != 0;
	out->failed_attempts = c[2].i;
	out->max_failed_attempts = c[3].i;
	if (c[5].is_null)
		out->otp_hash[0] = '\0';
	return DB_OK;
}

/*
 * The lock serialises the creates of one node. Galera does not replicate
 * locks: two nodes could each hold "their" lock, count no unfinished
 * registration and insert two different rows, which certification would
 * not see as a conflict. So the row is also written -- moved and put back,
 * which leaves its value as it was but puts the row into the
 * transaction's write set: of two such creates on two nodes one then
 * fails certification (DB_RETRY) and, run again, sees the other's row.
 */
int
reg_lock_app(struct db *db, const char *app_id)
{
	struct db_arg a = db_str(app_id);
	int rc;

	if ((rc = db_exists(db, SQL_LOCK_APP, &a, 1)) != DB_OK)
		return rc;
	if ((rc = db_exec(db, SQL_TOUCH_APP_FWD, &a, 1, NULL)) != DB_OK)
		return rc;
	return db_exec(db, SQL_TOUCH_APP_BACK, &a, 1, NULL);
}

/* One UPDATE of a row the caller has locked (so it is there). */
static int
update_row(struct db *db, const char *sql, const struct db_arg *a, size_t n)
{
	return db_exec(db, sql, a, n, NULL);
}

int
reg_set_active(struct db *db, const char *id, const char *committed_by)
{
	struct db_arg a[2];

	a[0] = db_str(committed_by);
	a[1] = db_str(id);
	return update_row(db, SQL_SET_ACTIVE, a, 2);
}

int
reg_set_failed_attempts(struct db *db, const char *id,
    int64_t failed_attempts)
{
	struct db_arg a[2];

	a[0] = db_i64(failed_attempts);
	a[1] = db_str(id);
	return update_row(db, SQL_SET_FAILED, a, 2);
}

int
reg_set_removed(struct db *db, const char *id)
{
	struct db_arg a = db_str(id);

	return update_row(db, SQL_REMOVE, &a, 1);
}

int
reg_set_blocked(struct db *db, const char *id, const char *reason)
{
	struct db_arg a[2];

	a[0] = db_str(reason);
	a[1] = db_str(id);
	return update_row(db, SQL_SET_BLOCKED, a, 2);
}

int
reg_set_unblocked(struct db *db, const char *id)
{
	struct db_arg a = db_str(id);

	return update_row(db, SQL_SET_UNBLOCKED, &a, 1);
}
