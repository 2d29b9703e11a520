/*
 * users.h - tables cloud_user and cloud_user_app.
 *
 * Owns: the SQL for integration/admin users of /powerauth-cloud and their
 * application grants. Password hashes are stored as produced by crypt().
 * Must not: hash, verify or generate passwords (service/password.c does).
 */
#ifndef PASERV_STORE_USERS_H
#define PASERV_STORE_USERS_H

#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"

#define USER_NAME_MAX	64
#define USER_HASH_MAX	255
#define USER_ROLE_MAX	32

struct user_row {
	int64_t	 id;
	char	 username[USER_NAME_MAX + 1];
	char	 password_hash[USER_HASH_MAX + 1];
	char	 role[USER_ROLE_MAX + 1];
	int	 enabled;
};

/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	users_get(struct db *db, const char *username, struct user_row *out);
/* DB_OK, DB_DUPLICATE, DB_ERROR, DB_DOWN; *id gets the new row id. */
int	users_insert(struct db *db, const char *username, const char *hash,
	    const char *role, int64_t *id);
/* Idempotent. DB_OK, DB_NO_PARENT (no such app), DB_ERROR, DB_DOWN. */
int	users_grant_app(struct db *db, int64_t user_id, const char *app_id);
/* The one application granted to the user: DB_OK, or DB_NOT_FOUND when
 * none or several are granted. */
int	users_only_app(struct db *db, int64_t user_id,
	    char out[APP_ID_MAX + 1]);
/* DB_OK when granted, DB_NOT_FOUND otherwise. */
int	users_has_app(struct db *db, int64_t user_id, const char *app_id);

#endif
