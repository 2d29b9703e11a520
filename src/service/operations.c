/* operations.c - operations for the integration API (see operations.h). */
#include <config.h>

#include "service/operations.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "crypto/primitives.h"
#include "crypto/totp.h"
#include "service/secrets.h"
#include "store/users.h"

#define SEED_LEN		16
/* Latest expiry DATETIME can hold (9999-12-31T23:59:59Z). */
#define EXPIRE_MAX_MS		INT64_C(253402300799000)

static const char *const STATUS_NAMES[] = {
	NULL, "PENDING", "APPROVED", "REJECTED", "CANCELED", "EXPIRED",
	"FAILED"
};

const char *
operation_status_name(int status)
{
	if (status < OP_PENDING || status > OP_FAILED)
		return "FAILED";
	return STATUS_NAMES[status];
}

int
operation_status_parse(const char *s)
{
	int i;

	for (i = OP_PENDING; s != NULL && i <= OP_FAILED; i++)
		if (strcmp(STATUS_NAMES[i], s) == 0)
			return i;
	return 0;
}

int
operation_fill(const char *tpl, const char *(*value)(void *, const char *,
    size_t), void *arg, struct buf *out)
{
	const char *p = tpl, *open, *close, *v;

	buf_reset(out);
	while ((open = strstr(p, "${")) != NULL &&
	    (close = strchr(open + 2, '}')) != NULL) {
		if (buf_append(out, p, (size_t)(open - p)) != 0)
			return -1;
		v = value(arg, open + 2, (size_t)(close - open - 2));
		if (v == NULL)
			return 1;
		if (buf_append_str(out, v) != 0)
			return -1;
		p = close + 1;
	}
	if (buf_append_str(out, p) != 0 || buf_cstr(out) == NULL)
		return -1;
	return 0;
}

