/* operations.c - SQL for operations and templates (see operations.h). */
#include <config.h>

#include "store/operations.h"

#include <stdlib.h>
#include <string.h>

/* (UTC_TIMESTAMP() is the statement's start time: both uses agree.) */
static const char SQL_INSERT[] =
    "INSERT INTO operation (id, app_id, user_id, template_name,"
    " operation_type, data, parameters, additional_data, status,"
    " signature_types, failure_count, max_failures, external_id,"
    " activation_flag, registration_id, language, risk_flags, silent,"
    " totp_seed_enc, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 1, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(3), IF(? = 0, UTC_TIMESTAMP(3) + INTERVAL ? SECOND,"
    " FROM_UNIXTIME(? / 1000)))";
#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"
#define OP_COLUMNS \
    "SELECT o.id, o.app_id, o.user_id, o.template_name, o.operation_type," \
    " o.data, o.parameters, o.additional_data, o.status, o.status_reason," \
    " o.signature_types, o.failure_count, o.max_failures, o.external_id," \
    " o.activation_flag, o.registration_id, o.language, o.risk_flags," \
    " o.silent, o.totp_seed_enc, " MS("o.created_at") ", " \
    MS("o.expires_at") ", " MS("o.finalized_at") " FROM operation o"
#define OP_SCOPE \
    " (? = 1 OR o.app_id IN (SELECT g.app_id FROM cloud_user_app g" \
    " WHERE g.user_id = ?))"
static const char SQL_GET[] = OP_COLUMNS " WHERE o.id = ? AND" OP_SCOPE;
static const char SQL_LOCK[] = OP_COLUMNS " WHERE o.id = ? AND" OP_SCOPE
    " FOR UPDATE";
static const char SQL_LIST[] = OP_COLUMNS " WHERE o.user_id = ? AND"
    OP_SCOPE " AND (? = 0"
    " OR (o.status = ? AND NOT (o.status = 1"
    " AND o.expires_at <= UTC_TIMESTAMP(3)))"
    " OR (? = 5 AND o.status = 1 AND o.expires_at <= UTC_TIMESTAMP(3)))"
    " AND (? IS NULL OR o.external_id = ?)"
    " ORDER BY o.created_at DESC, o.id LIMIT ? OFFSET ?";
static const char SQL_FINISH[] =
    "UPDATE operation SET status = ?, status_reason = COALESCE(?,"
    " status_reason), finalized_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_FOR_DEVICE[] = OP_COLUMNS
    " WHERE o.user_id = ? AND o.app_id = ? AND o.status = 1"
    " AND o.expires_at > UTC_TIMESTAMP(3)"
    " AND (o.registration_id IS NULL OR o.registration_id = ?)"
    " ORDER BY o.created_at DESC, o.id LIMIT ?";
static const char SQL_HISTORY[] = OP_COLUMNS
    " WHERE o.user_id = ? AND o.app_id = ?"
    " ORDER BY o.created_at DESC, o.id LIMIT ?";
static const char SQL_REG_USER[] =
    "SELECT user_id FROM activation WHERE id = ? AND app_id = ?"
    " AND status = 3";
static const char SQL_CLAIM[] =
    "UPDATE operation SET user_id = ? WHERE id = ? AND user_id = ''";
static const char SQL_APPROVE[] =
    "UPDATE operation SET status = 2, additional_data = ?,"
    " finalized_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_REJECT[] =
    "UPDATE operation SET status = 3, additional_data = ?,"
    " status_reason = ?, finalized_at = UTC_TIMESTAMP(3) WHERE id = ?";
static const char SQL_FAIL[] =
    "UPDATE operation SET failure_count = ?, additional_data = ?,"
    " status = IF(? = 1, 6, status),"
    " finalized_at = IF(? = 1, UTC_TIMESTAMP(3), finalized_at)"
    " WHERE id = ?";
static const char SQL_HAS_REG[] =
    "SELECT 1 FROM activation WHERE user_id = ? AND app_id = ?"
    " AND status = 3 AND (? IS NULL OR id = ?) LIMIT 1";

#define NCOLS	23

static struct db_arg
opt(const char *s)
{
	return db_str(s != NULL && s[0] != '\0' ? s : NULL);
}

