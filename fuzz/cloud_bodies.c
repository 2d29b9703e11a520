/*
 * cloud_bodies.c - fuzz target: the JSON bodies and query parameters of
 * every /powerauth-cloud endpoint family (applications, users,
 * templates, callbacks, registrations, operations, signature and token
 * verification), each sent to its real handler through the pipeline.
 *
 * The first byte picks the route from the real route table; the second
 * holds flags: bit 0 calls as an integration user instead of "admin",
 * bit 1 takes the first line of the rest as the query string. The rest is
 * the body. Path parameters get fixed, well-formed values. The database
 * is up, finds what is checked for and no rows (fuzz.h).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "http/server.h"

/* admin:fuzz-password and fuzz-user:fuzz-password */
#define AUTH_ADMIN	"HTTP_AUTHORIZATION=Basic " \
			    "YWRtaW46ZnV6ei1wYXNzd29yZA=="
#define AUTH_USER	"HTTP_AUTHORIZATION=Basic " \
			    "ZnV6ei11c2VyOmZ1enotcGFzc3dvcmQ="

static const struct {
	const char	*name;
	const char	*value;
} VALUES[] = {
	{ "appId", "fuzz-app" },
	{ "username", "fuzz-user" },
	{ "name", "fuzz-template" },
	{ "operationType", "login" },
	{ "language", "en" },
};

/* The route's pattern with every {name} replaced; -1 if too long. */
static int
fill(const char *pattern, char *out, size_t cap)
{
	const char *p = pattern, *end, *v;
	size_t o, i;

	o = (size_t)snprintf(out, cap, "DOCUMENT_URI=/powerauth-cloud");
	while (*p != '\0' && o + 1 < cap) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		if ((end = strchr(p, '}')) == NULL)
			return -1;
		v = "7d3c2b1a-5e4f-4a6b-8c9d-0e1f2a3b4c5d";
		for (i = 0; i < sizeof(VALUES) / sizeof(VALUES[0]); i++)
			if (strncmp(p + 1, VALUES[i].name,
			    (size_t)(end - p - 1)) == 0 &&
			    VALUES[i].name[end - p - 1] == '\0')
				v = VALUES[i].value;
		o += (size_t)snprintf(out + o, cap - o, "%s", v);
		p = end + 1;
	}
	if (o + 1 >= cap)
		return -1;
	out[o] = '\0';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct worker *w = fuzz_cloud_worker();
	const struct route *rt;
	const uint8_t *nl;
	char method[40], uri[512], query[4200];
	const char *params[6];
	struct fuzz_fcgi f;
	size_t np = 0, ql;

	if (n < 2)
		return 0;
	rt = &w->app->routes[data[0] % w->app->nroutes];
	if (fill(rt->pattern, uri, sizeof(uri)) != 0)
		return 0;
	snprintf(method, sizeof(method), "REQUEST_METHOD=%s", rt->method);
	params[np++] = method;
	params[np++] = uri;
	params[np++] = data[1] & 1 ? AUTH_USER : AUTH_ADMIN;
	params[np++] = "CONTENT_TYPE=application/json";
	data += 2;
	n -= 2;
	if (data[-1] & 2) {
		nl = memchr(data, '\n', n);
		ql = nl != NULL ? (size_t)(nl - data) : n;
		if (ql > 4096)
			return 0;
		snprintf(query, sizeof(query), "QUERY_STRING=%.*s", (int)ql,
		    (const char *)data);
		params[np++] = query;
		data += ql + (nl != NULL);
		n -= ql + (nl != NULL);
	}
	params[np] = NULL;
	FUZZ_ASSERT(fuzz_fcgi_init_body(&f, params, data, n) == 0);
	fuzz_serve(w, &f);
	fuzz_fcgi_free(&f);
	return 0;
}