const char *
operation_param(json_object *params, const char *name)
{
	json_object *v;

	if (params == NULL || !json_object_object_get_ex(params, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *
operation_param_text(void *params, const char *name, size_t n)
{
	char key[OP_PARAM_NAME_MAX + 1];
	const char *v;

	if (n > OP_PARAM_NAME_MAX)
		return "";
	memcpy(key, name, n);
	key[n] = '\0';
	v = operation_param(params, key);
	return v != NULL ? v : "";
}

static const char *
param_value(void *arg, const char *name, size_t n)
{
	const struct op_create_req *r = arg;
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (strlen(r->params[i].name) == n &&
		    memcmp(r->params[i].name, name, n) == 0)
			return r->params[i].value;
	return NULL;
}

/* The template's data with every ${name} replaced; why on failure. */
static int
build_data(const char *tpl, const struct op_create_req *r, char *out,
    size_t cap, const char **why)
{
	struct buf b = BUF_INIT;
	int rc = -1;

	switch (operation_fill(tpl, param_value, (void *)(uintptr_t)r, &b)) {
	case 0:
		break;
	case 1:
		*why = "a parameter the template needs is missing";
		goto fail;
	default:
		goto fail;
	}
	if (b.len > cap - 1) {
		*why = "the operation data is too long";
		goto fail;
	}
	memcpy(out, b.data, b.len + 1);
	rc = 0;
fail:
	buf_free(&b);
	return rc;
}

static int
params_json(const struct op_create_req *r, char *out, size_t cap)
{
	json_object *o = json_object_new_object();
	const char *s;
	size_t i;
	int rc = -1;

	if (o == NULL)
		return -1;
	for (i = 0; i < r->nparams; i++)
		json_object_object_add(o, r->params[i].name,
		    json_object_new_string(r->params[i].value));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL && strlen(s) < cap) {
		strcpy(out, s);
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

static enum svc_rc
check_request(const struct op_create_req *r, const char **why)
{
	size_t i;

	*why = NULL;
	if (r->user_id != NULL && !svc_text_valid(r->user_id, REG_USER_MAX))
		*why = "userId must be 1 to 255 characters";
	else if (r->template_name == NULL ||
	    !svc_ident_valid(r->template_name, OP_NAME_MAX))
		*why = "template must be a template name";
	else if (r->language != NULL && (strlen(r->language) != 2 ||
	    r->language[0] < 'a' || r->language[0] > 'z' ||
	    r->language[1] < 'a' || r->language[1] > 'z'))
		*why = "language must be a two-letter ISO 639-1 code";
	else if (r->external_id != NULL && !svc_text_valid(r->external_id,
	    OP_TEXT_MAX))
		*why = "externalId must be 1 to 255 characters";
	else if (r->flag != NULL && !svc_ident_valid(r->flag, OP_FLAG_MAX))
		*why = "flag must be 1 to 64 characters of [A-Za-z0-9_.-]";
	else if (r->registration_id != NULL &&
	    !uuid_is_valid(r->registration_id))
		*why = "registrationId is not a UUID";
	else if (r->nparams > OP_PARAMS_MAX)
		*why = "too many parameters";
	for (i = 0; *why == NULL && i < r->nparams; i++)
		if (!svc_ident_valid(r->params[i].name, OP_PARAM_NAME_MAX) ||
		    strlen(r->params[i].value) > OP_PARAM_VALUE_MAX)
			*why = "parameter names are [A-Za-z0-9_.-]{1,64}, "
			    "values at most 1024 characters";
	return *why == NULL ? SVC_OK : SVC_INVALID;
}

enum svc_rc
operation_pick_app(struct db *db, const struct reg_scope *scope,
    const char *app_id, char out[APP_ID_MAX + 1], const char **why)
{
	int rc;

	if (app_id == NULL) {
		if (scope->admin) {
			*why = "appId is required";
			return SVC_INVALID;
		}
		rc = users_only_app(db, scope->caller_id, out);
		if (rc == DB_NOT_FOUND)
			*why = "appId is required (the caller may use "
			    "several applications)";
		return svc_from_db(rc, SVC_INVALID);
	}
	if (strlen(app_id) > APP_ID_MAX) {
		*why = "unknown application";
		return SVC_INVALID;
	}
	strcpy(out, app_id);
	if (scope->admin)
		return SVC_OK;
	rc = users_has_app(db, scope->caller_id, app_id);
	if (rc == DB_NOT_FOUND)
		*why = "unknown application";
	return svc_from_db(rc, SVC_INVALID);
}

/* The current proximity OTP of an operation with a seed. */
static void
proximity_otp(const struct config *cfg, struct operation *op)
{
	uint8_t seed[32];
	size_t n = 0;

	op->proximity_otp[0] = '\0';
	if (op->row.totp_seed_enc[0] == '\0')
		return;
	if (secret_open(cfg, SECRET_OP_SEED, NULL, op->row.id,
	    op->row.totp_seed_enc, seed, sizeof(seed), &n) >=
	    SECRET_KEY_CURRENT)
		(void)totp_generate(seed, n, TOTP_SHA256, time_now_ms() / 1000,
		    op->proximity_otp);
	OPENSSL_cleanse(seed, sizeof(seed));
}

static void
view(const struct config *cfg, struct operation *op)
{
	op->status = op->row.status;
	if (op->status == OP_PENDING && op->row.expires_ms <= time_now_ms())
		op->status = OP_EXPIRED;
	if (op->status == OP_PENDING)
		proximity_otp(cfg, op);
}

static enum svc_rc
fill_row(const struct config *cfg, const struct op_create_req *r,
    const struct op_template *t, struct op_row *row, const char **why)
{
	uint8_t seed[SEED_LEN];
	char *enc = NULL;
	int64_t now = time_now_ms();
	int prox = r->proximity >= 0 ? r->proximity : t->proximity_check;

	if (build_data(t->data_template, r, row->data, sizeof(row->data),
	    why) != 0)
		return *why != NULL ? SVC_INVALID : SVC_INTERNAL;
	if (params_json(r, row->parameters, sizeof(row->parameters)) != 0)
		return SVC_INTERNAL;
	/* The template's expiry counts from the stored creation time. */
	row->expires_ms = r->expires_ms;
	row->expires_in_s = t->expiration_s;
	if (r->expires_ms != 0 && (r->expires_ms <= now ||
	    r->expires_ms > EXPIRE_MAX_MS)) {
		*why = "timestampExpires must be in the future";
		return SVC_INVALID;
	}
	memcpy(row->template_name, t->name, sizeof(row->template_name));
	memcpy(row->operation_type, t->operation_type,
	    sizeof(row->operation_type));
	memcpy(row->signature_types, t->signature_types,
	    sizeof(row->signature_types));
	memcpy(row->risk_flags, t->risk_flags, sizeof(row->risk_flags));
	row->max_failures = t->max_failures;
	snprintf(row->external_id, sizeof(row->external_id), "%s",
	    r->external_id != NULL ? r->external_id : "");
	snprintf(row->activation_flag, sizeof(row->activation_flag), "%s",
	    r->flag != NULL ? r->flag : "");
	snprintf(row->registration_id, sizeof(row->registration_id), "%s",
	    r->registration_id != NULL ? r->registration_id : "");
	snprintf(row->language, sizeof(row->language), "%s",
	    r->language != NULL ? r->language : "en");
	row->silent = r->silent;
	strcpy(row->additional_data, "{}");
	if (!prox)
		return SVC_OK;
	if (pa_random(seed, sizeof(seed)) != 0 ||
	    (enc = secret_seal(cfg, SECRET_OP_SEED, NULL, row->id, seed,
	    sizeof(seed), OP_SEED_ENC_MAX)) == NULL) {
		OPENSSL_cleanse(seed, sizeof(seed));
		free(enc);
		return SVC_INTERNAL;
	}
	strcpy(row->totp_seed_enc, enc);
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(enc, strlen(enc));
	free(enc);
	return SVC_OK;
}

/*
 * limits.pending_operations: counted without a lock (operations of a
 * user have no common row to lock), so creates racing each other may
 * overshoot it by how many are in flight at once.
 */
static enum svc_rc
pending_limit(struct db *db, const struct config *cfg,
    const struct op_row *row)
{
	int64_t n;
	int dbrc;

	if (cfg->limits_pending_operations <= 0)
		return SVC_OK;
	dbrc = op_count_pending(db, row->user_id, row->app_id,
	    cfg->limits_pending_operations, &n);
	if (dbrc != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	return n >= cfg->limits_pending_operations ? SVC_LIMIT : SVC_OK;
}

enum svc_rc
operation_create(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const struct op_create_req *req,
    struct operation *out, const char **why)
{
	struct op_template *t = NULL;
	struct op_row *row = &out->row;
	char id[REG_ID_LEN + 1];
	enum svc_rc rc;
	int dbrc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_request(req, why)) != SVC_OK)
		return rc;
	if ((rc = operation_pick_app(db, scope, req->app_id, row->app_id,
	    why)) != SVC_OK)
		return rc;
	if ((t = malloc(sizeof(*t))) == NULL)
		return SVC_INTERNAL;
	dbrc = op_template_get(db, req->template_name, t);
	if (dbrc != DB_OK) {
		*why = "unknown template";
		rc = svc_from_db(dbrc, SVC_INVALID);
		goto done;
	}
	/* The user: given; or the bound registration's; or none yet (an
	 * anonymous operation, claimed later by a phone). */
	if (req->user_id == NULL && req->registration_id != NULL) {
		dbrc = op_registration_user(db, req->registration_id,
		    row->app_id, row->user_id);
		if (dbrc != DB_OK) {
			rc = svc_from_db(dbrc, SVC_REG_NOT_FOUND);
			goto done;
		}
	} else if (req->user_id != NULL)
		snprintf(row->user_id, sizeof(row->user_id), "%s",
		    req->user_id);
	if (row->user_id[0] != '\0') {
		dbrc = op_user_has_registration(db, row->user_id, row->app_id,
		    req->registration_id);
		if (dbrc != DB_OK) {
			rc = svc_from_db(dbrc, SVC_REG_NOT_FOUND);
			goto done;
		}
		if ((rc = pending_limit(db, cfg, row)) != SVC_OK)
			goto done;
	}
	if (uuid_v4_generate(row->id) != 0) {
		rc = SVC_INTERNAL;
		goto done;
	}
	if ((rc = fill_row(cfg, req, t, row, why)) != SVC_OK)
		goto done;
	if ((rc = svc_from_db(op_insert(db, row), SVC_INTERNAL)) != SVC_OK)
		goto done;
	/* What the database set (out is reset by the read). */
	memcpy(id, row->id, sizeof(id));
	rc = operation_get(db, cfg, scope, id, out);
done:
	free(t);
	return rc;
}

enum svc_rc
operation_get(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *id, struct operation *out)
{
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	if (id == NULL || !uuid_is_valid(id))
		return SVC_OP_NOT_FOUND;
	rc = svc_from_db(op_get(db, scope, id, &out->row), SVC_OP_NOT_FOUND);
	if (rc == SVC_OK)
		view(cfg, out);
	return rc;
}

/* PENDING -> CANCELED in one transaction (see operation_cancel()). */
static enum svc_rc
cancel_once(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *id, const char *reason,
    struct operation *out)
{
	enum svc_rc rc;
	int dbrc;

	memset(out, 0, sizeof(*out));
	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = svc_from_db(op_lock(db, scope, id, &out->row), SVC_OP_NOT_FOUND);
	if (rc == SVC_OK) {
		view(cfg, out);
		if (out->status != OP_PENDING)
			rc = SVC_OP_STATE;
	}
	if (rc == SVC_OK)
		rc = svc_from_db(op_finish(db, id, OP_CANCELED, reason),
		    SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	return rc;
}

enum svc_rc
operation_cancel(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *id, const char *reason,
    struct operation *out)
{
	char oid[REG_ID_LEN + 1];
	enum svc_rc rc;
	int attempt;

	memset(out, 0, sizeof(*out));
	if (id == NULL || !uuid_is_valid(id))
		return SVC_OP_NOT_FOUND;
	if (reason != NULL && !svc_ident_valid(reason, OP_REASON_MAX))
		return SVC_INVALID;
	/* Again when the transaction lost a lock conflict (e.g. with the
	 * housekeeping expiry of the same row): it was rolled back whole. */
	for (attempt = 1;; attempt++) {
		rc = cancel_once(db, cfg, scope, id, reason, out);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			break;
		svc_retry_pause(attempt + 1);
	}
	if (rc == SVC_OK) {
		memcpy(oid, out->row.id, sizeof(oid));
		rc = operation_get(db, cfg, scope, oid, out);
	}
	return rc;
}

struct list_ctx {
	const struct config	*cfg;
	int			(*fn)(const struct operation *, void *);
	void			*arg;
};

static int
list_row(const struct op_row *row, void *arg)
{
	struct list_ctx *lc = arg;
	struct operation *op;
	int rc;

	if ((op = malloc(sizeof(*op))) == NULL)
		return -1;
	memcpy(&op->row, row, sizeof(*row));
	view(lc->cfg, op);
	rc = lc->fn(op, lc->arg);
	free(op);
	return rc;
}

enum svc_rc
operation_list(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const struct op_filter *f,
    int (*fn)(const struct operation *, void *), void *arg)
{
	struct list_ctx lc = { cfg, fn, arg };

	if (f->user_id == NULL || !svc_text_valid(f->user_id, REG_USER_MAX) ||
	    f->page < 0 || f->size < 1 || f->size > OP_PAGE_MAX ||
	    f->page > INT64_MAX / OP_PAGE_MAX)
		return SVC_INVALID;
	return svc_from_db(op_list(db, scope, f, list_row, &lc),
	    SVC_INTERNAL);
}
