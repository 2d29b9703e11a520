/*
 * admin_users.c - /admin/users handlers: integration users and their
 * application grants (api.md §1.2 steps 4 and 6, §2.7).
 */
#include <config.h>

#include <openssl/crypto.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/auth.h"
#include "service/users.h"
#include "store/users.h"

void
cloud_user_create(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL, *o;
	const char *name;
	char err[160], pw[PASSWORD_GEN_LEN + 1];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "username", 1, 1, USER_NAME_MAX,
	    jsonin_cs_username, &name, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	rc = user_create(cloud_db(w), name, AUTH_ROLE_USER, pw);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, rc == SVC_EXISTS ?
		    "User already exists" : "Invalid user name");
		goto done;
	}
	if ((o = json_object_new_object()) != NULL) {
		json_object_object_add(o, "username",
		    json_object_new_string(name));
		json_object_object_add(o, "password",
		    json_object_new_string(pw));
	}
	response_json(res, 200, o);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	json_object_put(body);
}

void
cloud_user_grant(struct worker *w, struct request *req, struct response *res)
{
	const char *name = request_param(req, "username");
	const char *app_id = request_param(req, "appId");
	json_object *body = NULL, *o;
	char err[160];
	enum svc_rc rc;

	/* The body is optional; if present it must still be JSON. */
	if (jsonin_parse_object(req->body, req->body_len, 1, &body, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return;
	}
	json_object_put(body);
	rc = user_grant_application(cloud_db(w), name, app_id);
	if (rc != SVC_OK) {
		cloud_fail(w, req, res, rc, "User not found");
		return;
	}
	if ((o = json_object_new_object()) != NULL) {
		json_object_object_add(o, "username",
		    json_object_new_string(name));
		json_object_object_add(o, "appId",
		    json_object_new_string(app_id));
	}
	response_json(res, 200, o);
}
