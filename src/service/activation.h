/*
 * activation.h - the mobile side of a registration: the key exchange
 * (/pa/v3/activation/create), the status blob (/pa/v3/activation/status)
 * and removal by the device (/pa/v3/activation/remove); protocol.md §3,
 * §6, §10.
 *
 * Owns: the rules of the key exchange (type CODE only; the code must name
 * a CREATED, unexpired registration of the application whose app key
 * encrypted the request; activation OTP per commit phase, wrong OTPs
 * counted and the registration removed when they run out; the new state
 * PENDING_COMMIT or ACTIVE; KEY_MASTER_SECRET, fingerprint and random
 * CTR_DATA stored in the same transaction that consumes the code), what
 * the status blob reports, and what removal requires (a 2FA/3FA signature).
 * Must not: speak HTTP (envelopes are JSON objects in and out) or hold SQL.
 */
#ifndef PASERV_SERVICE_ACTIVATION_H
#define PASERV_SERVICE_ACTIVATION_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "crypto/ecies.h"
#include "service/result.h"
#include "store/db.h"

#define ACTIVATION_NAME_MAX	255
#define ACTIVATION_PLATFORM_MAX	32
#define ACTIVATION_INFO_MAX	255

/*
 * Key exchange. version and app_key come from X-PowerAuth-Encryption,
 * envelope is the request body (level-1 ECIES JSON). On SVC_OK *out is the
 * level-1 response envelope. Failures: SVC_ENCRYPTION, SVC_TEMP_KEY,
 * SVC_ACTIVATION_INVALID (why says which rule, for the log), SVC_DB_DOWN,
 * SVC_INTERNAL.
 */
enum svc_rc	activation_key_exchange(struct db *db,
		    const struct config *cfg, enum pa_proto_version version,
		    const char *app_key, json_object *envelope,
		    json_object **out, const char **why);

struct activation_status {
	uint8_t	blob[32];		/* encryptedStatusBlob */
	uint8_t	nonce[16];
	int	has_nonce;		/* a challenge was given */
};

/*
 * The encrypted status blob for activation id; challenge is 16 bytes or
 * NULL (3.0 clients). An unknown id or a registration without a key
 * exchange gets 32 random bytes (and a random nonce), as the reference
 * server does. SVC_OK, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	activation_status(struct db *db, const struct config *cfg,
		    const char *id, const uint8_t *challenge,
		    struct activation_status *out);

/*
 * Removal by the device: auth_header signs POST /pa/activation/remove over
 * body with possession_knowledge, possession_biometry or
 * possession_knowledge_biometry. SVC_OK (id_out gets the activation id),
 * SVC_AUTH_FAILED, SVC_DB_DOWN, SVC_INTERNAL.
 */
enum svc_rc	activation_remove_signed(struct db *db,
		    const struct config *cfg, const char *auth_header,
		    const uint8_t *body, size_t bodylen, char id_out[37]);

#endif
