/*
 * enroll.h - the /enrollment-server context: route table and per-thread
 * state of the public API used by the mobile SDKs.
 *
 * Owns: which paths exist under /enrollment-server (api.md §3), the
 * envelopes of their answers ({"status":"OK","responseObject":...};
 * encrypted answers are bare ECIES JSON), reading wrapped requests
 * ({"requestObject":{...}}), and the one mapping of service results to
 * the mobile error categories (api.md §3.2), and who may read its
 * metrics (GET /metrics: FastCGI parameter ENROLL_INTERNAL_PARAM = 1).
 * Handlers live in pa_*.c, mtoken.c and inbox.c.
 * Must not: hold business rules (service/) or SQL (store/).
 */
#ifndef PASERV_ENROLL_ENROLL_H
#define PASERV_ENROLL_ENROLL_H

#include <json-c/json.h>

#include "common/config.h"
#include "http/server.h"
#include "service/result.h"
#include "store/db.h"

/* The FastCGI parameter that opens GET /enrollment-server/metrics. */
#define ENROLL_INTERNAL_PARAM	"PASERV_INTERNAL"

const struct http_app	*enroll_app_new(const struct config *cfg);
void			 enroll_app_free(const struct http_app *app);

/* Handlers of /pa/v3/activation/{create,status,remove} (pa_activation.c). */
void	pa_activation_create(struct worker *, struct request *,
	    struct response *);
void	pa_activation_status(struct worker *, struct request *,
	    struct response *);
void	pa_activation_remove(struct worker *, struct request *,
	    struct response *);
/* Signed endpoints (pa_auth.c). */
void	pa_signature_validate(struct worker *, struct request *,
	    struct response *);
void	pa_token_create(struct worker *, struct request *, struct response *);
void	pa_token_remove(struct worker *, struct request *, struct response *);
void	pa_vault_unlock(struct worker *, struct request *, struct response *);
void	pa_upgrade(struct worker *, struct request *, struct response *);
/* Mobile Token operations API (mtoken.c). */
void	mtoken_operation_authorize(struct worker *, struct request *,
	    struct response *);
void	mtoken_operation_cancel(struct worker *, struct request *,
	    struct response *);
void	mtoken_operation_list(struct worker *, struct request *,
	    struct response *);
void	mtoken_operation_detail(struct worker *, struct request *,
	    struct response *);
void	mtoken_operation_history(struct worker *, struct request *,
	    struct response *);
void	mtoken_operation_claim(struct worker *, struct request *,
	    struct response *);
/* Inbox API (inbox.c). */
void	mtoken_inbox_count(struct worker *, struct request *,
	    struct response *);
void	mtoken_inbox_list(struct worker *, struct request *,
	    struct response *);
void	mtoken_inbox_detail(struct worker *, struct request *,
	    struct response *);
void	mtoken_inbox_read(struct worker *, struct request *,
	    struct response *);
void	mtoken_inbox_read_all(struct worker *, struct request *,
	    struct response *);
/* POST /api/push/device/register[/token] (push.c). */
void	push_device_register_handler(struct worker *, struct request *,
	    struct response *);
/* /pa/v3/keystore/create (pa_keystore.c). */
void	pa_keystore_create(struct worker *, struct request *,
	    struct response *);

/* The worker's database connection. */
struct db	*enroll_db(struct worker *w);
/* 200 {"status":"OK","responseObject":obj} (takes obj; NULL: no member). */
void	enroll_ok(struct worker *w, struct request *req, struct response *res,
	    json_object *obj);
/*
 * Parses a wrapped body {"requestObject":{...}}: 0 with *root (owned by
 * the caller) and *ro (borrowed from it), or -1 after answering 400.
 */
int	enroll_request_object(struct request *req, struct response *res,
	    json_object **root, json_object **ro);
/*
 * Answers a service failure with the mobile error categories; why (may be
 * NULL) is logged with the request id, never sent.
 */
void	enroll_fail(struct worker *w, struct request *req,
	    struct response *res, enum svc_rc rc, const char *why);

#endif
