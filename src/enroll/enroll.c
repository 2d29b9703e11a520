/*
 * enroll.c - /enrollment-server: route table, envelopes, error mapping,
 * health, ping and the PowerAuth status call (see enroll.h).
 */
#include <config.h>

#include "enroll/enroll.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "http/jsonin.h"
#include "http/metrics.h"
#include "service/health.h"

struct db *
enroll_db(struct worker *w)
{
	return w->data;
}

void
enroll_ok(struct worker *w, struct request *req, struct response *res,
    json_object *obj)
{
	json_object *root = json_object_new_object();

	if (root == NULL) {
		json_object_put(obj);
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(root, "status", json_object_new_string("OK"));
	if (obj != NULL)
		json_object_object_add(root, "responseObject", obj);
	response_json(res, 200, root);
}

int
enroll_request_object(struct request *req, struct response *res,
    json_object **root, json_object **ro)
{
	char err[160];

	*root = NULL;
	*ro = NULL;
	if (jsonin_parse_object(req->body, req->body_len, 0, root, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return -1;
	}
	if (!json_object_object_get_ex(*root, "requestObject", ro) ||
	    !json_object_is_type(*ro, json_type_object)) {
		json_object_put(*root);
		*root = NULL;
		response_error(res, API_ERROR_REQUEST,
		    "field 'requestObject' must be an object");
		return -1;
	}
	return 0;
}

void
enroll_fail(struct worker *w, struct request *req, struct response *res,
    enum svc_rc rc, const char *why)
{
	enum api_err e;

	switch (rc) {
	case SVC_AUTH_FAILED:
		e = API_PA_AUTHENTICATION;
		break;
	case SVC_ACTIVATION_INVALID:
		e = API_PA_ACTIVATION;
		break;
	case SVC_ENCRYPTION:
		e = API_PA_ENCRYPTION;
		break;
	case SVC_TEMP_KEY:
		e = API_PA_TEMPORARY_KEY;
		break;
	case SVC_VAULT_INVALID:
		e = API_PA_SECURE_VAULT;
		break;
	case SVC_UPGRADE:
		e = API_PA_UPGRADE;
		break;
	case SVC_INVALID:
		response_error(res, API_ERROR_REQUEST, why);
		return;
	case SVC_DB_DOWN:
		metrics_db_error(METRICS_DB_DOWN);
		log_error("request %s: database unavailable: %s", req->id,
		    db_last_error(enroll_db(w)));
		response_error(res, API_ERROR_SERVICE_UNAVAILABLE, NULL);
		return;
	case SVC_THROTTLED:
		log_info("request %s: refused: too many failures from %s",
		    req->id, request_header(req, "REMOTE_ADDR") != NULL ?
		    request_header(req, "REMOTE_ADDR") : "?");
		response_error(res, API_HTTP_429, NULL);
		return;
	case SVC_RETRY:
		log_warn("request %s: lost lock conflicts on every attempt: %s",
		    req->id, db_last_error(enroll_db(w)));
		response_error(res, API_ERROR_SERVICE_UNAVAILABLE, NULL);
		return;
	default:
		metrics_db_error(METRICS_DB_INTERNAL);
		log_error("request %s: internal error (%s%s%s)", req->id,
		    why != NULL ? why : "", why != NULL ? "; " : "",
		    db_last_error(enroll_db(w)));
		response_error(res, API_ERROR_GENERIC, NULL);
		return;
	}
	log_info("request %s: refused (%s): %s", req->id, api_err_code(e),
	    why != NULL ? why : "-");
	response_error(res, e, NULL);
}

static void
health(struct worker *w, struct request *req, struct response *res)
{
	(void)req;
	response_health(res, health_db_up(w->data));
}

/*
 * GET /actuator/ping: {"status":"UP"} without touching the database: that
 * the worker answers at all (liveness), and the cheapest request through
 * nginx and FastCGI (the ceiling bench/run measures against).
 */
static void
ping(struct worker *w, struct request *req, struct response *res)
{
	json_object *o = json_object_new_object();

	(void)req;
	if (o == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(o, "status", json_object_new_string("UP"));
	response_json(res, 200, o);
}

/* POST /pa/v3/status: server time for the SDK's clock sync. */
static void
pa_status(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL, *ro, *app;
	char err[160];

	/* Any JSON object (or nothing) is accepted; garbage is not. */
	if (jsonin_parse_object(req->body, req->body_len, 1, &body, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return;
	}
	json_object_put(body);
	ro = json_object_new_object();
	app = json_object_new_object();
	if (ro == NULL || app == NULL) {
		json_object_put(ro);
		json_object_put(app);
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(app, "name", json_object_new_string("paserv"));
	json_object_object_add(app, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(ro, "serverTime",
	    json_object_new_int64(time_now_ms()));
	json_object_object_add(ro, "application", app);
	enroll_ok(w, req, res, ro);
}

/*
 * GET /metrics: this process's counters, only for a FastCGI request that
 * carries the parameter PASERV_INTERNAL=1. A client cannot set it (its
 * headers arrive as HTTP_*); only an operator's internal nginx block
 * (fastcgi_param PASERV_INTERNAL 1) or a scraper on the worker's socket
 * does. Everyone else gets the same 404 as for a path that does not exist;
 * the public nginx snippet also denies the location outright.
 */
static void
metrics(struct worker *w, struct request *req, struct response *res)
{
	const char *internal = request_header(req, ENROLL_INTERNAL_PARAM);
	struct buf out = BUF_INIT;

	if (internal == NULL || strcmp(internal, "1") != 0) {
		response_error(res, API_ERROR_NOT_FOUND, NULL);
		return;
	}
	if (metrics_render(&out) != 0) {
		buf_free(&out);
		enroll_fail(w, req, res, SVC_INTERNAL, "metrics: no memory");
		return;
	}
	response_text(res, 200, buf_take_cstr(&out), METRICS_CONTENT_TYPE);
}

static const char *const ANY_QUERY[] = { "*", NULL };

static const struct route ROUTES[] = {
	{ "GET", "/actuator/health", health, ROUTE_AUTH_NONE, NULL, 0 },
	{ "GET", "/actuator/ping", ping, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/status", pa_status, ROUTE_AUTH_NONE, NULL, 0 },
	{ "GET", "/metrics", metrics, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/activation/create", pa_activation_create,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/activation/status", pa_activation_status,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/activation/remove", pa_activation_remove,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/keystore/create", pa_keystore_create,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "GET", "/pa/v3/signature/validate", pa_signature_validate,
	    ROUTE_AUTH_NONE, ANY_QUERY, 0 },
	{ "POST", "/pa/v3/signature/validate", pa_signature_validate,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "PUT", "/pa/v3/signature/validate", pa_signature_validate,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "DELETE", "/pa/v3/signature/validate", pa_signature_validate,
	    ROUTE_AUTH_NONE, ANY_QUERY, 0 },
	{ "POST", "/pa/v3/token/create", pa_token_create, ROUTE_AUTH_NONE,
	    NULL, 0 },
	{ "POST", "/pa/v3/token/remove", pa_token_remove, ROUTE_AUTH_NONE,
	    NULL, 0 },
	{ "POST", "/pa/v3/vault/unlock", pa_vault_unlock, ROUTE_AUTH_NONE,
	    NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/list",
	    mtoken_operation_list, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/detail",
	    mtoken_operation_detail, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/detail/claim",
	    mtoken_operation_claim, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/history",
	    mtoken_operation_history, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/authorize",
	    mtoken_operation_authorize, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/auth/token/app/operation/cancel",
	    mtoken_operation_cancel, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/inbox/count", mtoken_inbox_count, ROUTE_AUTH_NONE,
	    NULL, 0 },
	{ "POST", "/api/inbox/message/list", mtoken_inbox_list,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/inbox/message/detail", mtoken_inbox_detail,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/inbox/message/read", mtoken_inbox_read,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/inbox/message/read-all", mtoken_inbox_read_all,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/push/device/register", push_device_register_handler,
	    ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/api/push/device/register/token",
	    push_device_register_handler, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/upgrade/start", pa_upgrade, ROUTE_AUTH_NONE,
	    NULL, 0 },
	{ "POST", "/pa/v3/upgrade/commit", pa_upgrade, ROUTE_AUTH_NONE,
	    NULL, 0 },
};

static int
thread_init(struct worker *w)
{
	w->data = db_new(w->cfg);
	return w->data != NULL ? 0 : -1;
}

static void
thread_fini(struct worker *w)
{
	db_free(w->data);
	w->data = NULL;
}

const struct http_app *
enroll_app_new(const struct config *cfg)
{
	struct http_app *app;

	(void)cfg;
	if ((app = calloc(1, sizeof(*app))) == NULL)
		return NULL;
	app->name = "paserv-enroll";
	app->prefix = "/enrollment-server";
	app->realm = "enrollment-server";
	app->routes = ROUTES;
	app->nroutes = sizeof(ROUTES) / sizeof(ROUTES[0]);
	app->ctx = app;
	app->thread_init = thread_init;
	app->thread_fini = thread_fini;
	return app;
}

void
enroll_app_free(const struct http_app *app)
{
	free((void *)(uintptr_t)app);
}
