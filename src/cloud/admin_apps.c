/*
 * admin_apps.c - /admin/applications handlers: JSON in -> service ->
 * JSON out (api.md §2.7, §1.4).
 */
#include <config.h>

#include <stdlib.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/applications.h"

static json_object *
app_json(const struct application *a, const char *base_url)
{
	json_object *o, *roles;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((roles = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (i = 0; i < a->nroles; i++)
		json_object_array_add(roles,
		    json_object_new_string(a->roles[i]));
	json_object_object_add(o, "id", json_object_new_string(a->id));
	json_object_object_add(o, "appKey",
	    json_object_new_string(a->app_key));
	json_object_object_add(o, "appSecret",
	    json_object_new_string(a->app_secret));
	json_object_object_add(o, "masterServerPublicKey",
	    json_object_new_string(a->master_public_key));
	json_object_object_add(o, "mobileSdkConfig",
	    json_object_new_string(a->mobile_sdk_config));
	json_object_object_add(o, "serviceBaseUrl",
	    json_object_new_string(base_url));
	json_object_object_add(o, "roles", roles);
	return o;
}

void
cloud_app_create(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL;
	const char *id, **roles = NULL;
	struct application app = { 0 };
	char err[160];
	size_t nroles = 0;
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "id", 1, 1, APP_ID_MAX, jsonin_cs_ident, &id,
	    err, sizeof(err)) != 0 ||
	    jsonin_string_array(body, "roles", 0, APPLICATION_ROLES_MAX,
	    APPLICATION_ROLE_LEN, jsonin_cs_ident, &roles, &nroles, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	rc = application_create(cloud_db(w), w->cfg, id, roles, nroles, &app);
	if (rc == SVC_OK)
		response_json(res, 200, app_json(&app,
		    w->cfg->service_base_url));
	else
		cloud_fail(w, req, res, rc, rc == SVC_EXISTS ?
		    "Application already exists" : "Invalid application");
done:
	application_clear(&app);
	free(roles);
	json_object_put(body);
}

struct list_acc {
	json_object	*arr;
	const char	*base_url;
};

static int
add_app(const struct application *a, void *arg)
{
	struct list_acc *acc = arg;
	json_object *o = app_json(a, acc->base_url);

	if (o == NULL || json_object_array_add(acc->arr, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_app_list(struct worker *w, struct request *req, struct response *res)
{
	struct list_acc acc;
	json_object *root;
	enum svc_rc rc;

	acc.base_url = w->cfg->service_base_url;
	if ((acc.arr = json_object_new_array()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	rc = application_list(cloud_db(w), add_app, &acc);
	if (rc != SVC_OK) {
		json_object_put(acc.arr);
		cloud_fail(w, req, res, rc, NULL);
		return;
	}
	if ((root = json_object_new_object()) == NULL) {
		json_object_put(acc.arr);
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	json_object_object_add(root, "applications", acc.arr);
	response_json(res, 200, root);
}

void
cloud_app_get(struct worker *w, struct request *req, struct response *res)
{
	struct application app;
	enum svc_rc rc;

	rc = application_get(cloud_db(w), request_param(req, "id"), &app);
	if (rc == SVC_OK)
		response_json(res, 200, app_json(&app,
		    w->cfg->service_base_url));
	else
		cloud_fail(w, req, res, rc, NULL);
	application_clear(&app);
}
