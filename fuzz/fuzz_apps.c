/*
 * fuzz_apps.c - the /powerauth-cloud and /enrollment-server contexts for
 * the fuzz targets (see fuzz.h).
 */
#include <config.h>

#include "fuzz/fuzz.h"

#include <stdio.h>
#include <string.h>

#include "cloud/cloud.h"
#include "enroll/enroll.h"
#include "http/metrics.h"
#include "http/server.h"
#include "service/auth.h"

static struct http_app cloud;
static enum api_err (*cloud_real_auth)(struct worker *, struct request *,
    enum route_auth);

/* See fuzz.h: the real check unless the database would find users. */
static enum api_err
cloud_auth(struct worker *w, struct request *req, enum route_auth need)
{
	char user[sizeof(req->principal.username)], pass[256];
	int rc;

	if (fuzz_db_get() != FUZZ_DB_YES)
		return cloud_real_auth(w, req, need);
	rc = auth_parse_basic(request_header(req, "HTTP_AUTHORIZATION"), user,
	    sizeof(user), pass, sizeof(pass));
	if (rc != 0)
		return API_HTTP_401;
	req->principal.user_id = 1;
	req->principal.role = strcmp(user, "admin") == 0 ? AUTH_ROLE_ADMIN :
	    AUTH_ROLE_USER;
	snprintf(req->principal.username, sizeof(req->principal.username),
	    "%s", user);
	if (need == ROUTE_AUTH_ADMIN && req->principal.role != AUTH_ROLE_ADMIN)
		return API_HTTP_403;
	return API_OK;
}

static struct worker *
worker_for(const struct http_app *app)
{
	static struct worker w;

	FUZZ_ASSERT(w.app == NULL || w.app == app);
	if (w.app != NULL)
		return &w;
	w.cfg = fuzz_config();
	w.app = app;
	FUZZ_ASSERT(metrics_init(app->routes, app->nroutes) == 0);
	FUZZ_ASSERT(app->thread_init == NULL || app->thread_init(&w) == 0);
	return &w;
}

struct worker *
fuzz_cloud_worker(void)
{
	const struct http_app *app;

	if (cloud.routes == NULL) {
		FUZZ_ASSERT((app = cloud_app_new(fuzz_config())) != NULL);
		cloud = *app;
		cloud_real_auth = app->authenticate;
		cloud.authenticate = cloud_auth;
	}
	return worker_for(&cloud);
}

struct worker *
fuzz_enroll_worker(void)
{
	static const struct http_app *app;

	if (app == NULL)
		FUZZ_ASSERT((app = enroll_app_new(fuzz_config())) != NULL);
	return worker_for(app);
}

void
fuzz_serve(struct worker *w, struct fuzz_fcgi *f)
{
	int keep = 1;

	fuzz_db_set(f->db);
	server_dispatch(w, &f->in, &f->out, f->envp, &keep);
	fuzz_fcgi_flush(f);
	fuzz_check_answer(f->output.data, f->output.len);
	FUZZ_ASSERT(fuzz_db_idle(w->data));
}
