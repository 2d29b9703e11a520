/*
 * vault.h - unlocking the secure vault (/pa/v3/vault/unlock,
 * protocol.md §8).
 *
 * Owns: the rules: a possession_knowledge signature (possession_biometry
 * too when vault.biometry = 1) over POST /pa/vault/unlock and the exact
 * body, an activation-scope ECIES request (sharedInfo1 /pa/vault/unlock)
 * whose plaintext may name a reason ([A-Za-z0-9_.-]{3,255}, default
 * NOT_SPECIFIED), and the answer: KEY_ENCRYPTION_VAULT encrypted with
 * KEY_TRANSPORT, inside the ECIES response.
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_VAULT_H
#define PASERV_SERVICE_VAULT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"

/*
 * SVC_OK (*out: the ECIES response envelope), SVC_AUTH_FAILED,
 * SVC_VAULT_INVALID (the reason is malformed), SVC_ENCRYPTION, SVC_TEMP_KEY, SVC_DB_DOWN,
 * SVC_INTERNAL. Any failure keeps nothing (the counter does not advance).
 */
enum svc_rc	vault_unlock_signed(struct db *db, const struct config *cfg,
		    const char *auth_header, const uint8_t *body,
		    size_t bodylen, json_object *envelope, json_object **out);

#endif
