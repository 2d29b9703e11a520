/*
 * admin_templates.c - /admin/operation-templates and
 * /admin/display-templates handlers: JSON in -> service -> JSON out
 * (doc/operations.md "Managing templates").
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/templates.h"

/* --- operation templates ------------------------------------------------ */

static json_object *
template_json(const struct op_template *t)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "operationType",
	    json_object_new_string(t->operation_type));
	json_object_object_add(o, "dataTemplate",
	    json_object_new_string(t->data_template));
	json_object_object_add(o, "signatureTypes",
	    json_tokener_parse(t->signature_types));
	json_object_object_add(o, "expiration",
	    json_object_new_int64(t->expiration_s));
	json_object_object_add(o, "maxFailureCount",
	    json_object_new_int64(t->max_failures));
	if (t->risk_flags[0] != '\0')
		json_object_object_add(o, "riskFlags",
		    json_object_new_string(t->risk_flags));
	json_object_object_add(o, "proximityCheckEnabled",
	    json_object_new_boolean(t->proximity_check));
	return o;
}

/* Reads a template body; the name from the path when name != NULL. */
static int
parse_template(json_object *body, const char *name, struct template_req *r,
    char *err, size_t errlen)
{
	int present;

	memset(r, 0, sizeof(*r));
	r->name = name;
	if ((name == NULL && jsonin_string(body, "name", 1, 1, OP_NAME_MAX,
	    jsonin_cs_ident, &r->name, err, errlen) != 0) ||
	    jsonin_string(body, "operationType", 1, 1, OP_NAME_MAX,
	    jsonin_cs_ident, &r->operation_type, err, errlen) != 0 ||
	    jsonin_string(body, "dataTemplate", 1, 1, OP_DATA_TEMPLATE_MAX,
	    NULL, &r->data_template, err, errlen) != 0 ||
	    jsonin_string_array(body, "signatureTypes", 0,
	    TEMPLATE_SIGNATURE_TYPES_MAX, 64, jsonin_cs_ident,
	    &r->signature_types, &r->nsignature_types, err, errlen) != 0 ||
	    jsonin_int64(body, "expiration", 0, 1, TEMPLATE_MAX_EXPIRATION_S,
	    &r->expiration_s, &present, err, errlen) != 0 ||
	    jsonin_int64(body, "maxFailureCount", 0, 1, TEMPLATE_MAX_FAILURES,
	    &r->max_failures, &present, err, errlen) != 0 ||
	    jsonin_string(body, "riskFlags", 0, 0, OP_RISK_MAX, NULL,
	    &r->risk_flags, err, errlen) != 0 ||
	    jsonin_bool(body, "proximityCheckEnabled", 0, &r->proximity_check,
	    err, errlen) != 0)
		return -1;
	return 0;
}

static void
template_put_common(struct worker *w, struct request *req,
    struct response *res, const char *name)
{
	struct template_req r = { 0 };
	struct op_template t;
	json_object *body = NULL;
	const char *why;
	char err[160];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    parse_template(body, name, &r, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	rc = template_put(cloud_db(w), &r, name != NULL, &t, &why);
	if (rc == SVC_OK)
		response_json(res, 200, template_json(&t));
	else
		cloud_fail(w, req, res, rc, rc == SVC_EXISTS ?
		    "Template already exists" : why);
done:
	free(r.signature_types);
	json_object_put(body);
}

void
cloud_template_create(struct worker *w, struct request *req,
    struct response *res)
{
	template_put_common(w, req, res, NULL);
}

void
cloud_template_replace(struct worker *w, struct request *req,
    struct response *res)
{
	template_put_common(w, req, res, request_param(req, "name"));
}

void
cloud_template_get(struct worker *w, struct request *req,
    struct response *res)
{
	struct op_template t;
	enum svc_rc rc;

