/*
 * cloud.h - the /powerauth-cloud context: its route table, its
 * authenticator and its per-thread state.
 *
 * Owns: which paths exist under /powerauth-cloud, who may call them, and
 * the per-process authentication cache. Handlers live in admin_*.c and
 * registrations.c.
 * Must not: hold business rules (service/) or SQL (store/).
 */
#ifndef PASERV_CLOUD_CLOUD_H
#define PASERV_CLOUD_CLOUD_H

#include <json-c/json.h>

#include "common/config.h"
#include "http/server.h"
#include "service/result.h"
#include "store/db.h"

/* Builds the context (auth cache); NULL on failure. */
const struct http_app	*cloud_app_new(const struct config *cfg);
void			 cloud_app_free(const struct http_app *app);

/* Handlers (admin_apps.c, admin_users.c). */
void	cloud_app_create(struct worker *, struct request *, struct response *);
void	cloud_app_list(struct worker *, struct request *, struct response *);
void	cloud_app_get(struct worker *, struct request *, struct response *);
void	cloud_user_create(struct worker *, struct request *,
	    struct response *);
void	cloud_user_grant(struct worker *, struct request *,
	    struct response *);

/* Handlers of /v2/registrations (registrations.c). */
void	cloud_reg_create(struct worker *, struct request *, struct response *);
void	cloud_reg_get(struct worker *, struct request *, struct response *);
void	cloud_reg_list(struct worker *, struct request *, struct response *);
void	cloud_reg_remove(struct worker *, struct request *, struct response *);
void	cloud_reg_commit(struct worker *, struct request *, struct response *);
void	cloud_reg_change(struct worker *, struct request *, struct response *);

/* /v2/signature/verify and /v2/authentication/verify (auth_verify.c). */
void	cloud_signature_verify(struct worker *, struct request *,
	    struct response *);
/* /v2/signature/offline/verify (auth_verify.c). */
void	cloud_offline_verify(struct worker *, struct request *,
	    struct response *);
/* /v2/token/verify (auth_verify.c). */
void	cloud_token_verify(struct worker *, struct request *,
	    struct response *);
struct auth_subject;
/* The registration members of a verify answer (auth_verify.c). */
void	cloud_verify_json(json_object *o, const struct auth_subject *r);
struct sigauth_result;
/* A signature verification answer: valid_key (signatureValid, otpValid),
 * the registration, signatureType, remainingAttempts (auth_verify.c). */
void	cloud_signature_json(json_object *o, const char *valid_key,
	    const struct sigauth_result *r);
/* Handlers of /v2/operations (operations.c). */
/* admin_templates.c */
void	cloud_template_create(struct worker *, struct request *,
	    struct response *);
void	cloud_template_replace(struct worker *, struct request *,
	    struct response *);
void	cloud_template_get(struct worker *, struct request *,
	    struct response *);
void	cloud_template_list(struct worker *, struct request *,
	    struct response *);
void	cloud_template_delete(struct worker *, struct request *,
	    struct response *);
void	cloud_display_create(struct worker *, struct request *,
	    struct response *);
void	cloud_display_replace(struct worker *, struct request *,
	    struct response *);
void	cloud_display_get(struct worker *, struct request *,
	    struct response *);
void	cloud_display_list(struct worker *, struct request *,
	    struct response *);
void	cloud_display_delete(struct worker *, struct request *,
	    struct response *);

/* Handlers of /v2/admin/applications/{appId}/callbacks (callbacks.c). */
void	cloud_callback_create(struct worker *, struct request *,
	    struct response *);
void	cloud_callback_list(struct worker *, struct request *,
	    struct response *);
void	cloud_callback_get(struct worker *, struct request *,
	    struct response *);
void	cloud_callback_replace(struct worker *, struct request *,
	    struct response *);
void	cloud_callback_delete(struct worker *, struct request *,
	    struct response *);
void	cloud_audit_list(struct worker *, struct request *,
	    struct response *);
void	cloud_webhook_status(struct worker *, struct request *,
	    struct response *);
void	cloud_callback_deliveries(struct worker *, struct request *,
	    struct response *);
struct callback_req;
/* The callback a create or replace body describes (its members checked
 * for type and length only; the rules are callback_check()'s). 0, or -1
 * with a message in err. Borrows from body. */
int	cloud_callback_req(json_object *body, struct callback_req *r,
	    char *err, size_t errlen);
/* Push credentials and messages (push.c). */
void	cloud_push_put(struct worker *, struct request *, struct response *);
void	cloud_push_get(struct worker *, struct request *, struct response *);
void	cloud_push_delete(struct worker *, struct request *,
	    struct response *);
void	cloud_message_send(struct worker *, struct request *,
	    struct response *);
/* GET /metrics, Prometheus text (metrics.c). */
void	cloud_metrics(struct worker *, struct request *, struct response *);

void	cloud_op_create(struct worker *, struct request *, struct response *);
void	cloud_op_get(struct worker *, struct request *, struct response *);
void	cloud_op_cancel(struct worker *, struct request *, struct response *);
void	cloud_op_list(struct worker *, struct request *, struct response *);
void	cloud_op_offline_qr(struct worker *, struct request *,
	    struct response *);
void	cloud_op_offline_otp(struct worker *, struct request *,
	    struct response *);
/* Handlers of /v2/inbox/messages (inbox.c). */
void	cloud_inbox_create(struct worker *, struct request *,
	    struct response *);
void	cloud_inbox_get(struct worker *, struct request *, struct response *);
void	cloud_inbox_list(struct worker *, struct request *,
	    struct response *);
void	cloud_inbox_delete(struct worker *, struct request *,
	    struct response *);
struct reg_scope;
/* What the verified caller may reach: its granted applications, or all
 * of them for an administrator. */
void	cloud_scope(const struct request *req, struct reg_scope *scope);
/* A non-negative decimal query parameter (at most 9 digits) into *out;
 * dflt when absent. 0 or -1. */
int	cloud_query_num(const struct request *req, const char *key,
	    int64_t dflt, int64_t *out);
/* {"<key>": arr} from a list call that returned rc (arr may be NULL
 * when rc is not SVC_OK), or the failure. Takes arr. */
void	cloud_list_reply(struct worker *w, struct request *req,
	    struct response *res, const char *key, json_object *arr,
	    enum svc_rc rc);
/* The worker's database connection. */
struct db	*cloud_db(struct worker *w);
/*
 * Answers a service failure: the one mapping of enum svc_rc to API errors
 * for this context (message used for SVC_INVALID / SVC_EXISTS /
 * SVC_REG_CHANGE; NULL gives the generic one). Internal
 * faults are logged with the request id.
 */
void	cloud_fail(struct worker *w, struct request *req,
	    struct response *res, enum svc_rc rc, const char *message);

#endif
