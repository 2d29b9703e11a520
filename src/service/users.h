/*
 * users.h - users of /powerauth-cloud (operators and integrations).
 *
 * Owns: the rules for creating a user (name syntax, role, a generated
 * password returned exactly once and stored only as a yescrypt hash),
 * granting an application, and the "ensure the first admin exists" step of
 * the installation.
 * Must not: speak HTTP or hold SQL text.
 */
#ifndef PASERV_SERVICE_USERS_H
#define PASERV_SERVICE_USERS_H

#include "service/password.h"
#include "service/result.h"
#include "store/db.h"

/* 1 if name is 1..64 characters of [A-Za-z0-9._@-]. */
int	user_name_valid(const char *name);

/*
 * Creates a user with role (enum auth_role) and a generated password,
 * written to password (PASSWORD_GEN_LEN + 1 bytes; wipe it after use).
 * SVC_OK, SVC_INVALID, SVC_EXISTS, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	user_create(struct db *db, const char *name, int role,
		    char password[PASSWORD_GEN_LEN + 1]);
/* Idempotent. SVC_OK, SVC_USER_NOT_FOUND, SVC_APP_NOT_FOUND, ... */
enum svc_rc	user_grant_application(struct db *db, const char *name,
		    const char *app_id);
/* SVC_OK if the user exists, SVC_USER_NOT_FOUND if not. */
enum svc_rc	user_exists(struct db *db, const char *name);

#endif
