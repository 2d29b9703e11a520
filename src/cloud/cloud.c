/*
 * cloud.c - /powerauth-cloud: route table, authentication, threads
 * (see cloud.h).
 *
 * Authentication is the worker's own: nginx's auth_request calls
 * GET /internal/auth, which runs the same check as every other route, so
 * a request sent straight to the socket is held to the same standard.
 */
#include <config.h>

#include "cloud/cloud.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "http/metrics.h"
#include "http/server.h"
#include "service/auth.h"
#include "store/registrations.h"
#include "service/health.h"
#include "store/db.h"

struct cloud_ctx {
	struct http_app		 app;
	struct auth_cache	*cache;
};

static void
health(struct worker *w, struct request *req, struct response *res)
{
	(void)req;
	response_health(res, health_db_up(cloud_db(w)));
}

static void
internal_auth(struct worker *w, struct request *req, struct response *res)
{
	(void)w;
	(void)req;
	response_empty(res, 204);
}

static const char *const REG_CREATE_QUERY[] = { "incompleteStatusCheck",
    NULL };
static const char *const REG_LIST_QUERY[] = { "userId", "removed", NULL };

static const char *const OP_LIST_QUERY[] = { "userId", "status",
    "externalId", "pageNumber", "pageSize", NULL };
static const char *const DISPLAY_LIST_QUERY[] = { "operationType", NULL };
static const char *const OP_CANCEL_QUERY[] = { "statusReason", NULL };
static const char *const OP_QR_QUERY[] = { "registrationId", NULL };
static const char *const CB_DELIVERY_QUERY[] = { "status", "limit", NULL };
static const char *const AUDIT_QUERY[] = { "before", "since", "until",
    "category", "outcome", "objectId", "userId", "actor", "limit", NULL };
static const char *const INBOX_LIST_QUERY[] = { "userId", "onlyUnread",
    "page", "size", NULL };

