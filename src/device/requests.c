/*
 * requests.c - device side of the signed (and signed + encrypted) calls:
 * request signatures (protocol.md §5), tokens (§7), vault unlock (§8) and
 * activation removal. The counter advances on every signature computed,
 * sent or not, exactly as on a phone.
 */
#include <config.h>

#include "device/device.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/headers.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "crypto/token.h"
#include "crypto/vault.h"
#include "device/keystore.h"
#include "device/session.h"

/* Signs DATA with the current counter data, then advances the counter. */
static int
sign_data(struct device *d, struct session *s, const struct buf *data,
    enum hdr_sig_type t, enum sig_format fmt, int digits, int wrong,
    char out[SIGNATURE_MAX_LEN + 1])
{
	struct sig_keys k = { s->keys.possession, s->keys.knowledge,
	    s->keys.biometry };
	uint8_t ctr[16], bad[16];
	int rc = -1;

	if (device_state_bytes(&d->st, "ctrData", ctr, 16, NULL) != 0)
		goto fail;
	if (wrong) {
		memcpy(bad, s->keys.knowledge, 16);
		bad[0] ^= 0x5a;		/* a mistyped PIN */
		k.knowledge = bad;
	}
	if (signature_compute(&k, t, ctr, data->data, data->len, fmt, digits,
	    out) != 0)
		goto fail;
	if (pa_ctr_next(ctr, ctr) != 0 ||
	    device_state_set_bytes(&d->st, "ctrData", ctr, 16) != 0 ||
	    device_state_set_int(&d->st, "counter",
	    device_state_int(&d->st, "counter", 0) + 1) != 0)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(ctr, sizeof(ctr));
	OPENSSL_cleanse(bad, sizeof(bad));
	if (rc != 0 && d->err[0] == '\0')
		snprintf(d->err, sizeof(d->err), "cannot compute signature");
	return rc;
}

