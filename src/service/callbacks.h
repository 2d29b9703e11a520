/*
 * callbacks.h - managing an application's webhook callbacks (the
 * management API of doc/webhooks.md "Managing callbacks").
 *
 * Owns: the rules a callback must follow before it is stored (name, type,
 * an absolute http(s) URL, the payload attributes its type knows, the
 * authentication toward the receiver, the retry policy with its ISO-8601
 * durations and defaults), the callback's HMAC key (made here, stored
 * encrypted, shown once), keeping receiver secrets encrypted and never
 * showing them, and which applications a caller may manage.
 * Must not: speak HTTP, parse request bodies, or send anything (the
 * dispatcher, service/dispatch*, does).
 */
#ifndef PASERV_SERVICE_CALLBACKS_H
#define PASERV_SERVICE_CALLBACKS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/config.h"
#include "service/result.h"
#include "store/callbacks.h"
#include "store/db.h"
#include "store/deliveries.h"
#include "store/registrations.h"

#define CALLBACK_DEFAULT_MAX_ATTEMPTS		50
#define CALLBACK_DEFAULT_INITIAL_BACKOFF_MS	2000		/* PT2S */
#define CALLBACK_DEFAULT_MULTIPLIER_PCT		150		/* x1.5 */
#define CALLBACK_DEFAULT_MAX_BACKOFF_MS		300000		/* PT5M */
#define CALLBACK_DEFAULT_RETENTION_S		2592000		/* P30D */
#define CALLBACK_MAX_ATTEMPTS			1000
#define CALLBACK_SECRET_LEN			32	/* HMAC key bytes */
#define CALLBACK_SECRET_B64_LEN			44
#define CALLBACK_AUTH_MAX			4096	/* JSON text */
#define CALLBACK_DURATION_MAX			32	/* formatted */
#define CALLBACK_DELIVERIES_DEFAULT		100

/* A callback as the client sends it (JSON values as parsed; NULL: left
 * out, the default applies). */
struct callback_req {
	const char	*name;
	const char	*type;
	const char	*url;
	json_object	*attributes;		/* array of names; NULL: [] */
	json_object	*authentication;	/* object; NULL: none */
	json_object	*max_attempts;		/* integer */
	json_object	*initial_backoff;	/* ISO-8601 text or ms */
	json_object	*backoff_multiplier;	/* number */
	json_object	*max_backoff;		/* ISO-8601 text or ms */
	json_object	*retention_period;	/* ISO-8601 text or ms */
	int		 rotate_secret;		/* replace: a new HMAC key */
};

/* A stored callback as it may be shown. */
struct callback {
	struct callback_row	row;
	/* The authentication without its secrets (JSON), "" when none. */
	char			auth[CALLBACK_AUTH_MAX + 64];
	/* The HMAC key (Base64) right after create or rotation, else "". */
	char			secret[CALLBACK_SECRET_B64_LEN + 1];
};

/*
 * The rules alone: NULL and out's configurable fields filled (defaults
 * for what was left out), the authentication as compact JSON into auth
 * (cap bytes, "" for none; wipe it after use), or why r breaks a rule.
 * stored_auth: the authentication stored so far (JSON) on a replace,
 * whose password, token and key password stay when r leaves them out.
 */
const char	*callback_check(const struct callback_req *r,
		    const char *stored_auth, struct callback_row *out,
		    char *auth, size_t cap);
/* A stored authentication with every secret replaced by "<name>Set":
 * true, into out (cap bytes); -1 if it is no JSON object or too long. */
int		callback_auth_redact(const char *auth, char *out, size_t cap);

/* An ISO-8601 duration PnDTnHnMnS (integer parts; seconds may have up to
 * three decimals) in milliseconds; -1 if s is not one. */
int		callback_duration_parse(const char *s, int64_t *ms);
/* ms as the shortest such duration ("PT2S", "P30D", "PT1.5S"). */
void		callback_duration_format(int64_t ms, char *out, size_t cap);
/* PENDING, DELIVERED, FAILED as enum cb_delivery_status; 0 otherwise. */
int		callback_delivery_status_parse(const char *s);
const char	*callback_delivery_status_name(int status);

/*
 * Creates a callback of application app_id (SVC_APP_NOT_FOUND when the
 * caller may not use it, SVC_EXISTS when the name is taken) with a fresh
 * HMAC key, shown in out->secret. SVC_INVALID with *why for a rule.
 */
enum svc_rc	callback_create(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *app_id,
		    const struct callback_req *r, struct callback *out,
		    const char **why);
/* Replaces every field of callback id (SVC_CALLBACK_NOT_FOUND when the
 * application has none); r->rotate_secret makes a new key. */
enum svc_rc	callback_replace(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *app_id,
		    const char *id, const struct callback_req *r,
		    struct callback *out, const char **why);
enum svc_rc	callback_get(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *app_id,
		    const char *id, struct callback *out);
/* The application's callbacks by name. */
enum svc_rc	callback_list(struct db *db, const struct config *cfg,
		    const struct reg_scope *scope, const char *app_id,
		    int (*fn)(const struct callback *, void *), void *arg);
/* Its deliveries, pending or not, go with it. */
enum svc_rc	callback_delete(struct db *db, const struct reg_scope *scope,
		    const char *app_id, const char *id);
/* The deliveries of a callback, newest first; status 0: any; limit
 * 1..CB_DELIVERY_LIST_MAX. */
enum svc_rc	callback_deliveries(struct db *db,
		    const struct reg_scope *scope, const char *app_id,
		    const char *id, int status, int64_t limit,
		    int (*fn)(const struct cb_delivery_row *, void *),
		    void *arg);
/* The delivery queue of every application and what each dispatcher last
 * reported (the administrator's view). */
enum svc_rc	callback_queue_status(struct db *db,
		    struct delivery_counts *counts,
		    int (*fn)(const struct dispatcher_row *, void *),
		    void *arg);

#endif
