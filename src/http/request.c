/*
 * request.c - reading and checking one FastCGI request (see request.h).
 *
 * nginx gives us DOCUMENT_URI already decoded and normalised; a client that
 * talks to the socket directly may send anything, so the same checks apply to
 * both sources: bounded length, no control bytes, absolute path.
 */
#include <config.h>

#include "http/request.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/urlcode.h"

#define QUERY_STRING_MAX	4096

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
url_decode(const char *in, size_t n, int plus_space, char *out)
{
	size_t i, o = 0;

	if (url_unescape(in, n, plus_space, (uint8_t *)out, &o) != 0)
		goto fail;
	for (i = 0; i < o; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			goto fail;
	out[o] = '\0';
	return 0;
fail:
	/* Never leave a half-decoded, unterminated string behind. */
	out[0] = '\0';
	return -1;
}

int
request_id_is_sane(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= REQUEST_ID_MAX)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return i > 0;
}

static void
set_request_id(struct request *r, char **envp)
{
	static const char hex[] = "0123456789abcdef";
	const char *in = FCGX_GetParam("HTTP_X_REQUEST_ID", envp);
	unsigned char rnd[16];
	size_t i;

	if (in != NULL && request_id_is_sane(in)) {
		snprintf(r->id, sizeof(r->id), "%s", in);
		return;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		r->id[2 * i] = hex[rnd[i] >> 4];
		r->id[2 * i + 1] = hex[rnd[i] & 15];
	}
	r->id[2 * sizeof(rnd)] = '\0';
}

static int
set_kv(struct request_kv *kv, const char *k, size_t kn, const char *v,
    size_t vn)
{
	kv->key = malloc(kn + 1);
	kv->value = malloc(vn + 1);
	if (kv->key == NULL || kv->value == NULL)
		return -1;
	if (url_decode(k, kn, 1, kv->key) != 0 ||
	    url_decode(v, vn, 1, kv->value) != 0)
		return -1;
	return 0;
}

int
query_parse(struct request *r, const char *qs, char *err, size_t errlen)
{
	const char *p = qs, *amp, *eq;
	size_t n, i;

	if (strlen(qs) > QUERY_STRING_MAX) {
		seterr(err, errlen, "query string too long");
		return -1;
	}
	while (*p != '\0') {
		amp = strchr(p, '&');
		n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if (n > 0) {
			if (r->nquery >= REQUEST_QUERY_MAX) {
				seterr(err, errlen, "too many query parameters");
				return -1;
			}
			eq = memchr(p, '=', n);
			if (set_kv(&r->query[r->nquery++], p,
			    eq != NULL ? (size_t)(eq - p) : n,
			    eq != NULL ? eq + 1 : "",
			    eq != NULL ? n - (size_t)(eq - p) - 1 : 0) != 0) {
				seterr(err, errlen, "malformed query string");
				return -1;
			}
			for (i = 0; i + 1 < r->nquery; i++)
				if (strcmp(r->query[i].key,
				    r->query[r->nquery - 1].key) == 0) {
					seterr(err, errlen, "duplicate query "
					    "parameter");
					return -1;
				}
		}
		p += n + (amp != NULL);
	}
	return 0;
}

