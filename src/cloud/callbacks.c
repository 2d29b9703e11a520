/*
 * callbacks.c - /v2/admin/applications/{appId}/callbacks handlers: JSON
 * in -> service -> JSON out (doc/webhooks.md "Managing callbacks").
 *
 * Integration users reach the callbacks of the applications granted to
 * them; administrators reach every application's.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "http/jsonin.h"
#include "service/callbacks.h"

/* A multiplier in percent as a number with one or two decimals. */
static json_object *
multiplier_json(int64_t pct)
{
	char s[32];
	size_t n;

	n = (size_t)snprintf(s, sizeof(s), "%lld.%02lld",
	    (long long)(pct / 100), (long long)(pct % 100));
	if (n < sizeof(s) && s[n - 1] == '0')
		s[n - 1] = '\0';
	return json_object_new_double_s((double)pct / 100.0, s);
}

static void
add_duration(json_object *o, const char *key, int64_t ms)
{
	char d[CALLBACK_DURATION_MAX];

	callback_duration_format(ms, d, sizeof(d));
	json_object_object_add(o, key, json_object_new_string(d));
}

static json_object *
callback_json(const struct callback *cb)
{
	const struct callback_row *c = &cb->row;
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "applicationId",
	    json_object_new_string(c->app_id));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "type", json_object_new_string(c->type));
	json_object_object_add(o, "callbackUrl",
	    json_object_new_string(c->url));
	json_object_object_add(o, "attributes",
	    json_tokener_parse(c->attributes));
	if (cb->auth[0] != '\0')
		json_object_object_add(o, "authentication",
		    json_tokener_parse(cb->auth));
	json_object_object_add(o, "maxAttempts",
	    json_object_new_int64(c->max_attempts));
	add_duration(o, "initialBackoff", c->initial_backoff_ms);
	json_object_object_add(o, "backoffMultiplier",
	    multiplier_json(c->backoff_multiplier_pct));
	add_duration(o, "maxBackoff", c->max_backoff_ms);
	add_duration(o, "retentionPeriod", c->retention_s * 1000);
	json_object_object_add(o, "timestampCreated",
	    json_object_new_int64(c->created_ms));
	json_object_object_add(o, "timestampLastUpdated",
	    json_object_new_int64(c->updated_ms));
	if (cb->secret[0] != '\0')
		json_object_object_add(o, "secret",
		    json_object_new_string(cb->secret));
	return o;
}

int
cloud_callback_req(json_object *body, struct callback_req *r, char *err,
    size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (jsonin_string(body, "name", 1, 1, CB_NAME_MAX, NULL, &r->name,
	    err, errlen) != 0 ||
	    jsonin_string(body, "type", 1, 1, CB_TYPE_MAX, jsonin_cs_ident,
	    &r->type, err, errlen) != 0 ||
	    jsonin_string(body, "callbackUrl", 1, 1, CB_URL_MAX, NULL, &r->url,
	    err, errlen) != 0 ||
	    jsonin_bool(body, "rotateSecret", 0, &r->rotate_secret, err,
	    errlen) != 0)
		return -1;
	r->attributes = jsonin_member(body, "attributes");
	r->authentication = jsonin_member(body, "authentication");
	r->max_attempts = jsonin_member(body, "maxAttempts");
	r->initial_backoff = jsonin_member(body, "initialBackoff");
	r->backoff_multiplier = jsonin_member(body, "backoffMultiplier");
	r->max_backoff = jsonin_member(body, "maxBackoff");
	r->retention_period = jsonin_member(body, "retentionPeriod");
	return 0;
}

/* Answers with the callback, then wipes it (it may hold the key). */
static void
reply(struct worker *w, struct request *req, struct response *res,
    struct callback *cb, enum svc_rc rc, const char *why)
{
	json_object *o;

	if (rc == SVC_OK && (o = callback_json(cb)) != NULL)
		response_json(res, 200, o);
	else
		cloud_fail(w, req, res, rc == SVC_OK ? SVC_INTERNAL : rc,
		    rc == SVC_EXISTS ? "Callback already exists" : why);
	OPENSSL_cleanse(cb, sizeof(*cb));
}

