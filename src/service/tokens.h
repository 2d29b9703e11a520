/*
 * tokens.h - MAC tokens (protocol.md §7): issuing one after a valid
 * signature, verifying an X-PowerAuth-Token header, removing one.
 *
 * Owns: the rules of verification: the header must parse; its timestamp
 * must lie within token.timestamp_validity seconds in the past and
 * token.timestamp_forward in the future; the token must exist (within the
 * caller's scope), its digest match (constant time), its activation be
 * ACTIVE, and its nonce not have been seen with that token before (the
 * replay store keeps it until the timestamp leaves the window). Token
 * secrets are stored encrypted, bound to {"token", tokenId}.
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_TOKENS_H
#define PASERV_SERVICE_TOKENS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "crypto/headers.h"
#include "crypto/token.h"
#include "service/result.h"
#include "service/sigauth.h"
#include "store/db.h"
#include "store/registrations.h"

/* A new token for an activation (call inside the signature's
 * transaction). SVC_OK with id and secret, SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	token_issue(struct db *db, const struct config *cfg,
		    const char *activation_id, enum hdr_sig_type type,
		    char id[TOKEN_ID_LEN + 1],
		    uint8_t secret[TOKEN_SECRET_LEN]);

struct token_result {
	int			 valid;
	enum hdr_sig_type	 type;	/* the signature that created it */
	struct auth_subject	 subject;
};

/*
 * SVC_OK with res->valid; SVC_INVALID when the header is malformed (why
 * names the problem); SVC_DB_DOWN, SVC_INTERNAL. scope NULL: any
 * application.
 */
enum svc_rc	token_check(struct db *db, const struct config *cfg,
		    const char *header, const struct reg_scope *scope,
		    struct token_result *res, const char **why);

/* Removes a token of the activation (no error when there is none). */
enum svc_rc	token_remove(struct db *db, const char *activation_id,
		    const char *token_id);

/*
 * /pa/v3/token/create: auth_header signs POST /pa/token/create over the
 * exact body (possession or a 2FA/3FA type); envelope is that body parsed
 * (activation-scope ECIES, sharedInfo1 /pa/token/create). On SVC_OK *out
 * is the encrypted {"tokenId","tokenSecret"}. SVC_AUTH_FAILED, and the
 * envelope's failures (SVC_ENCRYPTION, SVC_TEMP_KEY): nothing is kept.
 */
enum svc_rc	token_create_signed(struct db *db, const struct config *cfg,
		    const char *auth_header, const uint8_t *body,
		    size_t bodylen, json_object *envelope, json_object **out);
/* /pa/v3/token/remove: any signature type over POST /pa/token/remove. */
enum svc_rc	token_remove_signed(struct db *db, const struct config *cfg,
		    const char *auth_header, const uint8_t *body,
		    size_t bodylen, const char *token_id);

#endif
