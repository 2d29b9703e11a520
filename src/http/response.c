/* response.c - building and writing responses (see response.h). */
#include <config.h>

#include "http/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

/* Drops whatever body was set. */
static void
clear_body(struct response *res)
{
	json_object_put(res->body);
	res->body = NULL;
	free(res->text);
	res->text = NULL;
	res->content_type = NULL;
}

void
response_json(struct response *res, int status, json_object *body)
{
	clear_body(res);
	res->body = body;
	res->status = status;
	res->err = API_OK;
	if (body == NULL)
		response_error(res, API_ERROR_GENERIC, NULL);
}

void
response_text(struct response *res, int status, char *text,
    const char *content_type)
{
	clear_body(res);
	if (text == NULL) {
		response_error(res, API_ERROR_GENERIC, NULL);
		return;
	}
	res->text = text;
	res->content_type = content_type;
	res->status = status;
	res->err = API_OK;
}

void
response_empty(struct response *res, int status)
{
	clear_body(res);
	res->status = status;
	res->err = API_OK;
}

void
response_error(struct response *res, enum api_err e, const char *message)
{
	clear_body(res);
	res->err = e;
	res->status = api_err_status(e);
	res->body = api_error_body(e, message);
}

void
response_health(struct response *res, int db_up)
{
	const char *st = db_up ? "UP" : "DOWN";
	json_object *root, *comp, *db;

	root = json_object_new_object();
	comp = json_object_new_object();
	db = json_object_new_object();
	if (root == NULL || comp == NULL || db == NULL) {
		json_object_put(root);
		json_object_put(comp);
		json_object_put(db);
		response_error(res, API_ERROR_GENERIC, NULL);
		return;
	}
	json_object_object_add(db, "status", json_object_new_string(st));
	json_object_object_add(comp, "db", db);
	json_object_object_add(root, "status", json_object_new_string(st));
	json_object_object_add(root, "components", comp);
	response_json(res, db_up ? 200 : 503, root);
}

static int
write_headers(struct buf *h, const struct response *res, const char *rid,
    size_t blen)
{
	buf_printf(h, "Status: %d %s\r\n", res->status,
	    http_status_text(res->status));
	if (res->status != 204) {
		buf_printf(h, "Content-Type: %s\r\n", res->text != NULL ?
		    res->content_type : "application/json");
		buf_printf(h, "Content-Length: %zu\r\n", blen);
	}
	buf_printf(h, "X-Request-Id: %s\r\n", rid);
	buf_append_str(h, "Cache-Control: no-store\r\n");
	if (res->status == 405 && res->allow[0] != '\0')
		buf_printf(h, "Allow: %s\r\n", res->allow);
	if (res->status == 401 && res->www_authenticate != NULL)
		buf_printf(h, "WWW-Authenticate: Basic realm=\"%s\"\r\n",
		    res->www_authenticate);
	buf_append_str(h, "\r\n");
	return h->failed ? -1 : 0;
}

int
response_write(struct response *res, FCGX_Stream *out, const char *rid)
{
	struct buf h = BUF_INIT;
	const char *body = "";
	size_t blen = 0;
	int rc = -1;

	if (res->status == 0 || (res->status != 204 && res->body == NULL &&
	    res->text == NULL))
		response_error(res, API_ERROR_GENERIC, NULL);
	if (res->text != NULL && res->status != 204) {
		body = res->text;
		blen = strlen(body);
	} else if (res->body != NULL && res->status != 204) {
		body = json_object_to_json_string_ext(res->body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (body == NULL)
			goto fail;
		blen = strlen(body);
	}
	if (write_headers(&h, res, rid, blen) != 0)
		goto fail;
	if (FCGX_PutStr((const char *)h.data, (int)h.len, out) < 0 ||
	    (blen > 0 && FCGX_PutStr(body, (int)blen, out) < 0))
		goto fail;
	rc = 0;
fail:
	buf_free(&h);
	return rc;
}

void
response_free(struct response *res)
{
	clear_body(res);
	memset(res, 0, sizeof(*res));
}

static void
audit_put(char *dst, size_t cap, const char *src)
{
	if (src != NULL)
		snprintf(dst, cap, "%s", src);
}

void
response_audit(struct response *res, const char *outcome,
    const char *object_id, const char *user_id, const char *app_id)
{
	if (outcome != NULL)
		res->audit.outcome = outcome;
	audit_put(res->audit.object_id, sizeof(res->audit.object_id),
	    object_id);
	audit_put(res->audit.user_id, sizeof(res->audit.user_id), user_id);
	audit_put(res->audit.app_id, sizeof(res->audit.app_id), app_id);
}
