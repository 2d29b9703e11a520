/*
 * activations.c - SQL of the mobile protocol's view of table activation
 * (see activations.h).
 */
#include <config.h>

#include "store/activations.h"

#include <string.h>

#define ACT_COLUMNS \
    "SELECT id, app_id, user_id, status, server_private_key_enc," \
    " server_public_key, device_public_key, ctr, ctr_data," \
    " failed_attempts, max_failed_attempts, otp_hash, commit_phase," \
    " master_secret_enc, protocol_version," \
    " CAST(ROUND(UNIX_TIMESTAMP(expires_at) * 1000) AS SIGNED), flags," \
    " possession_failures," \
    " CAST(ROUND(UNIX_TIMESTAMP(possession_window_start) * 1000) AS SIGNED)" \
    " FROM activation"
static const char SQL_GET[] = ACT_COLUMNS " WHERE id = ?";
static const char SQL_LOCK[] = ACT_COLUMNS " WHERE id = ? FOR UPDATE";
static const char SQL_LOCK_CODE[] = ACT_COLUMNS
    " WHERE app_id = ? AND activation_code = ? FOR UPDATE";
static const char SQL_EXCHANGE[] =
    "UPDATE activation SET status = ?, device_public_key = ?, ctr = 0,"
    " ctr_data = ?, failed_attempts = 0, master_secret_enc = ?,"
    " fingerprint = ?, name = ?, platform = ?, device_info = ?, extras = ?,"
    " protocol_version = ?, activation_code = NULL,"
    " last_used_at = UTC_TIMESTAMP(3), last_change_at = UTC_TIMESTAMP(3)"
    " WHERE id = ?";
static const char SQL_OTP_FAILED[] =
    "UPDATE activation SET failed_attempts = ?,"
    " status = IF(? = 1, 5, status),"
    " activation_code = IF(? = 1, NULL, activation_code),"
    " last_change_at = IF(? = 1, UTC_TIMESTAMP(3), last_change_at)"
    " WHERE id = ?";
static const char SQL_COUNTER[] =
    "UPDATE activation SET ctr = ?, ctr_data = ?, failed_attempts = ?,"
    " status = IF(? = 1, 4, status),"
    " blocked_reason = IF(? = 1, ?, blocked_reason),"
    " last_change_at = IF(? = 1, UTC_TIMESTAMP(3), last_change_at),"
    " last_used_at = IF(? = 1, UTC_TIMESTAMP(3), last_used_at),"
    " possession_failures = ?,"
    " possession_window_start = IF(? = 0, NULL, FROM_UNIXTIME(? / 1000))"
    " WHERE id = ?";

#define NCOLS	19

struct fetch {
	struct act_row	*row;
	struct db_col	 cols[NCOLS];
};

