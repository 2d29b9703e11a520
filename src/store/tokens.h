/*
 * tokens.h - table token (MAC tokens, protocol.md §7).
 *
 * Owns: storing a new token (secret already encrypted), reading one with
 * what its verification reports (activation status, user, application,
 * flags and roles) in one query, and removing one of an activation.
 * Must not: decrypt, verify or decide anything.
 */
#ifndef PASERV_STORE_TOKENS_H
#define PASERV_STORE_TOKENS_H

#include <stdint.h>

#include "store/activations.h"
#include "store/apps.h"
#include "store/db.h"

#define TOKEN_SECRET_ENC_MAX	255
#define TOKEN_TYPE_MAX		40

struct token_row {
	char	 id[REG_ID_LEN + 1];
	char	 activation_id[REG_ID_LEN + 1];
	char	 secret_enc[TOKEN_SECRET_ENC_MAX + 1];
	char	 signature_type[TOKEN_TYPE_MAX + 1];
};

/* A token with its activation's state, as one query reads it. */
struct token_view {
	struct token_row token;
	int	 status;			/* the activation's */
	char	 user_id[REG_USER_MAX + 1];
	char	 app_id[APP_ID_MAX + 1];
	char	 flags[REG_FLAGS_TEXT_MAX + 1];
	char	 roles[APP_ROLES_TEXT_MAX + 1];
};

/* DB_OK, DB_DUPLICATE, DB_NO_PARENT, DB_ERROR, DB_DOWN. */
int	token_insert(struct db *db, const struct token_row *t);
/* DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	token_get(struct db *db, const char *id, struct token_view *out);
/* Removes the token if it belongs to the activation: DB_OK (removed),
 * DB_NOT_FOUND (no such token of that activation), DB_ERROR, DB_DOWN. */
int	token_delete(struct db *db, const char *id, const char *activation_id);

#endif