static const struct route ROUTES[] = {
	{ "GET", "/actuator/health", health, ROUTE_AUTH_NONE, NULL, 0 },
	/*
	 * nginx's auth_request subrequest keeps the method of the request it
	 * guards (and may announce its Content-Length without the body), so
	 * the check answers every method and ignores the body.
	 */
	{ "GET", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "HEAD", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "POST", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "PUT", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "PATCH", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "DELETE", "/internal/auth", internal_auth, ROUTE_AUTH_USER, NULL, 1 },
	{ "POST", "/admin/applications", cloud_app_create, ROUTE_AUTH_ADMIN,
	    NULL, 0 },
	{ "GET", "/admin/applications", cloud_app_list, ROUTE_AUTH_ADMIN,
	    NULL, 0 },
	{ "GET", "/admin/applications/{id}", cloud_app_get, ROUTE_AUTH_ADMIN,
	    NULL, 0 },
	{ "POST", "/admin/users", cloud_user_create, ROUTE_AUTH_ADMIN,
	    NULL, 0 },
	{ "POST", "/admin/users/{username}/applications/{appId}",
	    cloud_user_grant, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "POST", "/admin/operation-templates", cloud_template_create,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "GET", "/admin/operation-templates", cloud_template_list,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "GET", "/admin/operation-templates/{name}", cloud_template_get,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "PUT", "/admin/operation-templates/{name}", cloud_template_replace,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "DELETE", "/admin/operation-templates/{name}",
	    cloud_template_delete, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "POST", "/admin/display-templates", cloud_display_create,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "GET", "/admin/display-templates", cloud_display_list,
	    ROUTE_AUTH_ADMIN, DISPLAY_LIST_QUERY, 0 },
	{ "GET", "/admin/display-templates/{operationType}/{language}",
	    cloud_display_get, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "PUT", "/admin/display-templates/{operationType}/{language}",
	    cloud_display_replace, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "DELETE", "/admin/display-templates/{operationType}/{language}",
	    cloud_display_delete, ROUTE_AUTH_ADMIN, NULL, 0 },
	/* Admins for every application, integration users for theirs. */
	{ "POST", "/v2/admin/applications/{appId}/callbacks",
	    cloud_callback_create, ROUTE_AUTH_USER, NULL, 0 },
	{ "GET", "/v2/admin/applications/{appId}/callbacks",
	    cloud_callback_list, ROUTE_AUTH_USER, NULL, 0 },
	{ "GET", "/v2/admin/applications/{appId}/callbacks/{callbackId}",
	    cloud_callback_get, ROUTE_AUTH_USER, NULL, 0 },
	{ "PUT", "/v2/admin/applications/{appId}/callbacks/{callbackId}",
	    cloud_callback_replace, ROUTE_AUTH_USER, NULL, 0 },
	{ "DELETE", "/v2/admin/applications/{appId}/callbacks/{callbackId}",
	    cloud_callback_delete, ROUTE_AUTH_USER, NULL, 0 },
	{ "GET", "/admin/webhooks", cloud_webhook_status, ROUTE_AUTH_ADMIN,
	    NULL, 0 },
	{ "GET", "/admin/applications/{appId}/push", cloud_push_get,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "POST", "/admin/applications/{appId}/push/{platform}",
	    cloud_push_put, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "PUT", "/admin/applications/{appId}/push/{platform}",
	    cloud_push_put, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "DELETE", "/admin/applications/{appId}/push/{platform}",
	    cloud_push_delete, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "POST", "/v2/messages/send", cloud_message_send, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "GET", "/admin/audit", cloud_audit_list, ROUTE_AUTH_ADMIN,
	    AUDIT_QUERY, 0 },
	{ "GET", "/metrics", cloud_metrics, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "GET", "/v2/admin/applications/{appId}/callbacks/{callbackId}/"
	    "deliveries", cloud_callback_deliveries, ROUTE_AUTH_USER,
	    CB_DELIVERY_QUERY, 0 },
	{ "POST", "/v2/operations", cloud_op_create, ROUTE_AUTH_USER, NULL,
	    0 },
	{ "GET", "/v2/operations", cloud_op_list, ROUTE_AUTH_USER,
	    OP_LIST_QUERY, 0 },
	{ "GET", "/v2/operations/{id}", cloud_op_get, ROUTE_AUTH_USER, NULL,
	    0 },
	{ "DELETE", "/v2/operations/{id}", cloud_op_cancel, ROUTE_AUTH_USER,
	    OP_CANCEL_QUERY, 0 },
	{ "GET", "/v2/operations/{id}/offline/qr", cloud_op_offline_qr,
	    ROUTE_AUTH_USER, OP_QR_QUERY, 0 },
	{ "POST", "/v2/operations/{id}/offline/otp", cloud_op_offline_otp,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/inbox/messages", cloud_inbox_create, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "GET", "/v2/inbox/messages", cloud_inbox_list, ROUTE_AUTH_USER,
	    INBOX_LIST_QUERY, 0 },
	{ "GET", "/v2/inbox/messages/{id}", cloud_inbox_get, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "DELETE", "/v2/inbox/messages/{id}", cloud_inbox_delete,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/signature/verify", cloud_signature_verify,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/authentication/verify", cloud_signature_verify,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/signature/offline/verify", cloud_offline_verify,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/token/verify", cloud_token_verify, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "POST", "/v2/registrations", cloud_reg_create, ROUTE_AUTH_USER,
	    REG_CREATE_QUERY, 0 },
	{ "GET", "/v2/registrations", cloud_reg_list, ROUTE_AUTH_USER,
	    REG_LIST_QUERY, 0 },
	{ "GET", "/v2/registrations/{id}", cloud_reg_get, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "PUT", "/v2/registrations/{id}", cloud_reg_change, ROUTE_AUTH_USER,
	    NULL, 0 },
	{ "DELETE", "/v2/registrations/{id}", cloud_reg_remove,
	    ROUTE_AUTH_USER, NULL, 0 },
	{ "POST", "/v2/registrations/{id}/commit", cloud_reg_commit,
	    ROUTE_AUTH_USER, NULL, 0 },
};

struct db *
cloud_db(struct worker *w)
{
	return w->data;
}

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

static enum api_err
authenticate(struct worker *w, struct request *req, enum route_auth need)
{
	const struct cloud_ctx *cc = w->app->ctx;
	struct auth_identity id;
	enum auth_result r;

	r = auth_verify(cloud_db(w), w->cfg, cc->cache,
	    request_header(req, "HTTP_AUTHORIZATION"),
	    request_header(req, "REMOTE_ADDR"), &id);
	switch (r) {
	case AUTH_OK:
		break;
	case AUTH_DENIED:
		return API_HTTP_401;
	case AUTH_THROTTLED:
		/* nginx's auth_request knows only 2xx/401/403: the subrequest
		 * says 401, the request itself then gets the 429. */
		return strcmp(req->path, "/internal/auth") == 0 ?
		    API_HTTP_401 : API_HTTP_429;
	case AUTH_DB_DOWN:
		metrics_db_error(METRICS_DB_DOWN);
		log_error("request %s: authentication: database unavailable: "
		    "%s", req->id, db_last_error(cloud_db(w)));
		return API_ERROR_GENERIC;
	default:
		log_error("request %s: authentication failed internally",
		    req->id);
		return API_ERROR_GENERIC;
	}
	req->principal.user_id = id.user_id;
	req->principal.role = id.role;
	memcpy(req->principal.username, id.username,
	    sizeof(req->principal.username));
	if (need == ROUTE_AUTH_ADMIN && id.role != AUTH_ROLE_ADMIN)
		return API_HTTP_403;
	return API_OK;
}

void
cloud_scope(const struct request *req, struct reg_scope *scope)
{
	scope->caller_id = req->principal.user_id;
	scope->admin = req->principal.role == AUTH_ROLE_ADMIN;
}

