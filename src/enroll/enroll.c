/*
 * enroll.c - /enrollment-server: health and the PowerAuth status call
 * (see enroll.h). The activation, token and operation endpoints join this
 * table as they are implemented.
 */
#include <config.h>

#include "enroll/enroll.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/timeutil.h"
#include "http/jsonin.h"
#include "service/health.h"
#include "store/db.h"

static void
health(struct worker *w, struct request *req, struct response *res)
{
	(void)req;
	response_health(res, health_db_up(w->data));
}

/* {"status":"OK","responseObject":obj} */
static json_object *
envelope_ok(json_object *obj)
{
	json_object *root = json_object_new_object();

	if (root == NULL || obj == NULL) {
		json_object_put(root);
		json_object_put(obj);
		return NULL;
	}
	json_object_object_add(root, "status", json_object_new_string("OK"));
	json_object_object_add(root, "responseObject", obj);
	return root;
}

/* POST /pa/v3/status: server time for the SDK's clock sync. */
static void
pa_status(struct worker *w, struct request *req, struct response *res)
{
	json_object *body = NULL, *ro, *app;
	char err[160];

	(void)w;
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
		response_error(res, API_ERROR_GENERIC, NULL);
		return;
	}
	json_object_object_add(app, "name", json_object_new_string("paserv"));
	json_object_object_add(app, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(ro, "serverTime",
	    json_object_new_int64(time_now_ms()));
	json_object_object_add(ro, "application", app);
	response_json(res, 200, envelope_ok(ro));
}

static const struct route ROUTES[] = {
	{ "GET", "/actuator/health", health, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/pa/v3/status", pa_status, ROUTE_AUTH_NONE, NULL, 0 },
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
