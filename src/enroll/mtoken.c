/*
 * mtoken.c - the Mobile Token operations API the mtoken SDKs call
 * (/api/auth/token/app/operation/..., api.md §3.6): listing and showing
 * the phone's pending operations (MAC token), approving and rejecting
 * one (PowerAuth signature). Answers use the
 * generic envelope and the codes of api.md §3.5.
 */
#include <config.h>

#include <string.h>

#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "common/timeutil.h"
#include "service/approval.h"
#include "service/mtoken.h"

#define HDR_AUTHORIZATION	"HTTP_X_POWERAUTH_AUTHORIZATION"
#define HDR_TOKEN		"HTTP_X_POWERAUTH_TOKEN"
#define DATA_MAX		2048
#define OTP_MAX			16
#define REASON_MAX		32

static int
cs_reason(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static const enum api_err OUTCOME_ERRORS[] = {
	[APPROVAL_DONE] = API_OK,
	[APPROVAL_AUTH_FAILED] = API_MT_AUTH_FAIL,
	[APPROVAL_FAILED_ATTEMPT] = API_MT_OPERATION_FAILED,
	[APPROVAL_NOW_FAILED] = API_MT_ALREADY_FAILED,
	[APPROVAL_NOT_FOUND] = API_MT_INVALID_OPERATION,
	[APPROVAL_FINISHED] = API_MT_ALREADY_FINISHED,
	[APPROVAL_ALREADY_FAILED] = API_MT_ALREADY_FAILED,
	[APPROVAL_CANCELED] = API_MT_ALREADY_CANCELED,
	[APPROVAL_EXPIRED] = API_MT_EXPIRED,
	[APPROVAL_REQUIRES_FLAG] = API_MT_REQUIRES_FLAG,
};

/* Authorize (reject = 0) or cancel (reject = 1). */
static void
approve_or_reject(struct worker *w, struct request *req, struct response *res,
    int reject)
{
	struct approval_req ar;
	json_object *root, *ro, *pc;
	enum approval_outcome outcome;
	char err[160];
	enum svc_rc rc;

	memset(&ar, 0, sizeof(ar));
	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "id", 1, 36, 36, NULL, &ar.operation_id, err,
	    sizeof(err)) != 0 || (!reject && jsonin_string(ro, "data", 1, 1,
	    DATA_MAX, NULL, &ar.data, err, sizeof(err)) != 0) ||
	    (reject && jsonin_string(ro, "reason", 0, 1, REASON_MAX, cs_reason,
	    &ar.reject_reason, err, sizeof(err)) != 0)) {
		response_error(res, API_MT_INVALID_REQUEST, err);
		goto done;
	}
	if (reject && ar.reject_reason == NULL)
		ar.reject_reason = "UNKNOWN";
	if (!reject && json_object_object_get_ex(ro, "proximityCheck", &pc) &&
	    pc != NULL && (!json_object_is_type(pc, json_type_object) ||
	    jsonin_string(pc, "otp", 0, 1, OTP_MAX, NULL, &ar.proximity_otp,
	    err, sizeof(err)) != 0)) {
		response_error(res, API_MT_INVALID_REQUEST,
		    "proximityCheck must be an object with an otp string");
		goto done;
	}
	ar.auth_header = request_header(req, HDR_AUTHORIZATION);
	ar.body = req->body;
	ar.bodylen = req->body_len;
	ar.ip_address = request_header(req, "REMOTE_ADDR");
	ar.user_agent = request_header(req, "HTTP_USER_AGENT");
	rc = approval_run(enroll_db(w), w->cfg, &ar, &outcome);
	if (rc != SVC_OK)
		enroll_fail(w, req, res, rc, "operation approval");
	else if (outcome == APPROVAL_DONE)
		enroll_ok(w, req, res, NULL);
	else
		response_error(res, OUTCOME_ERRORS[outcome], NULL);
done:
	json_object_put(root);
}

void
mtoken_operation_authorize(struct worker *w, struct request *req,
    struct response *res)
{
	approve_or_reject(w, req, res, 0);
}

