/*
 * response.h - what a handler answers, and writing it to FastCGI stdout.
 *
 * Owns: the response being built (status, JSON body, the few extra headers
 * the API needs) and its serialisation: `Status:` line, Content-Type,
 * Content-Length, X-Request-Id. Error responses are built only through
 * response_error(), which takes the code and status from http/error.c.
 * A body is JSON, except the rare text answer (metrics) of response_text().
 */
#ifndef PASERV_HTTP_RESPONSE_H
#define PASERV_HTTP_RESPONSE_H

#include <fcgiapp.h>
#include <json-c/json.h>

#include "http/error.h"

/*
 * What a handler adds to its request's audit row (all optional): an
 * outcome word overriding the one of the status (e.g. "INVALID" for a
 * signature found wrong, answered 200), and the objects involved.
 */
struct response_audit {
	const char	*outcome;	/* static text or NULL */
	char		 object_id[65];
	char		 user_id[256];
	char		 app_id[256];
	char		 detail[128];
};

struct response {
	int		 status;	/* 0: the handler set nothing (fault) */
	json_object	*body;		/* owned; NULL: no body */
	enum api_err	 err;		/* API_OK unless an error envelope */
	char		 allow[96];	/* Allow header for 405 */
	const char	*www_authenticate;	/* realm text for 401 */
	char		*text;		/* owned; a non-JSON body, or NULL */
	const char	*content_type;	/* of text (static) */
	struct response_audit audit;
};

/* Sets status and takes ownership of body (NULL -> 500 on write). */
void	response_json(struct response *res, int status, json_object *body);
/* Sets status and takes ownership of text, sent with content_type (a
 * static string); NULL text -> 500. */
void	response_text(struct response *res, int status, char *text,
	    const char *content_type);
/* Status without a body (204). */
void	response_empty(struct response *res, int status);
/* Replaces whatever was set with the error envelope. */
void	response_error(struct response *res, enum api_err e,
	    const char *message);
/* The health document: 200 {"status":"UP","components":{"db":{...}}} or
 * 503 with DOWN. */
void	response_health(struct response *res, int db_up);
/* Writes the response; -1 if the stream failed. */
int	response_write(struct response *res, FCGX_Stream *out,
	    const char *request_id);
void	response_free(struct response *res);

/* Notes the audit facts of the request (NULL arguments: not known). */
void	response_audit(struct response *res, const char *outcome,
	    const char *object_id, const char *user_id, const char *app_id);

#endif