	rc = template_get(cloud_db(w), request_param(req, "name"), &t);
	if (rc == SVC_OK)
		response_json(res, 200, template_json(&t));
	else
		cloud_fail(w, req, res, rc, NULL);
}

/* Adds one JSON object per row to the array in arg. */
static int
add_template(const struct op_template *t, void *arg)
{
	json_object *o = template_json(t);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_template_list(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *arr = json_object_new_array();

	cloud_list_reply(w, req, res, "templates", arr, arr == NULL ?
	    SVC_INTERNAL : template_list(cloud_db(w), add_template, arr));
}

void
cloud_template_delete(struct worker *w, struct request *req,
    struct response *res)
{
	enum svc_rc rc;

	rc = template_delete(cloud_db(w), request_param(req, "name"));
	if (rc == SVC_OK)
		response_empty(res, 204);
	else
		cloud_fail(w, req, res, rc, NULL);
}

/* --- display templates -------------------------------------------------- */

static json_object *
display_json(const struct op_display *d)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "operationType",
	    json_object_new_string(d->operation_type));
	json_object_object_add(o, "language",
	    json_object_new_string(d->language));
	json_object_object_add(o, "title", json_object_new_string(d->title));
	json_object_object_add(o, "message",
	    json_object_new_string(d->message));
	json_object_object_add(o, "attributes",
	    json_tokener_parse(d->attributes));
	json_object_object_add(o, "resultTexts",
	    json_tokener_parse(d->result_texts));
	if (d->ui[0] != '\0')
		json_object_object_add(o, "ui", json_tokener_parse(d->ui));
	return o;
}

static void
display_put_common(struct worker *w, struct request *req,
    struct response *res, int replace)
{
	struct display_req r = { 0 };
	struct op_display *d = NULL;
	json_object *body = NULL;
	const char *why;
	char err[160];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    (!replace && (jsonin_string(body, "operationType", 1, 1,
	    OP_NAME_MAX, jsonin_cs_ident, &r.operation_type, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(body, "language", 1, 1, OP_LANG_MAX, NULL,
	    &r.language, err, sizeof(err)) != 0)) ||
	    jsonin_string(body, "title", 1, 1, OP_TEXT_MAX, NULL, &r.title,
	    err, sizeof(err)) != 0 ||
	    jsonin_string(body, "message", 1, 1, OP_DISPLAY_TEXT_MAX, NULL,
	    &r.message, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if (replace) {
		r.operation_type = request_param(req, "operationType");
		r.language = request_param(req, "language");
	}
	r.attributes = jsonin_member(body, "attributes");
	r.result_texts = jsonin_member(body, "resultTexts");
	r.ui = jsonin_member(body, "ui");
	if ((d = malloc(sizeof(*d))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	rc = display_put(cloud_db(w), &r, replace, d, &why);
	if (rc == SVC_OK)
		response_json(res, 200, display_json(d));
	else
		cloud_fail(w, req, res, rc, rc == SVC_EXISTS ?
		    "Display template already exists" : why);
done:
	free(d);
	json_object_put(body);
}

void
cloud_display_create(struct worker *w, struct request *req,
    struct response *res)
{
	display_put_common(w, req, res, 0);
}

void
cloud_display_replace(struct worker *w, struct request *req,
    struct response *res)
{
	display_put_common(w, req, res, 1);
}

void
cloud_display_get(struct worker *w, struct request *req,
    struct response *res)
{
	struct op_display *d;
	enum svc_rc rc;

	if ((d = malloc(sizeof(*d))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	rc = display_get(cloud_db(w), request_param(req, "operationType"),
	    request_param(req, "language"), d);
	if (rc == SVC_OK)
		response_json(res, 200, display_json(d));
	else
		cloud_fail(w, req, res, rc, NULL);
	free(d);
}

static int
add_display(const struct op_display *d, void *arg)
{
	json_object *o = display_json(d);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_display_list(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *arr = json_object_new_array();

	cloud_list_reply(w, req, res, "displayTemplates", arr, arr == NULL ?
	    SVC_INTERNAL : display_list(cloud_db(w), request_query(req,
	    "operationType"), add_display, arr));
}

void
cloud_display_delete(struct worker *w, struct request *req,
    struct response *res)
{
	enum svc_rc rc;

	rc = display_delete(cloud_db(w), request_param(req, "operationType"),
	    request_param(req, "language"));
	if (rc == SVC_OK)
		response_empty(res, 204);
	else
		cloud_fail(w, req, res, rc, NULL);
}
