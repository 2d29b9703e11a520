/*
 * push.c - push notification handlers of /powerauth-cloud (doc/push.md):
 * an application's credentials toward APNs and FCM
 * (/admin/applications/{appId}/push[/{platform}], administrators only;
 * the private keys are never shown) and POST /v2/messages/send.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/push.h"

static void
add_str(json_object *o, const char *key, const char *v)
{
	if (v[0] != '\0')
		json_object_object_add(o, key, json_object_new_string(v));
}

/* A stored credential as shown: everything but the key. */
static json_object *
cred_json(const struct push_cred_row *c)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	add_str(o, "applicationId", c->app_id);
	add_str(o, "platform", c->platform);
	if (strcmp(c->platform, "apns") == 0) {
		add_str(o, "topic", c->topic);
		add_str(o, "keyId", c->key_id);
		add_str(o, "teamId", c->team_id);
		add_str(o, "environment", c->environment);
	} else {
		add_str(o, "projectId", c->project_id);
		add_str(o, "clientEmail", c->client_email);
		add_str(o, "tokenUri", c->token_uri);
		add_str(o, "privateKeyId", c->key_id);
	}
	json_object_object_add(o, "timestampCreated",
	    json_object_new_int64(c->created_ms));
	json_object_object_add(o, "timestampLastUpdated",
	    json_object_new_int64(c->updated_ms));
	return o;
}

static int
parse_apns(json_object *body, struct push_apns_req *r, char *err,
    size_t errlen)
{
	json_object *pem = jsonin_member(body, "privateKey");

	memset(r, 0, sizeof(*r));
	/* PEM text has line breaks, which jsonin_string() refuses. */
	if (pem != NULL && (!json_object_is_type(pem, json_type_string) ||
	    json_object_get_string_len(pem) > 16384)) {
		snprintf(err, errlen, "field 'privateKey' must be the PEM text "
		    "of the .p8 file");
		return -1;
	}
	if (pem != NULL)
		r->private_key = json_object_get_string(pem);
	return jsonin_string(body, "topic", 1, 1, PUSH_TOPIC_MAX, NULL,
	    &r->topic, err, errlen) != 0 ||
	    jsonin_string(body, "keyId", 1, 1, PUSH_KEY_ID_MAX, NULL,
	    &r->key_id, err, errlen) != 0 ||
	    jsonin_string(body, "teamId", 1, 1, PUSH_TEAM_ID_MAX, NULL,
	    &r->team_id, err, errlen) != 0 ||
	    jsonin_string(body, "environment", 0, 1, PUSH_ENV_MAX, NULL,
	    &r->environment, err, errlen) != 0 ||
	    jsonin_string(body, "privateKeyBase64", 0, 1, 32768, NULL,
	    &r->private_key_b64, err, errlen) != 0 ? -1 : 0;
}

static int
parse_fcm(json_object *body, struct push_fcm_req *r, char *err,
    size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (jsonin_string(body, "projectId", 0, 1, PUSH_PROJECT_MAX, NULL,
	    &r->project_id, err, errlen) != 0 ||
	    jsonin_string(body, "privateKeyBase64", 0, 1, 65536, NULL,
	    &r->service_account_b64, err, errlen) != 0)
		return -1;
	r->service_account = jsonin_member(body, "serviceAccount");
	if (r->service_account != NULL &&
	    !json_object_is_type(r->service_account, json_type_object)) {
		snprintf(err, errlen, "field 'serviceAccount' must be an "
		    "object");
		return -1;
	}
	return 0;
}

