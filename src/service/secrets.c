/* secrets.c - stored secrets bound to their records (see secrets.h). */
#include <config.h>

#include "service/secrets.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dbenc.h"
#include "crypto/ec.h"

int
secret_keypair_new(const struct config *cfg, const char *const *parts,
    size_t nparts, size_t encmax, uint8_t pub[65], size_t *publen,
    char **enc, EVP_PKEY **key)
{
	uint8_t priv[PA_EC_PRIV_LEN];
	EVP_PKEY *k = NULL;
	int rc = -1;

	*enc = NULL;
	if (key != NULL)
		*key = NULL;
	if (!cfg->master_key_set || pa_ec_generate(&k) != 0 ||
	    pa_ec_public_to_bytes(k, 0, pub, publen) != 0 ||
	    pa_ec_private_to_bytes(k, priv) != 0)
		goto fail;
	*enc = dbenc_encrypt(cfg->master_key, parts, nparts, priv,
	    sizeof(priv));
	if (*enc == NULL || strlen(*enc) > encmax) {
		free(*enc);
		*enc = NULL;
		goto fail;
	}
	if (key != NULL) {
		*key = k;
		k = NULL;
	}
	rc = 0;
fail:
	OPENSSL_cleanse(priv, sizeof(priv));
	EVP_PKEY_free(k);
	return rc;
}

int
secret_private_key(const struct config *cfg, const char *const *parts,
    size_t nparts, const char *enc, EVP_PKEY **out)
{
	uint8_t priv[64];
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if (cfg->master_key_set && enc != NULL && enc[0] != '\0' &&
	    dbenc_decrypt(cfg->master_key, parts, nparts, enc, priv,
	    sizeof(priv), &n) == 0 && pa_ec_private_from_bytes(priv, n,
	    out) == 0)
		rc = 0;
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

int
secret_app_master_key(const struct config *cfg, const struct app_row *app,
    EVP_PKEY **out)
{
	const char *parts[2] = { "application", app->id };

	return secret_private_key(cfg, parts, 2, app->master_private_key_enc,
	    out);
}

int
secret_server_key(const struct config *cfg, const struct act_row *a,
    EVP_PKEY **out)
{
	const char *parts[2] = { a->user_id, a->id };

	return secret_private_key(cfg, parts, 2, a->server_private_key_enc,
	    out);
}

char *
secret_master_encrypt(const struct config *cfg, const char *user_id,
    const char *id, const uint8_t master[PA_KEY_LEN])
{
	const char *parts[3] = { "secret", user_id, id };
	char *enc;

	if (!cfg->master_key_set)
		return NULL;
	enc = dbenc_encrypt(cfg->master_key, parts, 3, master, PA_KEY_LEN);
	if (enc != NULL && strlen(enc) > ACT_SECRET_ENC_MAX) {
		free(enc);
		enc = NULL;
	}
	return enc;
}

int
secret_activation_keys(const struct config *cfg, const struct act_row *a,
    struct pa_keys *out)
{
	const char *parts[3] = { "secret", a->user_id, a->id };
	uint8_t master[32];
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (cfg->master_key_set && a->master_secret_enc[0] != '\0' &&
	    dbenc_decrypt(cfg->master_key, parts, 3, a->master_secret_enc,
	    master, sizeof(master), &n) == 0 && n == PA_KEY_LEN &&
	    keys_derive(master, out) == 0)
		rc = 0;
	OPENSSL_cleanse(master, sizeof(master));
	return rc;
}

char *
secret_callback_encrypt(const struct config *cfg, const char *callback_id,
    const char *what, const uint8_t *p, size_t n, size_t encmax)
{
	const char *parts[3] = { "callback", what, callback_id };
	char *enc;

	if (!cfg->master_key_set)
		return NULL;
	enc = dbenc_encrypt(cfg->master_key, parts, 3, p, n);
	if (enc != NULL && strlen(enc) > encmax) {
		free(enc);
		enc = NULL;
	}
	return enc;
}

int
secret_callback_decrypt(const struct config *cfg, const char *callback_id,
    const char *what, const char *enc, uint8_t *out, size_t cap, size_t *n)
{
	const char *parts[3] = { "callback", what, callback_id };

	*n = 0;
	if (!cfg->master_key_set || enc == NULL || enc[0] == '\0')
		return -1;
	return dbenc_decrypt(cfg->master_key, parts, 3, enc, out, cap, n);
}

char *
secret_push_encrypt(const struct config *cfg, const char *app_id,
    const char *platform, const char *pem, size_t encmax)
{
	const char *parts[3] = { "push", platform, app_id };
	char *enc;

	if (!cfg->master_key_set)
		return NULL;
	enc = dbenc_encrypt(cfg->master_key, parts, 3, (const uint8_t *)pem,
	    strlen(pem));
	if (enc != NULL && strlen(enc) > encmax) {
		free(enc);
		enc = NULL;
	}
	return enc;
}

int
secret_push_decrypt(const struct config *cfg, const char *app_id,
    const char *platform, const char *enc, char *out, size_t cap)
{
	const char *parts[3] = { "push", platform, app_id };
	size_t n = 0;

	if (cap == 0 || !cfg->master_key_set || enc == NULL ||
	    enc[0] == '\0' || dbenc_decrypt(cfg->master_key, parts, 3, enc,
	    (uint8_t *)out, cap - 1, &n) != 0)
		return -1;
	out[n] = '\0';
	return 0;
}
