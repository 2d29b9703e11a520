/*
 * operations.c - /v2/operations handlers of the integration API: JSON in ->
 * service -> JSON out (api.md §2.4, doc/operations.md).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/offline_approval.h"
#include "service/operations.h"
#include "service/sigauth.h"

/* A JSON object of strings (NULL text: {}). */
static json_object *
object_of(const char *text)
{
	json_object *o = json_tokener_parse(text);

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	return o;
}

static void
add_str(json_object *o, const char *key, const char *val)
{
	if (val != NULL && val[0] != '\0')
		json_object_object_add(o, key, json_object_new_string(val));
}

/* The operation object of api.md §2.4. */
static json_object *
operation_json(const struct operation *op)
{
	const struct op_row *r = &op->row;
	json_object *o;
	int64_t fin = r->finalized_ms;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_str(o, "operationId", r->id);
	add_str(o, "userId", r->user_id);
	add_str(o, "status", operation_status_name(op->status));
	add_str(o, "statusReason", r->status_reason);
	add_str(o, "template", r->template_name);
	add_str(o, "operationType", r->operation_type);
	json_object_object_add(o, "parameters", object_of(r->parameters));
	json_object_object_add(o, "additionalData",
	    object_of(r->additional_data));
	json_object_object_add(o, "failureCount",
	    json_object_new_int64(r->failure_count));
	json_object_object_add(o, "maxFailureCount",
	    json_object_new_int64(r->max_failures));
	json_object_object_add(o, "timestampCreated",
	    json_object_new_int64(r->created_ms));
	json_object_object_add(o, "timestampExpires",
	    json_object_new_int64(r->expires_ms));
	if (fin == 0 && op->status == OP_EXPIRED)
		fin = r->expires_ms;	/* expired, not yet written */
	if (fin != 0)
		json_object_object_add(o, "timestampFinalized",
		    json_object_new_int64(fin));
	add_str(o, "proximityOtp", op->proximity_otp);
	add_str(o, "registrationId", r->registration_id);
	add_str(o, "externalId", r->external_id);
	add_str(o, "applicationId", r->app_id);
	return o;
}

