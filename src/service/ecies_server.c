/* ecies_server.c - server side of ECIES requests (see ecies_server.h). */
#include <config.h>

#include "service/ecies_server.h"

#include <openssl/crypto.h>
#include <string.h>

#include "common/timeutil.h"
#include "crypto/primitives.h"
#include "service/secrets.h"
#include "store/replay.h"
#include "store/temporary_keys.h"

/* The private key that opens the envelope. */
static enum svc_rc
server_key(struct db *db, const struct config *cfg,
    const struct ecies_server_in *in, const struct ecies_request *req,
    EVP_PKEY **out)
{
	struct tkey_row k;
	const char *aid = in->act != NULL ? in->act->id : "";
	int rc;

	*out = NULL;
	if (in->version < PA_PROTO_33) {
		rc = in->act != NULL ? secret_server_key(cfg, in->act, out) :
		    secret_app_master_key(cfg, in->app, out);
		return rc == 0 ? SVC_OK : SVC_INTERNAL;
	}
	rc = tkey_get(db, req->temp_key_id, &k);
	if (rc != DB_OK)
		return rc == DB_NOT_FOUND ? SVC_TEMP_KEY : svc_from_db(rc,
		    SVC_INTERNAL);
	if (strcmp(k.app_key, in->app->app_key) != 0 ||
	    strcmp(k.activation_id, aid) != 0) {
		OPENSSL_cleanse(&k, sizeof(k));
		return SVC_TEMP_KEY;
	}
	rc = secret_private_key(cfg, SECRET_TEMP_KEY, NULL, k.id,
	    k.private_key_enc, out);
	OPENSSL_cleanse(&k, sizeof(k));
	return rc == 0 ? SVC_OK : SVC_INTERNAL;
}

/* Records the envelope; a second arrival is a replay. */
static enum svc_rc
remember(struct db *db, const struct config *cfg,
    const struct ecies_server_in *in, const struct ecies_request *req,
    int64_t now)
{
	uint8_t data[ECIES_EPH_MAX + ECIES_NONCE_LEN + 64], h[32];
	size_t n = 0, idlen;
	int rc;

	memcpy(data, req->eph, req->ephlen);
	n = req->ephlen;
	/* 3.1 keeps the nonce out of the MAC: a changed nonce must not make
	 * a replayed envelope look new. The ephemeral key alone identifies
	 * it (a fresh one per request). */
	if (req->has_nonce && in->version >= PA_PROTO_32) {
		memcpy(data + n, req->nonce, ECIES_NONCE_LEN);
		n += ECIES_NONCE_LEN;
	}
	if (in->act != NULL) {
		idlen = strlen(in->act->id);
		memcpy(data + n, in->act->id, idlen);
		n += idlen;
	}
	if (pa_sha256(data, n, h) != 0)
		return SVC_INTERNAL;
	rc = replay_insert(db, in->act != NULL ? REPLAY_SCOPE_ACTIVATION :
	    REPLAY_SCOPE_APPLICATION, h, now + 2000 * (int64_t)cfg->ecies_window);
	if (rc == DB_DUPLICATE)
		return SVC_ENCRYPTION;
	return svc_from_db(rc, SVC_INTERNAL);
}

static enum svc_rc
from_ecies(enum ecies_err e)
{
	switch (e) {
	case ECIES_OK:
		return SVC_OK;
	case ECIES_ERR_TEMP_KEY:
		return SVC_TEMP_KEY;
	case ECIES_ERR_INTERNAL:
	case ECIES_ERR_PARAM:
		return SVC_INTERNAL;
	default:
		return SVC_ENCRYPTION;
	}
}

enum svc_rc
ecies_server_open(struct db *db, const struct config *cfg,
    const struct ecies_server_in *in, json_object *envelope,
    struct ecies_ctx *ctx, struct buf *plain)
{
	struct ecies_request req;
	struct ecies_params p;
	EVP_PKEY *key = NULL;
	int64_t now = time_now_ms(), window = 1000 * (int64_t)cfg->ecies_window;
	enum svc_rc rc;

	memset(&req, 0, sizeof(req));
	memset(&p, 0, sizeof(p));
	if (envelope == NULL || ecies_request_from_object(envelope,
	    in->version, &req) != ECIES_OK) {
		rc = SVC_ENCRYPTION;
		goto fail;
	}
	if (req.has_timestamp && (req.timestamp > now + window ||
	    req.timestamp < now - window)) {
		rc = SVC_ENCRYPTION;
		goto fail;
	}
	p.version = in->version;
	p.scope = in->act != NULL ? ECIES_SCOPE_ACTIVATION :
	    ECIES_SCOPE_APPLICATION;
	p.app_key = in->app->app_key;
	p.app_secret = in->app->app_secret;
	if (in->act != NULL) {
		p.transport_key = in->keys->transport;
		p.activation_id = in->act->id;
	}
	if (ecies_sh1_scope(in->sh1) != p.scope) {
		rc = SVC_INTERNAL;
		goto fail;
	}
	if ((rc = server_key(db, cfg, in, &req, &key)) != SVC_OK)
		goto fail;
	if ((rc = from_ecies(ecies_ctx_init(ctx, &p, in->sh1))) != SVC_OK ||
	    (rc = from_ecies(ecies_decrypt_request(ctx, key, &req,
	    plain))) != SVC_OK)
		goto fail;
	rc = remember(db, cfg, in, &req, now);
fail:
	if (rc != SVC_OK)
		buf_reset(plain);
	EVP_PKEY_free(key);
	ecies_request_free(&req);
	return rc;
}

enum svc_rc
ecies_server_seal(struct ecies_ctx *ctx, const void *plain, size_t n,
    json_object **out)
{
	struct ecies_response resp;
	enum svc_rc rc = SVC_INTERNAL;

	memset(&resp, 0, sizeof(resp));
	*out = NULL;
	if (ecies_encrypt_response(ctx, plain, n, NULL, time_now_ms(),
	    &resp) == ECIES_OK && (*out = ecies_response_to_object(&resp)) !=
	    NULL)
		rc = SVC_OK;
	ecies_response_free(&resp);
	return rc;
}
