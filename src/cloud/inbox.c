/*
 * inbox.c - /v2/inbox/messages handlers of the integration API: JSON in ->
 * service -> JSON out (api.md §2.5; reading, listing and deleting are our
 * additions, doc/inbox.md).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/inbox.h"

/* Summary and body: lines of text (tab, LF, CR allowed). */
static int
cs_lines(int c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' ||
	    c == '\r';
}

/* "a,b" -> ["a","b"] */
static json_object *
apps_json(const char *apps)
{
	json_object *a = json_object_new_array();
	const char *p = apps, *comma;

	while (a != NULL && *p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		json_object_array_add(a, json_object_new_string_len(p,
		    (int)(comma - p)));
		p = *comma == ',' ? comma + 1 : comma;
	}
	return a;
}

/* The message of api.md §2.5 (body only when with_body), plus its
 * applications within the caller's scope, silent and timestampRead. */
static json_object *
message_json(const struct inbox_row *r, int with_body)
{
	json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "userId",
	    json_object_new_string(r->user_id));
	json_object_object_add(o, "type", json_object_new_string(r->type));
	json_object_object_add(o, "subject",
	    json_object_new_string(r->subject));
	json_object_object_add(o, "summary",
	    json_object_new_string(r->summary));
	if (with_body)
		json_object_object_add(o, "body",
		    json_object_new_string(r->body));
	json_object_object_add(o, "read", json_object_new_boolean(r->read));
	json_object_object_add(o, "silent",
	    json_object_new_boolean(r->silent));
	json_object_object_add(o, "timestamp",
	    json_object_new_int64(r->created_ms));
	if (r->read)
		json_object_object_add(o, "timestampRead",
		    json_object_new_int64(r->read_ms));
	json_object_object_add(o, "applications", apps_json(r->apps));
	return o;
}

static void
answer(struct worker *w, struct request *req, struct response *res,
    const struct inbox_row *r)
{
	json_object *o = message_json(r, 1);

	if (o == NULL)
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
	else
		response_json(res, 200, o);
}

static int
parse_create(json_object *body, struct inbox_create_req *r,
    const char ***apps, char *err, size_t errlen)
{
	*apps = NULL;
	if (jsonin_string(body, "userId", 1, 1, REG_USER_MAX, NULL,
	    &r->user_id, err, errlen) != 0 ||
	    jsonin_string(body, "type", 1, 1, INBOX_TYPE_MAX, NULL, &r->type,
	    err, errlen) != 0 ||
	    jsonin_string(body, "subject", 1, 1, INBOX_SUBJECT_MAX, NULL,
	    &r->subject, err, errlen) != 0 ||
	    jsonin_string(body, "summary", 1, 1, INBOX_SUMMARY_MAX, cs_lines,
	    &r->summary, err, errlen) != 0 ||
	    jsonin_string(body, "body", 1, 1, INBOX_BODY_MAX, cs_lines,
	    &r->body, err, errlen) != 0 ||
	    jsonin_bool(body, "silent", 0, &r->silent, err, errlen) != 0 ||
	    jsonin_string_array(body, "applications", 0, INBOX_APPS_MAX,
	    APP_ID_MAX, jsonin_cs_ident, apps, &r->napps, err, errlen) != 0)
		return -1;
	r->apps = *apps;
	return 0;
}

void
cloud_inbox_create(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *body = NULL;
	struct inbox_create_req r;
	struct inbox_row *row = NULL;
	struct reg_scope scope;
	const char **apps = NULL, *why = NULL;
	char err[160];
	enum svc_rc rc;

	memset(&r, 0, sizeof(r));
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 || parse_create(body, &r, &apps, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((row = malloc(sizeof(*row))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	rc = inbox_create(cloud_db(w), &scope, &r, row, &why);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, why);
	else
		answer(w, req, res, row);
done:
	free(row);
	free(apps);
	json_object_put(body);
}

void
cloud_inbox_get(struct worker *w, struct request *req, struct response *res)
{
	struct inbox_row *row;
	struct reg_scope scope;
	enum svc_rc rc;

	if ((row = malloc(sizeof(*row))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	cloud_scope(req, &scope);
	rc = inbox_get_message(cloud_db(w), &scope, request_param(req, "id"),
	    row);
	if (rc != SVC_OK)
		cloud_fail(w, req, res, rc, NULL);
	else
		answer(w, req, res, row);
	free(row);
}

void
cloud_inbox_delete(struct worker *w, struct request *req,
    struct response *res)
{
	struct reg_scope scope;
	enum svc_rc rc;

	cloud_scope(req, &scope);
	rc = inbox_delete_message(cloud_db(w), &scope,
	    request_param(req, "id"));
	if (rc == SVC_OK)
		response_empty(res, 204);
	else
		cloud_fail(w, req, res, rc, NULL);
}

static int
add_message(const struct inbox_row *r, void *arg)
{
	json_object *o = message_json(r, 0);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

/* onlyUnread: absent (0), "true" or "false". */
static int
query_bool(const struct request *req, const char *key, int *out)
{
	const char *v = request_query(req, key);

	*out = v != NULL && strcmp(v, "true") == 0;
	return v == NULL || *out || strcmp(v, "false") == 0 ? 0 : -1;
}

void
cloud_inbox_list(struct worker *w, struct request *req, struct response *res)
{
	struct inbox_page p;
	struct reg_scope scope;
	json_object *arr, *root;
	enum svc_rc rc;

	memset(&p, 0, sizeof(p));
	p.user_id = request_query(req, "userId");
	if (p.user_id == NULL || p.user_id[0] == '\0' ||
	    query_bool(req, "onlyUnread", &p.only_unread) != 0 ||
	    cloud_query_num(req, "page", 0, &p.page) != 0 ||
	    cloud_query_num(req, "size", INBOX_LIST_SIZE, &p.size) != 0 ||
	    !inbox_page_valid(p.page, p.size, INBOX_LIST_SIZE_MAX)) {
		response_error(res, API_ERROR_REQUEST, "userId is required; "
		    "onlyUnread is true or false; page 0..100000; size "
		    "1..500");
		return;
	}
	if ((arr = json_object_new_array()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	cloud_scope(req, &scope);
	rc = inbox_list_messages(cloud_db(w), &scope, &p, add_message, arr);
	if (rc != SVC_OK || (root = json_object_new_object()) == NULL) {
		json_object_put(arr);
		cloud_fail(w, req, res, rc != SVC_OK ? rc : SVC_INTERNAL,
		    "invalid userId");
		return;
	}
	json_object_object_add(root, "messages", arr);
	json_object_object_add(root, "page", json_object_new_int64(p.page));
	json_object_object_add(root, "size", json_object_new_int64(p.size));
	response_json(res, 200, root);
}
