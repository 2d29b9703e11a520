/*
 * secrets.h - the private keys and secrets stored at rest, encrypted with
 * security.master_key and bound to the record that holds them
 * (crypto/dbenc).
 *
 * Owns: one table describing every stored secret (secret_spec(): its
 * table and column, the parts that name its record, the shape of its
 * plaintext), and turning stored text into usable keys and back. Sealing
 * always uses security.master_key; opening tries it and then, when set,
 * security.previous_master_key, so that values written before a key
 * rotation keep working until paserv-admin rotate-master-key has
 * re-encrypted them. A value counts as opened only when its plaintext has
 * the shape its kind requires (length, JSON, PEM): the CBC padding alone
 * lets a wrong key through about once in 256 tries.
 * Must not: touch the database or decide anything. Returns 0 / -1 (or an
 * enum secret_key); every intermediate buffer is wiped.
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

/* Every kind of stored secret; the order of the table in secrets.c. */
enum secret_kind {
	SECRET_APP_KEY = 0,	/* application master private key */
	SECRET_REG_KEY,		/* registration server private key */
	SECRET_REG_MASTER,	/* activation KEY_MASTER_SECRET */
	SECRET_TEMP_KEY,	/* temporary ECIES key's private key */
	SECRET_TOKEN,		/* MAC token secret */
	SECRET_OP_SEED,		/* operation proximity TOTP seed */
	SECRET_CB_HMAC,		/* callback HMAC key */
	SECRET_CB_AUTH,		/* callback receiver authentication (JSON) */
	SECRET_PUSH_KEY,	/* push credential private key (PEM text) */
	SECRET_KINDS
};

/* The key a stored value opened with. */
enum secret_key {
	SECRET_KEY_ERROR = -2,		/* opened, but sealing it anew failed */
	SECRET_KEY_NONE = -1,		/* neither (or malformed) */
	SECRET_KEY_CURRENT = 0,		/* security.master_key */
	SECRET_KEY_PREVIOUS = 1		/* security.previous_master_key */
};

/* What a plaintext must look like besides its length. */
enum secret_shape {
	SECRET_SHAPE_BYTES = 0,	/* any bytes */
	SECRET_SHAPE_JSON,	/* a JSON object */
	SECRET_SHAPE_PEM	/* PEM text ("-----BEGIN ", "-----END ") */
};

#define SECRET_PEM_MAX	8192	/* a PEM private key, characters */

/*
 * Where a secret is stored and how it is bound: the parts of its record
 * are tag[0], tag[1] (those not NULL), then the value of user_column (when
 * not NULL), then the value of key_column, the row's primary key (NULL:
 * the column `id`). With a key_column the primary key is (key_column,
 * user_column) instead.
 */
struct secret_spec {
	const char	*table;
	const char	*column;
	const char	*user_column;
	const char	*tag[2];
	size_t		 min, max;	/* plaintext length */
	enum secret_shape shape;
	const char	*key_column;
};

const struct secret_spec	*secret_spec(enum secret_kind kind);

/*
 * The secret p (n bytes) of record (user_id, id) encrypted under the
 * current key: malloc'ed, NULL on failure or when it would be longer than
 * encmax characters. user_id is used only by kinds that bind one.
 */
char	*secret_seal(const struct config *cfg, enum secret_kind kind,
	    const char *user_id, const char *id, const uint8_t *p, size_t n,
	    size_t encmax);
/*
 * The plaintext of enc into out (cap bytes, *n its length). Returns the
 * key that opened it; SECRET_KEY_NONE leaves out wiped.
 */
enum secret_key	secret_open(const struct config *cfg, enum secret_kind kind,
	    const char *user_id, const char *id, const char *enc, uint8_t *out,
	    size_t cap, size_t *n);
/*
 * For a key rotation: the key enc opens with and, when that is the
 * previous one, the same secret sealed under the current key in *fresh
 * (malloc'ed; otherwise NULL). SECRET_KEY_ERROR when it opened with the
 * previous key but could not be sealed again (memory, encmax).
 */
enum secret_key	secret_reseal(const struct config *cfg, enum secret_kind kind,
	    const char *user_id, const char *id, const char *enc, size_t encmax,
	    char **fresh);

/*
 * A fresh P-256 key pair of a key kind: the uncompressed public point (65
 * bytes) and the private scalar sealed (malloc'ed, at most encmax
 * characters). key may be NULL; otherwise it receives the pair.
 */
int	secret_keypair_new(const struct config *cfg, enum secret_kind kind,
	    const char *user_id, const char *id, size_t encmax,
	    uint8_t pub[65], size_t *publen, char **enc, EVP_PKEY **key);
/* The private key of a key kind stored as enc; application master keys
 * and temporary keys come from service/key_cache.h after their first
 * use. */
int	secret_private_key(const struct config *cfg, enum secret_kind kind,
	    const char *user_id, const char *id, const char *enc,
	    EVP_PKEY **out);

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

#endif
