/*
 * apps.h - tables app and app_version.
 *
 * Owns: the SQL that stores an application with its first version in one
 * transaction, reads one application (with its newest supported version,
 * or by the app key of any supported version)
 * and lists them. Values are stored as given: the private key arrives
 * already encrypted (crypto/dbenc), roles as JSON text.
 * Must not: generate keys, encrypt, or decide what is valid.
 */
#ifndef PASERV_STORE_APPS_H
#define PASERV_STORE_APPS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define APP_ID_MAX		255
#define APP_ROLES_TEXT_MAX	4096
#define APP_PRIV_ENC_MAX	512
#define APP_KEY_B64_LEN		24

struct app_row {
	char	 id[APP_ID_MAX + 1];
	char	 roles[APP_ROLES_TEXT_MAX + 1];		/* JSON array text */
	char	 master_private_key_enc[APP_PRIV_ENC_MAX + 1];
	uint8_t	 master_public_key[65];
	size_t	 master_public_key_len;
	char	 app_key[APP_KEY_B64_LEN + 1];		/* Base64 */
	char	 app_secret[APP_KEY_B64_LEN + 1];	/* Base64 */
	int64_t	 created_ms;
};

/* DB_OK, DB_DUPLICATE (id or app key taken), DB_ERROR, DB_DOWN. */
int	apps_insert(struct db *db, const struct app_row *app);
/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	apps_get(struct db *db, const char *id, struct app_row *out);
/*
 * The application of a supported version's app key, with that version's
 * key and secret. DB_OK, DB_NOT_FOUND (unknown or unsupported), ...
 */
int	apps_get_by_key(struct db *db, const char *app_key,
	    struct app_row *out);
/* Calls fn for each application in id order; fn returns 0 to go on. */
int	apps_list(struct db *db, int (*fn)(const struct app_row *, void *),
	    void *arg);

#endif
