/*
 * pa_activation.c - /pa/v3/activation/{create,status,remove}: headers and
 * JSON in, service, JSON out (protocol.md §3, §6, §10).
 */
#include <config.h>

#include <openssl/crypto.h>
#include <string.h>

#include "common/base64.h"
#include "common/uuid.h"
#include "crypto/headers.h"
#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "service/abuse.h"
#include "service/activation.h"

#define HDR_ENCRYPTION		"HTTP_X_POWERAUTH_ENCRYPTION"
#define HDR_AUTHORIZATION	"HTTP_X_POWERAUTH_AUTHORIZATION"

void
pa_activation_create(struct worker *w, struct request *req,
    struct response *res)
{
	const char *hv = request_header(req, HDR_ENCRYPTION), *why = NULL;
	const char *addr = request_header(req, "REMOTE_ADDR");
	struct hdr_encryption h;
	json_object *body = NULL, *out = NULL;
	char err[160];
	enum svc_rc rc;

	memset(&h, 0, sizeof(h));
	if (hv == NULL || hdr_encryption_parse(hv, strlen(hv), &h) != HDR_OK ||
	    h.has_activation_id) {
		enroll_fail(w, req, res, SVC_ENCRYPTION, hv == NULL ?
		    "X-PowerAuth-Encryption missing" :
		    "X-PowerAuth-Encryption malformed or not application scope");
		return;
	}
	if (jsonin_parse_object(req->body, req->body_len, 0, &body, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return;
	}
	/* Code guessing: failures per client address, fleet-wide. */
	rc = abuse_check(enroll_db(w), w->cfg, ABUSE_ACTIVATION_CODE, addr,
	    w->cfg->abuse_activation_failures);
	if (rc == SVC_OK)
		rc = activation_key_exchange(enroll_db(w), w->cfg, h.version,
		    h.app_key, body, &out, &why);
	if (rc == SVC_ACTIVATION_INVALID)
		abuse_failed(enroll_db(w), w->cfg, ABUSE_ACTIVATION_CODE, addr,
		    w->cfg->abuse_activation_failures);
	if (rc == SVC_OK)
		response_json(res, 200, out);	/* bare ECIES envelope */
	else
		enroll_fail(w, req, res, rc, why);
	json_object_put(body);
}

void
pa_activation_status(struct worker *w, struct request *req,
    struct response *res)
{
	struct activation_status st;
	json_object *root, *ro, *o;
	const char *id = NULL, *ch = NULL;
	uint8_t challenge[16];
	char err[160], b64[48];
	enum svc_rc rc;

	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "activationId", 1, 36, 36, NULL, &id, err,
	    sizeof(err)) != 0 || jsonin_string(ro, "challenge", 0, 24, 24,
	    NULL, &ch, err, sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	if (!uuid_is_valid(id) || (ch != NULL && b64_decode_exact(ch,
	    challenge, sizeof(challenge)) != 0)) {
		response_error(res, API_ERROR_REQUEST, !uuid_is_valid(id) ?
		    "activationId is not a UUID" :
		    "challenge is not Base64 of 16 bytes");
		goto done;
	}
	rc = activation_status(enroll_db(w), w->cfg, id, ch != NULL ?
	    challenge : NULL, &st);
	if (rc != SVC_OK) {
		enroll_fail(w, req, res, rc, "status");
		goto done;
	}
	if ((o = json_object_new_object()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	json_object_object_add(o, "activationId", json_object_new_string(id));
	b64_encode(st.blob, sizeof(st.blob), b64);
	json_object_object_add(o, "encryptedStatusBlob",
	    json_object_new_string(b64));
	if (st.has_nonce) {
		b64_encode(st.nonce, sizeof(st.nonce), b64);
		json_object_object_add(o, "nonce", json_object_new_string(b64));
	}
	json_object_object_add(o, "customObject", json_object_new_object());
	enroll_ok(w, req, res, o);
done:
	json_object_put(root);
}

void
pa_activation_remove(struct worker *w, struct request *req,
    struct response *res)
{
	const char *hv = request_header(req, HDR_AUTHORIZATION);
	json_object *o;
	char id[37];
	enum svc_rc rc;

	rc = activation_remove_signed(enroll_db(w), w->cfg, hv, req->body,
	    req->body_len, id);
	if (rc != SVC_OK) {
		enroll_fail(w, req, res, rc, hv == NULL ?
		    "X-PowerAuth-Authorization missing" :
		    "signature does not authenticate");
		return;
	}
	if ((o = json_object_new_object()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		return;
	}
	json_object_object_add(o, "activationId", json_object_new_string(id));
	enroll_ok(w, req, res, o);
}
