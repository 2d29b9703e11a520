/*
 * registrations.c - creating, reading and removing registrations
 * (see registrations.h).
 *
 * The activation code is what makes a registration reachable from a
 * phone, so it is unique per application among live registrations (the
 * database enforces it; a collision is retried with a new code).
 */
#include <config.h>

#include "service/registrations.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "crypto/ec.h"
#include "service/applications.h"
#include "service/password.h"
#include "service/secrets.h"
#include "store/apps.h"
#include "store/users.h"

#define CODE_ATTEMPTS	10
/* Latest expiry DATETIME can hold (9999-12-31T23:59:59Z). */
#define EXPIRE_MAX_MS	INT64_C(253402300799000)

static const char *const STATUS_NAMES[] = {
	NULL, "CREATED", "PENDING_COMMIT", "ACTIVE", "BLOCKED", "REMOVED"
};

const char *
registration_status_name(int status)
{
	if (status < REG_CREATED || status > REG_REMOVED)
		return "REMOVED";
	return STATUS_NAMES[status];
}

/* The stored commit phase, or NULL (why set) when the modes conflict. */
static const char *
commit_phase(const struct reg_create_req *r, const char **why)
{
	enum reg_commit_phase p = r->commit_phase;

	if (r->otp_validation == REG_OTPV_NONE && r->otp != NULL) {
		*why = "otp given with otpValidation NONE";
		return NULL;
	}
	if ((r->otp_validation == REG_OTPV_ON_KEY_EXCHANGE ||
	    r->otp_validation == REG_OTPV_ON_COMMIT) && r->otp == NULL) {
		*why = "otpValidation requires otp";
		return NULL;
	}
	if (r->otp_validation == REG_OTPV_ON_KEY_EXCHANGE) {
		if (p == REG_PHASE_ON_COMMIT)
			goto conflict;
		p = REG_PHASE_ON_KEY_EXCHANGE;
	} else if (r->otp_validation == REG_OTPV_ON_COMMIT) {
		if (p == REG_PHASE_ON_KEY_EXCHANGE)
			goto conflict;
		p = REG_PHASE_ON_COMMIT;
	}
	return p == REG_PHASE_ON_KEY_EXCHANGE ? "ON_KEY_EXCHANGE" : "ON_COMMIT";
conflict:
	*why = "otpValidation and commitPhase disagree";
	return NULL;
}

/* Checks the request; fills the derived values. */
static enum svc_rc
check_request(const struct reg_create_req *r, int64_t now, long expire_s,
    struct reg_new *n, char *flags, size_t flagscap, const char **why)
{
	size_t i;

	if (r->user_id == NULL || !svc_text_valid(r->user_id, REG_USER_MAX)) {
		*why = "userId must be 1 to 255 characters";
		return SVC_INVALID;
	}
	if (!application_id_valid(r->app_id)) {
		*why = "unknown application";
		return SVC_INVALID;
	}
	if (r->otp != NULL && !svc_text_valid(r->otp, REG_OTP_MAX)) {
		*why = "otp must be 1 to 64 characters";
		return SVC_INVALID;
	}
	if ((n->commit_phase = commit_phase(r, why)) == NULL)
		return SVC_INVALID;
	for (i = 0; i < r->nflags; i++)
		if (!application_role_valid(r->flags[i])) {
			*why = "invalid flag";
			return SVC_INVALID;
		}
	if (r->nflags > REG_FLAGS_MAX ||
	    svc_strings_to_json(r->flags, r->nflags, flags, flagscap) != 0) {
		*why = "too many flags";
		return SVC_INVALID;
	}
	n->flags = flags;
	n->expires_ms = r->expire_ms != 0 ? r->expire_ms :
	    now + (int64_t)expire_s * 1000;
	if (n->expires_ms <= now || n->expires_ms > EXPIRE_MAX_MS) {
		*why = "timestampRegistrationExpire must be in the future";
		return SVC_INVALID;
	}
	n->user_id = r->user_id;
	n->app_id = r->app_id;
	return SVC_OK;
}