/* Takes the path from DOCUMENT_URI, else from REQUEST_URI (decoded). */
static int
parse_path(struct request *r, char **envp, const char **qs, char *err,
    size_t errlen)
{
	const char *doc = FCGX_GetParam("DOCUMENT_URI", envp);
	const char *uri = FCGX_GetParam("REQUEST_URI", envp);
	const char *src, *q = NULL;
	size_t n;

	*qs = FCGX_GetParam("QUERY_STRING", envp);
	src = doc != NULL ? doc : uri;
	if (src == NULL || *src != '/') {
		seterr(err, errlen, "missing or invalid request URI");
		return -1;
	}
	if (doc == NULL && (q = strchr(uri, '?')) != NULL && *qs == NULL)
		*qs = q + 1;
	n = doc != NULL ? strlen(doc) : (q != NULL ? (size_t)(q - uri) :
	    strlen(uri));
	if (n > REQUEST_PATH_MAX) {
		seterr(err, errlen, "request URI too long");
		return -1;
	}
	if ((r->uri_path = malloc(n + 1)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (doc != NULL) {
		memcpy(r->uri_path, doc, n);
		r->uri_path[n] = '\0';
		for (q = r->uri_path; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				goto bad;
	} else if (url_decode(uri, n, 0, r->uri_path) != 0)
		goto bad;
	r->path = r->uri_path;
	return 0;
bad:
	free(r->uri_path);
	r->uri_path = NULL;
	seterr(err, errlen, "malformed request URI");
	return -1;
}

enum api_err
request_parse_params(struct request *r, char **envp, char *err,
    size_t errlen)
{
	const char *m, *qs = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->envp = envp;
	set_request_id(r, envp);
	m = FCGX_GetParam("REQUEST_METHOD", envp);
	if (m == NULL || *m == '\0' || strlen(m) > REQUEST_METHOD_MAX) {
		seterr(err, errlen, "missing or invalid request method");
		return API_ERROR_REQUEST;
	}
	for (i = 0; m[i] != '\0'; i++)
		if (!isupper((unsigned char)m[i])) {
			seterr(err, errlen, "invalid request method");
			return API_ERROR_REQUEST;
		}
	memcpy(r->method, m, i + 1);
	if (parse_path(r, envp, &qs, err, errlen) != 0)
		return API_ERROR_REQUEST;
	if (qs != NULL && query_parse(r, qs, err, errlen) != 0)
		return API_ERROR_REQUEST;
	return API_OK;
}

/* CONTENT_LENGTH: absent or empty = 0, else 1..19 decimal digits. */
static int
content_length(char **envp, size_t *out)
{
	const char *s = FCGX_GetParam("CONTENT_LENGTH", envp);
	size_t i, v = 0;

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || i >= 18)
			return -1;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Reads stdin to EOF, keeping nothing; desync if more than max. */
static enum api_err
discard_body(FCGX_Stream *in, size_t max_body, int *desync)
{
	char chunk[4096];
	size_t total = 0;
	int got;

	while ((got = FCGX_GetStr(chunk, (int)sizeof(chunk), in)) > 0) {
		total += (size_t)got;
		if (total > max_body) {
			*desync = 1;
			break;
		}
	}
	return API_OK;
}

enum api_err
request_read_body(struct request *r, FCGX_Stream *in, size_t max_body,
    int discard, int *desync, char *err, size_t errlen)
{
	size_t want;
	int got;

	*desync = 0;
	if (discard)
		return discard_body(in, max_body, desync);
	if (content_length(r->envp, &want) != 0) {
		*desync = 1;
		seterr(err, errlen, "invalid Content-Length");
		return API_ERROR_REQUEST;
	}
	if (want > max_body) {
		*desync = 1;
		seterr(err, errlen, "request body larger than %zu bytes",
		    max_body);
		return API_ERROR_REQUEST_TOO_LARGE;
	}
	if ((r->body = malloc(want + 1)) == NULL) {
		*desync = 1;
		seterr(err, errlen, "out of memory");
		return API_ERROR_GENERIC;
	}
	got = want > 0 ? FCGX_GetStr((char *)r->body, (int)want, in) : 0;
	r->body_len = got > 0 ? (size_t)got : 0;
	r->body[r->body_len] = '\0';
	if (r->body_len != want) {
		seterr(err, errlen, "request body shorter than Content-Length");
		return API_ERROR_REQUEST;
	}
	if (FCGX_GetChar(in) != EOF) {
		*desync = 1;
		seterr(err, errlen, "request body longer than Content-Length");
		return API_ERROR_REQUEST;
	}
	return API_OK;
}

void
request_free(struct request *r)
{
	size_t i;

	for (i = 0; i < r->nquery; i++) {
		free(r->query[i].key);
		free(r->query[i].value);
	}
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	if (r->body != NULL) {
		OPENSSL_cleanse(r->body, r->body_len);
		free(r->body);
	}
	free(r->uri_path);
	memset(r, 0, sizeof(*r));
}

const char *
request_header(const struct request *r, const char *cgi_name)
{
	const char *v = FCGX_GetParam(cgi_name, r->envp);

	if (v == NULL || strlen(v) > REQUEST_HEADER_MAX)
		return NULL;
	return v;
}

static const char *
kv_find(const struct request_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

const char *
request_param(const struct request *r, const char *name)
{
	return kv_find(r->params, r->nparams, name);
}

const char *
request_query(const struct request *r, const char *key)
{
	return kv_find(r->query, r->nquery, key);
}