/* A non-negative decimal query parameter; dflt when absent. */
int
cloud_query_num(const struct request *req, const char *key, int64_t dflt,
    int64_t *out)
{
	const char *v = request_query(req, key);
	char *end;
	long long n;

	*out = dflt;
	if (v == NULL)
		return 0;
	if (v[0] < '0' || v[0] > '9' || strlen(v) > 9)
		return -1;
	n = strtoll(v, &end, 10);
	if (*end != '\0')
		return -1;
	*out = n;
	return 0;
}

void
cloud_list_reply(struct worker *w, struct request *req,
    struct response *res, const char *key, json_object *arr, enum svc_rc rc)
{
	json_object *root;

	if (rc == SVC_OK && (root = json_object_new_object()) != NULL) {
		json_object_object_add(root, key, arr);
		response_json(res, 200, root);
		return;
	}
	json_object_put(arr);
	cloud_fail(w, req, res, rc == SVC_OK ? SVC_INTERNAL : rc, NULL);
}

void
cloud_fail(struct worker *w, struct request *req, struct response *res,
    enum svc_rc rc, const char *message)
{
	switch (rc) {
	case SVC_OK:
		log_error("request %s: success reported as failure", req->id);
		response_error(res, API_ERROR_GENERIC, NULL);
		break;
	case SVC_INVALID:
	case SVC_EXISTS:
	case SVC_USER_NOT_FOUND:
		response_error(res, API_ERROR_REQUEST, message);
		break;
	case SVC_APP_NOT_FOUND:
		response_error(res, API_ERROR_APPLICATION_NOT_FOUND, NULL);
		break;
	case SVC_REG_NOT_FOUND:
		response_error(res, API_ERROR_REGISTRATION_NOT_FOUND, NULL);
		break;
	case SVC_REG_NOT_ALLOWED:
		response_error(res, API_ERROR_REGISTRATION_NOT_ALLOWED, NULL);
		break;
	case SVC_REG_CHANGE:
		response_error(res, API_ERROR_REGISTRATION_CHANGE, message);
		break;
	case SVC_OP_NOT_FOUND:
		response_error(res, API_ERROR_OPERATION_NOT_FOUND, NULL);
		break;
	case SVC_TEMPLATE_NOT_FOUND:
		response_error(res, API_ERROR_TEMPLATE_NOT_FOUND, NULL);
		break;
	case SVC_CALLBACK_NOT_FOUND:
		response_error(res, API_ERROR_CALLBACK_NOT_FOUND, NULL);
		break;
	case SVC_INBOX_NOT_FOUND:
		response_error(res, API_ERROR_INBOX_MESSAGE_NOT_FOUND, NULL);
		break;
	case SVC_OP_STATE:
		response_error(res, API_ERROR_OPERATION_STATE_CHANGE, message);
		break;
	case SVC_LIMIT:
		response_error(res, API_ERROR_LIMIT_EXCEEDED, message);
		break;
	case SVC_THROTTLED:
		response_error(res, API_HTTP_429, NULL);
		break;
	case SVC_RETRY:
		log_warn("request %s: lost lock conflicts on every attempt: %s",
		    req->id, db_last_error(cloud_db(w)));
		response_error(res, API_ERROR_SERVICE_UNAVAILABLE, NULL);
		break;
	case SVC_DB_DOWN:
		metrics_db_error(METRICS_DB_DOWN);
		log_error("request %s: database unavailable: %s", req->id,
		    db_last_error(cloud_db(w)));
		response_error(res, API_ERROR_GENERIC, NULL);
		break;
	default:
		metrics_db_error(METRICS_DB_INTERNAL);
		log_error("request %s: internal error (%s)", req->id,
		    db_last_error(cloud_db(w)));
		response_error(res, API_ERROR_GENERIC, NULL);
		break;
	}
}

const struct http_app *
cloud_app_new(const struct config *cfg)
{
	struct cloud_ctx *cc;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return NULL;
	cc->cache = auth_cache_new(AUTH_CACHE_SLOTS,
	    (int64_t)cfg->auth_cache_ttl * 1000, AUTH_NEGATIVE_TTL_MS);
	if (cc->cache == NULL) {
		free(cc);
		return NULL;
	}
	cc->app.name = "paserv-cloud";
	cc->app.prefix = "/powerauth-cloud";
	cc->app.realm = "powerauth-cloud";
	cc->app.routes = ROUTES;
	cc->app.nroutes = sizeof(ROUTES) / sizeof(ROUTES[0]);
	cc->app.ctx = cc;
	cc->app.thread_init = thread_init;
	cc->app.thread_fini = thread_fini;
	cc->app.authenticate = authenticate;
	return &cc->app;
}

void
cloud_app_free(const struct http_app *app)
{
	struct cloud_ctx *cc;

	if (app == NULL)
		return;
	cc = app->ctx;
	auth_cache_free(cc->cache);
	free(cc);
}
