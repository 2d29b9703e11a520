/*
 * applications.h - PowerAuth applications (the mobile apps a deployment
 * serves).
 *
 * Owns: the rules for creating one: id syntax, roles syntax, a fresh P-256
 * master key pair whose private half is stored encrypted (crypto/dbenc,
 * bound to {"application", id}), and one application version with
 * appKey/appSecret of 16 random bytes each; and the view handed to
 * operators (Base64 values, mobileSdkConfig, serviceBaseUrl).
 * Must not: speak HTTP or hold SQL text.
 */
#ifndef PASERV_SERVICE_APPLICATIONS_H
#define PASERV_SERVICE_APPLICATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/apps.h"
#include "store/db.h"

#define APPLICATION_ROLES_MAX	32
#define APPLICATION_ROLE_LEN	64

struct application {
	char	 id[APP_ID_MAX + 1];
	char	 app_key[APP_KEY_B64_LEN + 1];
	char	 app_secret[APP_KEY_B64_LEN + 1];
	char	 master_public_key[89];		/* Base64 of 65 bytes */
	char	*mobile_sdk_config;		/* owned */
	char	 roles[APPLICATION_ROLES_MAX][APPLICATION_ROLE_LEN + 1];
	size_t	 nroles;
	int64_t	 created_ms;
};

/* 1 if id is 1..255 characters of [A-Za-z0-9._-]. */
int	application_id_valid(const char *id);
/* 1 if a role name is 1..64 characters of [A-Za-z0-9._-]. */
int	application_role_valid(const char *role);

enum svc_rc	application_create(struct db *db, const struct config *cfg,
		    const char *id, const char *const *roles, size_t nroles,
		    struct application *out);
enum svc_rc	application_get(struct db *db, const char *id,
		    struct application *out);
/* Calls fn for each application; fn returns 0 to continue. */
enum svc_rc	application_list(struct db *db,
		    int (*fn)(const struct application *, void *), void *arg);
void		application_clear(struct application *app);

#endif