static void
answer(struct worker *w, struct request *req, struct response *res,
    const struct operation *op)
{
	json_object *o = operation_json(op);

	if (o == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else
		response_json(res, 200, o);
}

/* parameters: {"name": "string", ...}; *params points into body. */
static int
parse_params(json_object *body, struct op_param **params, size_t *n,
    char *err, size_t errlen)
{
	json_object *p;
	size_t i = 0;

	*params = NULL;
	*n = 0;
	if (!json_object_object_get_ex(body, "parameters", &p) || p == NULL)
		return 0;
	if (!json_object_is_type(p, json_type_object)) {
		snprintf(err, errlen, "field 'parameters' must be an object");
		return -1;
	}
	if (json_object_object_length(p) > OP_PARAMS_MAX) {
		snprintf(err, errlen, "at most %d parameters", OP_PARAMS_MAX);
		return -1;
	}
	if ((*params = calloc((size_t)json_object_object_length(p) + 1,
	    sizeof(**params))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_object_foreach(p, key, val) {
		if (!json_object_is_type(val, json_type_string) ||
		    strlen(json_object_get_string(val)) !=
		    (size_t)json_object_get_string_len(val)) {
			snprintf(err, errlen, "parameter '%.64s' must be a "
			    "string", key);
			return -1;
		}
		(*params)[i].name = key;
		(*params)[i++].value = json_object_get_string(val);
	}
	*n = i;
	return 0;
}

static int
parse_create(json_object *body, struct op_create_req *r,
    struct op_param **params, char *err, size_t errlen)
{
	int present;

	if (jsonin_string(body, "userId", 0, 1, REG_USER_MAX, NULL,
	    &r->user_id, err, errlen) != 0 ||
	    jsonin_string(body, "appId", 0, 1, APP_ID_MAX, NULL, &r->app_id,
	    err, errlen) != 0 ||
	    jsonin_string(body, "template", 1, 1, OP_NAME_MAX, NULL,
	    &r->template_name, err, errlen) != 0 ||
	    jsonin_string(body, "language", 0, 1, OP_LANG_MAX, NULL,
	    &r->language, err, errlen) != 0 ||
	    jsonin_string(body, "externalId", 0, 1, OP_TEXT_MAX, NULL,
	    &r->external_id, err, errlen) != 0 ||
	    jsonin_string(body, "flag", 0, 1, OP_FLAG_MAX, NULL, &r->flag,
	    err, errlen) != 0 ||
	    jsonin_string(body, "registrationId", 0, 1, 64, NULL,
	    &r->registration_id, err, errlen) != 0 ||
	    jsonin_int64(body, "timestampExpires", 0, 1, INT64_MAX,
	    &r->expires_ms, &present, err, errlen) != 0 ||
	    jsonin_bool(body, "proximityCheckEnabled", -1, &r->proximity, err,
	    errlen) != 0 ||
	    jsonin_bool(body, "silent", 0, &r->silent, err, errlen) != 0 ||
	    parse_params(body, params, &r->nparams, err, errlen) != 0)
		return -1;
	r->params = *params;
	return 0;
}

void
cloud_op_create(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL;
	struct op_param *params = NULL;
	struct op_create_req r;
	struct operation *op = NULL;
	struct reg_scope scope;
	const char *why = NULL;
	char err[160];
	enum svc_rc rc;

	memset(&r, 0, sizeof(r));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 || parse_create(body, &r, &params, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((op = malloc(sizeof(*op))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = operation_create(cloud_db(w), w->cfg, &scope, &r, op, &why);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, why);
	else
		answer(w, req, res, op);
done:
	free(op);
	free(params);
	json_object_put(body);
}

void
cloud_op_get(struct worker *w, struct request *req, struct response *res)
{
	struct operation *op;
	struct reg_scope scope;
	enum svc_rc rc;

	if ((op = malloc(sizeof(*op))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	cloud_scope(req, &scope);
	rc = operation_get(cloud_db(w), w->cfg, &scope,
	    request_param(req, "id"), op);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, NULL);
	else
		answer(w, req, res, op);
	free(op);
}

void
cloud_op_cancel(struct worker *w, struct request *req, struct response *res)
{
	struct operation *op;
	struct reg_scope scope;
	enum svc_rc rc;

	if ((op = malloc(sizeof(*op))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	cloud_scope(req, &scope);
	rc = operation_cancel(cloud_db(w), w->cfg, &scope,
	    request_param(req, "id"), request_query(req, "statusReason"), op);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, rc == SVC_INVALID ?
		    "statusReason must be 1 to 32 characters of [A-Za-z0-9_.-]" :
		    rc == SVC_OP_STATE ? "only a PENDING operation can be "
		    "canceled" : NULL);
	else
		answer(w, req, res, op);
	free(op);
}

static int
add_op(const struct operation *op, void *arg)
{
	json_object *o = operation_json(op);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_op_list(struct worker *w, struct request *req, struct response *res)
{
	struct op_filter f;
	struct reg_scope scope;
	json_object *arr = NULL, *root;
	const char *st = request_query(req, "status");
	enum svc_rc rc;

	memset(&f, 0, sizeof(f));
	f.user_id = request_query(req, "userId");
	f.external_id = request_query(req, "externalId");
	if (f.user_id == NULL || f.user_id[0] == '\0' ||
	    (st != NULL && (f.status = operation_status_parse(st)) == 0) ||
	    cloud_query_num(req, "pageNumber", 0, &f.page) != 0 ||
	    cloud_query_num(req, "pageSize", 100, &f.size) != 0 || f.size < 1 ||
	    f.size > OP_PAGE_MAX) {
		response_error(res, API_ERROR_REQUEST, "userId is required; "
		    "status is an operation status; pageNumber >= 0; "
		    "pageSize 1..500");
		return;
	}
	cloud_scope(req, &scope);
	if ((arr = json_object_new_array()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	rc = operation_list(cloud_db(w), w->cfg, &scope, &f, add_op, arr);
	if (rc != SVC_OK || (root = json_object_new_object()) == NULL) {
		json_object_put(arr);
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL,
		    "invalid userId");
		return;
	}
	json_object_object_add(root, "operations", arr);
	json_object_object_add(root, "pageNumber", json_object_new_int64(f.page));
	json_object_object_add(root, "pageSize", json_object_new_int64(f.size));
	response_json(res, 200, root);
}

/* GET /v2/operations/{id}/offline/qr?registrationId=... */
void
cloud_op_offline_qr(struct worker *w, struct request *req,
    struct response *res)
{
	struct reg_scope scope;
	json_object *o;
	const char *why = NULL;
	char nonce[25], *qr = NULL;
	enum svc_rc rc;

	cloud_scope(req, &scope);
	rc = offline_qr_for(cloud_db(w), w->cfg, &scope, request_param(req,
	    "id"), request_query(req, "registrationId"), &qr, nonce, &why);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, why != NULL ? why :
		    rc == SVC_OP_STATE ? "the operation is not PENDING" : NULL);
		return;
	}
	if ((o = json_object_new_object()) == NULL) {
		free(qr);
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	json_object_object_add(o, "operationQrCodeData",
	    json_object_new_string(qr));
	json_object_object_add(o, "nonce", json_object_new_string(nonce));
	free(qr);
	response_json(res, 200, o);
}

/* POST /v2/operations/{id}/offline/otp {"otp","nonce","registrationId"} */
void
cloud_op_offline_otp(struct worker *w, struct request *req,
    struct response *res)
{
	struct sigauth_result *r = NULL;
	struct reg_scope scope;
	json_object *body = NULL, *o;
	const char *otp = NULL, *nonce = NULL, *rid = NULL, *why = NULL;
	char err[160];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "otp", 1, 1, 64, NULL, &otp, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "nonce", 1, 1, 64, NULL, &nonce, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "registrationId", 1, 1, 64, NULL, &rid, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = offline_otp_check(cloud_db(w), w->cfg, &scope, request_param(req,
	    "id"), rid, nonce, otp, r, &why);
	if (rc == SVC_INVALID) {
		response_error(res, API_ERROR_OTP_INVALID, why);
		goto done;
	}
	if (rc != SVC_OK || (o = json_object_new_object()) == NULL) {
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL,
		    rc == SVC_OP_STATE ? "the operation is not PENDING" : NULL);
		goto done;
	}
	cloud_signature_json(o, "otpValid", r);
	response_json(res, 200, o);
done:
	free(r);
	json_object_put(body);
}
