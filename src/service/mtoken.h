/*
 * mtoken.h - what the Mobile Token SDK lists and shows (api.md §3.6): the
 * pending operations of the phone's user, authenticated with a MAC token,
 * each as a UserOperation rendered from the display template of its type
 * in the phone's language.
 *
 * Owns: which operations a phone sees (its user's and application's,
 * PENDING and unexpired, unbound or bound to this phone, at most 100, and
 * only those whose type has a display template), the UserOperation object
 * (dates as yyyy-MM-dd'T'HH:mm:ssZ in UTC, allowedSignatureType from the
 * template's signature types, formData with ${parameter} filled in and the
 * AMOUNT / KEY_VALUE / NOTE / HEADING attributes, amounts formatted for
 * en or cs), and the language fallback (requested, then en, then any).
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_MTOKEN_H
#define PASERV_SERVICE_MTOKEN_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"

#define MTOKEN_LIST_MAX	100

/*
 * The phone's pending operations. token_header is X-PowerAuth-Token,
 * language two letters (NULL: en). SVC_OK (*out an array), SVC_AUTH_FAILED
 * (the token does not authenticate), SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	mtoken_list(struct db *db, const struct config *cfg,
		    const char *token_header, const char *language,
		    json_object **out);
/*
 * One operation of the phone's user. SVC_OK, SVC_AUTH_FAILED, SVC_INVALID
 * (unknown id, another user's, or no display template), SVC_DB_DOWN,
 * SVC_INTERNAL.
 */
enum svc_rc	mtoken_detail(struct db *db, const struct config *cfg,
		    const char *token_header, const char *language,
		    const char *operation_id, json_object **out);
/*
 * The user's operations of every status (newest first, at most 100), for a
 * possession_knowledge or possession_biometry signature over POST
 * /operation/history. SVC_OK, SVC_AUTH_FAILED, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	mtoken_history(struct db *db, const struct config *cfg,
		    const char *auth_header, const uint8_t *body,
		    size_t bodylen, const char *language, json_object **out);
/*
 * Claims an anonymous operation (created without a user) for the token's
 * user and answers it as detail does; an operation already the user's
 * answers the same; another user's, or another application's, is
 * SVC_INVALID. SVC_AUTH_FAILED, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	mtoken_claim(struct db *db, const struct config *cfg,
		    const char *token_header, const char *language,
		    const char *operation_id, json_object **out);
/* "2018-07-02T14:43:13+0000" for epoch milliseconds. */
void		mtoken_date(int64_t ms, char out[32]);

#endif
