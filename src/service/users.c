/* users.c - creating users and granting applications (see users.h). */
#include <config.h>

#include "service/users.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "service/applications.h"
#include "service/auth.h"
#include "store/apps.h"
#include "store/users.h"

int
user_name_valid(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (i >= USER_NAME_MAX || (!isalnum((unsigned char)name[i]) &&
		    strchr("._@-", name[i]) == NULL))
			return 0;
	return i > 0;
}

enum svc_rc
user_create(struct db *db, const char *name, int role,
    char password[PASSWORD_GEN_LEN + 1])
{
	char *hash = NULL;
	int64_t id = 0;
	enum svc_rc rc;

	password[0] = '\0';
	if (!user_name_valid(name) ||
	    (role != AUTH_ROLE_ADMIN && role != AUTH_ROLE_USER))
		return SVC_INVALID;
	if (password_generate(password) != 0 ||
	    (hash = password_hash(password, PASSWORD_GENERATED)) == NULL) {
		rc = SVC_INTERNAL;
		goto fail;
	}
	rc = svc_from_db(users_insert(db, name, hash, auth_role_name(role), &id),
	    SVC_INTERNAL);
fail:
	if (rc != SVC_OK)
		OPENSSL_cleanse(password, PASSWORD_GEN_LEN + 1);
	free(hash);
	return rc;
}

enum svc_rc
user_exists(struct db *db, const char *name)
{
	struct user_row row;
	enum svc_rc rc;

	if (!user_name_valid(name))
		return SVC_USER_NOT_FOUND;
	rc = svc_from_db(users_get(db, name, &row), SVC_USER_NOT_FOUND);
	OPENSSL_cleanse(&row, sizeof(row));
	return rc;
}

enum svc_rc
user_grant_application(struct db *db, const char *name, const char *app_id)
{
	struct user_row row;
	enum svc_rc rc;
	int dbrc;

	if (!user_name_valid(name))
		return SVC_USER_NOT_FOUND;
	if (!application_id_valid(app_id))
		return SVC_APP_NOT_FOUND;
	rc = svc_from_db(users_get(db, name, &row), SVC_USER_NOT_FOUND);
	OPENSSL_cleanse(row.password_hash, sizeof(row.password_hash));
	if (rc != SVC_OK)
		return rc;
	dbrc = users_grant_app(db, row.id, app_id);
	return dbrc == DB_NO_PARENT ? SVC_APP_NOT_FOUND :
	    svc_from_db(dbrc, SVC_INTERNAL);
}
