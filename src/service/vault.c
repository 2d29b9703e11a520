/* vault.c - secure vault unlock (see service/vault.h). */
#include <config.h>

#include "service/vault.h"

#include <openssl/crypto.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "crypto/vault.h"
#include "service/ecies_server.h"
#include "service/sigauth.h"

#define REASON_MIN	3
#define REASON_MAX	255

struct unlock_arg {
	const struct config	*cfg;
	json_object		*envelope;
	json_object		*out;
};

/* The plaintext is {} or {"reason": "..."} with a sane reason. */
static int
reason_ok(struct buf *plain)
{
	json_object *o, *r;
	const char *s;
	size_t i, n;
	int ok = 0;

	if (buf_cstr(plain) == NULL ||
	    (o = json_tokener_parse(buf_cstr(plain))) == NULL)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		goto done;
	if (!json_object_object_get_ex(o, "reason", &r) || r == NULL) {
		ok = 1;		/* NOT_SPECIFIED */
		goto done;
	}
	if (!json_object_is_type(r, json_type_string))
		goto done;
	s = json_object_get_string(r);
	n = (size_t)json_object_get_string_len(r);
	if (n < REASON_MIN || n > REASON_MAX)
		goto done;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("_.-", s[i]) != NULL) || s[i] == '\0')
			goto done;
	ok = 1;
done:
	json_object_put(o);
	return ok;
}

static enum svc_rc
unlock_now(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	struct unlock_arg *ua = arg;
	struct ecies_ctx ecies;
	struct buf plain = BUF_INIT;
	json_object *o = NULL;
	uint8_t enc[VAULT_ENC_KEY_LEN];
	char b64[64];
	const char *text;
	enum svc_rc rc;

	/* A rerun after a lost conflict (sigauth.h) starts afresh. */
	json_object_put(ua->out);
	ua->out = NULL;
	if ((rc = sigauth_open_ecies(db, ua->cfg, c, ECIES_SH1_VAULT_UNLOCK,
	    ua->envelope, &ecies, &plain)) != SVC_OK)
		goto fail;
	rc = SVC_VAULT_INVALID;
	if (!reason_ok(&plain))
		goto fail;
	rc = SVC_INTERNAL;
	if (vault_encrypt_key(c->keys->transport, c->keys->vault, enc) != 0 ||
	    (o = json_object_new_object()) == NULL)
		goto fail;
	b64_encode(enc, sizeof(enc), b64);
	json_object_object_add(o, "encryptedVaultEncryptionKey",
	    json_object_new_string(b64));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = ecies_server_seal(&ecies, text, strlen(text), &ua->out);
	OPENSSL_cleanse((char *)text, strlen(text));
fail:
	json_object_put(o);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(b64, sizeof(b64));
	ecies_ctx_wipe(&ecies);
	buf_free(&plain);
	return rc;
}

enum svc_rc
vault_unlock_signed(struct db *db, const struct config *cfg,
    const char *auth_header, const uint8_t *body, size_t bodylen,
    json_object *envelope, json_object **out)
{
	struct unlock_arg ua = { cfg, envelope, NULL };
	unsigned allowed = SIGAUTH_TYPE(HDR_SIG_POSSESSION_KNOWLEDGE);
	enum svc_rc rc;

	if (cfg->vault_biometry)
		allowed |= SIGAUTH_TYPE(HDR_SIG_POSSESSION_BIOMETRY);
	rc = sigauth_signed_call(db, cfg, auth_header, "/pa/vault/unlock", body,
	    bodylen, allowed, unlock_now, &ua, NULL);
	if (rc != SVC_OK) {
		json_object_put(ua.out);
		ua.out = NULL;
	}
	*out = ua.out;
	return rc;
}
