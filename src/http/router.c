/*
 * router.c - segment-wise path matching (see router.h).
 *
 * Segments are compared one by one, never with regular expressions or
 * prefix tests, so "/admin/applicationsX" or "/admin//applications" cannot
 * match "/admin/applications".
 */
#include <config.h>

#include "http/router.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
param_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
}

/* Length of the segment starting at s (up to '/' or end). */
static size_t
seglen(const char *s)
{
	const char *e = strchr(s, '/');

	return e != NULL ? (size_t)(e - s) : strlen(s);
}

static int
param_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > REQUEST_PARAM_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!param_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * 1 if path matches pattern; when caps is not NULL the {name} captures are
 * recorded as (offset, length) pairs in pattern and path order.
 */
static int
match_one(const char *pattern, const char *path, size_t caps[][4],
    size_t *ncaps)
{
	const char *p = pattern, *q = path;
	size_t pl, ql, n = 0;

	for (;;) {
		if (*p != '/' || *q != '/')
			return 0;
		p++, q++;
		pl = seglen(p);
		ql = seglen(q);
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (!param_ok(q, ql) || n >= REQUEST_PARAMS_MAX)
				return 0;
			caps[n][0] = (size_t)(p + 1 - pattern);
			caps[n][1] = pl - 2;
			caps[n][2] = (size_t)(q - path);
			caps[n][3] = ql;
			n++;
		} else if (pl != ql || memcmp(p, q, pl) != 0)
			return 0;
		p += pl;
		q += ql;
		if (*p == '\0' && *q == '\0')
			break;
	}
	*ncaps = n;
	return 1;
}

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int
add_params(struct request *req, const char *pattern, size_t caps[][4],
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct request_kv *kv = &req->params[req->nparams++];

		kv->key = dupn(pattern + caps[i][0], caps[i][1]);
		kv->value = dupn(req->path + caps[i][2], caps[i][3]);
		if (kv->key == NULL || kv->value == NULL)
			return -1;
	}
	return 0;
}

static void
allow_add(char *allow, size_t allowlen, const char *method)
{
	size_t used = strlen(allow);

	if (strstr(allow, method) != NULL)
		return;
	snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "",
	    method);
}

int
router_match(const struct route *routes, size_t n, struct request *req,
    const struct route **match, char *allow, size_t allowlen)
{
	size_t caps[REQUEST_PARAMS_MAX][4], ncaps, i;
	int other = 0;

	*match = NULL;
	allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match_one(routes[i].pattern, req->path, caps, &ncaps))
			continue;
		if (strcmp(routes[i].method, req->method) != 0) {
			allow_add(allow, allowlen, routes[i].method);
			other = 1;
			continue;
		}
		*match = &routes[i];
		if (add_params(req, routes[i].pattern, caps, ncaps) != 0)
			return -1;
		return ROUTE_FOUND;
	}
	return other ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

int
router_check_query(const struct route *route, const struct request *req,
    char *err, size_t errlen)
{
	size_t i, j;
	int ok;

	if (route->query != NULL && route->query[0] != NULL &&
	    strcmp(route->query[0], "*") == 0)
		return 0;	/* the handler reads the query itself */
	for (i = 0; i < req->nquery; i++) {
		ok = 0;
		for (j = 0; route->query != NULL && route->query[j] != NULL;
		    j++)
			if (strcmp(route->query[j], req->query[i].key) == 0)
				ok = 1;
		if (!ok) {
			snprintf(err, errlen, "unknown query parameter '%.64s'",
			    req->query[i].key);
			return -1;
		}
	}
	return 0;
}
