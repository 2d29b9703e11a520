/*
 * push.c - push device registration of the mobile API (api.md §3.7,
 * doc/push.md): POST /api/push/device/register and .../register/token,
 * both authenticated with a MAC token (X-PowerAuth-Token), answering the
 * generic envelope of api.md §3.5.
 */
#include <config.h>

#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "service/push.h"

#define HDR_TOKEN	"HTTP_X_POWERAUTH_TOKEN"

void
push_device_register_handler(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root, *ro;
	const char *platform = NULL, *token = NULL, *env = NULL, *why = NULL;
	enum push_refusal refusal = PUSH_REFUSED_INPUT;
	char err[160] = "";
	enum svc_rc rc;
	int malformed = 0;

	if (request_header(req, HDR_TOKEN) == NULL) {
		response_error(res, API_MT_AUTH_FAIL, NULL);
		return;
	}
	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "platform", 1, 1, 16, NULL, &platform, err,
	    sizeof(err)) != 0 ||
	    jsonin_string(ro, "token", 1, 1, PUSH_TOKEN_MAX, NULL, &token,
	    err, sizeof(err)) != 0 ||
	    jsonin_string(ro, "environment", 0, 1, PUSH_ENV_MAX, NULL, &env,
	    err, sizeof(err)) != 0) {
		/* Still authenticated first: see push_device_register(). */
		malformed = 1;
		platform = "";
	}
	rc = push_device_register(enroll_db(w), w->cfg,
	    request_header(req, HDR_TOKEN), platform, token, env, &refusal,
	    &why);
	if (rc == SVC_OK)
		enroll_ok(w, req, res, NULL);
	else if (rc == SVC_AUTH_FAILED)
		response_error(res, API_MT_AUTH_FAIL, NULL);
	else if (rc == SVC_INVALID)
		response_error(res, refusal == PUSH_REFUSED_PLATFORM ?
		    API_MT_PUSH_REGISTRATION_FAILED : API_MT_INVALID_REQUEST,
		    malformed ? err : why);
	else
		enroll_fail(w, req, res, rc, "push device registration");
	json_object_put(root);
}
