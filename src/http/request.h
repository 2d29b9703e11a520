/*
 * request.h - one FastCGI request, checked before anyone looks at it.
 *
 * Owns: extracting the method, path, query parameters, request id and body
 * from the FastCGI parameters and stdin, with bounds on every length:
 * the path comes from DOCUMENT_URI (or REQUEST_URI), the query string is
 * split and percent-decoded strictly, the body is read exactly
 * CONTENT_LENGTH bytes (more or fewer is a bad request), and an oversized
 * body is refused before it is read.
 * Must not: route, authenticate or interpret the body.
 */
#ifndef PASERV_HTTP_REQUEST_H
#define PASERV_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "http/error.h"

#define REQUEST_ID_MAX		64
#define REQUEST_METHOD_MAX	16
#define REQUEST_PATH_MAX	2048
#define REQUEST_QUERY_MAX	16	/* parameters */
#define REQUEST_PARAMS_MAX	4	/* {name} segments in a route */
#define REQUEST_PARAM_LEN	255	/* longest path parameter */
#define REQUEST_HEADER_MAX	8192	/* longest header a handler may read */

struct request_kv {
	char	*key;
	char	*value;
};

/* The caller verified by the context's authenticator (never a header). */
struct principal {
	int64_t	 user_id;
	char	 username[65];
	int	 role;		/* context-defined */
};

struct request {
	char		 id[REQUEST_ID_MAX + 1];
	char		 method[REQUEST_METHOD_MAX + 1];
	char		*uri_path;	/* full decoded path, owned */
	const char	*path;		/* uri_path without the context prefix */
	struct request_kv query[REQUEST_QUERY_MAX];
	size_t		 nquery;
	struct request_kv params[REQUEST_PARAMS_MAX];	/* from the route */
	size_t		 nparams;
	uint8_t		*body;		/* owned, NUL-terminated, may hold NULs */
	size_t		 body_len;
	char		**envp;		/* FastCGI parameters */
	struct principal principal;
	int		 authenticated;
};

/*
 * Fills method, path, query and id from envp. API_OK, or API_ERROR_REQUEST
 * with a message in err. The request id is set even on failure.
 */
enum api_err	request_parse_params(struct request *r, char **envp,
		    char *err, size_t errlen);
/*
 * Reads the body from in. max_body is the configured limit. With discard
 * set, CONTENT_LENGTH is ignored and whatever stdin holds (up to max_body)
 * is read and dropped.
 * API_OK, API_ERROR_REQUEST (garbage Content-Length, short or long body)
 * or API_ERROR_REQUEST_TOO_LARGE; *desync is set when the connection cannot
 * be reused because unread stdin may remain.
 */
enum api_err	request_read_body(struct request *r, FCGX_Stream *in,
		    size_t max_body, int discard, int *desync, char *err,
		    size_t errlen);
void		request_free(struct request *r);

/* A header by its CGI name ("HTTP_AUTHORIZATION"); NULL if absent or
 * longer than REQUEST_HEADER_MAX. */
const char	*request_header(const struct request *r, const char *cgi_name);
/* Path parameter from the route ({id}); NULL if the route has none. */
const char	*request_param(const struct request *r, const char *name);
/* Decoded query parameter; NULL if absent. */
const char	*request_query(const struct request *r, const char *key);

/*
 * Strict percent-decoding of n bytes; plus_space turns '+' into ' '
 * (query strings). out needs n + 1 bytes. Rejects malformed escapes and
 * decoded control characters (including NUL). 0 ok, -1 malformed.
 */
int	url_decode(const char *in, size_t n, int plus_space, char *out);
/* Splits and decodes a query string into r->query. 0 ok, -1 malformed,
 * duplicate key or too many parameters (reason in err). */
int	query_parse(struct request *r, const char *qs, char *err,
	    size_t errlen);
/* 1 if s is 1..REQUEST_ID_MAX characters of [A-Za-z0-9._-]. */
int	request_id_is_sane(const char *s);

#endif
