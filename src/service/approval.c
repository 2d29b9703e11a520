/* approval.c - approving and rejecting operations (see approval.h). */
#include <config.h>

#include "service/approval.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/timeutil.h"
#include "crypto/headers.h"
#include "crypto/totp.h"
#include "service/secrets.h"
#include "service/sigauth.h"
#include "service/user_agent.h"
#include "store/operations.h"

struct run {
	const struct config		*cfg;
	const struct approval_req	*req;
	enum approval_outcome		 outcome;
	struct op_row			 op;
};

/* A JSON array text contains s (case-insensitive for factor types). */
static int
array_has(const char *json, const char *s)
{
	json_object *a, *v;
	size_t i, n;
	int found = 0;

	if ((a = json_tokener_parse(json)) == NULL)
		return 0;
	if (json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && !found; i++) {
			v = json_object_array_get_idx(a, i);
			found = json_object_is_type(v, json_type_string) &&
			    strcasecmp(json_object_get_string(v), s) == 0;
		}
	}
	json_object_put(a);
	return found;
}

/* The operation's additionalData after this call (malloc'ed JSON). */
static char *
additional(const struct run *r, const struct sigauth_ctx *c)
{
	json_object *o = json_tokener_parse(r->op.additional_data), *dev;
	char *out = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	if (o == NULL)
		return NULL;
	json_object_object_add(o, "activationId",
	    json_object_new_string(c->act->id));
	json_object_object_add(o, "applicationId",
	    json_object_new_string(c->act->app_id));
	if (r->req->ip_address != NULL)
		json_object_object_add(o, "ipAddress",
		    json_object_new_string(r->req->ip_address));
	if (r->req->user_agent != NULL) {
		json_object_object_add(o, "userAgent",
		    json_object_new_string(r->req->user_agent));
		if ((dev = user_agent_device(r->req->user_agent)) != NULL)
			json_object_object_add(o, "device", dev);
	}
	json_object_object_add(o, "authFactor", json_object_new_string(
	    hdr_sig_type_str(c->header->sig_type)));
	if (r->req->reject_reason != NULL)
		json_object_object_add(o, "rejectReason",
		    json_object_new_string(r->req->reject_reason));
	out = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* A counted failure; the last allowed one ends the operation. */
static enum svc_rc
count_failure(struct db *db, struct run *r, const char *addl)
{
	int64_t n = r->op.failure_count + 1;
	int failed = n >= r->op.max_failures;

	r->outcome = failed ? APPROVAL_NOW_FAILED : APPROVAL_FAILED_ATTEMPT;
	return svc_from_db(op_fail(db, r->op.id, n, addl != NULL ? addl :
	    r->op.additional_data, failed), SVC_INTERNAL);
}

/* The proximity OTP, when the operation has a seed, is current. */
static int
proximity_ok(const struct run *r)
{
	uint8_t seed[32];
	size_t n = 0;
	int ok;

	if (r->op.totp_seed_enc[0] == '\0')
		return 1;
	ok = r->req->proximity_otp != NULL && secret_open(r->cfg,
	    SECRET_OP_SEED, NULL, r->op.id, r->op.totp_seed_enc, seed,
	    sizeof(seed), &n) >= SECRET_KEY_CURRENT &&
	    totp_verify(seed, n, TOTP_SHA256, time_now_ms() / 1000,
	    r->req->proximity_otp) == 0;
	OPENSSL_cleanse(seed, sizeof(seed));
	return ok;
}

/* Reads the operation locked; sets an outcome when it cannot proceed. */
static enum svc_rc
lock_pending(struct db *db, struct run *r, const char *user_id,
    const char *app_id)
{
	struct reg_scope all = { 0, 1 };
	int rc;

	rc = op_lock(db, &all, r->req->operation_id, &r->op);
	if (rc == DB_NOT_FOUND || (rc == DB_OK &&
	    (strcmp(r->op.user_id, user_id) != 0 ||
	    strcmp(r->op.app_id, app_id) != 0))) {
		/* Another user's operation reads as unknown (not counted). */
		r->outcome = APPROVAL_NOT_FOUND;
		return SVC_OK;
	}
	if (rc != DB_OK)
		return svc_from_db(rc, SVC_INTERNAL);
	if (r->op.status == OP_APPROVED || r->op.status == OP_REJECTED)
		r->outcome = APPROVAL_FINISHED;
	else if (r->op.status == OP_FAILED)
		r->outcome = APPROVAL_ALREADY_FAILED;
	else if (r->op.status == OP_CANCELED)
		r->outcome = APPROVAL_CANCELED;
	else if (r->op.status == OP_EXPIRED ||
	    r->op.expires_ms <= time_now_ms())
		r->outcome = APPROVAL_EXPIRED;
	else
		r->outcome = APPROVAL_DONE;
	return SVC_OK;
}

/* In the signature's transaction: the rules, then the change. */
static enum svc_rc
decide(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	struct run *r = arg;
	char *addl = NULL;
	enum svc_rc rc;

	if ((rc = lock_pending(db, r, c->act->user_id, c->act->app_id)) !=
	    SVC_OK || r->outcome != APPROVAL_DONE)
		return rc;
	if (r->op.activation_flag[0] != '\0' &&
	    !array_has(c->act->flags, r->op.activation_flag)) {
		r->outcome = APPROVAL_REQUIRES_FLAG;
		return SVC_OK;
	}
	if ((addl = additional(r, c)) == NULL)
		return SVC_INTERNAL;
	if (r->req->reject_reason != NULL) {
		rc = svc_from_db(op_reject(db, r->op.id, addl,
		    r->req->reject_reason), SVC_INTERNAL);
	} else if ((r->op.registration_id[0] != '\0' &&
	    strcmp(r->op.registration_id, c->act->id) != 0) ||
	    r->req->data == NULL || strcmp(r->req->data, r->op.data) != 0 ||
	    !array_has(r->op.signature_types,
	    hdr_sig_type_str(c->header->sig_type)) || !proximity_ok(r)) {
		rc = count_failure(db, r, addl);
	} else
		rc = svc_from_db(op_approve(db, r->op.id, addl), SVC_INTERNAL);
	free(addl);
	return rc;
}

/* A signature that did not authenticate still counts on the operation. */
static enum svc_rc
failed_once(struct db *db, struct run *r, const struct sigauth_result *res)
{
	enum svc_rc rc;
	int dbrc;

	r->outcome = APPROVAL_AUTH_FAILED;
	if (!res->subject.found)
		return SVC_OK;
	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = lock_pending(db, r, res->subject.user_id, res->subject.app_id);
	if (rc == SVC_OK && r->outcome == APPROVAL_DONE)
		rc = count_failure(db, r, NULL);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	if (rc == SVC_OK && r->outcome == APPROVAL_FAILED_ATTEMPT)
		r->outcome = APPROVAL_AUTH_FAILED;
	return rc;
}

/* failed_once(), again after a lost conflict (rolled back as a whole). */
static enum svc_rc
failed_signature(struct db *db, struct run *r,
    const struct sigauth_result *res)
{
	enum svc_rc rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		rc = failed_once(db, r, res);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
	}
}

enum svc_rc
approval_run(struct db *db, const struct config *cfg,
    const struct approval_req *req, enum approval_outcome *outcome)
{
	struct sigauth_result *res = NULL;
	struct run *r = NULL;
	unsigned allowed = SIGAUTH_TYPE(HDR_SIG_POSSESSION) |
	    SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE) |
	    SIGAUTH_TYPE(HDR_SIG_POSSESSION_BIOMETRY);
	enum svc_rc rc = SVC_INTERNAL;

	*outcome = APPROVAL_NOT_FOUND;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (res = calloc(1, sizeof(*res))) == NULL)
		goto done;
	r->cfg = cfg;
	r->req = req;
	if (req->reject_reason != NULL)
		allowed |= SIGAUTH_2FA;
	rc = sigauth_signed_call(db, cfg, req->auth_header,
	    req->reject_reason != NULL ? "/operation/cancel" :
	    "/operation/authorize", req->body, req->bodylen, allowed, decide,
	    r, res);
	if (rc == SVC_AUTH_FAILED)
		rc = failed_signature(db, r, res);
	*outcome = r->outcome;
done:
	if (r != NULL)
		OPENSSL_cleanse(r, sizeof(*r));
	free(r);
	free(res);
	return rc;
}
