/* Router: exact segments, {param} captures, 404 vs 405 with Allow. */
#include <config.h>

#include <string.h>

#include "http/router.h"
#include "tap.h"

static void
h(struct worker *w, struct request *r, struct response *s)
{
	(void)w;
	(void)r;
	(void)s;
}

static const char *const Q[] = { "userId", NULL };

static const struct route R[] = {
	{ "GET", "/actuator/health", h, ROUTE_AUTH_NONE, NULL, 0 },
	{ "POST", "/admin/applications", h, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "GET", "/admin/applications", h, ROUTE_AUTH_ADMIN, Q, 0 },
	{ "GET", "/admin/applications/{id}", h, ROUTE_AUTH_ADMIN, NULL, 0 },
	{ "POST", "/admin/users/{username}/applications/{appId}", h,
	    ROUTE_AUTH_ADMIN, NULL, 0 },
};
#define NR (sizeof(R) / sizeof(R[0]))

static int
match(const char *method, const char *path, struct request *req,
    const struct route **rt, char *allow)
{
	memset(req, 0, sizeof(*req));
	strcpy(req->method, method);
	req->path = path;
	return router_match(R, NR, req, rt, allow, 96);
}

static void
clear(struct request *req)
{
	request_free(req);
}

int
main(void)
{
	struct request req;
	const struct route *rt;
	char allow[96], err[128];

	tap_ok(match("GET", "/actuator/health", &req, &rt, allow) ==
	    ROUTE_FOUND && rt == &R[0], "static route");
	clear(&req);
	tap_ok(match("GET", "/admin/applications", &req, &rt, allow) ==
	    ROUTE_FOUND && rt == &R[2], "same path, method picks route");
	clear(&req);
	tap_ok(match("DELETE", "/admin/applications", &req, &rt, allow) ==
	    ROUTE_BAD_METHOD && strcmp(allow, "POST, GET") == 0,
	    "405 with Allow '%s'", allow);
	clear(&req);
	tap_ok(match("GET", "/admin/applications/my-app.1", &req, &rt,
	    allow) == ROUTE_FOUND && rt == &R[3] &&
	    strcmp(request_param(&req, "id"), "my-app.1") == 0, "param");
	clear(&req);
	tap_ok(match("POST", "/admin/users/u@x/applications/a_1", &req, &rt,
	    allow) == ROUTE_FOUND &&
	    strcmp(request_param(&req, "username"), "u@x") == 0 &&
	    strcmp(request_param(&req, "appId"), "a_1") == 0, "two params");
	clear(&req);
	tap_ok(match("GET", "/admin/applications/", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "empty param segment is 404");
	clear(&req);
	tap_ok(match("GET", "/admin/applications/a/b", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "extra segment is 404");
	clear(&req);
	tap_ok(match("GET", "/admin/applications/a b", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "bad character in param is 404");
	clear(&req);
	tap_ok(match("GET", "/admin//applications", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "double slash is 404");
	clear(&req);
	tap_ok(match("GET", "/admin/applicationsX", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "no prefix matching");
	clear(&req);
	tap_ok(match("GET", "/actuator/health/", &req, &rt, allow) ==
	    ROUTE_NOT_FOUND, "trailing slash is 404");
	clear(&req);
	tap_ok(match("GET", "", &req, &rt, allow) == ROUTE_NOT_FOUND,
	    "empty path is 404");
	clear(&req);
	tap_ok(match("GET", "/", &req, &rt, allow) == ROUTE_NOT_FOUND,
	    "root is 404");
	clear(&req);

	memset(&req, 0, sizeof(req));
	tap_ok(query_parse(&req, "userId=a", err, sizeof(err)) == 0 &&
	    router_check_query(&R[2], &req, err, sizeof(err)) == 0,
	    "allowed query key");
	tap_ok(router_check_query(&R[0], &req, err, sizeof(err)) != 0 &&
	    strstr(err, "userId") != NULL, "unknown query key named: %s",
	    err);
	clear(&req);
	return tap_done();
}
