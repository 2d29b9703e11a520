/* The error table and the envelope. */
#include <config.h>

#include <string.h>

#include "http/error.h"
#include "tap.h"

static void
maps(enum api_err e, int status, const char *code)
{
	tap_ok(api_err_status(e) == status && strcmp(api_err_code(e), code) ==
	    0, "%s -> %d", code, status);
}

int
main(void)
{
	json_object *o, *ro, *v;

	maps(API_ERROR_REQUEST, 400, "ERROR_REQUEST");
	maps(API_ERROR_NOT_FOUND, 404, "ERROR_NOT_FOUND");
	maps(API_ERROR_METHOD_NOT_ALLOWED, 405, "ERROR_METHOD_NOT_ALLOWED");
	maps(API_ERROR_REQUEST_TOO_LARGE, 413, "ERROR_REQUEST_TOO_LARGE");
	maps(API_HTTP_401, 401, "HTTP_401");
	maps(API_HTTP_403, 403, "HTTP_403");
	maps(API_ERROR_APPLICATION_NOT_FOUND, 400,
	    "ERROR_APPLICATION_NOT_FOUND");
	maps(API_ERROR_TEMPLATE_NOT_FOUND, 400, "ERROR_TEMPLATE_NOT_FOUND");
	maps(API_ERROR_CALLBACK_NOT_FOUND, 400, "ERROR_CALLBACK_NOT_FOUND");
	maps(API_PA_AUTHENTICATION, 401, "ERR_AUTHENTICATION");
	maps(API_PA_ACTIVATION, 400, "ERR_ACTIVATION");
	maps(API_PA_ENCRYPTION, 400, "ERR_ENCRYPTION");
	maps(API_PA_TEMPORARY_KEY, 400, "ERR_TEMPORARY_KEY");
	maps(API_PA_SECURE_VAULT, 400, "ERR_SECURE_VAULT");
	maps(API_PA_UPGRADE, 400, "ERR_UPGRADE");
	maps(API_ERROR_SIGNATURE_INVALID, 400, "ERROR_SIGNATURE_INVALID");
	maps(API_ERROR_TOKEN_INVALID, 400, "ERROR_TOKEN_INVALID");
	maps(API_MT_ALREADY_FINISHED, 400, "OPERATION_ALREADY_FINISHED");
	maps(API_MT_AUTH_FAIL, 401, "POWERAUTH_AUTH_FAIL");
	maps(API_MT_OPERATION_FAILED, 401, "OPERATION_FAILED");
	maps(API_ERROR_INBOX_MESSAGE_NOT_FOUND, 400,
	    "ERROR_INBOX_MESSAGE_NOT_FOUND");
	maps(API_MT_INBOX_NOT_FOUND, 400, "INBOX_FAILED");
	maps(API_MT_PUSH_REGISTRATION_FAILED, 400, "PUSH_REGISTRATION_FAILED");
	maps(API_ERROR_PUSH_MESSAGE, 400, "ERROR_PUSH_MESSAGE");
	maps(API_ERROR_GENERIC, 500, "ERROR_GENERIC");
	maps((enum api_err)999, 500, "ERROR_GENERIC");
	tap_str(http_status_text(413), "Payload Too Large", "reason phrase");

	o = api_error_body(API_ERROR_REQUEST, "field 'id' is required");
	tap_ok(o != NULL && json_object_object_get_ex(o, "status", &v) &&
	    strcmp(json_object_get_string(v), "ERROR") == 0, "status ERROR");
	tap_ok(json_object_object_get_ex(o, "responseObject", &ro) &&
	    json_object_object_get_ex(ro, "code", &v) &&
	    strcmp(json_object_get_string(v), "ERROR_REQUEST") == 0, "code");
	tap_ok(json_object_object_get_ex(ro, "message", &v) &&
	    strcmp(json_object_get_string(v), "field 'id' is required") == 0,
	    "message");
	json_object_put(o);
	o = api_error_body(API_ERROR_NOT_FOUND, NULL);
	tap_ok(o != NULL && json_object_object_get_ex(o, "responseObject",
	    &ro) && json_object_object_get_ex(ro, "message", &v),
	    "default message");
	json_object_put(o);
	/* The mobile API's message is the reference server's constant. */
	o = api_error_body(API_PA_ACTIVATION, NULL);
	tap_ok(o != NULL && json_object_object_get_ex(o, "responseObject",
	    &ro) && json_object_object_get_ex(ro, "message", &v) &&
	    strcmp(json_object_get_string(v), "POWER_AUTH_ACTIVATION_INVALID")
	    == 0, "mobile error message constant");
	json_object_put(o);
	return tap_done();
}
