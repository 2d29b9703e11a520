/*
 * pa_keystore.c - /pa/v3/keystore/create: temporary encryption keys of
 * protocol 3.3 (protocol.md §9.3).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "service/keystore.h"

#define JWT_FIELD_MAX	4096

void
pa_keystore_create(struct worker *w, struct request *req,
    struct response *res)
{
	json_object *root, *ro, *o;
	const char *jwt = NULL, *why = NULL;
	char err[160], *out = NULL;
	enum svc_rc rc;

	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "jwt", 1, 1, JWT_FIELD_MAX, NULL, &jwt, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	rc = keystore_create(enroll_db(w), w->cfg, jwt, strlen(jwt), &out,
	    &why);
	if (rc != SVC_OK) {
		enroll_fail(w, req, res, rc, why);
		goto done;
	}
	if ((o = json_object_new_object()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	json_object_object_add(o, "jwt", json_object_new_string(out));
	enroll_ok(w, req, res, o);
done:
	free(out);
	json_object_put(root);
}
