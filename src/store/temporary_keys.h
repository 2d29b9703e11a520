/*
 * temporary_keys.h - table temporary_key (protocol 3.3 ECIES keys).
 *
 * Owns: storing a new temporary key pair (private half already encrypted)
 * and reading one that has not expired. Purging expired rows belongs to
 * the housekeeping job.
 * Must not: generate, encrypt or judge keys.
 */
#ifndef PASERV_STORE_TEMPORARY_KEYS_H
#define PASERV_STORE_TEMPORARY_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"
#include "store/registrations.h"

struct tkey_row {
	char	 id[REG_ID_LEN + 1];
	char	 app_key[APP_KEY_B64_LEN + 1];
	char	 activation_id[REG_ID_LEN + 1];	/* "" for application scope */
	char	 private_key_enc[REG_PRIV_ENC_MAX + 1];
	uint8_t	 public_key[65];
	size_t	 public_key_len;
	int64_t	 expires_ms;
};

/* DB_OK, DB_DUPLICATE, DB_ERROR, DB_DOWN. activation_id "" = NULL. */
int	tkey_insert(struct db *db, const struct tkey_row *k);
/* DB_OK, DB_NOT_FOUND (unknown or expired), DB_ERROR, DB_DOWN. */
int	tkey_get(struct db *db, const char *id, struct tkey_row *out);

#endif
