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

#endif