int
op_insert(struct db *db, const struct op_row *r)
{
	struct db_arg a[19];

	a[0] = db_str(r->id);
	a[1] = db_str(r->app_id);
	a[2] = db_str(r->user_id);
	a[3] = db_str(r->template_name);
	a[4] = db_str(r->operation_type);
	a[5] = db_str(r->data);
	a[6] = db_str(r->parameters);
	a[7] = db_str(r->signature_types);
	a[8] = db_i64(r->max_failures);
	a[9] = opt(r->external_id);
	a[10] = opt(r->activation_flag);
	a[11] = opt(r->registration_id);
	a[12] = db_str(r->language);
	a[13] = opt(r->risk_flags);
	a[14] = db_i64(r->silent);
	a[15] = opt(r->totp_seed_enc);
	a[16] = db_i64(r->expires_ms);
	a[17] = db_i64(r->expires_in_s);
	a[18] = a[16];
	return db_exec(db, SQL_INSERT, a, 19, NULL);
}

struct fetch {
	struct op_row	*row;
	struct db_col	 cols[NCOLS];
	int		(*fn)(const struct op_row *, void *);
	void		*arg;
};

static void
fetch_init(struct fetch *f, struct op_row *r)
{
	memset(f, 0, sizeof(*f));
	memset(r, 0, sizeof(*r));
	f->row = r;
	f->cols[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	f->cols[1] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	f->cols[2] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	f->cols[3] = db_out(DB_T_STR, r->template_name,
	    sizeof(r->template_name));
	f->cols[4] = db_out(DB_T_STR, r->operation_type,
	    sizeof(r->operation_type));
	f->cols[5] = db_out(DB_T_STR, r->data, sizeof(r->data));
	f->cols[6] = db_out(DB_T_STR, r->parameters, sizeof(r->parameters));
	f->cols[7] = db_out(DB_T_STR, r->additional_data,
	    sizeof(r->additional_data));
	f->cols[8] = db_out(DB_T_I64, NULL, 0);
	f->cols[9] = db_out(DB_T_STR, r->status_reason,
	    sizeof(r->status_reason));
	f->cols[10] = db_out(DB_T_STR, r->signature_types,
	    sizeof(r->signature_types));
	f->cols[11] = db_out(DB_T_I64, NULL, 0);
	f->cols[12] = db_out(DB_T_I64, NULL, 0);
	f->cols[13] = db_out(DB_T_STR, r->external_id, sizeof(r->external_id));
	f->cols[14] = db_out(DB_T_STR, r->activation_flag,
	    sizeof(r->activation_flag));
	f->cols[15] = db_out(DB_T_STR, r->registration_id,
	    sizeof(r->registration_id));
	f->cols[16] = db_out(DB_T_STR, r->language, sizeof(r->language));
	f->cols[17] = db_out(DB_T_STR, r->risk_flags, sizeof(r->risk_flags));
	f->cols[18] = db_out(DB_T_I64, NULL, 0);
	f->cols[19] = db_out(DB_T_STR, r->totp_seed_enc,
	    sizeof(r->totp_seed_enc));
	f->cols[20] = db_out(DB_T_I64, NULL, 0);
	f->cols[21] = db_out(DB_T_I64, NULL, 0);
	f->cols[22] = db_out(DB_T_I64, NULL, 0);
}

static int
on_row(void *arg)
{
	static const int texts[] = { 9, 13, 14, 15, 17, 19 };
	struct fetch *f = arg;
	struct op_row *r = f->row;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (f->cols[texts[i]].is_null)
			((char *)f->cols[texts[i]].buf)[0] = '\0';
	r->status = (int)f->cols[8].i;
	r->failure_count = f->cols[11].i;
	r->max_failures = f->cols[12].i;
	r->silent = f->cols[18].i != 0;
	r->created_ms = f->cols[20].i;
	r->expires_ms = f->cols[21].i;
	r->finalized_ms = f->cols[22].is_null ? 0 : f->cols[22].i;
	return f->fn != NULL ? f->fn(r, f->arg) : 0;
}

static int
get_one(struct db *db, const char *sql, const struct reg_scope *scope,
    const char *id, struct op_row *out)
{
	struct db_arg a[3];
	struct fetch f;
	int rc;

	fetch_init(&f, out);
	a[0] = db_str(id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	rc = db_query(db, sql, a, 3, f.cols, NCOLS, on_row, &f);
	if (rc < 0)
		return rc;
	return rc == 0 ? DB_NOT_FOUND : DB_OK;
}

int
op_get(struct db *db, const struct reg_scope *scope, const char *id,
    struct op_row *out)
{
	return get_one(db, SQL_GET, scope, id, out);
}

int
op_lock(struct db *db, const struct reg_scope *scope, const char *id,
    struct op_row *out)
{
	return get_one(db, SQL_LOCK, scope, id, out);
}

int
op_finish(struct db *db, const char *id, int status, const char *reason)
{
	struct db_arg a[3];

	a[0] = db_i64(status);
	a[1] = db_str(reason);
	a[2] = db_str(id);
	return db_exec(db, SQL_FINISH, a, 3, NULL);
}

/* Runs a list query with the operation columns, fn per row. */
static int
run_list(struct db *db, const char *sql, const struct db_arg *a, size_t n,
    int (*fn)(const struct op_row *, void *), void *arg)
{
	struct op_row row;
	struct fetch f;
	int rc;

	fetch_init(&f, &row);
	f.fn = fn;
	f.arg = arg;
	rc = db_query(db, sql, a, n, f.cols, NCOLS, on_row, &f);
	return rc < 0 ? rc : DB_OK;
}

int
op_list(struct db *db, const struct reg_scope *scope,
    const struct op_filter *f, int (*fn)(const struct op_row *, void *),
    void *arg)
{
	struct db_arg a[10];

	a[0] = db_str(f->user_id);
	a[1] = db_i64(scope->admin ? 1 : 0);
	a[2] = db_i64(scope->caller_id);
	a[3] = db_i64(f->status);
	a[4] = a[3];
	a[5] = a[3];
	a[6] = db_str(f->external_id);
	a[7] = a[6];
	a[8] = db_i64(f->size);
	a[9] = db_i64(f->page * f->size);
	return run_list(db, SQL_LIST, a, 10, fn, arg);
}

int
op_user_has_registration(struct db *db, const char *user_id,
    const char *app_id, const char *registration_id)
{
	struct db_arg a[4];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	a[2] = opt(registration_id);
	a[3] = a[2];
	return db_exists(db, SQL_HAS_REG, a, 4);
}

int
op_approve(struct db *db, const char *id, const char *additional_data)
{
	struct db_arg a[2];

	a[0] = db_str(additional_data);
	a[1] = db_str(id);
	return db_exec(db, SQL_APPROVE, a, 2, NULL);
}

int
op_reject(struct db *db, const char *id, const char *additional_data,
    const char *reason)
{
	struct db_arg a[3];

	a[0] = db_str(additional_data);
	a[1] = db_str(reason);
	a[2] = db_str(id);
	return db_exec(db, SQL_REJECT, a, 3, NULL);
}

int
op_fail(struct db *db, const char *id, int64_t failure_count,
    const char *additional_data, int failed)
{
	struct db_arg a[5];

	a[0] = db_i64(failure_count);
	a[1] = db_str(additional_data);
	a[2] = db_i64(failed ? 1 : 0);
	a[3] = a[2];
	a[4] = db_str(id);
	return db_exec(db, SQL_FAIL, a, 5, NULL);
}

int
op_list_for_device(struct db *db, const char *user_id, const char *app_id,
    const char *activation_id, int64_t limit,
    int (*fn)(const struct op_row *, void *), void *arg)
{
	struct db_arg a[4];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	a[2] = db_str(activation_id);
	a[3] = db_i64(limit);
	return run_list(db, SQL_FOR_DEVICE, a, 4, fn, arg);
}

int
op_history(struct db *db, const char *user_id, const char *app_id,
    int64_t limit, int (*fn)(const struct op_row *, void *), void *arg)
{
	struct db_arg a[3];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	a[2] = db_i64(limit);
	return run_list(db, SQL_HISTORY, a, 3, fn, arg);
}

int
op_registration_user(struct db *db, const char *registration_id,
    const char *app_id, char out[REG_USER_MAX + 1])
{
	struct db_arg a[2];
	struct db_col c = { DB_T_STR, out, REG_USER_MAX + 1, 0, 0, 0 };
	int rc;

	out[0] = '\0';
	a[0] = db_str(registration_id);
	a[1] = db_str(app_id);
	rc = db_query(db, SQL_REG_USER, a, 2, &c, 1, NULL, NULL);
	if (rc < 0)
		return rc;
	return rc == 0 ? DB_NOT_FOUND : DB_OK;
}

int
op_claim(struct db *db, const char *id, const char *user_id)
{
	struct db_arg a[2];

	a[0] = db_str(user_id);
	a[1] = db_str(id);
	return db_exec_one(db, SQL_CLAIM, a, 2);
}

/* Index operation_user (user_id, app_id, status, ...) answers it. */
static const char SQL_COUNT_PENDING[] =
    "SELECT COUNT(*) FROM (SELECT 1 FROM operation WHERE user_id = ?"
    " AND app_id = ? AND status = 1 LIMIT ?) p";

int
op_count_pending(struct db *db, const char *user_id, const char *app_id,
    int64_t limit, int64_t *n)
{
	struct db_arg a[3];

	a[0] = db_str(user_id);
	a[1] = db_str(app_id);
	a[2] = db_i64(limit);
	return db_count(db, SQL_COUNT_PENDING, a, 3, n);
}
