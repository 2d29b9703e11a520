/*
 * auth_verify.c - /v2/signature/verify (also /v2/authentication/verify)
 * and /v2/token/verify: a back end hands over what its own endpoint
 * received and learns whether the PowerAuth signature or MAC token
 * authenticates (api.md §2.3).
 *
 * An invalid signature is a 200 answer with signatureValid false; only a
 * malformed request or header is an error. Registrations of applications
 * not granted to the caller are answered like unknown ones.
 */
#include <config.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "common/base64.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "http/jsonin.h"
#include "http/metrics.h"
#include "service/registrations.h"
#include "service/sigauth.h"
#include "service/tokens.h"

#define METHOD_MAX	16
#define URI_ID_MAX	1024
#define AUTH_HEADER_MAX	1024
#define QUERY_PARAMS_MAX 64

static int
cs_method(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* queryParams {"k":"v",...} -> the canonical query text in out. */
static int
query_data(json_object *q, struct buf *out, char *err, size_t errlen)
{
	struct buf raw = BUF_INIT;
	size_t n = 0;
	int rc = -1;

	if (!json_object_is_type(q, json_type_object)) {
		snprintf(err, errlen, "field 'queryParams' must be an object");
		return -1;
	}
	json_object_object_foreach(q, key, val) {
		if (!json_object_is_type(val, json_type_string) ||
		    ++n > QUERY_PARAMS_MAX) {
			snprintf(err, errlen, "queryParams: at most %d string "
			    "values", QUERY_PARAMS_MAX);
			goto fail;
		}
		if ((raw.len > 0 && buf_append_byte(&raw, '&') != 0) ||
		    sigdata_url_encode(&raw, (const uint8_t *)key,
		    strlen(key)) != 0 || buf_append_byte(&raw, '=') != 0 ||
		    sigdata_url_encode(&raw, (const uint8_t *)
		    json_object_get_string(val), (size_t)
		    json_object_get_string_len(val)) != 0)
			goto fail;
	}
	if (sigdata_canonical_query(out, raw.len ? (const char *)raw.data : "",
	    raw.len) != 0) {
		snprintf(err, errlen, "queryParams cannot be normalised");
		goto fail;
	}
	rc = 0;
fail:
	buf_free(&raw);
	return rc;
}

/*
 * The signed data into out: requestBody (Base64 of the exact bytes) or,
 * without it, the canonical form of queryParams; neither: empty.
 */
static int
signed_data(json_object *body, struct buf *out, char *err, size_t errlen)
{
	const char *b64 = NULL;
	json_object *q;
	uint8_t *raw;
	size_t n = 0, cap;
	int rc;

	if (jsonin_string(body, "requestBody", 0, 0, 16 * 1024 * 1024, NULL,
	    &b64, err, errlen) != 0)
		return -1;
	if (b64 == NULL) {
		if (json_object_object_get_ex(body, "queryParams", &q) &&
		    q != NULL)
			return query_data(q, out, err, errlen);
		return 0;
	}
	cap = b64_decoded_max(strlen(b64)) + 1;
	if ((raw = malloc(cap)) == NULL)
		return -1;
	if (b64_decode(b64, strlen(b64), raw, cap, &n) != 0) {
		snprintf(err, errlen, "requestBody is not Base64");
		free(raw);
		return -1;
	}
	rc = buf_append(out, raw, n);
	OPENSSL_cleanse(raw, cap);
	free(raw);
	return rc;
}

/* A verification's outcome into the metrics (failures of the database
 * are counted where they are answered). */
static void
count_signature(enum metrics_sig_kind kind, enum svc_rc rc,
    const struct sigauth_result *r)
{
	if (rc == SVC_INVALID)
		metrics_signature_malformed(kind);
	else if (rc == SVC_OK)
		metrics_signature(kind, r->valid, r->blocked, r->rate_limited);
}

/* The registration part of a verify answer (shared with token verify). */
void
cloud_verify_json(json_object *o, const struct auth_subject *r)
{
	json_object *flags, *app, *roles;

	json_object_object_add(o, "registrationId",
	    json_object_new_string(r->activation_id));
	json_object_object_add(o, "registrationStatus",
	    json_object_new_string(registration_status_name(r->status)));
	if (!r->found)
		return;
	json_object_object_add(o, "userId", json_object_new_string(r->user_id));
	flags = json_tokener_parse(r->flags);
	roles = json_tokener_parse(r->roles);
	json_object_object_add(o, "flags", flags != NULL ? flags :
	    json_object_new_array());
	if ((app = json_object_new_object()) != NULL) {
		json_object_object_add(app, "id",
		    json_object_new_string(r->app_id));
		json_object_object_add(app, "roles", roles != NULL ? roles :
		    json_object_new_array());
	} else
		json_object_put(roles);
	json_object_object_add(o, "application", app);
}

void
cloud_signature_json(json_object *o, const char *valid_key,
    const struct sigauth_result *r)
{
	json_object_object_add(o, valid_key, json_object_new_boolean(r->valid));
	cloud_verify_json(o, &r->subject);
	json_object_object_add(o, "signatureType",
	    json_object_new_string(hdr_sig_type_str(r->type)));
	json_object_object_add(o, "remainingAttempts",
	    json_object_new_int(r->remaining_attempts));
}

/* The verdict and the registration for the request's audit row. */
static void
audit_subject(struct response *res, int valid, const struct auth_subject *s)
{
	response_audit(res, valid ? "VALID" : "INVALID",
	    s->found ? s->activation_id : NULL, s->found ? s->user_id : NULL,
	    s->found ? s->app_id : NULL);
}

void
cloud_signature_verify(struct worker *w, struct request *req,
    struct response *res)
{
	struct sigauth_req sr;
	struct sigauth_result *r = NULL;
	struct reg_scope scope;
	struct buf data = BUF_INIT;
	json_object *body = NULL, *o;
	const char *why = NULL;
	char err[160];
	enum svc_rc rc;

	memset(&sr, 0, sizeof(sr));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "method", 1, 1, METHOD_MAX, cs_method,
	    &sr.method, err, sizeof(err)) != 0 ||
	    jsonin_string(body, "uriId", 1, 1, URI_ID_MAX, NULL, &sr.uri_id,
	    err, sizeof(err)) != 0 ||
	    jsonin_string(body, "authHeader", 1, 1, AUTH_HEADER_MAX, NULL,
	    &sr.header, err, sizeof(err)) != 0 ||
	    signed_data(body, &data, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	sr.body = data.data;
	sr.bodylen = data.len;
	sr.allowed = SIGAUTH_ANY;
	sr.scope = &scope;
	rc = sigauth_verify(cloud_db(w), w->cfg, &sr, r, &why);
	count_signature(METRICS_SIG_ONLINE, rc, r);
	if (rc == SVC_INVALID) {
		response_error(res, API_ERROR_SIGNATURE_INVALID, why);
		goto done;
	}
	if (rc != SVC_OK || (o = json_object_new_object()) == NULL) {
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_signature_json(o, "signatureValid", r);
	response_json(res, 200, o);
	audit_subject(res, r->valid, &r->subject);
done:
	free(r);
	if (data.data != NULL)
		OPENSSL_cleanse(data.data, data.cap);
	buf_free(&data);
	json_object_put(body);
}

void
cloud_token_verify(struct worker *w, struct request *req,
    struct response *res)
{
	struct token_result *r = NULL;
	struct reg_scope scope;
	json_object *body = NULL, *o;
	const char *hv = NULL, *why = NULL;
	char err[160];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "authHeader", 1, 1, AUTH_HEADER_MAX, NULL,
	    &hv, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = token_check(cloud_db(w), w->cfg, hv, &scope, r, &why);
	if (rc == SVC_INVALID || rc == SVC_OK)
		metrics_token(rc == SVC_INVALID ? METRICS_MALFORMED :
		    r->valid ? METRICS_VALID : METRICS_INVALID);
	if (rc == SVC_INVALID) {
		response_error(res, API_ERROR_TOKEN_INVALID, why);
		goto done;
	}
	if (rc != SVC_OK || (o = json_object_new_object()) == NULL) {
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL, NULL);
		goto done;
	}
	json_object_object_add(o, "tokenValid",
	    json_object_new_boolean(r->valid));
	cloud_verify_json(o, &r->subject);
	if (r->subject.found)
		json_object_object_add(o, "signatureType",
		    json_object_new_string(hdr_sig_type_str(r->type)));
	response_json(res, 200, o);
	audit_subject(res, r->valid, &r->subject);
done:
	free(r);
	json_object_put(body);
}

/*
 * /v2/signature/offline/verify: an offline signature (decimal, secret
 * "offline") a user copied from the phone, e.g. of a QR code's data.
 */
void
cloud_offline_verify(struct worker *w, struct request *req,
    struct response *res)
{
	struct sigauth_offline_req o;
	struct sigauth_result *r = NULL;
	struct reg_scope scope;
	json_object *body = NULL, *out, *v;
	const char *why = NULL;
	char err[160];
	int64_t digits = SIGNATURE_DIGITS_DEFAULT;
	int present;
	enum svc_rc rc;

	memset(&o, 0, sizeof(o));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "registrationId", 1, 1, 64, NULL,
	    &o.activation_id, err, sizeof(err)) != 0 ||
	    jsonin_string(body, "data", 1, 1, 16 * 1024 * 1024, NULL, &o.data,
	    err, sizeof(err)) != 0 ||
	    jsonin_string(body, "signature", 1, 1, 64, NULL, &o.signature,
	    err, sizeof(err)) != 0 ||
	    jsonin_int64(body, "componentLength", 0, SIGNATURE_DIGITS_MIN,
	    SIGNATURE_DIGITS_MAX, &digits, &present, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if (!present)
		digits = SIGNATURE_DIGITS_DEFAULT;
	if (json_object_object_get_ex(body, "allowBiometry", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_boolean)) {
			response_error(res, API_ERROR_REQUEST,
			    "field 'allowBiometry' must be a boolean");
			goto done;
		}
		o.allow_biometry = json_object_get_boolean(v);
	}
	o.digits = (int)digits;
	cloud_scope(req, &scope);
	o.scope = &scope;
	if ((r = malloc(sizeof(*r))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	rc = sigauth_verify_offline(cloud_db(w), w->cfg, &o, r, &why);
	count_signature(METRICS_SIG_OFFLINE, rc, r);
	if (rc == SVC_INVALID) {
		response_error(res, API_ERROR_SIGNATURE_INVALID, why);
		goto done;
	}
	if (rc != SVC_OK || (out = json_object_new_object()) == NULL) {
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_signature_json(out, "signatureValid", r);
	response_json(res, 200, out);
done:
	free(r);
	json_object_put(body);
}