/* The caller may use the application, and it exists. */
static enum svc_rc
check_scope(struct db *db, const struct reg_scope *scope, const char *app_id,
    struct app_row *app, const char **why)
{
	enum svc_rc rc;

	if (!scope->admin) {
		rc = svc_from_db(users_has_app(db, scope->caller_id, app_id),
		    SVC_INVALID);
		if (rc != SVC_OK)
			goto out;
	}
	rc = svc_from_db(apps_get(db, app_id, app), SVC_INVALID);
out:
	if (rc == SVC_INVALID)
		*why = "unknown application";
	return rc;
}

/* Inserts with a fresh code until no collision (bounded). */
static enum svc_rc
insert_with_code(struct db *db, const EVP_PKEY *master, struct reg_new *n,
    struct reg_created *out)
{
	int i, rc = DB_DUPLICATE;

	for (i = 0; i < CODE_ATTEMPTS && rc == DB_DUPLICATE; i++) {
		if (activation_code_generate(out->code) != 0 ||
		    activation_code_sign(master, out->code,
		    out->signature) != 0)
			return SVC_INTERNAL;
		n->code = out->code;
		n->code_signature = out->signature;
		rc = reg_insert(db, n);
	}
	/* Still colliding after CODE_ATTEMPTS fresh codes: not the caller's
	 * doing. */
	if (rc == DB_DUPLICATE)
		return SVC_INTERNAL;
	return svc_from_db(rc, SVC_INTERNAL);
}

/*
 * incompleteStatusCheck and limits.pending_registrations: the count and
 * the insert in one transaction that holds the application row's lock, so
 * concurrent creates for the same application take turns: at most one of
 * them finds no unfinished registration, and the limit holds exactly.
 * (A duplicate-code retry inside it is fine: InnoDB rolls back only the
 * failed statement.)
 */
