/*
 * inbox.c - the inbox API the Mobile Token SDKs call (/api/inbox/...,
 * api.md §3.8): unread count, a page of messages, one message with its
 * body, marking one or all read. Every call is authenticated with a MAC
 * token (X-PowerAuth-Token, any signature type); answers use the generic
 * envelope and the codes of api.md §3.5 (INVALID_REQUEST for bad input,
 * POWERAUTH_AUTH_FAIL for the token, INBOX_FAILED for a message that is
 * not the phone's).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "service/inbox.h"
#include "service/mtoken.h"

#define HDR_TOKEN	"HTTP_X_POWERAUTH_TOKEN"
#define ID_MAX		64

/*
 * The body: one JSON object (empty allowed unless required) and its
 * requestObject (*ro NULL when absent and not required). 0, or -1 after
 * answering 400 INVALID_REQUEST.
 */
static int
request_object(struct request *req, struct response *res, int required,
    json_object **root, json_object **ro)
{
	char err[160];

	*root = *ro = NULL;
	if (jsonin_parse_object(req->body, req->body_len, !required, root,
	    err, sizeof(err)) != 0) {
		response_error(res, API_MT_INVALID_REQUEST, err);
		return -1;
	}
	*ro = jsonin_member(*root, "requestObject");
	if ((*ro == NULL && !required) || (*ro != NULL &&
	    json_object_is_type(*ro, json_type_object)))
		return 0;
	json_object_put(*root);
	*root = *ro = NULL;
	response_error(res, API_MT_INVALID_REQUEST,
	    "field 'requestObject' must be an object");
	return -1;
}

static void
inbox_fail(struct worker *w, struct request *req, struct response *res,
    enum svc_rc rc)
{
	if (rc == SVC_AUTH_FAILED)
		response_error(res, API_MT_AUTH_FAIL, NULL);
	else if (rc == SVC_INVALID)
		response_error(res, API_MT_INVALID_REQUEST, NULL);
	else if (rc == SVC_INBOX_NOT_FOUND)
		response_error(res, API_MT_INBOX_NOT_FOUND, NULL);
	else
		enroll_fail(w, req, res, rc, "inbox");
}

/* A message as the SDK reads it (body only in the detail). */
static json_object *
message_json(const struct inbox_row *r, int with_body)
{
	json_object *o;
	char date[32];

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	mtoken_date(r->created_ms, date);
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "type", json_object_new_string(r->type));
	json_object_object_add(o, "subject",
	    json_object_new_string(r->subject));
	json_object_object_add(o, "summary",
	    json_object_new_string(r->summary));
	if (with_body)
		json_object_object_add(o, "body",
		    json_object_new_string(r->body));
	json_object_object_add(o, "read", json_object_new_boolean(r->read));
	json_object_object_add(o, "timestampCreated",
	    json_object_new_string(date));
	return o;
}

/* POST /api/inbox/count {} -> {"countUnread": n} */
void
mtoken_inbox_count(struct worker *w, struct request *req, struct response *res)
{
	json_object *root, *ro, *o;
	int64_t n;
	enum svc_rc rc;

	if (request_object(req, res, 0, &root, &ro) != 0)
		return;
	json_object_put(root);
	rc = inbox_device_count(enroll_db(w), w->cfg,
	    request_header(req, HDR_TOKEN), &n);
	if (rc != SVC_OK) {
		inbox_fail(w, req, res, rc);
		return;
	}
	if ((o = json_object_new_object()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(o, "countUnread", json_object_new_int64(n));
	enroll_ok(w, req, res, o);
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

/* POST /api/inbox/message/list {"requestObject":{"page","size",
 * "onlyUnread"}} -> [message...], newest first. */
void
mtoken_inbox_list(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root, *ro, *arr = NULL;
	struct inbox_page p;
	char err[160];
	int present;
	enum svc_rc rc;

	if (request_object(req, res, 0, &root, &ro) != 0)
		return;
	memset(&p, 0, sizeof(p));
	if (jsonin_int64(ro, "page", 0, 0, INBOX_PAGE_MAX, &p.page, &present,
	    err, sizeof(err)) != 0 ||
	    jsonin_int64(ro, "size", 0, 1, INBOX_DEVICE_SIZE_MAX, &p.size,
	    &present, err, sizeof(err)) != 0 ||
	    jsonin_bool(ro, "onlyUnread", 0, &p.only_unread, err,
	    sizeof(err)) != 0) {
		response_error(res, API_MT_INVALID_REQUEST, err);
		goto done;
	}
	if (!present)
		p.size = INBOX_DEVICE_SIZE;
	if ((arr = json_object_new_array()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	rc = inbox_device_page(enroll_db(w), w->cfg, request_header(req,
	    HDR_TOKEN), &p, add_message, arr);
	if (rc == SVC_OK) {
		enroll_ok(w, req, res, arr);
		arr = NULL;
	} else
		inbox_fail(w, req, res, rc);
done:
	json_object_put(arr);
	json_object_put(root);
}

/* The requestObject's id (answered 400 when missing or malformed). */
static int
message_id(struct request *req, struct response *res, json_object **root,
    const char **id)
{
	json_object *ro;
	char err[160];

	if (request_object(req, res, 1, root, &ro) != 0)
		return -1;
	if (jsonin_string(ro, "id", 1, 1, ID_MAX, NULL, id, err,
	    sizeof(err)) != 0) {
		response_error(res, API_MT_INVALID_REQUEST, err);
		return -1;
	}
	return 0;
}

/* POST /api/inbox/message/detail {"requestObject":{"id"}} */
void
mtoken_inbox_detail(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root = NULL, *o;
	struct inbox_row *row = NULL;
	const char *id;
	enum svc_rc rc;

	if (message_id(req, res, &root, &id) != 0)
		goto done;
	if ((row = malloc(sizeof(*row))) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	rc = inbox_device_detail(enroll_db(w), w->cfg, request_header(req,
	    HDR_TOKEN), id, row);
	if (rc != SVC_OK)
		inbox_fail(w, req, res, rc);
	else if ((o = message_json(row, 1)) == NULL)
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
	else
		enroll_ok(w, req, res, o);
done:
	free(row);
	json_object_put(root);
}

/* POST /api/inbox/message/read {"requestObject":{"id"}} */
void
mtoken_inbox_read(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root = NULL;
	const char *id;
	enum svc_rc rc;

	if (message_id(req, res, &root, &id) == 0) {
		rc = inbox_device_read(enroll_db(w), w->cfg,
		    request_header(req, HDR_TOKEN), id);
		if (rc != SVC_OK)
			inbox_fail(w, req, res, rc);
		else
			enroll_ok(w, req, res, NULL);
	}
	json_object_put(root);
}

/* POST /api/inbox/message/read-all {} */
void
mtoken_inbox_read_all(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root, *ro;
	enum svc_rc rc;

	if (request_object(req, res, 0, &root, &ro) != 0)
		return;
	json_object_put(root);
	rc = inbox_device_read_all(enroll_db(w), w->cfg, request_header(req,
	    HDR_TOKEN));
	if (rc != SVC_OK)
		inbox_fail(w, req, res, rc);
	else
		enroll_ok(w, req, res, NULL);
}
