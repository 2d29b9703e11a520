/*
 * secrets.h - the private keys and secrets stored at rest, encrypted with
 * security.master_key and bound to the record that holds them
 * (crypto/dbenc).
 *
 * Owns: the binding of every stored secret (which parts name its record)
 * and turning stored text into usable keys and back:
 *   application master private key   {"application", appId}
 *   registration server private key  {userId, registrationId}
 *   activation master secret         {"secret", userId, registrationId}
 *   temporary key private key        {"temporary_key", keyId}
 *   callback HMAC key, receiver auth {"callback", "hmac"|"auth", callbackId}
 *   push service private key         {"push", "apns"|"fcm", appId}
 * Must not: touch the database or decide anything. Returns 0 / -1; every
 * intermediate buffer is wiped.
 */
#ifndef PASERV_SERVICE_SECRETS_H
#define PASERV_SERVICE_SECRETS_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "crypto/keys.h"
#include "store/activations.h"
#include "store/apps.h"

/*
 * A fresh P-256 key pair: the uncompressed public point (65 bytes) and the
 * private scalar encrypted bound to parts (malloc'ed, at most encmax
 * characters). key may be NULL; otherwise it receives the pair.
 */
int	secret_keypair_new(const struct config *cfg, const char *const *parts,
	    size_t nparts, size_t encmax, uint8_t pub[65], size_t *publen,
	    char **enc, EVP_PKEY **key);
/* The private key stored as enc bound to parts. */
int	secret_private_key(const struct config *cfg, const char *const *parts,
	    size_t nparts, const char *enc, EVP_PKEY **out);

int	secret_app_master_key(const struct config *cfg,
	    const struct app_row *app, EVP_PKEY **out);
int	secret_server_key(const struct config *cfg, const struct act_row *a,
	    EVP_PKEY **out);
/* KEY_MASTER_SECRET of an activation, encrypted for act_store_exchange(). */
char	*secret_master_encrypt(const struct config *cfg, const char *user_id,
	    const char *id, const uint8_t master[PA_KEY_LEN]);
/* Every activation key, derived from the stored master secret. */
int	secret_activation_keys(const struct config *cfg,
	    const struct act_row *a, struct pa_keys *out);

/* A callback's secret (what: "hmac" or "auth") encrypted; NULL on failure
 * or when it would be longer than encmax. */
char	*secret_callback_encrypt(const struct config *cfg,
	    const char *callback_id, const char *what, const uint8_t *p,
	    size_t n, size_t encmax);
/* The plaintext into out (cap bytes, *n its length); 0 or -1. */
int	secret_callback_decrypt(const struct config *cfg,
	    const char *callback_id, const char *what, const char *enc,
	    uint8_t *out, size_t cap, size_t *n);

/* A push credential's private key (PEM text; platform "apns" or "fcm")
 * encrypted; NULL on failure or when longer than encmax. */
char	*secret_push_encrypt(const struct config *cfg, const char *app_id,
	    const char *platform, const char *pem, size_t encmax);
/* The PEM text back into out (cap bytes, NUL-terminated); 0 or -1. */
int	secret_push_decrypt(const struct config *cfg, const char *app_id,
	    const char *platform, const char *enc, char *out, size_t cap);

#endif