/* POST or PUT /admin/applications/{appId}/push/{platform}. */
void
cloud_push_put(struct worker *w, struct request *req, struct response *res)
{
	const char *app_id = request_param(req, "appId");
	const char *platform = request_param(req, "platform");
	struct push_cred_row *out = NULL;
	struct push_apns_req ar;
	struct push_fcm_req fr;
	json_object *body = NULL, *o;
	const char *why = NULL;
	char err[160];
	enum svc_rc rc;
	int bad;

	if (strcmp(platform, "hms") == 0) {
		response_error(res, API_ERROR_REQUEST, "HMS (Huawei) delivery "
		    "is not supported; configure apns or fcm");
		return;
	}
	if (strcmp(platform, "apns") != 0 && strcmp(platform, "fcm") != 0) {
		response_error(res, API_ERROR_REQUEST,
		    "the platform is apns or fcm");
		return;
	}
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return;
	}
	bad = strcmp(platform, "apns") == 0 ? parse_apns(body, &ar, err,
	    sizeof(err)) : parse_fcm(body, &fr, err, sizeof(err));
	if (bad) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((out = malloc(sizeof(*out))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	rc = strcmp(platform, "apns") == 0 ?
	    push_apns_put(cloud_db(w), w->cfg, app_id, &ar, out, &why) :
	    push_fcm_put(cloud_db(w), w->cfg, app_id, &fr, out, &why);
	if (rc == SVC_OK && (o = cred_json(out)) != NULL)
		response_json(res, 200, o);
	else
		cloud_fail(w, req, res, rc == SVC_OK ? SVC_INTERNAL : rc, why);
done:
	free(out);
	/* The body held the private key. */
	if (req->body != NULL)
		OPENSSL_cleanse(req->body, req->body_len);
	json_object_put(body);
}

/* GET /admin/applications/{appId}/push: both platforms' credentials. */
void
cloud_push_get(struct worker *w, struct request *req, struct response *res)
{
	static const char *const PLATFORMS[] = { "apns", "fcm" };
	const char *app_id = request_param(req, "appId");
	struct push_cred_row *c;
	json_object *root, *o;
	enum svc_rc rc = SVC_OK;
	size_t i;
	int found;

	if ((root = json_object_new_object()) == NULL ||
	    (c = malloc(sizeof(*c))) == NULL) {
		json_object_put(root);
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	json_object_object_add(root, "applicationId",
	    json_object_new_string(app_id));
	for (i = 0; i < 2 && rc == SVC_OK; i++) {
		rc = push_cred_get(cloud_db(w), app_id, PLATFORMS[i], c,
		    &found);
		if (rc == SVC_OK && found && (o = cred_json(c)) != NULL)
			json_object_object_add(root, PLATFORMS[i], o);
	}
	free(c);
	if (rc == SVC_OK)
		response_json(res, 200, root);
	else {
		json_object_put(root);
		cloud_fail(w, req, res, rc, NULL);
	}
}

/* DELETE /admin/applications/{appId}/push/{platform}. */
void
cloud_push_delete(struct worker *w, struct request *req,
    struct response *res)
{
	const char *platform = request_param(req, "platform");
	const char *why = NULL;
	enum svc_rc rc;

	if (strcmp(platform, "apns") != 0 && strcmp(platform, "fcm") != 0) {
		response_error(res, API_ERROR_REQUEST,
		    "the platform is apns or fcm");
		return;
	}
	rc = push_cred_delete(cloud_db(w), request_param(req, "appId"),
	    platform, &why);
	if (rc == SVC_OK)
		response_empty(res, 204);
	else
		cloud_fail(w, req, res, rc, why);
}

static int
parse_message(json_object *body, struct push_message_req *r, char *err,
    size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (jsonin_string(body, "appId", 0, 1, APP_ID_MAX, NULL, &r->app_id,
	    err, errlen) != 0 ||
	    jsonin_string(body, "userId", 1, 1, REG_USER_MAX, NULL,
	    &r->user_id, err, errlen) != 0 ||
	    jsonin_string(body, "registrationId", 0, 1, 64, NULL,
	    &r->registration_id, err, errlen) != 0 ||
	    jsonin_bool(body, "silent", 0, &r->silent, err, errlen) != 0 ||
	    jsonin_string(body, "title", 0, 0, 4096, NULL, &r->title, err,
	    errlen) != 0 ||
	    jsonin_string(body, "message", 0, 0, 4096, NULL, &r->message, err,
	    errlen) != 0 ||
	    jsonin_string(body, "sound", 0, 0, 4096, NULL, &r->sound, err,
	    errlen) != 0)
		return -1;
	r->extras = jsonin_member(body, "extras");
	return 0;
}

/* POST /v2/messages/send: queued for the dispatcher. */
void
cloud_message_send(struct worker *w, struct request *req,
    struct response *res)
{
	struct push_message_req r;
	struct reg_scope scope;
	json_object *body = NULL, *o;
	const char *why = NULL;
	char id[PUSH_ID_LEN + 1], err[160];
	int64_t devices = 0;
	enum svc_rc rc;
	int app_problem = 0;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 || parse_message(body, &r, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = push_message_send(cloud_db(w), &scope, &r, id, &devices, &why,
	    &app_problem);
	if (rc == SVC_INVALID && !app_problem)
		response_error(res, API_ERROR_PUSH_MESSAGE, why);
	else if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, why);
	else if ((o = json_object_new_object()) == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else {
		json_object_object_add(o, "messageId",
		    json_object_new_string(id));
		json_object_object_add(o, "status",
		    json_object_new_string("QUEUED"));
		json_object_object_add(o, "devices",
		    json_object_new_int64(devices));
		response_json(res, 200, o);
	}
done:
	json_object_put(body);
}
