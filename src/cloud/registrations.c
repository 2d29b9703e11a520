/*
 * registrations.c - /v2/registrations handlers of the integration API:
 * JSON in -> service -> JSON out (api.md §2.2, doc/registrations.md).
 *
 * Integration users reach only the applications granted to them;
 * administrators reach every application.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/registrations.h"

struct name_val {
	const char	*name;
	int		 val;
};

static const struct name_val OTP_VALIDATIONS[] = {
	{ "NONE", REG_OTPV_NONE },
	{ "ON_KEY_EXCHANGE", REG_OTPV_ON_KEY_EXCHANGE },
	{ "ON_COMMIT", REG_OTPV_ON_COMMIT },
	{ NULL, 0 }
};

static const struct name_val COMMIT_PHASES[] = {
	{ "ON_COMMIT", REG_PHASE_ON_COMMIT },
	{ "ON_KEY_EXCHANGE", REG_PHASE_ON_KEY_EXCHANGE },
	{ NULL, 0 }
};

/* Optional enum field; 0 leaves *out unset (0). */
static int
enum_field(json_object *body, const char *name, const struct name_val *t,
    int *out, char *err, size_t errlen)
{
	const char *s;
	size_t i;

	*out = 0;
	if (jsonin_string(body, name, 0, 1, 32, jsonin_cs_ident, &s, err,
	    errlen) != 0)
		return -1;
	if (s == NULL)
		return 0;
	for (i = 0; t[i].name != NULL; i++)
		if (strcmp(t[i].name, s) == 0) {
			*out = t[i].val;
			return 0;
		}
	snprintf(err, errlen, "field '%s' has an unknown value", name);
	return -1;
}

/* "true"/"false"/absent (dflt); -1 for anything else. */
static int
query_bool(const struct request *req, const char *key, int dflt)
{
	const char *v = request_query(req, key);

	if (v == NULL)
		return dflt;
	if (strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "false") == 0)
		return 0;
	return -1;
}

static int
parse_create(const struct request *req, json_object *body,
    struct reg_create_req *r, const char ***flags, char *err, size_t errlen)
{
	int ov, cp, present;

	if (jsonin_string(body, "userId", 1, 1, REG_USER_MAX, NULL,
	    &r->user_id, err, errlen) != 0 ||
	    jsonin_string(body, "appId", 1, 1, APP_ID_MAX, NULL, &r->app_id,
	    err, errlen) != 0 ||
	    jsonin_string(body, "otp", 0, 1, REG_OTP_MAX, NULL, &r->otp, err,
	    errlen) != 0 ||
	    enum_field(body, "otpValidation", OTP_VALIDATIONS, &ov, err,
	    errlen) != 0 ||
	    enum_field(body, "commitPhase", COMMIT_PHASES, &cp, err,
	    errlen) != 0 ||
	    jsonin_string_array(body, "flags", 0, REG_FLAGS_MAX, REG_FLAG_LEN,
	    jsonin_cs_ident, flags, &r->nflags, err, errlen) != 0 ||
	    jsonin_int64(body, "timestampRegistrationExpire", 0, 1, INT64_MAX,
	    &r->expire_ms, &present, err, errlen) != 0)
		return -1;
	r->flags = *flags;
	r->otp_validation = (enum reg_otp_validation)ov;
	r->commit_phase = (enum reg_commit_phase)cp;
	if ((r->incomplete_check = query_bool(req, "incompleteStatusCheck",
	    0)) < 0) {
		snprintf(err, errlen, "incompleteStatusCheck must be true or "
		    "false");
		return -1;
	}
	return 0;
}

