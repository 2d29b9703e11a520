/* tokens.c - MAC tokens (see tokens.h). */
#include <config.h>

#include "service/tokens.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "crypto/primitives.h"
#include "service/ecies_server.h"
#include "service/lookup_cache.h"
#include "service/secrets.h"
#include "store/replay.h"
#include "store/tokens.h"
#include "store/users.h"

enum svc_rc
token_issue(struct db *db, const struct config *cfg,
    const char *activation_id, enum hdr_sig_type type,
    char id[TOKEN_ID_LEN + 1], uint8_t secret[TOKEN_SECRET_LEN])
{
	struct token_row t;
	char *enc = NULL;
	enum svc_rc rc = SVC_INTERNAL;

	memset(&t, 0, sizeof(t));
	if (token_new(id, secret) != 0 || (enc = secret_seal(cfg,
	    SECRET_TOKEN, NULL, id, secret, TOKEN_SECRET_LEN,
	    TOKEN_SECRET_ENC_MAX)) == NULL)
		goto fail;
	memcpy(t.id, id, sizeof(t.id));
	snprintf(t.activation_id, sizeof(t.activation_id), "%s",
	    activation_id);
	strcpy(t.secret_enc, enc);
	snprintf(t.signature_type, sizeof(t.signature_type), "%s",
	    hdr_sig_type_str(type));
	rc = svc_from_db(token_insert(db, &t), SVC_INTERNAL);
fail:
	if (enc != NULL) {
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	OPENSSL_cleanse(&t, sizeof(t));
	if (rc != SVC_OK)
		OPENSSL_cleanse(secret, TOKEN_SECRET_LEN);
	return rc;
}

/* The digest matches the stored secret. */
static int
digest_ok(const struct config *cfg, const struct token_view *v,
    const struct hdr_token *h)
{
	uint8_t secret[32];
	size_t n = 0;
	int ok;

	ok = secret_open(cfg, SECRET_TOKEN, NULL, v->token.id,
	    v->token.secret_enc, secret, sizeof(secret), &n) >=
	    SECRET_KEY_CURRENT && token_verify(secret, h->version, h->nonce,
	    h->timestamp, h->digest) == 0;
	OPENSSL_cleanse(secret, sizeof(secret));
	return ok;
}

/*
 * First use of this nonce with this token (kept while ts is valid). The
 * insert runs on its own (token_check is never called inside a
 * transaction): on Galera the same nonce inserted on two nodes at once
 * makes one of them lose certification; the store runs such a lone
 * statement again, and it then meets the other's row and reads as the
 * replay it is.
 */
static enum svc_rc
first_use(struct db *db, const struct config *cfg, const struct hdr_token *h,
    int *fresh)
{
	uint8_t data[TOKEN_NONCE_LEN + TOKEN_ID_LEN], hash[32];
	int rc;

	memcpy(data, h->nonce, TOKEN_NONCE_LEN);
	memcpy(data + TOKEN_NONCE_LEN, h->token_id, TOKEN_ID_LEN);
	if (pa_sha256(data, sizeof(data), hash) != 0)
		return SVC_INTERNAL;
	rc = replay_insert(db, REPLAY_SCOPE_TOKEN, hash, h->timestamp_ms +
	    1000 * (int64_t)cfg->token_timestamp_validity);
	*fresh = rc == DB_OK;
	if (rc == DB_OK || rc == DB_DUPLICATE)
		return SVC_OK;
	return svc_from_db(rc, SVC_INTERNAL);
}

enum svc_rc
token_check(struct db *db, const struct config *cfg, const char *header,
    const struct reg_scope *scope, struct token_result *res,
    const char **why)
{
	struct hdr_token h;
	struct token_view *v = NULL;
	int64_t now = time_now_ms();
	enum svc_rc rc = SVC_OK;
	enum hdr_err he;
	int dbrc, fresh = 0;

	memset(res, 0, sizeof(*res));
	res->subject.status = REG_REMOVED;
	*why = NULL;
	if (header == NULL || (he = hdr_token_parse(header, strlen(header),
	    &h)) != HDR_OK) {
		*why = header == NULL ? "token header missing" :
		    hdr_err_str(he);
		return SVC_INVALID;
	}
	if (h.timestamp_ms < now - 1000 * (int64_t)cfg->token_timestamp_validity
	    || h.timestamp_ms > now + 1000 *
	    (int64_t)cfg->token_timestamp_forward)
		goto done;	/* outside the window: not valid */
	if ((v = malloc(sizeof(*v))) == NULL)
		return SVC_INTERNAL;
	dbrc = token_get(db, h.token_id, v);
	if (dbrc == DB_OK && scope != NULL && !scope->admin)
		dbrc = lookup_has_app(db, cfg, scope->caller_id, v->app_id);
	if (dbrc != DB_OK) {
		rc = svc_from_db(dbrc, SVC_OK);
		goto done;
	}
	res->type = hdr_sig_type_parse(v->token.signature_type);
	res->subject.found = 1;
	memcpy(res->subject.activation_id, v->token.activation_id,
	    sizeof(res->subject.activation_id));
	res->subject.status = v->status;
	memcpy(res->subject.user_id, v->user_id, sizeof(v->user_id));
	memcpy(res->subject.app_id, v->app_id, sizeof(v->app_id));
	memcpy(res->subject.flags, v->flags, sizeof(v->flags));
	memcpy(res->subject.roles, v->roles, sizeof(v->roles));
	if (v->status != REG_ACTIVE || !digest_ok(cfg, v, &h))
		goto done;
	if ((rc = first_use(db, cfg, &h, &fresh)) == SVC_OK)
		res->valid = fresh;
done:
	if (v != NULL) {
		OPENSSL_cleanse(v, sizeof(*v));
		free(v);
	}
	return rc;
}

enum svc_rc
token_remove(struct db *db, const char *activation_id, const char *token_id)
{
	int rc = token_delete(db, token_id, activation_id);

	return rc == DB_NOT_FOUND ? SVC_OK : svc_from_db(rc, SVC_INTERNAL);
}

struct create_arg {
	const struct config	*cfg;
	json_object		*envelope;
	json_object		*out;
};

/* After a valid signature: open the request, issue, seal the answer. */
static enum svc_rc
create_now(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	struct create_arg *ca = arg;
	struct ecies_ctx ecies;
	struct buf plain = BUF_INIT;
	json_object *o = NULL;
	uint8_t secret[TOKEN_SECRET_LEN];
	char id[TOKEN_ID_LEN + 1], b64[32];
	const char *text;
	enum svc_rc rc;

	/* A rerun after a lost conflict (sigauth.h) starts afresh. */
	json_object_put(ca->out);
	ca->out = NULL;
	if ((rc = sigauth_open_ecies(db, ca->cfg, c, ECIES_SH1_TOKEN_CREATE,
	    ca->envelope, &ecies, &plain)) != SVC_OK ||
	    (rc = token_issue(db, ca->cfg, c->act->id, c->header->sig_type, id,
	    secret)) != SVC_OK)
		goto fail;
	rc = SVC_INTERNAL;
	if ((o = json_object_new_object()) == NULL)
		goto fail;
	b64_encode(secret, sizeof(secret), b64);
	json_object_object_add(o, "tokenId", json_object_new_string(id));
	json_object_object_add(o, "tokenSecret", json_object_new_string(b64));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = ecies_server_seal(&ecies, text, strlen(text), &ca->out);
	OPENSSL_cleanse((char *)text, strlen(text));
	OPENSSL_cleanse(b64, sizeof(b64));
fail:
	json_object_put(o);
	OPENSSL_cleanse(secret, sizeof(secret));
	ecies_ctx_wipe(&ecies);
	buf_free(&plain);
	return rc;
}

enum svc_rc
token_create_signed(struct db *db, const struct config *cfg,
    const char *auth_header, const uint8_t *body, size_t bodylen,
    json_object *envelope, json_object **out)
{
	struct create_arg ca = { cfg, envelope, NULL };
	enum svc_rc rc;

	rc = sigauth_signed_call(db, cfg, auth_header, "/pa/token/create", body,
	    bodylen, SIGAUTH_2FA | SIGAUTH_TYPE(HDR_SIG_POSSESSION), create_now,
	    &ca, NULL);
	if (rc != SVC_OK) {
		json_object_put(ca.out);
		ca.out = NULL;
	}
	*out = ca.out;
	return rc;
}

struct remove_arg {
	const char	*token_id;
};

static enum svc_rc
remove_now(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	const struct remove_arg *ra = arg;

	return token_remove(db, c->act->id, ra->token_id);
}

enum svc_rc
token_remove_signed(struct db *db, const struct config *cfg,
    const char *auth_header, const uint8_t *body, size_t bodylen,
    const char *token_id)
{
	struct remove_arg ra = { token_id };

	return sigauth_signed_call(db, cfg, auth_header, "/pa/token/remove",
	    body, bodylen, SIGAUTH_ANY, remove_now, &ra, NULL);
}
