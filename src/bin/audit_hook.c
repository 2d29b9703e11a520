/*
 * audit_hook.c - the request -> audit row mapping of both workers (see
 * audit_hook.h). What is kept at all is service/audit's decision
 * (audit_category_of()); this file only gathers the facts:
 *
 * - actor: the verified integration user; "device" when a mobile handler
 *   named the registration it authenticated; else none;
 * - refused Basic authentication: category AUTH with the user name the
 *   caller claimed (never more of the header);
 * - the handler's notes (outcome, registration/user/application), else
 *   the route's first path parameter as the object.
 */
#include <config.h>

#include "bin/audit_hook.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "service/audit.h"
#include "service/auth.h"

/* "claimed user NAME" of a Basic header into out; 0 when there is none. */
static int
claimed_user(const struct request *req, char *out, size_t cap)
{
	const char *hv = request_header(req, "HTTP_AUTHORIZATION");
	char user[65], pass[256];
	int rc = 0;

	if (hv != NULL && auth_parse_basic(hv, user, sizeof(user), pass,
	    sizeof(pass)) == 0) {
		snprintf(out, cap, "claimed user %s", user);
		rc = 1;
	}
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc;
}

void
audit_hook(struct worker *w, const struct route *rt,
    const struct request *req, const struct response *res)
{
	const struct response_audit *note = &res->audit;
	struct audit_req q;
	char detail[96];

	(void)w;
	memset(&q, 0, sizeof(q));
	q.category = audit_category_of(req->method, rt != NULL ? rt->pattern :
	    NULL, res->status);
	if (q.category == NULL)
		return;
	if (req->authenticated)
		q.actor = req->principal.username;
	else if ((res->status == 401 || res->status == 403 ||
	    res->status == 429) && claimed_user(req, detail, sizeof(detail))) {
		q.category = "AUTH";
		q.detail = detail;
	} else if (note->object_id[0] != '\0')
		q.actor = "device";
	q.method = req->method;
	q.pattern = rt->pattern;
	q.status = res->status;
	q.outcome = note->outcome;
	q.app_id = note->app_id;
	q.user_id = note->user_id;
	q.object_id = note->object_id[0] != '\0' ? note->object_id :
	    req->nparams > 0 ? req->params[0].value : NULL;
	q.remote_addr = request_header(req, "REMOTE_ADDR");
	q.request_id = req->id;
	audit_record(&q);
}
