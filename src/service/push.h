/*
 * push.h - push notifications outside the dispatcher (doc/push.md): an
 * application's push credentials (the admin API), a phone registering
 * its push token (the mobile API) and POST /v2/messages/send.
 *
 * Owns: the rules a credential must follow before it is stored (APNs: key
 * id, team id, topic, environment and a P-256 .p8 private key; FCM: a
 * service account with client_email, an RSA private key, token_uri and a
 * project id), keeping the private key encrypted and never showing it;
 * which platforms and tokens a phone may register (HMS: refused, there is
 * no HMS delivery); and what a message to send must hold.
 * Must not: speak HTTP, parse request bodies, or send anything (the
 * dispatcher does).
 */
#ifndef PASERV_SERVICE_PUSH_H
#define PASERV_SERVICE_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"
#include "store/push.h"
#include "store/registrations.h"

#define PUSH_DEFAULT_TOKEN_URI	"https://oauth2.googleapis.com/token"
#define PUSH_TITLE_MAX		255
#define PUSH_MESSAGE_MAX	1024
#define PUSH_SOUND_MAX		64
#define PUSH_EXTRAS_MAX		2048	/* JSON text */

/* APNs credentials as the admin sends them (NULL: left out). */
struct push_apns_req {
	const char	*topic;
	const char	*key_id;
	const char	*team_id;
	const char	*environment;		/* NULL: production */
	const char	*private_key_b64;	/* Base64 of the .p8 file */
	const char	*private_key;		/* or its PEM text */
};

/* FCM credentials: the service account JSON, Base64 or parsed. */
struct push_fcm_req {
	const char	*project_id;		/* NULL: the account's */
	const char	*service_account_b64;
	json_object	*service_account;
};

/*
 * Stores (creates or replaces) the application's credentials. SVC_OK and
 * *out as stored without the key; SVC_INVALID with *why;
 * SVC_APP_NOT_FOUND; SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	push_apns_put(struct db *db, const struct config *cfg,
		    const char *app_id, const struct push_apns_req *r,
		    struct push_cred_row *out, const char **why);
enum svc_rc	push_fcm_put(struct db *db, const struct config *cfg,
		    const char *app_id, const struct push_fcm_req *r,
		    struct push_cred_row *out, const char **why);
/* The credentials of platform (apns, fcm) without the key; *found 0 when
 * there are none. SVC_APP_NOT_FOUND for an unknown application. */
enum svc_rc	push_cred_get(struct db *db, const char *app_id,
		    const char *platform, struct push_cred_row *out,
		    int *found);
/* SVC_OK, SVC_APP_NOT_FOUND, SVC_INVALID (none stored). */
enum svc_rc	push_cred_delete(struct db *db, const char *app_id,
		    const char *platform, const char **why);

/* Why a phone's registration was not taken. */
enum push_refusal {
	PUSH_ACCEPTED = 0,
	PUSH_REFUSED_INPUT,	/* malformed: INVALID_REQUEST */
	PUSH_REFUSED_PLATFORM	/* HMS: PUSH_REGISTRATION_FAILED */
};

/*
 * POST /api/push/device/register[/token]: the X-PowerAuth-Token header
 * names the registration (ACTIVE); platform, token (at most
 * PUSH_TOKEN_MAX of [A-Za-z0-9_.:~-]) and environment (NULL,
 * development or production).
 * SVC_OK; SVC_AUTH_FAILED; SVC_INVALID with *refusal and *why;
 * SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	push_device_register(struct db *db, const struct config *cfg,
		    const char *token_header, const char *platform,
		    const char *token, const char *environment,
		    enum push_refusal *refusal, const char **why);

/* A message as the integrator sends it (NULL: left out). */
struct push_message_req {
	const char	*app_id;
	const char	*user_id;
	const char	*registration_id;
	int		 silent;
	const char	*title;
	const char	*message;
	const char	*sound;
	json_object	*extras;		/* object */
};

/*
 * Queues the message for the user's registrations (or the one named) in
 * the application: id gets the message id, *devices how many devices it
 * goes to. SVC_INVALID with *why (the message breaks a rule: the handler
 * answers ERROR_PUSH_MESSAGE; *app_problem set when it is the
 * application choice, ERROR_REQUEST); SVC_REG_NOT_FOUND; SVC_DB_DOWN,
 * SVC_INTERNAL.
 */
enum svc_rc	push_message_send(struct db *db,
		    const struct reg_scope *scope,
		    const struct push_message_req *r, char id[PUSH_ID_LEN + 1],
		    int64_t *devices, const char **why, int *app_problem);

#endif