static void
fetch_init(struct fetch *f, struct act_row *r)
{
	memset(r, 0, sizeof(*r));
	f->row = r;
	f->cols[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	f->cols[1] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	f->cols[2] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	f->cols[3] = db_out(DB_T_I64, NULL, 0);
	f->cols[4] = db_out(DB_T_STR, r->server_private_key_enc,
	    sizeof(r->server_private_key_enc));
	f->cols[5] = db_out(DB_T_BLOB, r->server_public_key,
	    sizeof(r->server_public_key));
	f->cols[6] = db_out(DB_T_BLOB, r->device_public_key,
	    sizeof(r->device_public_key));
	f->cols[7] = db_out(DB_T_I64, NULL, 0);
	f->cols[8] = db_out(DB_T_BLOB, r->ctr_data, sizeof(r->ctr_data));
	f->cols[9] = db_out(DB_T_I64, NULL, 0);
	f->cols[10] = db_out(DB_T_I64, NULL, 0);
	f->cols[11] = db_out(DB_T_STR, r->otp_hash, sizeof(r->otp_hash));
	f->cols[12] = db_out(DB_T_STR, r->commit_phase,
	    sizeof(r->commit_phase));
	f->cols[13] = db_out(DB_T_STR, r->master_secret_enc,
	    sizeof(r->master_secret_enc));
	f->cols[14] = db_out(DB_T_I64, NULL, 0);
	f->cols[15] = db_out(DB_T_I64, NULL, 0);
	f->cols[16] = db_out(DB_T_STR, r->flags, sizeof(r->flags));
	f->cols[17] = db_out(DB_T_I64, NULL, 0);
	f->cols[18] = db_out(DB_T_I64, NULL, 0);
}

static int
on_row(void *arg)
{
	struct fetch *f = arg;
	struct act_row *r = f->row;

	r->status = (int)f->cols[3].i;
	r->server_public_key_len = f->cols[5].len;
	r->device_public_key_len = f->cols[6].is_null ? 0 : f->cols[6].len;
	r->ctr = f->cols[7].i;
	r->has_ctr_data = !f->cols[8].is_null && f->cols[8].len == 16;
	r->failed_attempts = (int)f->cols[9].i;
	r->max_failed_attempts = (int)f->cols[10].i;
	if (f->cols[11].is_null)
		r->otp_hash[0] = '\0';
	if (f->cols[13].is_null)
		r->master_secret_enc[0] = '\0';
	r->protocol_version = f->cols[14].is_null ? 0 : (int)f->cols[14].i;
	r->expires_ms = f->cols[15].i;
	r->possession_failures = (int)f->cols[17].i;
	r->possession_window_ms = f->cols[18].is_null ? 0 : f->cols[18].i;
	return 0;
}

static int
fetch_one(struct db *db, const char *sql, const struct db_arg *a, size_t n,
    struct act_row *out)
{
	struct fetch f;
	int rc;

	fetch_init(&f, out);
	rc = db_query(db, sql, a, n, f.cols, NCOLS, on_row, &f);
	if (rc < 0)
		return rc;
	return rc == 0 ? DB_NOT_FOUND : DB_OK;
}

int
act_get(struct db *db, const char *id, struct act_row *out)
{
	struct db_arg a = db_str(id);

	return fetch_one(db, SQL_GET, &a, 1, out);
}

int
act_lock(struct db *db, const char *id, struct act_row *out)
{
	struct db_arg a = db_str(id);

	return fetch_one(db, SQL_LOCK, &a, 1, out);
}

int
act_lock_by_code(struct db *db, const char *app_id, const char *code,
    struct act_row *out)
{
	struct db_arg a[2];

	a[0] = db_str(app_id);
	a[1] = db_str(code);
	return fetch_one(db, SQL_LOCK_CODE, a, 2, out);
}

int
act_store_exchange(struct db *db, const struct act_exchange *x)
{
	struct db_arg a[11];

	a[0] = db_i64(x->status);
	a[1] = db_blob(x->device_public_key, x->device_public_key_len);
	a[2] = db_blob(x->ctr_data, 16);
	a[3] = db_str(x->master_secret_enc);
	a[4] = db_str(x->fingerprint);
	a[5] = db_str(x->name);
	a[6] = db_str(x->platform);
	a[7] = db_str(x->device_info);
	a[8] = db_str(x->extras);
	a[9] = db_i64(x->protocol_version);
	a[10] = db_str(x->id);
	return db_exec(db, SQL_EXCHANGE, a, 11, NULL);
}

int
act_store_otp_failures(struct db *db, const char *id, int failed, int remove)
{
	struct db_arg a[5];

	a[0] = db_i64(failed);
	a[1] = db_i64(remove ? 1 : 0);
	a[2] = a[1];
	a[3] = a[1];
	a[4] = db_str(id);
	return db_exec(db, SQL_OTP_FAILED, a, 5, NULL);
}

int
act_store_counter(struct db *db, const struct act_counter *c)
{
	struct db_arg a[12];

	a[0] = db_i64(c->ctr);
	a[1] = db_blob(c->ctr_data, 16);
	a[2] = db_i64(c->failed_attempts);
	a[3] = db_i64(c->block ? 1 : 0);
	a[4] = a[3];
	a[5] = db_str(c->blocked_reason);
	a[6] = a[3];
	a[7] = db_i64(c->used ? 1 : 0);
	a[8] = db_i64(c->possession_failures);
	a[9] = db_i64(c->possession_window_ms);
	a[10] = a[9];
	a[11] = db_str(c->id);
	return db_exec(db, SQL_COUNTER, a, 12, NULL);
}