static enum svc_rc
insert_checked(struct db *db, const EVP_PKEY *master, int incomplete,
    long limit, struct reg_new *n, struct reg_created *out)
{
	enum svc_rc rc;
	int64_t pending = 0;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = svc_from_db(reg_lock_app(db, n->app_id), SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(reg_count_unfinished(db, n->user_id,
		    n->app_id, limit > 1 ? limit : 1, &pending), SVC_INTERNAL);
	if (rc == SVC_OK && incomplete && pending > 0)
		rc = SVC_REG_NOT_ALLOWED;
	else if (rc == SVC_OK && limit > 0 && pending >= limit)
		rc = SVC_LIMIT;
	if (rc == SVC_OK)
		rc = insert_with_code(db, master, n, out);
	if (rc != SVC_OK) {
		db_rollback(db);
		return rc;
	}
	return svc_from_db(db_commit(db), SVC_INTERNAL);
}

/*
 * How often insert_checked() runs in all. Every checked create of an
 * application writes its row (reg_lock_app), so on Galera the creates of
 * one application on different nodes conflict with each other, as
 * signatures of one activation do: the same generous bound as sigauth.c.
 */
#define CREATE_TXN_ATTEMPTS	16

/* insert_checked(), again after a lost conflict (rolled back whole). */
static enum svc_rc
insert_checked_retry(struct db *db, const EVP_PKEY *master, int incomplete,
    long limit, struct reg_new *n, struct reg_created *out)
{
	enum svc_rc rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		rc = insert_checked(db, master, incomplete, limit, n, out);
		if (rc != SVC_RETRY || attempt == CREATE_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
	}
}

static enum svc_rc
create_stored(struct db *db, const struct config *cfg,
    const struct app_row *app, const struct reg_create_req *req,
    struct reg_new *n, struct reg_created *out)
{
	uint8_t pub[PA_EC_PUB_UNCOMPRESSED];
	EVP_PKEY *master = NULL;
	char *enc = NULL, *hash = NULL;
	enum svc_rc rc = SVC_INTERNAL;

	if (uuid_v4_generate(out->id) != 0 ||
	    secret_app_master_key(cfg, app, &master) != 0 ||
	    secret_keypair_new(cfg, SECRET_REG_KEY, n->user_id, out->id,
	    REG_PRIV_ENC_MAX, pub, &n->server_public_key_len, &enc,
	    NULL) != 0)
		goto fail;
	if (req->otp != NULL &&
	    (hash = password_hash(req->otp, PASSWORD_CHOSEN)) == NULL)
		goto fail;
	n->id = out->id;
	n->server_private_key_enc = enc;
	n->server_public_key = pub;
	n->otp_hash = hash;
	n->max_failed_attempts = cfg->signature_max_failed;
	rc = req->incomplete_check || cfg->limits_pending_registrations > 0 ?
	    insert_checked_retry(db, master, req->incomplete_check,
	    cfg->limits_pending_registrations, n, out) :
	    insert_with_code(db, master, n, out);
fail:
	if (enc != NULL) {
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	free(hash);
	EVP_PKEY_free(master);
	return rc;
}

enum svc_rc
registration_create(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const struct reg_create_req *req,
    struct reg_created *out, const char **why)
{
	struct reg_new n;
	struct app_row *app = NULL;
	char flags[REG_FLAGS_TEXT_MAX + 1];
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&n, 0, sizeof(n));
	*why = NULL;
	if (!cfg->master_key_set)
		return SVC_INTERNAL;
	rc = check_request(req, time_now_ms(), cfg->registration_expire, &n,
	    flags, sizeof(flags), why);
	if (rc != SVC_OK)
		return rc;
	if ((app = calloc(1, sizeof(*app))) == NULL)
		return SVC_INTERNAL;
	if ((rc = check_scope(db, scope, req->app_id, app, why)) != SVC_OK)
		goto fail;
	rc = create_stored(db, cfg, app, req, &n, out);
fail:
	OPENSSL_cleanse(app, sizeof(*app));
	free(app);
	if (rc != SVC_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

/* Parses the stored flags; anything unexpected is a fault. */
static int
flags_from_json(const char *text, struct registration *r)
{
	json_object *a, *v;
	size_t i, n;
	int rc = -1;

	if ((a = json_tokener_parse(text)) == NULL)
		return -1;
	if (!json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) > REG_FLAGS_MAX)
		goto fail;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    (r->flags[i] = strdup(json_object_get_string(v))) == NULL)
			goto fail;
		r->nflags = i + 1;
	}
	rc = 0;
fail:
	json_object_put(a);
	return rc;
}

static enum svc_rc
view_from_row(const struct reg_row *row, struct registration *out)
{
	memset(out, 0, sizeof(*out));
	out->row = *row;
	out->status = row->status;
	/* An unfinished registration past its expiry is over (not written). */
	if ((row->status == REG_CREATED || row->status == REG_PENDING_COMMIT) &&
	    row->expires_ms <= time_now_ms())
		out->status = REG_REMOVED;
	if (flags_from_json(row->flags, out) != 0)
		return SVC_INTERNAL;
	return SVC_OK;
}