static void
callback_put_common(struct worker *w, struct request *req,
    struct response *res, int replace)
{
	const char *app_id = request_param(req, "appId");
	struct callback_req r;
	struct reg_scope scope;
	struct callback *cb = NULL;
	json_object *body = NULL;
	const char *why = NULL;
	char err[160];
	enum svc_rc rc;

	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0 ||
	    cloud_callback_req(body, &r, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if ((cb = malloc(sizeof(*cb))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		goto done;
	}
	cloud_scope(req, &scope);
	if (replace)
		rc = callback_replace(cloud_db(w), w->cfg, &scope, app_id,
		    request_param(req, "callbackId"), &r, cb, &why);
	else
		rc = callback_create(cloud_db(w), w->cfg, &scope, app_id, &r,
		    cb, &why);
	reply(w, req, res, cb, rc, why);
done:
	free(cb);
	json_object_put(body);
}

void
cloud_callback_create(struct worker *w, struct request *req,
    struct response *res)
{
	callback_put_common(w, req, res, 0);
}

void
cloud_callback_replace(struct worker *w, struct request *req,
    struct response *res)
{
	callback_put_common(w, req, res, 1);
}

void
cloud_callback_get(struct worker *w, struct request *req,
    struct response *res)
{
	struct reg_scope scope;
	struct callback *cb;
	enum svc_rc rc;

	if ((cb = malloc(sizeof(*cb))) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	cloud_scope(req, &scope);
	rc = callback_get(cloud_db(w), w->cfg, &scope,
	    request_param(req, "appId"), request_param(req, "callbackId"), cb);
	reply(w, req, res, cb, rc, NULL);
	free(cb);
}

static int
add_callback(const struct callback *cb, void *arg)
{
	json_object *o = callback_json(cb);

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

void
cloud_callback_list(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *arr = json_object_new_array();
	struct reg_scope scope;

	cloud_scope(req, &scope);
	cloud_list_reply(w, req, res, "callbacks", arr, arr == NULL ?
	    SVC_INTERNAL : callback_list(cloud_db(w), w->cfg, &scope,
	    request_param(req, "appId"), add_callback, arr));
}

void
cloud_callback_delete(struct worker *w, struct request *req,
    struct response *res)
{
	struct reg_scope scope;
	enum svc_rc rc;

	cloud_scope(req, &scope);
	rc = callback_delete(cloud_db(w), &scope, request_param(req, "appId"),
	    request_param(req, "callbackId"));
	if (rc == SVC_OK)
		response_empty(res, 204);
	else
		cloud_fail(w, req, res, rc, NULL);
}

static void
add_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static int
add_delivery(const struct cb_delivery_row *d, void *arg)
{
	json_object *o = json_object_new_object();

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	json_object_object_add(o, "eventId",
	    json_object_new_string(d->event_id));
	json_object_object_add(o, "objectId",
	    json_object_new_string(d->object_id));
	json_object_object_add(o, "status", json_object_new_string(
	    callback_delivery_status_name((int)d->status)));
	json_object_object_add(o, "attempts",
	    json_object_new_int64(d->attempts));
	if (d->has_last_status)
		json_object_object_add(o, "lastStatus",
		    json_object_new_int64(d->last_status));
	if (d->last_error[0] != '\0')
		json_object_object_add(o, "lastError",
		    json_object_new_string(d->last_error));
	add_i64(o, "timestampCreated", d->created_ms);
	if (d->status == CB_PENDING)
		add_i64(o, "timestampNextAttempt", d->next_attempt_ms);
	if (d->finished_ms != 0)
		add_i64(o, "timestampFinished", d->finished_ms);
	json_object_object_add(o, "payload", json_tokener_parse(d->payload));
	return 0;
}

void
cloud_callback_deliveries(struct worker *w, struct request *req,
    struct response *res)
{
	const char *st = request_query(req, "status");
	struct reg_scope scope;
	json_object *arr;
	int64_t limit;
	int status = 0;

	if ((st != NULL && (status = callback_delivery_status_parse(st)) ==
	    0) || cloud_query_num(req, "limit", CALLBACK_DELIVERIES_DEFAULT,
	    &limit) != 0 || limit < 1 || limit > CB_DELIVERY_LIST_MAX) {
		response_error(res, API_ERROR_REQUEST, "status is PENDING, "
		    "DELIVERED or FAILED; limit 1..500");
		return;
	}
	cloud_scope(req, &scope);
	arr = json_object_new_array();
	cloud_list_reply(w, req, res, "deliveries", arr, arr == NULL ?
	    SVC_INTERNAL : callback_deliveries(cloud_db(w), &scope,
	    request_param(req, "appId"), request_param(req, "callbackId"),
	    status, limit, add_delivery, arr));
}

static int
add_dispatcher(const struct dispatcher_row *d, void *arg)
{
	json_object *o = json_object_new_object();

	if (o == NULL || json_object_array_add(arg, o) != 0) {
		json_object_put(o);
		return -1;
	}
	json_object_object_add(o, "holder", json_object_new_string(d->holder));
	add_i64(o, "timestampStarted", d->started_ms);
	add_i64(o, "timestampReported", d->updated_ms);
	add_i64(o, "inFlight", d->in_flight);
	add_i64(o, "delivered", d->delivered);
	add_i64(o, "failedAttempts", d->failed_attempts);
	add_i64(o, "gaveUp", d->gave_up);
	add_i64(o, "latencyP50Ms", d->latency_p50_ms);
	add_i64(o, "latencyP99Ms", d->latency_p99_ms);
	return 0;
}

void
cloud_webhook_status(struct worker *w, struct request *req,
    struct response *res)
{
	struct delivery_counts c;
	json_object *root, *q, *arr;
	enum svc_rc rc;

	if ((arr = json_object_new_array()) == NULL) {
		cloud_fail(w, req, res, SVC_INTERNAL, NULL);
		return;
	}
	rc = callback_queue_status(cloud_db(w), &c, add_dispatcher, arr);
	if (rc != SVC_OK || (root = json_object_new_object()) == NULL ||
	    (q = json_object_new_object()) == NULL) {
		json_object_put(arr);
		cloud_fail(w, req, res, rc == SVC_OK ? SVC_INTERNAL : rc, NULL);
		return;
	}
	add_i64(q, "pending", c.pending);
	add_i64(q, "due", c.due);
	add_i64(q, "failed", c.failed);
	add_i64(q, "oldestDueAgeMs", c.oldest_due_ms);
	json_object_object_add(root, "queue", q);
	json_object_object_add(root, "dispatchers", arr);
	response_json(res, 200, root);
}
