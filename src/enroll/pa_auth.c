/*
 * pa_auth.c - the signed endpoints of the standard RESTful API
 * (protocol.md §7, §8, §9.1, §10): /pa/v3/signature/validate,
 * /pa/v3/token/create, /pa/v3/token/remove, /pa/v3/vault/unlock and the
 * protocol upgrade pair. Signatures are verified over the exact body
 * bytes received (encrypt-then-sign for the encrypted ones).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/sigdata.h"
#include "enroll/enroll.h"
#include "http/jsonin.h"
#include "http/metrics.h"
#include "service/sigauth.h"
#include "service/tokens.h"
#include "service/vault.h"

#define HDR_AUTHORIZATION	"HTTP_X_POWERAUTH_AUTHORIZATION"

static const char *
auth_header(const struct request *req)
{
	return request_header(req, HDR_AUTHORIZATION);
}

/*
 * Any method; GET and DELETE sign the canonical query string, the others
 * the body. Answers {"status":"OK"} or 401.
 */
void
pa_signature_validate(struct worker *w, struct request *req,
    struct response *res)
{
	struct sigauth_req sr;
	struct sigauth_result *r;
	struct buf q = BUF_INIT;
	const char *qs, *why;
	enum svc_rc rc;

	memset(&sr, 0, sizeof(sr));
	sr.header = auth_header(req);
	sr.method = req->method;
	sr.uri_id = "/pa/signature/validate";
	sr.allowed = SIGAUTH_2FA | SIGAUTH_TYPE(HDR_SIG_POSSESSION);
	if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "DELETE") == 0) {
		qs = request_header(req, "QUERY_STRING");
		if (sigdata_canonical_query(&q, qs != NULL ? qs : "",
		    qs != NULL ? strlen(qs) : 0) != 0) {
			response_error(res, API_ERROR_REQUEST,
			    "malformed query string");
			goto done;
		}
		sr.body = q.data;
		sr.bodylen = q.len;
	} else {
		sr.body = req->body;
		sr.bodylen = req->body_len;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	rc = sigauth_verify(enroll_db(w), w->cfg, &sr, r, &why);
	if (rc == SVC_INVALID)
		metrics_signature_malformed(METRICS_SIG_ONLINE);
	else if (rc == SVC_OK)
		metrics_signature(METRICS_SIG_ONLINE, r->valid, r->blocked,
		    r->rate_limited);
	if (rc == SVC_INVALID || (rc == SVC_OK && !r->valid))
		enroll_fail(w, req, res, SVC_AUTH_FAILED, why != NULL ? why :
		    "signature does not authenticate");
	else if (rc != SVC_OK)
		enroll_fail(w, req, res, rc, "signature/validate");
	else
		enroll_ok(w, req, res, NULL);
	if (rc == SVC_OK && r->subject.found)
		response_audit(res, r->valid ? "VALID" : "INVALID",
		    r->subject.activation_id, r->subject.user_id,
		    r->subject.app_id);
	free(r);
done:
	buf_free(&q);
}

/* The body as an ECIES envelope; -1 after answering 400. */
static int
envelope(struct request *req, struct response *res, json_object **out)
{
	char err[160];

	if (jsonin_parse_object(req->body, req->body_len, 0, out, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		return -1;
	}
	return 0;
}

void
pa_token_create(struct worker *w, struct request *req, struct response *res)
{
	json_object *env = NULL, *out = NULL;
	enum svc_rc rc;

	if (envelope(req, res, &env) != 0)
		return;
	rc = token_create_signed(enroll_db(w), w->cfg, auth_header(req),
	    req->body, req->body_len, env, &out);
	if (rc == SVC_OK)
		response_json(res, 200, out);	/* bare ECIES envelope */
	else
		enroll_fail(w, req, res, rc, "token/create");
	json_object_put(env);
}

void
pa_token_remove(struct worker *w, struct request *req, struct response *res)
{
	json_object *root, *ro, *o;
	const char *id = NULL;
	char err[160];
	enum svc_rc rc;

	if (enroll_request_object(req, res, &root, &ro) != 0)
		return;
	if (jsonin_string(ro, "tokenId", 1, 36, 36, NULL, &id, err,
	    sizeof(err)) != 0) {
		response_error(res, API_ERROR_REQUEST, err);
		goto done;
	}
	rc = token_remove_signed(enroll_db(w), w->cfg, auth_header(req),
	    req->body, req->body_len, id);
	if (rc != SVC_OK) {
		enroll_fail(w, req, res, rc, "token/remove");
		goto done;
	}
	if ((o = json_object_new_object()) == NULL) {
		enroll_fail(w, req, res, SVC_INTERNAL, "out of memory");
		goto done;
	}
	json_object_object_add(o, "tokenId", json_object_new_string(id));
	enroll_ok(w, req, res, o);
done:
	json_object_put(root);
}

void
pa_vault_unlock(struct worker *w, struct request *req, struct response *res)
{
	json_object *env = NULL, *out = NULL;
	enum svc_rc rc;

	if (envelope(req, res, &env) != 0)
		return;
	rc = vault_unlock_signed(enroll_db(w), w->cfg, auth_header(req),
	    req->body, req->body_len, env, &out);
	if (rc == SVC_OK)
		response_json(res, 200, out);
	else
		enroll_fail(w, req, res, rc, "vault/unlock");
	json_object_put(env);
}

/*
 * /pa/v3/upgrade/start and /commit move protocol-2 activations to 3. Every
 * activation this server creates is protocol 3 from the start, so there
 * is never anything to upgrade: both answer ERR_UPGRADE, as the reference
 * server does for a version-3 activation.
 */
void
pa_upgrade(struct worker *w, struct request *req, struct response *res)
{
	enroll_fail(w, req, res, SVC_UPGRADE,
	    "no protocol-2 activations exist to upgrade");
}
