/*
 * push.h - tables push_credential, push_device and push_delivery
 * (schema/011_push.sql): the SQL of the admin and mobile push APIs and of
 * the push side of the dispatcher.
 *
 * Owns: storing, reading and deleting an application's credentials
 * (private keys arrive encrypted, service/secrets.h), registering a
 * registration's push device (one per registration; a token moves away
 * from any other registration of the application), queueing a message of
 * POST /v2/messages/send as a MESSAGE event (the triggers of 011 fan it
 * out), and for the dispatcher: claiming due deliveries of one platform
 * (as store/deliveries.h does for callbacks: READ COMMITTED, SKIP LOCKED,
 * one pending delivery per device and object at a time), reading what
 * an attempt needs, recording outcomes while the claim is the caller's,
 * postponing without counting an attempt, and deactivating a device
 * whose token the service refused.
 * Must not: decide validity, encrypt, build payloads or send anything.
 */
#ifndef PASERV_STORE_PUSH_H
#define PASERV_STORE_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/callbacks.h"
#include "store/db.h"

#define PUSH_PLATFORM_MAX	8
#define PUSH_KEY_ID_MAX		64
#define PUSH_TEAM_ID_MAX	64
#define PUSH_TOPIC_MAX		255
#define PUSH_ENV_MAX		16
#define PUSH_PROJECT_MAX	255
#define PUSH_EMAIL_MAX		255
#define PUSH_URI_MAX		1024
#define PUSH_KEY_ENC_MAX	8192
#define PUSH_TOKEN_MAX		512
#define PUSH_TYPE_MAX		48
#define PUSH_REASON_MAX		32
#define PUSH_ID_LEN		36
#define PUSH_LANG_MAX		8
#define PUSH_EVENT_TYPE_MAX	16

/* push_delivery.status */
enum push_delivery_status {
	PUSH_PENDING = 1,
	PUSH_DELIVERED,
	PUSH_FAILED,
	PUSH_SKIPPED
};

/* One credential; the fields of the other platform are "". */
struct push_cred_row {
	char	 app_id[APP_ID_MAX + 1];
	char	 platform[PUSH_PLATFORM_MAX + 1];	/* apns, fcm */
	char	 key_id[PUSH_KEY_ID_MAX + 1];
	char	 team_id[PUSH_TEAM_ID_MAX + 1];
	char	 topic[PUSH_TOPIC_MAX + 1];
	char	 environment[PUSH_ENV_MAX + 1];
	char	 project_id[PUSH_PROJECT_MAX + 1];
	char	 client_email[PUSH_EMAIL_MAX + 1];
	char	 token_uri[PUSH_URI_MAX + 1];
	char	 private_key_enc[PUSH_KEY_ENC_MAX + 1];
	int64_t	 created_ms;
	int64_t	 updated_ms;
};

/* Creates or replaces (app_id, platform). DB_OK, DB_NO_PARENT (no such
 * application), DB_ERROR, DB_DOWN. */
int	pushc_put(struct db *db, const struct push_cred_row *r);
/* DB_OK, DB_NOT_FOUND, ... */
int	pushc_get(struct db *db, const char *app_id, const char *platform,
	    struct push_cred_row *out);
/* DB_OK, DB_NOT_FOUND, ... Pending deliveries of the platform then fail
 * at their next attempt. */
int	pushc_delete(struct db *db, const char *app_id, const char *platform);

/*
 * In one transaction: the device of activation_id (of application app_id)
 * becomes (platform, token, environment or NULL), active; any other
 * device of the application with that token is deactivated (MOVED).
 */
int	pushd_register(struct db *db, const char *activation_id,
	    const char *app_id, const char *platform, const char *token,
	    const char *environment);

/*
 * Writes the MESSAGE event id (its payload JSON) of application app_id
 * and counts the deliveries the fan-out made, in one transaction:
 * *devices. DB_OK, DB_ERROR, DB_DOWN, DB_RETRY.
 */
int	push_message_queue(struct db *db, const char *app_id, const char *id,
	    const char *payload, int64_t *devices);

/* --- the dispatcher's side ---------------------------------------------- */

/* One claimed push delivery with everything its attempt needs. */
struct push_job {
	int64_t			 id;
	char			 activation_id[PUSH_ID_LEN + 1];
	char			 object_id[PUSH_ID_LEN + 1];
	char			 message_type[PUSH_TYPE_MAX + 1];
	char			 platform[PUSH_PLATFORM_MAX + 1];
	int64_t			 attempts;	/* made before this one */
	char			 event_uuid[PUSH_ID_LEN + 1];
	char			 event_type[PUSH_EVENT_TYPE_MAX + 1];
	char			 payload[CB_PAYLOAD_MAX + 1];
	char			 token[PUSH_TOKEN_MAX + 1];
	char			 device_env[PUSH_ENV_MAX + 1];	/* "": none */
	int			 device_active;
	int			 has_cred;
	struct push_cred_row	 cred;
	char			 op_language[PUSH_LANG_MAX + 1]; /* "": none */
	int64_t			 op_status;	/* 0: not an operation */
};

/* The due deliveries (queue figures, for --drain). */
struct push_counts {
	int64_t	 pending;
	int64_t	 due;
};

/*
 * Claims at most limit due deliveries to platform (apns, fcm, hms) for
 * lease_s seconds under holder. ids receives the claimed ids, *n their
 * number. DB_OK or an error.
 */
int	push_claim(struct db *db, const char *holder, int64_t lease_s,
	    const char *platform, int64_t limit, int64_t *ids, size_t *n);
/* DB_OK, DB_NOT_FOUND, ... */
int	push_load(struct db *db, int64_t id, struct push_job *out);
/* Finished with status (DELIVERED, FAILED or SKIPPED); http 0: none;
 * error NULL: none. Counts the attempt unless SKIPPED. */
int	push_finish(struct db *db, const struct push_job *j,
	    const char *holder, int status, long http, const char *error);
/* Due again after delay_ms; the attempt counts when counted is set. */
int	push_retry(struct db *db, const struct push_job *j, const char *holder,
	    int counted, long http, const char *error, int64_t delay_ms);
/* The device stops getting pushes, if it still has that token. */
int	push_deactivate(struct db *db, const char *activation_id,
	    const char *token, const char *reason);
int	push_counts(struct db *db, struct push_counts *out);

#endif