void
mtoken_operation_cancel(struct worker *w, struct request *req,
    struct response *res)
{
	approve_or_reject(w, req, res, 1);
}

/* The language of Accept-Language ("cs-CZ,cs;q=0.9" -> "cs"), else NULL. */
static const char *
language(const struct request *req, char out[3])
{
	const char *h = request_header(req, "HTTP_ACCEPT_LANGUAGE");

	if (h == NULL || !((h[0] >= 'a' && h[0] <= 'z') ||
	    (h[0] >= 'A' && h[0] <= 'Z')) || !((h[1] >= 'a' && h[1] <= 'z') ||
	    (h[1] >= 'A' && h[1] <= 'Z')))
		return NULL;
	out[0] = (char)(h[0] | 0x20);
	out[1] = (char)(h[1] | 0x20);
	out[2] = '\0';
	return out;
}

/* {"status":"OK","currentTimestamp":...,"responseObject":obj} */
static void
answer_with_time(struct worker *w, struct request *req, struct response *res,
    json_object *obj)
{
	json_object *root = json_object_new_object();
	char date[32];

	if (root == NULL) {
		json_object_put(obj);
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	mtoken_date(time_now_ms(), date);
	json_object_object_add(root, "status", json_object_new_string("OK"));
	json_object_object_add(root, "currentTimestamp",
	    json_object_new_string(date));
	json_object_object_add(root, "responseObject", obj);
	response_json(res, 200, root);
}

static void
mtoken_fail(struct worker *w, struct request *req, struct response *res,
    enum svc_rc rc)
{
	if (rc == SVC_AUTH_FAILED)
		response_error(res, API_MT_AUTH_FAIL, NULL);
	else if (rc == SVC_INVALID)
		response_error(res, API_MT_INVALID_REQUEST, NULL);
	else
		enroll_fail(w, req, res, rc, "mobile token");
}

void
mtoken_operation_list(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *out = NULL;
	char lang[3];
	enum svc_rc rc;

	rc = mtoken_list(enroll_db(w), w->cfg, request_header(req, HDR_TOKEN),
	    language(req, lang), &out);
	if (rc == SVC_OK)
		answer_with_time(w, req, res, out);
	else
		mtoken_fail(w, req, res, rc);
}

/* detail (claim = 0) and detail/claim (claim = 1). */
static void
detail_or_claim(struct worker *w, struct request *req, struct response *res,
    int claim)
{
	json_object *root, *ro, *out = NULL;
	const char *id = NULL;
	char lang[3], err[160];
	enum svc_rc rc;

	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "id", 1, 1, 64, NULL, &id, err,
	    sizeof(err)) != 0) {
		response_error(res, API_MT_INVALID_REQUEST, err);
		goto done;
	}
	rc = (claim ? mtoken_claim : mtoken_detail)(enroll_db(w), w->cfg,
	    request_header(req, HDR_TOKEN), language(req, lang), id, &out);
	if (rc == SVC_OK)
		answer_with_time(w, req, res, out);
	else
		mtoken_fail(w, req, res, rc);
done:
	json_object_put(root);
}

void
mtoken_operation_detail(struct worker *w, struct request *req,
    struct response *res)
{
	detail_or_claim(w, req, res, 0);
}

void
mtoken_operation_claim(struct worker *w, struct request *req,
    struct response *res)
{
	detail_or_claim(w, req, res, 1);
}

void
mtoken_operation_history(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *out = NULL, *root;
	char lang[3];
	enum svc_rc rc;

	rc = mtoken_history(enroll_db(w), w->cfg, request_header(req,
	    HDR_AUTHORIZATION), req->body, req->body_len, language(req, lang),
	    &out);
	if (rc != SVC_OK) {
		mtoken_fail(w, req, res, rc);
		return;
	}
	/* (history answers without currentTimestamp, as the reference) */
	if ((root = json_object_new_object()) == NULL) {
		json_object_put(out);
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(root, "status", json_object_new_string("OK"));
	json_object_object_add(root, "responseObject", out);
	response_json(res, 200, root);
}