int
device_skip(struct device *d, long n)
{
	uint8_t ctr[16];
	long i;
	int rc = -1;

	if (n < 0 || device_state_bytes(&d->st, "ctrData", ctr, 16,
	    NULL) != 0) {
		snprintf(d->err, sizeof(d->err), "no activation to skip on");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (pa_ctr_next(ctr, ctr) != 0)
			goto fail;
	if (device_state_set_bytes(&d->st, "ctrData", ctr, 16) != 0 ||
	    device_state_set_int(&d->st, "counter",
	    device_state_int(&d->st, "counter", 0) + n) != 0)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(ctr, sizeof(ctr));
	if (rc != 0)
		snprintf(d->err, sizeof(d->err), "cannot advance the counter");
	return rc;
}

char *
device_sign(struct device *d, const char *method, const char *uri_id,
    const uint8_t *body, size_t bodylen, const char *type, int wrong)
{
	struct session s;
	struct hdr_auth h;
	struct buf data = BUF_INIT;
	char *out = NULL;

	memset(&h, 0, sizeof(h));
	if ((h.sig_type = hdr_sig_type_parse(type)) == 0) {
		snprintf(d->err, sizeof(d->err), "unknown signature type %s",
		    type);
		return NULL;
	}
	if (session_open(d, &s) != 0)
		return NULL;
	h.version = d->version;
	snprintf(h.activation_id, sizeof(h.activation_id), "%s",
	    s.activation_id);
	snprintf(h.app_key, sizeof(h.app_key), "%s", d->app_key);
	if (b64_decode_exact(d->app_key, h.app_key_raw, 16) != 0 ||
	    pa_random(h.nonce, 16) != 0 ||
	    sigdata_build(&data, method, uri_id, h.nonce, body, bodylen,
	    d->app_secret) != 0)
		goto fail;
	if (sign_data(d, &s, &data, h.sig_type,
	    signature_format_for_version(d->version), 8, wrong,
	    h.signature) != 0)
		goto fail;
	h.signature_decimal = d->version == PA_PROTO_30;
	out = hdr_auth_build(&h);
fail:
	buf_free(&data);
	session_close(&s);
	return out;
}

char *
device_sign_offline(struct device *d, const char *uri_id,
    const char *nonce_b64, const uint8_t *body, size_t bodylen,
    const char *type, int digits)
{
	struct session s;
	struct buf data = BUF_INIT;
	uint8_t nonce[16];
	char sig[SIGNATURE_MAX_LEN + 1], *out = NULL;
	enum hdr_sig_type t = hdr_sig_type_parse(type);

	if (t == 0 || digits < SIGNATURE_DIGITS_MIN ||
	    digits > SIGNATURE_DIGITS_MAX ||
	    b64_decode_exact(nonce_b64, nonce, 16) != 0) {
		snprintf(d->err, sizeof(d->err), "bad type, digits or nonce");
		return NULL;
	}
	if (session_open(d, &s) != 0)
		return NULL;
	if (sigdata_build(&data, "POST", uri_id, nonce, body, bodylen,
	    SIGDATA_OFFLINE) == 0 && sign_data(d, &s, &data, t,
	    SIG_FORMAT_DECIMAL, digits, 0, sig) == 0)
		out = strdup(sig);
	buf_free(&data);
	session_close(&s);
	return out;
}

int
device_signed_call(struct device *d, const char *path, const char *uri_id,
    const char *body, const char *type, int wrong, long *status, char **resp)
{
	char hdr[HDR_MAX_LEN + 64], *value;
	const char *hdrs[2] = { hdr, NULL };

	value = device_sign(d, "POST", uri_id, (const uint8_t *)body,
	    strlen(body), type, wrong);
	if (value == NULL)
		return -1;
	snprintf(hdr, sizeof(hdr), "X-PowerAuth-Authorization: %s", value);
	free(value);
	return device_post(d, path, hdrs, body, status, resp);
}

/*
 * A signed call whose body is an activation-scope ECIES envelope
 * (encrypt-then-sign, as the SDK does for token/create and vault/unlock).
 * Returns the decrypted response object.
 */
static struct json_object *
encrypted_call(struct device *d, struct session *s, const char *path,
    const char *uri_id, enum ecies_sh1 sh1, const char *plain,
    const char *type)
{
	struct ecies_params p;
	struct ecies_ctx ctx;
	struct ecies_request req;
	struct ecies_response er;
	struct buf out = BUF_INIT;
	struct json_object *o = NULL;
	EVP_PKEY *pub = NULL;
	char tid[65] = "", *body = NULL, *reply = NULL;
	long status = 0;

	memset(&p, 0, sizeof(p));
	memset(&req, 0, sizeof(req));
	memset(&er, 0, sizeof(er));
	memset(&ctx, 0, sizeof(ctx));
	p.version = d->version;
	p.scope = ECIES_SCOPE_ACTIVATION;
	p.app_key = d->app_key;
	p.app_secret = d->app_secret;
	p.transport_key = s->keys.transport;
	p.activation_id = s->activation_id;
	if (d->version == PA_PROTO_33) {
		if (device_temp_key(d, 1, s->keys.transport, s->server_pub,
		    &pub, tid) != 0)
			goto fail;
		p.temp_key_id = tid;
	} else if (EVP_PKEY_up_ref(s->server_pub) == 1)
		pub = s->server_pub;
	if (pub == NULL || ecies_ctx_init(&ctx, &p, sh1) != ECIES_OK ||
	    ecies_encrypt_request(&ctx, pub, (const uint8_t *)plain,
	    strlen(plain), device_now_ms(), &req) != ECIES_OK ||
	    (body = ecies_request_to_json(&req)) == NULL)
		goto fail;
	if (device_signed_call(d, path, uri_id, body, type, 0, &status,
	    &reply) != 0)
		goto fail;
	if (status != 200) {
		snprintf(d->err, sizeof(d->err), "%s: HTTP %ld: %s", path,
		    status, reply);
		goto fail;
	}
	if (ecies_response_from_json(reply, strlen(reply), d->version,
	    &er) != ECIES_OK || ecies_decrypt_response(&ctx, &er, &out) !=
	    ECIES_OK || buf_cstr(&out) == NULL ||
	    (o = json_tokener_parse(buf_cstr(&out))) == NULL)
		snprintf(d->err, sizeof(d->err), "%s: response does not decrypt",
		    path);
fail:
	ecies_ctx_wipe(&ctx);
	ecies_request_free(&req);
	ecies_response_free(&er);
	buf_free(&out);
	EVP_PKEY_free(pub);
	free(body);
	free(reply);
	return o;
}

static const char *
member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

char *
device_token_create(struct device *d, const char *type)
{
	struct session s;
	struct json_object *o = NULL, *tokens;
	const char *id, *secret;
	uint8_t raw[16];
	char *out = NULL;

	if (session_open(d, &s) != 0)
		return NULL;
	o = encrypted_call(d, &s, "/pa/v3/token/create", "/pa/token/create",
	    ECIES_SH1_TOKEN_CREATE, "{}", type);
	if (o == NULL)
		goto fail;
	if ((id = member(o, "tokenId")) == NULL ||
	    (secret = member(o, "tokenSecret")) == NULL ||
	    !hdr_uuid_valid(id, strlen(id)) ||
	    b64_decode_exact(secret, raw, sizeof(raw)) != 0) {
		snprintf(d->err, sizeof(d->err), "token/create: bad answer");
		goto fail;
	}
	if ((tokens = device_state_object(&d->st, "tokens")) == NULL)
		goto fail;
	json_object_object_add(tokens, id, json_object_new_string(secret));
	out = strdup(id);
fail:
	OPENSSL_cleanse(raw, sizeof(raw));
	json_object_put(o);
	session_close(&s);
	return out;
}

char *
device_token_header(struct device *d, const char *token_id)
{
	struct json_object *tokens = device_state_object(&d->st, "tokens"), *v;
	struct hdr_token h;
	uint8_t secret[16];
	char *out = NULL;

	memset(&h, 0, sizeof(h));
	if (tokens == NULL || !json_object_object_get_ex(tokens, token_id, &v) ||
	    b64_decode_exact(json_object_get_string(v), secret, 16) != 0) {
		snprintf(d->err, sizeof(d->err), "unknown token %s", token_id);
		return NULL;
	}
	h.version = d->version;
	snprintf(h.token_id, sizeof(h.token_id), "%s", token_id);
	h.timestamp_ms = device_now_ms();
	snprintf(h.timestamp, sizeof(h.timestamp), "%lld",
	    (long long)h.timestamp_ms);
	if (pa_random(h.nonce, 16) == 0 && token_digest(secret, d->version,
	    h.nonce, h.timestamp, h.digest) == 0)
		out = hdr_token_build(&h);
	OPENSSL_cleanse(secret, sizeof(secret));
	return out;
}

int
device_vault_unlock(struct device *d, uint8_t key[16])
{
	struct session s;
	struct json_object *o;
	const char *enc;
	uint8_t raw[48];
	size_t n = 0;
	int rc = -1;

	if (session_open(d, &s) != 0)
		return -1;
	o = encrypted_call(d, &s, "/pa/v3/vault/unlock", "/pa/vault/unlock",
	    ECIES_SH1_VAULT_UNLOCK, "{\"reason\":\"FETCH_ENCRYPTION_KEY\"}",
	    "possession_knowledge");
	if (o != NULL && (enc = member(o, "encryptedVaultEncryptionKey")) !=
	    NULL && b64_decode(enc, strlen(enc), raw, sizeof(raw), &n) == 0 &&
	    vault_decrypt_key(s.keys.transport, raw, n, key) == 0)
		rc = 0;
	else if (o != NULL)
		snprintf(d->err, sizeof(d->err), "vault/unlock: bad answer");
	json_object_put(o);
	session_close(&s);
	return rc;
}

int
device_remove(struct device *d)
{
	char *resp = NULL;
	long status = 0;
	int rc = -1;

	if (device_signed_call(d, "/pa/v3/activation/remove",
	    "/pa/activation/remove", "{}", "possession_knowledge", 0, &status,
	    &resp) != 0)
		return -1;
	if (status == 200) {
		device_state_remove(&d->st, "activationId");
		device_state_remove(&d->st, "tokens");
		rc = 0;
	} else
		snprintf(d->err, sizeof(d->err), "activation/remove: HTTP %ld: %s",
		    status, resp);
	free(resp);
	return rc;
}
