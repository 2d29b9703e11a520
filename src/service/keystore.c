/* keystore.c - temporary encryption keys (see keystore.h). */
#include <config.h>

#include "service/keystore.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "crypto/jwt.h"
#include "crypto/keys.h"
#include "service/lookup_cache.h"
#include "service/secrets.h"
#include "store/activations.h"
#include "store/apps.h"
#include "store/temporary_keys.h"

struct work {
	struct jwt_request_claims	 req;
	struct jwt_response_claims	 resp;
	struct app_row			 app;
	struct act_row			 act;
	struct pa_keys			 keys;
	struct tkey_row			 key;
	uint8_t				 hs_key[16];
};

/* The HS256 key and the ES256 signing key of the request's scope. */
static enum svc_rc
scope_keys(struct db *db, const struct config *cfg, struct work *w,
    EVP_PKEY **signer, const char **why)
{
	int dbrc;

	*signer = NULL;
	dbrc = lookup_app_by_key(db, cfg, w->req.app_key, &w->app);
	if (dbrc != DB_OK) {
		*why = "unknown application key";
		return svc_from_db(dbrc, SVC_TEMP_KEY);
	}
	if (!w->req.has_activation_id) {
		if (jwt_key_application(w->app.app_secret, w->hs_key) != 0 ||
		    secret_app_master_key(cfg, &w->app, signer) != 0)
			return SVC_INTERNAL;
		return SVC_OK;
	}
	dbrc = act_get(db, w->req.activation_id, &w->act);
	if (dbrc != DB_OK) {
		*why = "unknown activation";
		return svc_from_db(dbrc, SVC_TEMP_KEY);
	}
	if (strcmp(w->act.app_id, w->app.id) != 0 ||
	    (w->act.status != REG_ACTIVE && w->act.status != REG_BLOCKED)) {
		*why = "activation of another application or not active";
		return SVC_TEMP_KEY;
	}
	if (secret_activation_keys(cfg, &w->act, &w->keys) != 0 ||
	    jwt_key_activation(w->keys.transport, w->app.app_secret,
	    w->hs_key) != 0 || secret_server_key(cfg, &w->act, signer) != 0)
		return SVC_INTERNAL;
	return SVC_OK;
}

/* A new key pair, stored; the response claims filled. */
static enum svc_rc
new_key(struct db *db, const struct config *cfg, struct work *w)
{
	char *enc = NULL;
	int64_t now = time_now_ms();
	enum svc_rc rc = SVC_INTERNAL;

	if (uuid_v4_generate(w->key.id) != 0 ||
	    secret_keypair_new(cfg, SECRET_TEMP_KEY, NULL, w->key.id,
	    REG_PRIV_ENC_MAX, w->key.public_key, &w->key.public_key_len,
	    &enc, NULL) != 0)
		goto fail;
	strcpy(w->key.private_key_enc, enc);
	snprintf(w->key.app_key, sizeof(w->key.app_key), "%s",
	    w->app.app_key);
	if (w->req.has_activation_id)
		memcpy(w->key.activation_id, w->act.id, sizeof(w->act.id));
	w->key.expires_ms = now + 1000 * (int64_t)cfg->temporary_key_validity;
	if ((rc = svc_from_db(tkey_insert(db, &w->key), SVC_INTERNAL)) !=
	    SVC_OK)
		goto fail;
	memcpy(w->resp.key_id, w->key.id, sizeof(w->key.id));
	memcpy(w->resp.app_key, w->req.app_key, sizeof(w->resp.app_key));
	w->resp.has_activation_id = w->req.has_activation_id;
	memcpy(w->resp.activation_id, w->req.activation_id,
	    sizeof(w->resp.activation_id));
	memcpy(w->resp.challenge, w->req.challenge, sizeof(w->resp.challenge));
	b64_encode(w->key.public_key, w->key.public_key_len,
	    w->resp.public_key);
	w->resp.iat_ms = now;
	w->resp.exp_ms = w->key.expires_ms;
fail:
	if (enc != NULL) {
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	return rc;
}

enum svc_rc
keystore_create(struct db *db, const struct config *cfg, const char *jwt,
    size_t n, char **out, const char **why)
{
	struct work *w;
	EVP_PKEY *signer = NULL;
	enum svc_rc rc = SVC_TEMP_KEY;

	*out = NULL;
	*why = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return SVC_INTERNAL;
	if (jwt_request_parse(jwt, n, &w->req) != JWT_OK) {
		*why = "request JWT malformed";
		goto done;
	}
	if ((rc = scope_keys(db, cfg, w, &signer, why)) != SVC_OK)
		goto done;
	if (jwt_request_verify(jwt, n, w->hs_key) != JWT_OK) {
		*why = "request JWT signature does not verify";
		rc = SVC_TEMP_KEY;
		goto done;
	}
	if ((rc = new_key(db, cfg, w)) != SVC_OK)
		goto done;
	if ((*out = jwt_response_build(signer, &w->resp)) == NULL)
		rc = SVC_INTERNAL;
done:
	EVP_PKEY_free(signer);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
	return rc;
}