static json_object *
created_json(const struct reg_created *c)
{
	char qr[ACTIVATION_CODE_LEN + ACTIVATION_SIG_B64_MAX + 2];
	json_object *o;

	if (activation_code_qr_build(c->code, c->signature, qr,
	    sizeof(qr)) != 0 || (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "activationQrCodeData",
	    json_object_new_string(qr));
	json_object_object_add(o, "activationCode",
	    json_object_new_string(c->code));
	json_object_object_add(o, "activationCodeSignature",
	    json_object_new_string(c->signature));
	json_object_object_add(o, "registrationId",
	    json_object_new_string(c->id));
	return o;
}

void
cloud_reg_create(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL, *o;
	const char **flags = NULL;
	struct reg_create_req r;
	struct reg_created c;
	struct reg_scope scope;
	const char *why = NULL;
	char err[160];
	enum svc_rc rc;

	memset(&r, 0, sizeof(r));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 || parse_create(req, body, &r, &flags,
	    err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = registration_create(cloud_db(w), w->cfg, &scope, &r, &c, &why);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, why);
		goto done;
	}
	if ((o = created_json(&c)) == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else
		response_json(res, 200, o);
	response_audit(res, NULL, c.id, r.user_id, r.app_id);
done:
	free(flags);
	OPENSSL_cleanse(&c, sizeof(c));
	json_object_put(body);
}

static void
add_opt(json_object *o, const char *key, int has, const char *val)
{
	/* Absent rather than null, as the tutorial's answers show. */
	if (has)
		json_object_object_add(o, key, json_object_new_string(val));
}

/* The detail object; code fields only while CREATED and with_code. */
static json_object *
reg_json(const struct registration *g, int with_code)
{
	const struct reg_row *r = &g->row;
	char qr[ACTIVATION_CODE_LEN + ACTIVATION_SIG_B64_MAX + 2];
	json_object *o, *flags;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((flags = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (i = 0; i < g->nflags; i++)
		json_object_array_add(flags, json_object_new_string(g->flags[i]));
	json_object_object_add(o, "registrationId",
	    json_object_new_string(r->id));
	json_object_object_add(o, "registrationStatus",
	    json_object_new_string(registration_status_name(g->status)));
	if (g->status == REG_BLOCKED)
		json_object_object_add(o, "blockedReason",
		    json_object_new_string(r->has_blocked_reason ?
		    r->blocked_reason : "NOT_SPECIFIED"));
	json_object_object_add(o, "applicationId",
	    json_object_new_string(r->app_id));
	json_object_object_add(o, "userId", json_object_new_string(r->user_id));
	add_opt(o, "name", r->has_name, r->name);
	add_opt(o, "platform", r->has_platform, r->platform);
	add_opt(o, "deviceInfo", r->has_device_info, r->device_info);
	json_object_object_add(o, "flags", flags);
	json_object_object_add(o, "timestampCreated",
	    json_object_new_int64(r->created_ms));
	json_object_object_add(o, "timestampLastUsed",
	    json_object_new_int64(r->last_used_ms));
	/* What the user compares with the phone's screen, once there is one. */
	if ((g->status == REG_PENDING_COMMIT || g->status == REG_ACTIVE ||
	    g->status == REG_BLOCKED) && r->has_fingerprint)
		json_object_object_add(o, "activationFingerprint",
		    json_object_new_string(r->fingerprint));
	if (with_code && g->status == REG_CREATED && r->code[0] != '\0' &&
	    activation_code_qr_build(r->code, r->code_signature, qr,
	    sizeof(qr)) == 0) {
		json_object_object_add(o, "activationQrCodeData",
		    json_object_new_string(qr));
		json_object_object_add(o, "activationCode",
		    json_object_new_string(r->code));
		json_object_object_add(o, "activationCodeSignature",
		    json_object_new_string(r->code_signature));
	}
	return o;
}

/* The detail object of an updated registration, or a failure. */
static void
answer_reg(struct worker *w, struct request *req, struct response *res,
    enum svc_rc rc, const struct registration *g, const char *why)
{
	json_object *o;

	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, why);
	else if ((o = reg_json(g, 1)) == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else
		response_json(res, 200, o);
}

void
cloud_reg_get(struct worker *w, struct request *req, struct response *res)
{
	struct registration g;
	struct reg_scope scope;
	json_object *o;
	enum svc_rc rc;

	cloud_scope(req, &scope);
	rc = registration_get(cloud_db(w), &scope, request_param(req, "id"),
	    &g);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, NULL);
	else if ((o = reg_json(&g, 1)) == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else
		response_json(res, 200, o);
	registration_clear(&g);
}

static int
add_reg(const struct registration *g, void *arg)
{
	json_object *o = reg_json(g, 0);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_reg_list(struct worker *w, struct request *req, struct response *res)
{
	struct reg_scope scope;
	json_object *arr = NULL, *root;
	const char *user = request_query(req, "userId");
	int removed = query_bool(req, "removed", 0);
	enum svc_rc rc;

	if (user == NULL || user[0] == '\0' || removed < 0) {
		response_error(res, API_ERROR_REQUEST, user == NULL ||
		    user[0] == '\0' ? "query parameter userId is required" :
		    "removed must be true or false");
		return;
	}
	cloud_scope(req, &scope);
	if ((arr = json_object_new_array()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	rc = registration_list(cloud_db(w), &scope, user, removed, add_reg,
	    arr);
	if (rc != SVC_OK) {
		json_object_put(arr);
		cloud_fail(w, req, res, rc, "invalid userId");
		return;
	}
	if ((root = json_object_new_object()) == NULL) {
		json_object_put(arr);
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	json_object_object_add(root, "registrations", arr);
	response_json(res, 200, root);
}

void
cloud_reg_remove(struct worker *w, struct request *req, struct response *res)
{
	struct reg_scope scope;
	const char *id = request_param(req, "id");
	json_object *o;
	enum svc_rc rc;

	cloud_scope(req, &scope);
	rc = registration_remove(cloud_db(w), &scope, id);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, NULL);
		return;
	}
	if ((o = json_object_new_object()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	json_object_object_add(o, "registrationId", json_object_new_string(id));
	json_object_object_add(o, "registrationStatus",
	    json_object_new_string("REMOVED"));
	response_json(res, 200, o);
}

void
cloud_reg_commit(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL;
	struct reg_commit_req c;
	struct registration g;
	struct reg_scope scope;
	char err[160];
	enum svc_rc rc;

	memset(&c, 0, sizeof(c));
	memset(&g, 0, sizeof(g));
	if (jsonin_parse_object(req->body, req->body_len, 1, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "externalUserId", 0, 1, REG_USER_MAX, NULL,
	    &c.external_user_id, err, sizeof(err)) != 0 ||
	    jsonin_string(body, "otp", 0, 1, REG_OTP_MAX, NULL, &c.otp, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = registration_commit(cloud_db(w), &scope, request_param(req, "id"),
	    &c, &g, err, sizeof(err));
	answer_reg(w, req, res, rc, &g, err[0] != '\0' ? err : NULL);
	registration_clear(&g);
done:
	json_object_put(body);
}

static const struct name_val CHANGES[] = {
	{ "BLOCK", REG_CHANGE_BLOCK },
	{ "UNBLOCK", REG_CHANGE_UNBLOCK },
	{ NULL, 0 }
};

void
cloud_reg_change(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL;
	struct registration g;
	struct reg_scope scope;
	const char *reason = NULL, *why = NULL;
	char err[160];
	enum svc_rc rc;
	int change = 0;

	memset(&g, 0, sizeof(g));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    enum_field(body, "change", CHANGES, &change, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "blockedReason", 0, 1,
	    REG_BLOCKED_REASON_MAX, NULL, &reason, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if (change == REG_CHANGE_NONE) {
		response_error(res, API_ERROR_REQUEST,
		    "field 'change' is required");
		goto done;
	}
	cloud_scope(req, &scope);
	rc = registration_change(cloud_db(w), &scope, request_param(req, "id"),
	    (enum reg_change)change, reason, &g, &why);
	answer_reg(w, req, res, rc, &g, why);
	registration_clear(&g);
done:
	json_object_put(body);
}
