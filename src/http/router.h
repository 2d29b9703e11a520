/*
 * router.h - method + path pattern -> handler, one table per context.
 *
 * Owns: matching a request path (already stripped of the context prefix)
 * against a table of routes such as `GET /admin/applications/{id}`;
 * {name} matches one non-empty segment of at most REQUEST_PARAM_LEN
 * characters from [A-Za-z0-9._@-], so handlers receive only plain tokens.
 * A path that matches a pattern under another method gives 405 with the
 * Allow list; no match at all gives 404.
 * Must not: call handlers or authenticate; that is server.c's job.
 */
#ifndef PASERV_HTTP_ROUTER_H
#define PASERV_HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

struct worker;

/* Who may call a route; the context's authenticator interprets it. */
enum route_auth {
	ROUTE_AUTH_NONE = 0,
	ROUTE_AUTH_USER,	/* any verified user */
	ROUTE_AUTH_ADMIN	/* verified user with the admin role */
};

typedef void (*route_handler)(struct worker *w, struct request *req,
    struct response *res);

struct route {
	const char		*method;
	const char		*pattern;
	route_handler		 handler;
	enum route_auth		 auth;
	/* allowed query keys, NULL-ended; { "*", NULL }: any */
	const char *const	*query;
	/*
	 * 1: ignore CONTENT_LENGTH and discard stdin (nginx auth_request
	 * subrequests may announce the parent's length but send no body).
	 */
	int			 no_body;
};

enum route_result {
	ROUTE_FOUND = 0,
	ROUTE_NOT_FOUND,
	ROUTE_BAD_METHOD
};

/*
 * Matches method and path. ROUTE_FOUND: *match is the route and the path
 * parameters were added to req->params. ROUTE_BAD_METHOD: allow holds the
 * permitted methods ("GET, POST"). -1 on allocation failure.
 */
int	router_match(const struct route *routes, size_t n, struct request *req,
	    const struct route **match, char *allow, size_t allowlen);
/* 0 if every query key of req is listed in route->query, else -1 and the
 * offending key is named in err. */
int	router_check_query(const struct route *route,
	    const struct request *req, char *err, size_t errlen);

#endif