enum svc_rc
registration_get(struct db *db, const struct reg_scope *scope,
    const char *id, struct registration *out)
{
	struct reg_row *row;
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	if (id == NULL || !uuid_is_valid(id))
		return SVC_REG_NOT_FOUND;
	if ((row = calloc(1, sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	rc = svc_from_db(reg_get(db, scope, id, row), SVC_REG_NOT_FOUND);
	if (rc == SVC_OK)
		rc = view_from_row(row, out);
	free(row);
	return rc;
}

struct list_ctx {
	int	(*fn)(const struct registration *, void *);
	void	*arg;
	int	 include_removed;
	int	 failed;
};

static int
list_row(const struct reg_row *row, void *arg)
{
	struct list_ctx *lc = arg;
	struct registration *r;
	int rc = -1;

	if ((r = malloc(sizeof(*r))) == NULL)
		goto fail;
	if (view_from_row(row, r) != SVC_OK)
		goto fail;
	if (r->status == REG_REMOVED && !lc->include_removed)
		rc = 0;
	else
		rc = lc->fn(r, lc->arg);
fail:
	if (r != NULL) {
		registration_clear(r);
		free(r);
	}
	if (rc != 0)
		lc->failed = 1;
	return rc;
}

enum svc_rc
registration_list(struct db *db, const struct reg_scope *scope,
    const char *user_id, int include_removed,
    int (*fn)(const struct registration *, void *), void *arg)
{
	struct list_ctx lc = { fn, arg, include_removed, 0 };
	int rc;

	if (user_id == NULL || !svc_text_valid(user_id, REG_USER_MAX))
		return SVC_INVALID;
	rc = reg_list(db, scope, user_id, include_removed, list_row, &lc);
	return svc_from_db(rc, SVC_INTERNAL);
}

enum svc_rc
registration_remove(struct db *db, const struct reg_scope *scope,
    const char *id)
{
	if (id == NULL || !uuid_is_valid(id))
		return SVC_REG_NOT_FOUND;
	return svc_from_db(reg_remove(db, scope, id), SVC_REG_NOT_FOUND);
}

/*
 * A decision on a locked row: SVC_OK to apply (the row is then read back
 * and the transaction committed); a failure is rolled back unless
 * *persist is set (a counted OTP failure must stay counted).
 */
typedef enum svc_rc (*change_fn)(struct db *db, const char *id,
    const struct reg_state *st, void *arg, int *persist);

/* One transaction: lock within scope, decide and update, read back. */
static enum svc_rc
change_once(struct db *db, const struct reg_scope *scope, const char *id,
    change_fn fn, void *arg, struct registration *out)
{
	struct reg_state st;
	struct reg_row *row = NULL;
	enum svc_rc rc;
	int dbrc, persist = 0;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	if (id == NULL || !uuid_is_valid(id))
		return SVC_REG_NOT_FOUND;
	if ((row = calloc(1, sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	if ((dbrc = db_begin(db)) != DB_OK) {
		rc = svc_from_db(dbrc, SVC_INTERNAL);
		goto fail;
	}
	rc = svc_from_db(reg_lock(db, scope, id, &st), SVC_REG_NOT_FOUND);
	if (rc == SVC_OK)
		rc = fn(db, id, &st, arg, &persist);
	if (rc == SVC_OK) {
		rc = svc_from_db(reg_get(db, scope, id, row), SVC_INTERNAL);
		persist = rc == SVC_OK;
	}
	if (!persist)
		db_rollback(db);
	else if ((dbrc = db_commit(db)) != DB_OK)
		rc = svc_from_db(dbrc, SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = view_from_row(row, out);
fail:
	OPENSSL_cleanse(&st, sizeof(st));
	free(row);
	return rc;
}

/*
 * change_once(), again when its transaction lost a lock conflict (with the
 * housekeeping expiry of the same row, or a Galera certification): it was
 * rolled back as a whole, so the decision is simply made afresh.
 */
static enum svc_rc
change_locked(struct db *db, const struct reg_scope *scope, const char *id,
    change_fn fn, void *arg, struct registration *out)
{
	enum svc_rc rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		rc = change_once(db, scope, id, fn, arg, out);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
		registration_clear(out);
	}
}

/* The state a change sees: an expired unfinished one is over. */
static int
effective_status(const struct reg_state *st)
{
	return st->expired ? REG_REMOVED : st->status;
}

struct commit_ctx {
	const struct reg_commit_req	*req;
	char				*why;
	size_t				 whylen;
};

/* A wrong or missing OTP costs an attempt; the last one removes it. */
static enum svc_rc
otp_failed(struct db *db, const char *id, const struct reg_state *st,
    struct commit_ctx *cc, int *persist)
{
	int64_t failed = st->failed_attempts + 1;
	int64_t left = st->max_failed_attempts - failed;
	int rc;

	rc = reg_set_failed_attempts(db, id, failed);
	if (rc == DB_OK && left <= 0)
		rc = reg_set_removed(db, id);
	if (rc != DB_OK)
		return svc_from_db(rc, SVC_INTERNAL);
	*persist = 1;
	if (left <= 0)
		snprintf(cc->why, cc->whylen, "otp is invalid; no attempts "
		    "left, the registration is REMOVED");
	else
		snprintf(cc->why, cc->whylen, "otp is invalid; %lld "
		    "attempt%s left", (long long)left, left == 1 ? "" : "s");
	return SVC_REG_CHANGE;
}

static enum svc_rc
commit_decide(struct db *db, const char *id, const struct reg_state *st,
    void *arg, int *persist)
{
	struct commit_ctx *cc = arg;
	const char *otp = cc->req->otp;

	if (effective_status(st) != REG_PENDING_COMMIT) {
		snprintf(cc->why, cc->whylen, "only a PENDING_COMMIT "
		    "registration can be committed");
		return SVC_REG_CHANGE;
	}
	/* The OTP is checked only where it was meant for: at commit. */
	if (strcmp(st->commit_phase, "ON_COMMIT") == 0 &&
	    st->otp_hash[0] != '\0' &&
	    (otp == NULL || !password_verify(otp, st->otp_hash)))
		return otp_failed(db, id, st, cc, persist);
	return svc_from_db(reg_set_active(db, id, cc->req->external_user_id),
	    SVC_INTERNAL);
}

enum svc_rc
registration_commit(struct db *db, const struct reg_scope *scope,
    const char *id, const struct reg_commit_req *req,
    struct registration *out, char *why, size_t whylen)
{
	struct commit_ctx cc = { req, why, whylen };

	why[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (req->external_user_id != NULL &&
	    !svc_text_valid(req->external_user_id, REG_USER_MAX)) {
		snprintf(why, whylen, "externalUserId must be 1 to 255 "
		    "characters");
		return SVC_INVALID;
	}
	if (req->otp != NULL && !svc_text_valid(req->otp, REG_OTP_MAX)) {
		snprintf(why, whylen, "otp must be 1 to 64 characters");
		return SVC_INVALID;
	}
	return change_locked(db, scope, id, commit_decide, &cc, out);
}

struct block_ctx {
	enum reg_change	 change;
	const char	*reason;
	const char	*why;
};

static enum svc_rc
block_decide(struct db *db, const char *id, const struct reg_state *st,
    void *arg, int *persist)
{
	struct block_ctx *bc = arg;

	(void)persist;
	if (bc->change == REG_CHANGE_BLOCK) {
		if (effective_status(st) != REG_ACTIVE) {
			bc->why = "only an ACTIVE registration can be blocked";
			return SVC_REG_CHANGE;
		}
		return svc_from_db(reg_set_blocked(db, id, bc->reason),
		    SVC_INTERNAL);
	}
	if (effective_status(st) != REG_BLOCKED) {
		bc->why = "only a BLOCKED registration can be unblocked";
		return SVC_REG_CHANGE;
	}
	return svc_from_db(reg_set_unblocked(db, id), SVC_INTERNAL);
}

int
registration_blocked_reason_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= REG_BLOCKED_REASON_MAX ||
		    !((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i > 0;
}

enum svc_rc
registration_change(struct db *db, const struct reg_scope *scope,
    const char *id, enum reg_change change, const char *reason,
    struct registration *out, const char **why)
{
	struct block_ctx bc = { change, reason, NULL };
	enum svc_rc rc;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (change != REG_CHANGE_BLOCK && change != REG_CHANGE_UNBLOCK) {
		*why = "change must be BLOCK or UNBLOCK";
		return SVC_INVALID;
	}
	if (change == REG_CHANGE_UNBLOCK && reason != NULL) {
		*why = "blockedReason is only allowed with BLOCK";
		return SVC_INVALID;
	}
	if (reason == NULL)
		bc.reason = REG_BLOCKED_REASON_DEFAULT;
	else if (!registration_blocked_reason_valid(reason)) {
		*why = "blockedReason must be 1 to 64 of A-Z 0-9 _";
		return SVC_INVALID;
	}
	rc = change_locked(db, scope, id, block_decide, &bc, out);
	*why = bc.why;
	return rc;
}

void
registration_clear(struct registration *r)
{
	size_t i;

	for (i = 0; i < r->nflags; i++)
		free(r->flags[i]);
	memset(r, 0, sizeof(*r));
}
