/*
 * error.c - the one table mapping API errors to HTTP statuses and codes
 * (see error.h). Codes follow api.md §2.1 and the runtime design.
 */
#include <config.h>

#include "http/error.h"

#include <stddef.h>

struct err_info {
	int		 status;
	const char	*code;
	const char	*message;	/* when the handler gives none */
};

static const struct err_info ERRORS[API_ERR_COUNT] = {
	[API_OK] = { 200, "OK", "OK" },
	[API_ERROR_REQUEST] = { 400, "ERROR_REQUEST", "Invalid request" },
	[API_ERROR_NOT_FOUND] = { 404, "ERROR_NOT_FOUND", "Not found" },
	[API_ERROR_METHOD_NOT_ALLOWED] = { 405, "ERROR_METHOD_NOT_ALLOWED",
	    "Method not allowed" },
	[API_ERROR_REQUEST_TOO_LARGE] = { 413, "ERROR_REQUEST_TOO_LARGE",
	    "Request body too large" },
	[API_HTTP_401] = { 401, "HTTP_401", "Unauthorized" },
	[API_HTTP_403] = { 403, "HTTP_403", "Forbidden" },
	[API_ERROR_APPLICATION_NOT_FOUND] = { 400,
	    "ERROR_APPLICATION_NOT_FOUND", "Application not found" },
	[API_ERROR_REGISTRATION_NOT_FOUND] = { 400,
	    "ERROR_REGISTRATION_NOT_FOUND", "Registration not found" },
	[API_ERROR_REGISTRATION_NOT_ALLOWED] = { 400,
	    "ERROR_REGISTRATION_NOT_ALLOWED",
	    "Another registration of the user is in progress" },
	[API_ERROR_REGISTRATION_CHANGE] = { 400, "ERROR_REGISTRATION_CHANGE",
	    "The registration's state does not allow this change" },
	[API_ERROR_OPERATION_NOT_FOUND] = { 400, "ERROR_OPERATION_NOT_FOUND",
	    "Operation not found" },
	[API_ERROR_OPERATION_STATE_CHANGE] = { 400,
	    "ERROR_OPERATION_STATE_CHANGE",
	    "The operation's state does not allow this change" },
	[API_ERROR_TEMPLATE_NOT_FOUND] = { 400, "ERROR_TEMPLATE_NOT_FOUND",
	    "Template not found" },
	[API_ERROR_CALLBACK_NOT_FOUND] = { 400, "ERROR_CALLBACK_NOT_FOUND",
	    "Callback not found" },
	[API_ERROR_INBOX_MESSAGE_NOT_FOUND] = { 400,
	    "ERROR_INBOX_MESSAGE_NOT_FOUND", "Inbox message not found" },
	[API_ERROR_OTP_INVALID] = { 400, "ERROR_OTP_INVALID",
	    "The offline OTP is malformed" },
	[API_ERROR_SIGNATURE_INVALID] = { 400, "ERROR_SIGNATURE_INVALID",
	    "Malformed signature header" },
	[API_ERROR_TOKEN_INVALID] = { 400, "ERROR_TOKEN_INVALID",
	    "Malformed token header" },
	[API_PA_AUTHENTICATION] = { 401, "ERR_AUTHENTICATION",
	    "POWER_AUTH_SIGNATURE_INVALID" },
	[API_PA_ACTIVATION] = { 400, "ERR_ACTIVATION",
	    "POWER_AUTH_ACTIVATION_INVALID" },
	[API_PA_ENCRYPTION] = { 400, "ERR_ENCRYPTION",
	    "POWER_AUTH_ENCRYPTION_FAILED" },
	[API_PA_TEMPORARY_KEY] = { 400, "ERR_TEMPORARY_KEY",
	    "POWER_AUTH_TEMPORARY_KEY_FAILURE" },
	[API_PA_SECURE_VAULT] = { 400, "ERR_SECURE_VAULT",
	    "POWER_AUTH_SECURE_VAULT_INVALID" },
	[API_PA_UPGRADE] = { 400, "ERR_UPGRADE", "POWER_AUTH_UPGRADE_FAILED" },
	[API_MT_INVALID_REQUEST] = { 400, "INVALID_REQUEST",
	    "Invalid request" },
	[API_MT_INVALID_OPERATION] = { 400, "INVALID_OPERATION",
	    "Operation not found" },
	[API_MT_ALREADY_FINISHED] = { 400, "OPERATION_ALREADY_FINISHED",
	    "Operation is already finished" },
	[API_MT_ALREADY_FAILED] = { 400, "OPERATION_ALREADY_FAILED",
	    "Operation has already failed" },
	[API_MT_ALREADY_CANCELED] = { 400, "OPERATION_ALREADY_CANCELED",
	    "Operation was canceled" },
	[API_MT_EXPIRED] = { 400, "OPERATION_EXPIRED", "Operation expired" },
	[API_ERROR_LIMIT_EXCEEDED] = { 429, "ERROR_LIMIT_EXCEEDED",
	    "Too many pending items for this user" },
	[API_HTTP_429] = { 429, "HTTP_429",
	    "Too many failed attempts from this address, try again later" },
	[API_MT_REQUIRES_FLAG] = { 400, "OPERATION_REQUIRES_ACTIVATION_FLAG",
	    "Operation requires an activation flag" },
	[API_MT_AUTH_FAIL] = { 401, "POWERAUTH_AUTH_FAIL",
	    "Authentication failed" },
	[API_MT_OPERATION_FAILED] = { 401, "OPERATION_FAILED",
	    "Operation approval failed" },
	[API_MT_INBOX_NOT_FOUND] = { 400, "INBOX_FAILED",
	    "Inbox message not found" },
	[API_MT_PUSH_REGISTRATION_FAILED] = { 400, "PUSH_REGISTRATION_FAILED",
	    "Push registration failed" },
	[API_ERROR_PUSH_MESSAGE] = { 400, "ERROR_PUSH_MESSAGE",
	    "Invalid push message" },
	[API_ERROR_GENERIC] = { 500, "ERROR_GENERIC", "Internal error" },
	[API_ERROR_SERVICE_UNAVAILABLE] = { 503, "ERROR_GENERIC",
	    "Service unavailable" },
};

static const struct err_info *
info(enum api_err e)
{
	if ((int)e < 0 || e >= API_ERR_COUNT)
		e = API_ERROR_GENERIC;
	return &ERRORS[e];
}

int
api_err_status(enum api_err e)
{
	return info(e)->status;
}

const char *
api_err_code(enum api_err e)
{
	return info(e)->code;
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

json_object *
api_error_body(enum api_err e, const char *message)
{
	const struct err_info *i = info(e);
	json_object *root = NULL, *ro = NULL;

	if ((root = json_object_new_object()) == NULL ||
	    (ro = json_object_new_object()) == NULL)
		goto fail;
	if (json_object_object_add(root, "status",
	    json_object_new_string("ERROR")) != 0 ||
	    json_object_object_add(ro, "code",
	    json_object_new_string(i->code)) != 0 ||
	    json_object_object_add(ro, "message", json_object_new_string(
	    message != NULL ? message : i->message)) != 0)
		goto fail;
	if (json_object_object_add(root, "responseObject", ro) != 0)
		goto fail;
	return root;
fail:
	json_object_put(ro);
	json_object_put(root);
	return NULL;
}
