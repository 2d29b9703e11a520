/*
 * callbacks.h - table callback (webhook configurations) and the read side
 * of callback_delivery for the management API.
 *
 * Owns: the SQL that stores, reads (within one application), lists,
 * replaces and deletes a callback, and lists a callback's deliveries by
 * status. Secrets arrive already encrypted (service/secrets.h).
 * Must not: decide what is valid, encrypt, or send anything (the
 * dispatcher's SQL is store/deliveries.h).
 */
#ifndef PASERV_STORE_CALLBACKS_H
#define PASERV_STORE_CALLBACKS_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"

#define CB_ID_LEN		36
#define CB_NAME_MAX		255
#define CB_TYPE_MAX		32
#define CB_URL_MAX		2048
#define CB_ATTRS_MAX		1024	/* JSON array text */
#define CB_AUTH_ENC_MAX		8192
#define CB_SECRET_ENC_MAX	255
#define CB_ERROR_MAX		255
#define CB_PAYLOAD_MAX		65535

enum cb_delivery_status {
	CB_PENDING = 1,
	CB_DELIVERED,
	CB_FAILED
};

struct callback_row {
	char	 id[CB_ID_LEN + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 name[CB_NAME_MAX + 1];
	char	 type[CB_TYPE_MAX + 1];		/* *_STATUS_CHANGE */
	char	 url[CB_URL_MAX + 1];
	char	 attributes[CB_ATTRS_MAX + 1];	/* JSON array */
	char	 auth_enc[CB_AUTH_ENC_MAX + 1];	/* "" when none */
	char	 secret_enc[CB_SECRET_ENC_MAX + 1];
	int64_t	 max_attempts;
	int64_t	 initial_backoff_ms;
	int64_t	 backoff_multiplier_pct;	/* 150 = x1.5 */
	int64_t	 max_backoff_ms;
	int64_t	 retention_s;
	int64_t	 failures_in_row;
	int64_t	 breaker_until_ms;		/* 0 when closed */
	int64_t	 created_ms;
	int64_t	 updated_ms;
};

#define CB_DELIVERY_LIST_MAX	500

/* One delivery of an event to a callback, with the event's payload. */
struct cb_delivery_row {
	int64_t	 id;
	char	 event_id[CB_ID_LEN + 1];	/* event_outbox.event_id */
	char	 object_id[CB_ID_LEN + 1];
	int64_t	 status;			/* enum cb_delivery_status */
	int64_t	 attempts;
	int64_t	 next_attempt_ms;
	int64_t	 last_status;
	int	 has_last_status;
	char	 last_error[CB_ERROR_MAX + 1];	/* "" when none */
	int64_t	 created_ms;
	int64_t	 finished_ms;			/* 0 while PENDING */
	char	 payload[CB_PAYLOAD_MAX + 1];	/* JSON object */
};

/* DB_OK, DB_DUPLICATE (name taken), DB_NO_PARENT (no such application),
 * DB_ERROR, DB_DOWN. created_at and updated_at are the server's now. */
int	cb_insert(struct db *db, const struct callback_row *c);
/* The callback id of application app_id: DB_OK, DB_NOT_FOUND, ... */
int	cb_get(struct db *db, const char *app_id, const char *id,
	    struct callback_row *out);
/* The callbacks of an application by name; fn returns 0 to go on. */
int	cb_list(struct db *db, const char *app_id,
	    int (*fn)(const struct callback_row *, void *), void *arg);
/*
 * Replaces every configurable field of (c->app_id, c->id): name, type,
 * url, attributes, auth_enc, secret_enc and the retry policy; sets
 * updated_at. The breaker state is the dispatcher's and stays.
 * DB_OK, DB_NOT_FOUND, DB_DUPLICATE, DB_ERROR, DB_DOWN.
 */
int	cb_replace(struct db *db, const struct callback_row *c);
/* With its deliveries (foreign key cascade). DB_OK, DB_NOT_FOUND, ... */
int	cb_delete(struct db *db, const char *app_id, const char *id);
/*
 * The deliveries of a callback, newest first, at most limit (capped at
 * CB_DELIVERY_LIST_MAX); status 0: any. fn returns 0 to go on.
 */
int	cb_deliveries(struct db *db, const char *callback_id, int status,
	    int64_t limit, int (*fn)(const struct cb_delivery_row *, void *),
	    void *arg);

#endif
