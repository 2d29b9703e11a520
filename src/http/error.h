/*
 * error.h - API error codes and their HTTP statuses, in one table.
 *
 * Owns: the mapping error -> (HTTP status, wire code) and the error envelope
 * {"status":"ERROR","responseObject":{"code":...,"message":...}} used by both
 * contexts. Every error response of every handler comes from here.
 * Must not: know about services; handlers translate their layer's result
 * into an enum api_err.
 */
#ifndef PASERV_HTTP_ERROR_H
#define PASERV_HTTP_ERROR_H

#include <json-c/json.h>

enum api_err {
	API_OK = 0,
	API_ERROR_REQUEST,			/* 400 bad input */
	API_ERROR_NOT_FOUND,			/* 404 unknown path */
	API_ERROR_METHOD_NOT_ALLOWED,		/* 405 (+ Allow) */
	API_ERROR_REQUEST_TOO_LARGE,		/* 413 */
	API_HTTP_401,				/* 401 (+ WWW-Authenticate) */
	API_HTTP_403,				/* 403 */
	API_ERROR_APPLICATION_NOT_FOUND,	/* 400, like the other *_NOT_FOUND */
	API_ERROR_REGISTRATION_NOT_FOUND,	/* 400 unknown or out of scope */
	API_ERROR_REGISTRATION_NOT_ALLOWED,	/* 400 one is unfinished */
	API_ERROR_REGISTRATION_CHANGE,		/* 400 state forbids it */
	API_ERROR_OPERATION_NOT_FOUND,		/* 400 unknown or out of scope */
	API_ERROR_OPERATION_STATE_CHANGE,	/* 400 state forbids it */
	API_ERROR_TEMPLATE_NOT_FOUND,		/* 400 no such template */
	API_ERROR_CALLBACK_NOT_FOUND,		/* 400 unknown or other app's */
	API_ERROR_INBOX_MESSAGE_NOT_FOUND,	/* 400 unknown, not in scope */
	API_ERROR_OTP_INVALID,			/* 400 malformed offline OTP */
	API_ERROR_SIGNATURE_INVALID,		/* 400 malformed auth header */
	API_ERROR_TOKEN_INVALID,		/* 400 malformed token header */
	/* The mobile API's categories (api.md §3.2): code + constant. */
	API_PA_AUTHENTICATION,			/* 401 ERR_AUTHENTICATION */
	API_PA_ACTIVATION,			/* 400 ERR_ACTIVATION */
	API_PA_ENCRYPTION,			/* 400 ERR_ENCRYPTION */
	API_PA_TEMPORARY_KEY,			/* 400 ERR_TEMPORARY_KEY */
	API_PA_SECURE_VAULT,			/* 400 ERR_SECURE_VAULT */
	API_PA_UPGRADE,				/* 400 ERR_UPGRADE */
	/* The Mobile Token API's codes (api.md §3.5). */
	API_MT_INVALID_REQUEST,			/* 400 INVALID_REQUEST */
	API_MT_INVALID_OPERATION,		/* 400 INVALID_OPERATION */
	API_MT_ALREADY_FINISHED,		/* 400 */
	API_MT_ALREADY_FAILED,			/* 400 */
	API_MT_ALREADY_CANCELED,		/* 400 */
	API_MT_EXPIRED,				/* 400 OPERATION_EXPIRED */
	API_MT_REQUIRES_FLAG,			/* 400 */
	API_MT_AUTH_FAIL,			/* 401 POWERAUTH_AUTH_FAIL */
	API_MT_OPERATION_FAILED,		/* 401 OPERATION_FAILED */
	API_MT_INBOX_NOT_FOUND,			/* 400 INBOX_FAILED: not the
						 * phone's message */
	API_MT_PUSH_REGISTRATION_FAILED,	/* 400 PUSH_REGISTRATION_FAILED */
	API_ERROR_PUSH_MESSAGE,			/* 400 push message invalid */
	API_ERROR_LIMIT_EXCEEDED,		/* 429 too many pending items */
	API_HTTP_429,				/* 429 too many failures, wait */
	API_ERROR_GENERIC,			/* 500 real internal fault */
	API_ERROR_SERVICE_UNAVAILABLE,		/* 503 database unreachable */
	API_ERR_COUNT
};

/* HTTP status of an error. */
int		 api_err_status(enum api_err e);
/* Wire code ("ERROR_REQUEST", ...). */
const char	*api_err_code(enum api_err e);
/* Reason phrase for a status line ("Bad Request"). */
const char	*http_status_text(int status);
/* New envelope object (caller owns it); message NULL: a generic one. */
json_object	*api_error_body(enum api_err e, const char *message);

#endif
