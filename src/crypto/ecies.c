/*
 * ecies.c - PowerAuth 3.x ECIES (protocol.md §4), see ecies.h.
 *
 * Owns the byte rules of the envelope only. Which private key to use, the
 * timestamp window and the replay store belong to the service layer; this
 * file must not log or touch storage. The JSON envelope codec lives here too
 * because its presence rules are per protocol version.
 *
 * Order matters for security: the MAC is checked (constant time) before any
 * byte is decrypted, and every derived secret is wiped before return.
 */
#include "crypto/ecies.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"

static const struct {
	const char		*text;
	enum ecies_scope	 scope;
} sh1_table[ECIES_SH1_COUNT] = {
	[ECIES_SH1_APPLICATION_GENERIC] =
	    { "/pa/generic/application", ECIES_SCOPE_APPLICATION },
	[ECIES_SH1_ACTIVATION_LAYER2] =
	    { "/pa/activation", ECIES_SCOPE_APPLICATION },
	[ECIES_SH1_UPGRADE] = { "/pa/upgrade", ECIES_SCOPE_ACTIVATION },
	[ECIES_SH1_VAULT_UNLOCK] =
	    { "/pa/vault/unlock", ECIES_SCOPE_ACTIVATION },
	[ECIES_SH1_TOKEN_CREATE] =
	    { "/pa/token/create", ECIES_SCOPE_ACTIVATION },
	[ECIES_SH1_RECOVERY_CONFIRM] =
	    { "/pa/recovery/confirm", ECIES_SCOPE_ACTIVATION },
	[ECIES_SH1_ACTIVATION_GENERIC] =
	    { "/pa/generic/activation", ECIES_SCOPE_ACTIVATION },
};

enum pa_proto_version
pa_proto_parse(const char *s)
{
	if (s == NULL || strlen(s) != 3 || s[0] != '3' || s[1] != '.')
		return (enum pa_proto_version)0;
	switch (s[2]) {
	case '0':
		return PA_PROTO_30;
	case '1':
		return PA_PROTO_31;
	case '2':
		return PA_PROTO_32;
	case '3':
		return PA_PROTO_33;
	default:
		return (enum pa_proto_version)0;
	}
}

const char *
pa_proto_str(enum pa_proto_version v)
{
	switch (v) {
	case PA_PROTO_30:
		return "3.0";
	case PA_PROTO_31:
		return "3.1";
	case PA_PROTO_32:
		return "3.2";
	case PA_PROTO_33:
		return "3.3";
	}
	return NULL;
}

const char *
ecies_sh1_str(enum ecies_sh1 s)
{
	if ((unsigned)s >= ECIES_SH1_COUNT)
		return NULL;
	return sh1_table[s].text;
}

enum ecies_scope
ecies_sh1_scope(enum ecies_sh1 s)
{
	if ((unsigned)s >= ECIES_SH1_COUNT)
		return ECIES_SCOPE_APPLICATION;
	return sh1_table[s].scope;
}

/* Copies a NUL-terminated text of at most ECIES_TEXT_MAX bytes. */
static int
copy_text(char dst[ECIES_TEXT_MAX + 1], const char *src)
{
	const char *end;

	if (src == NULL || *src == '\0')
		return -1;
	if ((end = memchr(src, '\0', ECIES_TEXT_MAX + 1)) == NULL)
		return -1;
	memcpy(dst, src, (size_t)(end - src) + 1);
	return 0;
}

static int
version_ok(enum pa_proto_version v)
{
	return pa_proto_str(v) != NULL;
}

static enum ecies_err
sh2_base_derive(struct ecies_ctx *c, const struct ecies_params *p)
{
	const uint8_t *s = (const uint8_t *)p->app_secret;
	size_t n;

	if (p->app_secret == NULL ||
	    memchr(p->app_secret, '\0', ECIES_TEXT_MAX + 1) == NULL)
		return ECIES_ERR_PARAM;
	n = strlen(p->app_secret);
	c->sh2baselen = PA_SHA256_LEN;
	if (p->scope == ECIES_SCOPE_APPLICATION)
		return pa_sha256(s, n, c->sh2base) == 0 ?
		    ECIES_OK : ECIES_ERR_INTERNAL;
	if (p->transport_key == NULL)
		return ECIES_ERR_PARAM;
	return pa_hmac_sha256(p->transport_key, PA_KEY_LEN, s, n,
	    c->sh2base) == 0 ? ECIES_OK : ECIES_ERR_INTERNAL;
}

enum ecies_err
ecies_ctx_init(struct ecies_ctx *c, const struct ecies_params *p,
    enum ecies_sh1 sh1)
{
	const char *s1 = ecies_sh1_str(sh1);
	enum ecies_err e;

	memset(c, 0, sizeof(*c));
	if (p == NULL || s1 == NULL || p->scope != ecies_sh1_scope(sh1))
		return ECIES_ERR_PARAM;
	if (!version_ok(p->version))
		return ECIES_ERR_VERSION;
	c->version = p->version;
	c->scope = p->scope;
	c->sh1len = strlen(s1);
	memcpy(c->sh1, s1, c->sh1len);
	if (p->app_key != NULL && copy_text(c->app_key, p->app_key) != 0)
		return ECIES_ERR_PARAM;
	if (p->version >= PA_PROTO_32 && p->app_key == NULL)
		return ECIES_ERR_PARAM;
	if (p->scope == ECIES_SCOPE_ACTIVATION && p->activation_id != NULL) {
		if (copy_text(c->activation_id, p->activation_id) != 0)
			return ECIES_ERR_PARAM;
		c->has_activation_id = 1;
	}
	if (p->scope == ECIES_SCOPE_ACTIVATION && p->version >= PA_PROTO_32 &&
	    !c->has_activation_id)
		return ECIES_ERR_PARAM;
	if (p->version == PA_PROTO_33 && p->temp_key_id != NULL) {
		if (copy_text(c->temp_key_id, p->temp_key_id) != 0)
			return ECIES_ERR_PARAM;
		c->has_temp_key_id = 1;
	}
	if ((e = sh2_base_derive(c, p)) != ECIES_OK)
		ecies_ctx_wipe(c);
	return e;
}

enum ecies_err
ecies_ctx_init_raw(struct ecies_ctx *c, enum pa_proto_version v,
    const uint8_t *sh1, size_t sh1len, const uint8_t *sh2, size_t sh2len)
{
	memset(c, 0, sizeof(*c));
	if (v != PA_PROTO_30 && v != PA_PROTO_31)
		return ECIES_ERR_VERSION;
	if (sh1len > ECIES_RAW_SH_MAX || sh2len > ECIES_RAW_SH_MAX ||
	    (sh1len > 0 && sh1 == NULL) || (sh2len > 0 && sh2 == NULL))
		return ECIES_ERR_PARAM;
	c->version = v;
	c->raw = 1;
	if (sh1len > 0)
		memcpy(c->sh1, sh1, sh1len);
	c->sh1len = sh1len;
	if (sh2len > 0)
		memcpy(c->sh2base, sh2, sh2len);
	c->sh2baselen = sh2len;
	return ECIES_OK;
}

void
ecies_ctx_set_envelope(struct ecies_ctx *c,
    const uint8_t ek[ECIES_ENVELOPE_LEN])
{
	memcpy(c->key_enc, ek, 16);
	memcpy(c->key_mac, ek + 16, 16);
	memcpy(c->key_iv, ek + 32, 16);
	c->has_envelope = 1;
}

void
ecies_ctx_wipe(struct ecies_ctx *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

void
ecies_response_withdraw(struct ecies_ctx *c)
{
	c->done_response = 0;
}

enum ecies_err
ecies_envelope_derive(enum pa_proto_version v, const uint8_t *sh1,
    size_t sh1len, const uint8_t z[32], const uint8_t *eph, size_t ephlen,
    uint8_t ek[ECIES_ENVELOPE_LEN])
{
	struct buf info = BUF_INIT;
	enum ecies_err e = ECIES_ERR_INTERNAL;

	if (!version_ok(v))
		return ECIES_ERR_VERSION;
	if (ephlen == 0 || ephlen > ECIES_EPH_MAX)
		return ECIES_ERR_KEY;
	/* 3.2+ binds the version into the KDF info (§4.3). */
	if (v >= PA_PROTO_32)
		buf_append_str(&info, pa_proto_str(v));
	if (sh1len > 0)
		buf_append(&info, sh1, sh1len);
	buf_append(&info, eph, ephlen);
	if (info.failed)
		goto fail;
	if (pa_x963_sha256(z, 32, info.data, info.len, ek,
	    ECIES_ENVELOPE_LEN) != 0)
		goto fail;
	e = ECIES_OK;
fail:
	buf_free(&info);
	return e;
}

enum ecies_err
ecies_associated_data(const struct ecies_ctx *c, struct buf *out)
{
	if (c->raw || c->version < PA_PROTO_32)
		return ECIES_OK;
	if (c->version == PA_PROTO_33 && !c->has_temp_key_id)
		return ECIES_ERR_PARAM;
	pa_lv_append_str(out, pa_proto_str(c->version));
	pa_lv_append_str(out, c->app_key);
	if (c->scope == ECIES_SCOPE_ACTIVATION)
		pa_lv_append_str(out, c->activation_id);
	if (c->version == PA_PROTO_33)
		pa_lv_append_str(out, c->temp_key_id);
	return out->failed ? ECIES_ERR_INTERNAL : ECIES_OK;
}

/*
 * SH2 of §4.4/§4.5: SH2_BASE for 3.0/3.1 (and the raw primitive), otherwise
 * LV(SH2_BASE, nonce, BE64(ts), eph or null, AD).
 */
static enum ecies_err
sh2_build(const struct ecies_ctx *c, const uint8_t *nonce, int64_t ts,
    const uint8_t *eph, size_t ephlen, struct buf *out)
{
	struct buf ad = BUF_INIT, be = BUF_INIT;
	enum ecies_err e;

	if (c->raw || c->version < PA_PROTO_32) {
		if (c->sh2baselen > 0)
			buf_append(out, c->sh2base, c->sh2baselen);
		return out->failed ? ECIES_ERR_INTERNAL : ECIES_OK;
	}
	if ((e = ecies_associated_data(c, &ad)) != ECIES_OK)
		goto fail;
	buf_append_be64(&be, (uint64_t)ts);
	pa_lv_append(out, c->sh2base, c->sh2baselen);
	pa_lv_append(out, nonce, ECIES_NONCE_LEN);
	pa_lv_append(out, be.data, be.len);
	pa_lv_append(out, eph, eph != NULL ? ephlen : 0);
	pa_lv_append(out, ad.data, ad.len);
	e = (out->failed || be.failed) ? ECIES_ERR_INTERNAL : ECIES_OK;
fail:
	buf_free(&ad);
	buf_free(&be);
	return e;
}

/* IV: zero for 3.0, KDF_INTERNAL(KEY_IV, nonce) otherwise. */
static enum ecies_err
iv_derive(const struct ecies_ctx *c, const uint8_t *nonce, uint8_t iv[16])
{
	if (c->version == PA_PROTO_30) {
		memset(iv, 0, 16);
		return ECIES_OK;
	}
	return pa_kdf_internal(c->key_iv, nonce, ECIES_NONCE_LEN, iv) == 0 ?
	    ECIES_OK : ECIES_ERR_INTERNAL;
}

/* Encrypt-then-MAC: data = AES-CBC-P(KEY_ENC, iv, plain), mac over data||SH2. */
static enum ecies_err
seal(const struct ecies_ctx *c, const uint8_t iv[16], const struct buf *sh2,
    const uint8_t *plain, size_t n, uint8_t **data, size_t *datalen,
    uint8_t mac[ECIES_MAC_LEN])
{
	static const uint8_t empty[1];
	uint8_t *out;
	size_t olen = 0;

	*data = NULL;
	if (n > ECIES_DATA_MAX || (n > 0 && plain == NULL))
		return ECIES_ERR_PARAM;
	if (plain == NULL)
		plain = empty;
	if ((out = malloc(n + PA_AES_BLOCK)) == NULL)
		return ECIES_ERR_INTERNAL;
	if (pa_aes_cbc_encrypt(c->key_enc, iv, 1, plain, n, out, &olen) != 0 ||
	    pa_hmac_sha256_2(c->key_mac, 16, out, olen, sh2->data, sh2->len,
	    mac) != 0) {
		free(out);
		return ECIES_ERR_INTERNAL;
	}
	*data = out;
	*datalen = olen;
	return ECIES_OK;
}

/* MAC check (constant time) first, then decryption into plain. */
static enum ecies_err
open_sealed(const struct ecies_ctx *c, const uint8_t iv[16],
    const struct buf *sh2, const uint8_t *data, size_t n,
    const uint8_t mac[ECIES_MAC_LEN], struct buf *plain)
{
	uint8_t want[ECIES_MAC_LEN], *tmp = NULL;
	size_t olen = 0;
	enum ecies_err e = ECIES_ERR_INTERNAL;

	buf_reset(plain);
	if (n == 0 || n % PA_AES_BLOCK != 0 || n > ECIES_DATA_MAX)
		return ECIES_ERR_FORMAT;
	if (pa_hmac_sha256_2(c->key_mac, 16, data, n, sh2->data, sh2->len,
	    want) != 0)
		goto fail;
	if (CRYPTO_memcmp(want, mac, ECIES_MAC_LEN) != 0) {
		e = ECIES_ERR_MAC;
		goto fail;
	}
	if ((tmp = malloc(n)) == NULL)
		goto fail;
	if (pa_aes_cbc_decrypt(c->key_enc, iv, 1, data, n, tmp, &olen) != 0) {
		e = ECIES_ERR_DECRYPT;
		goto fail;
	}
	e = buf_append(plain, tmp, olen) == 0 ? ECIES_OK : ECIES_ERR_INTERNAL;
fail:
	if (tmp != NULL) {
		OPENSSL_cleanse(tmp, n);
		free(tmp);
	}
	OPENSSL_cleanse(want, sizeof(want));
	return e;
}

/* Field presence per version (§4.6), for decoded requests. */
static enum ecies_err
request_fields_ok(enum pa_proto_version v, const struct ecies_request *r)
{
	if (r->ephlen == 0 || r->ephlen > ECIES_EPH_MAX || r->data == NULL ||
	    r->datalen == 0)
		return ECIES_ERR_FORMAT;
	if ((r->has_nonce != 0) != (v >= PA_PROTO_31) ||
	    (r->has_timestamp != 0) != (v >= PA_PROTO_32) ||
	    (r->has_temp_key_id != 0) != (v == PA_PROTO_33))
		return ECIES_ERR_FORMAT;
	return ECIES_OK;
}

static enum ecies_err
response_fields_ok(enum pa_proto_version v, const struct ecies_response *r)
{
	if (r->data == NULL || r->datalen == 0)
		return ECIES_ERR_FORMAT;
	if ((r->has_nonce != 0) != (v >= PA_PROTO_32) ||
	    (r->has_timestamp != 0) != (v >= PA_PROTO_32))
		return ECIES_ERR_FORMAT;
	return ECIES_OK;
}

/* ECDH with the exact ephemeral bytes, then the envelope key. */
static enum ecies_err
envelope_from_ecdh(struct ecies_ctx *c, const EVP_PKEY *priv,
    const EVP_PKEY *peer, const uint8_t *eph, size_t ephlen)
{
	uint8_t z[PA_EC_ECDH_LEN], ek[ECIES_ENVELOPE_LEN];
	enum ecies_err e = ECIES_ERR_KEY;

	if (pa_ec_ecdh(priv, peer, z) != 0)
		goto fail;
	e = ecies_envelope_derive(c->version, c->sh1, c->sh1len, z, eph,
	    ephlen, ek);
	if (e == ECIES_OK)
		ecies_ctx_set_envelope(c, ek);
fail:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(ek, sizeof(ek));
	return e;
}

static enum ecies_err
server_envelope(struct ecies_ctx *c, const EVP_PKEY *server_priv,
    const struct ecies_request *req)
{
	uint8_t z[PA_EC_ECDH_LEN], ek[ECIES_ENVELOPE_LEN];
	enum ecies_err e = ECIES_ERR_KEY;

	if (server_priv == NULL)
		return c->has_envelope ? ECIES_OK : ECIES_ERR_PARAM;
	/* The ephemeral key is used once: no EVP_PKEY for it (ec.h). */
	if (pa_ec_ecdh_bytes(server_priv, req->eph, req->ephlen, z) != 0)
		goto fail;
	e = ecies_envelope_derive(c->version, c->sh1, c->sh1len, z, req->eph,
	    req->ephlen, ek);
	if (e == ECIES_OK)
		ecies_ctx_set_envelope(c, ek);
fail:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(ek, sizeof(ek));
	return e;
}

/* 3.3: the AD carries the temporary key id the request names. */
static enum ecies_err
server_temp_key(struct ecies_ctx *c, const struct ecies_request *req)
{
	if (c->raw || c->version != PA_PROTO_33)
		return ECIES_OK;
	if (c->has_temp_key_id)
		return strcmp(c->temp_key_id, req->temp_key_id) == 0 ?
		    ECIES_OK : ECIES_ERR_TEMP_KEY;
	if (copy_text(c->temp_key_id, req->temp_key_id) != 0)
		return ECIES_ERR_FORMAT;
	c->has_temp_key_id = 1;
	return ECIES_OK;
}

enum ecies_err
ecies_decrypt_request(struct ecies_ctx *c, const EVP_PKEY *server_priv,
    const struct ecies_request *req, struct buf *plain)
{
	struct buf sh2 = BUF_INIT;
	uint8_t iv[16];
	enum ecies_err e;

	if (c->done_request || !version_ok(c->version))
		return ECIES_ERR_PARAM;
	if ((e = request_fields_ok(c->version, req)) != ECIES_OK ||
	    (e = server_temp_key(c, req)) != ECIES_OK ||
	    (e = server_envelope(c, server_priv, req)) != ECIES_OK)
		return e;
	c->done_request = 1;
	memcpy(c->eph, req->eph, req->ephlen);
	c->ephlen = req->ephlen;
	if (req->has_nonce) {
		memcpy(c->req_nonce, req->nonce, ECIES_NONCE_LEN);
		c->has_req_nonce = 1;
	}
	if ((e = sh2_build(c, req->nonce, req->timestamp, req->eph,
	    req->ephlen, &sh2)) != ECIES_OK)
		goto fail;
	if ((e = iv_derive(c, req->nonce, iv)) != ECIES_OK)
		goto fail;
	e = open_sealed(c, iv, &sh2, req->data, req->datalen, req->mac, plain);
fail:
	OPENSSL_cleanse(iv, sizeof(iv));
	buf_free(&sh2);
	return e;
}

/* Response nonce: given, or random and different from the request's. */
static enum ecies_err
response_nonce(const struct ecies_ctx *c, const uint8_t *given,
    uint8_t out[ECIES_NONCE_LEN])
{
	if (given != NULL) {
		memcpy(out, given, ECIES_NONCE_LEN);
		return ECIES_OK;
	}
	do {
		if (pa_random(out, ECIES_NONCE_LEN) != 0)
			return ECIES_ERR_INTERNAL;
	} while (c->has_req_nonce &&
	    memcmp(out, c->req_nonce, ECIES_NONCE_LEN) == 0);
	return ECIES_OK;
}

enum ecies_err
ecies_encrypt_response(struct ecies_ctx *c, const uint8_t *plain, size_t n,
    const uint8_t *nonce, int64_t ts_ms, struct ecies_response *out)
{
	struct buf sh2 = BUF_INIT;
	uint8_t iv[16];
	enum ecies_err e;

	memset(out, 0, sizeof(*out));
	if (!c->done_request || c->done_response || !c->has_envelope)
		return ECIES_ERR_PARAM;
	c->done_response = 1;
	if (c->version >= PA_PROTO_32 && !c->raw) {
		if ((e = response_nonce(c, nonce, out->nonce)) != ECIES_OK)
			goto fail;
		out->has_nonce = out->has_timestamp = 1;
		out->timestamp = ts_ms;
		e = iv_derive(c, out->nonce, iv);
	} else
		e = iv_derive(c, c->req_nonce, iv);	/* 3.1 reuses it */
	if (e != ECIES_OK ||
	    (e = sh2_build(c, out->nonce, ts_ms, NULL, 0, &sh2)) != ECIES_OK)
		goto fail;
	e = seal(c, iv, &sh2, plain, n, &out->data, &out->datalen, out->mac);
fail:
	if (e != ECIES_OK)
		ecies_response_free(out);
	OPENSSL_cleanse(iv, sizeof(iv));
	buf_free(&sh2);
	return e;
}

/* Device: fresh ephemeral key, compressed as the mobile SDK sends it. */
static enum ecies_err
device_envelope(struct ecies_ctx *c, const EVP_PKEY *server_pub,
    struct ecies_request *out)
{
	EVP_PKEY *eph = NULL;
	enum ecies_err e = ECIES_ERR_INTERNAL;

	if (server_pub == NULL)
		return ECIES_ERR_PARAM;
	if (pa_ec_generate(&eph) != 0)
		goto fail;
	if (pa_ec_public_to_bytes(eph, 1, out->eph, &out->ephlen) != 0)
		goto fail;
	e = envelope_from_ecdh(c, eph, server_pub, out->eph, out->ephlen);
fail:
	EVP_PKEY_free(eph);
	return e;
}

static enum ecies_err
device_fields(struct ecies_ctx *c, int64_t ts_ms, struct ecies_request *out)
{
	if (c->version >= PA_PROTO_31) {
		if (pa_random(out->nonce, ECIES_NONCE_LEN) != 0)
			return ECIES_ERR_INTERNAL;
		out->has_nonce = 1;
		memcpy(c->req_nonce, out->nonce, ECIES_NONCE_LEN);
		c->has_req_nonce = 1;
	}
	if (c->version >= PA_PROTO_32) {
		out->timestamp = ts_ms;
		out->has_timestamp = 1;
	}
	if (c->version == PA_PROTO_33 && !c->raw) {
		if (!c->has_temp_key_id)
			return ECIES_ERR_PARAM;
		memcpy(out->temp_key_id, c->temp_key_id,
		    sizeof(out->temp_key_id));
		out->has_temp_key_id = 1;
	}
	return ECIES_OK;
}

enum ecies_err
ecies_encrypt_request(struct ecies_ctx *c, const EVP_PKEY *server_pub,
    const uint8_t *plain, size_t n, int64_t ts_ms, struct ecies_request *out)
{
	struct buf sh2 = BUF_INIT;
	uint8_t iv[16];
	enum ecies_err e;

	memset(out, 0, sizeof(*out));
	if (c->done_request || !version_ok(c->version))
		return ECIES_ERR_PARAM;
	c->done_request = 1;
	if ((e = device_fields(c, ts_ms, out)) != ECIES_OK ||
	    (e = device_envelope(c, server_pub, out)) != ECIES_OK)
		goto fail;
	memcpy(c->eph, out->eph, out->ephlen);
	c->ephlen = out->ephlen;
	if ((e = sh2_build(c, out->nonce, ts_ms, out->eph, out->ephlen,
	    &sh2)) != ECIES_OK || (e = iv_derive(c, out->nonce, iv)) != ECIES_OK)
		goto fail;
	e = seal(c, iv, &sh2, plain, n, &out->data, &out->datalen, out->mac);
fail:
	if (e != ECIES_OK)
		ecies_request_free(out);
	OPENSSL_cleanse(iv, sizeof(iv));
	buf_free(&sh2);
	return e;
}

enum ecies_err
ecies_decrypt_response(struct ecies_ctx *c, const struct ecies_response *resp,
    struct buf *plain)
{
	struct buf sh2 = BUF_INIT;
	uint8_t iv[16];
	enum ecies_err e;

	if (!c->done_request || !c->has_envelope)
		return ECIES_ERR_PARAM;
	if ((e = response_fields_ok(c->raw ? PA_PROTO_31 : c->version,
	    resp)) != ECIES_OK)
		return e;
	if (c->version >= PA_PROTO_32 && !c->raw)
		e = iv_derive(c, resp->nonce, iv);
	else
		e = iv_derive(c, c->req_nonce, iv);
	if (e != ECIES_OK || (e = sh2_build(c, resp->nonce, resp->timestamp,
	    NULL, 0, &sh2)) != ECIES_OK)
		goto fail;
	e = open_sealed(c, iv, &sh2, resp->data, resp->datalen, resp->mac,
	    plain);
fail:
	OPENSSL_cleanse(iv, sizeof(iv));
	buf_free(&sh2);
	return e;
}

void
ecies_request_free(struct ecies_request *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

void
ecies_response_free(struct ecies_response *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

/* ---- JSON envelopes (§4.6) ---- */

/* Member of o; NULL when absent or JSON null. */
static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Strict Base64 string member into a fixed or allocated buffer. */
static int
member_b64(struct json_object *v, uint8_t *out, size_t cap, size_t *outlen)
{
	const char *s;
	int n;

	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (n <= 0 || (size_t)n > b64_encoded_len(cap))
		return -1;
	return b64_decode(s, (size_t)n, out, cap, outlen);
}

static int
member_b64_alloc(struct json_object *v, uint8_t **out, size_t *outlen)
{
	int n;

	*out = NULL;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	n = json_object_get_string_len(v);
	if (n <= 0 || b64_decoded_max((size_t)n) > ECIES_DATA_MAX)
		return -1;
	if ((*out = malloc(b64_decoded_max((size_t)n))) == NULL)
		return -1;
	return member_b64(v, *out, b64_decoded_max((size_t)n), outlen);
}

static int
member_nonce(struct json_object *v, uint8_t nonce[ECIES_NONCE_LEN])
{
	size_t n = 0;

	return member_b64(v, nonce, ECIES_NONCE_LEN, &n) == 0 &&
	    n == ECIES_NONCE_LEN ? 0 : -1;
}

static int
member_ts(struct json_object *v, int64_t *ts)
{
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*ts = json_object_get_int64(v);
	return *ts < 0 ? -1 : 0;
}

static struct json_object *
parse_text(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	size_t end;

	if (text == NULL || len == 0 || len > 2 * ECIES_DATA_MAX)
		return NULL;
	if ((tok = json_tokener_new_ex(8)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		for (end = json_tokener_get_parse_end(tok); end < len; end++)
			if (strchr(" \t\r\n", text[end]) == NULL)
				break;
		if (end == len && json_object_is_type(o, json_type_object))
			goto done;
	}
	json_object_put(o);
	o = NULL;
done:
	json_tokener_free(tok);
	return o;
}

static enum ecies_err
request_optional(struct json_object *o, enum pa_proto_version v,
    struct ecies_request *out)
{
	struct json_object *m;
	const char *s;

	if ((m = member(o, "nonce")) != NULL) {
		if (v < PA_PROTO_31 || member_nonce(m, out->nonce) != 0)
			return ECIES_ERR_FORMAT;
		out->has_nonce = 1;
	}
	if ((m = member(o, "timestamp")) != NULL) {
		if (v < PA_PROTO_32 || member_ts(m, &out->timestamp) != 0)
			return ECIES_ERR_FORMAT;
		out->has_timestamp = 1;
	}
	if ((m = member(o, "temporaryKeyId")) != NULL) {
		if (v < PA_PROTO_33 || !json_object_is_type(m, json_type_string))
			return ECIES_ERR_FORMAT;
		s = json_object_get_string(m);
		if (copy_text(out->temp_key_id, s) != 0 ||
		    strlen(s) != (size_t)json_object_get_string_len(m))
			return ECIES_ERR_FORMAT;
		out->has_temp_key_id = 1;
	}
	return ECIES_OK;
}

enum ecies_err
ecies_request_from_object(struct json_object *o, enum pa_proto_version v,
    struct ecies_request *out)
{
	size_t n = 0;
	enum ecies_err e = ECIES_ERR_FORMAT;

	memset(out, 0, sizeof(*out));
	if (!version_ok(v))
		return ECIES_ERR_VERSION;
	if (!json_object_is_type(o, json_type_object))
		return ECIES_ERR_FORMAT;
	if (member_b64(member(o, "ephemeralPublicKey"), out->eph,
	    ECIES_EPH_MAX, &out->ephlen) != 0 ||
	    (out->ephlen != PA_EC_PUB_COMPRESSED &&
	    out->ephlen != PA_EC_PUB_UNCOMPRESSED))
		goto fail;
	if (member_b64_alloc(member(o, "encryptedData"), &out->data,
	    &out->datalen) != 0 || out->datalen == 0)
		goto fail;
	if (member_b64(member(o, "mac"), out->mac, ECIES_MAC_LEN, &n) != 0 ||
	    n != ECIES_MAC_LEN)
		goto fail;
	if ((e = request_optional(o, v, out)) != ECIES_OK)
		goto fail;
	if ((e = request_fields_ok(v, out)) == ECIES_OK)
		return ECIES_OK;
fail:
	ecies_request_free(out);
	return e;
}

enum ecies_err
ecies_request_from_json(const char *text, size_t len, enum pa_proto_version v,
    struct ecies_request *out)
{
	struct json_object *o;
	enum ecies_err e;

	memset(out, 0, sizeof(*out));
	if ((o = parse_text(text, len)) == NULL)
		return ECIES_ERR_FORMAT;
	e = ecies_request_from_object(o, v, out);
	json_object_put(o);
	return e;
}

enum ecies_err
ecies_response_from_object(struct json_object *o, enum pa_proto_version v,
    struct ecies_response *out)
{
	struct json_object *m;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!version_ok(v))
		return ECIES_ERR_VERSION;
	if (!json_object_is_type(o, json_type_object))
		return ECIES_ERR_FORMAT;
	if (member_b64_alloc(member(o, "encryptedData"), &out->data,
	    &out->datalen) != 0 ||
	    member_b64(member(o, "mac"), out->mac, ECIES_MAC_LEN, &n) != 0 ||
	    n != ECIES_MAC_LEN)
		goto fail;
	if ((m = member(o, "nonce")) != NULL) {
		if (member_nonce(m, out->nonce) != 0)
			goto fail;
		out->has_nonce = 1;
	}
	if ((m = member(o, "timestamp")) != NULL) {
		if (member_ts(m, &out->timestamp) != 0)
			goto fail;
		out->has_timestamp = 1;
	}
	if (response_fields_ok(v, out) == ECIES_OK)
		return ECIES_OK;
fail:
	ecies_response_free(out);
	return ECIES_ERR_FORMAT;
}

enum ecies_err
ecies_response_from_json(const char *text, size_t len,
    enum pa_proto_version v, struct ecies_response *out)
{
	struct json_object *o;
	enum ecies_err e;

	memset(out, 0, sizeof(*out));
	if ((o = parse_text(text, len)) == NULL)
		return ECIES_ERR_FORMAT;
	e = ecies_response_from_object(o, v, out);
	json_object_put(o);
	return e;
}

/* Adds key: Base64(p). Returns -1 on allocation failure. */
static int
add_b64(struct json_object *o, const char *key, const uint8_t *p, size_t n)
{
	char *s;
	struct json_object *v;

	if ((s = b64_encode_new(p, n)) == NULL)
		return -1;
	v = json_object_new_string(s);
	free(s);
	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
add_ts(struct json_object *o, int64_t ts)
{
	struct json_object *v = json_object_new_int64(ts);

	if (v == NULL || json_object_object_add(o, "timestamp", v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

struct json_object *
ecies_request_to_object(const struct ecies_request *r)
{
	struct json_object *o, *v;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (r->has_temp_key_id) {
		v = json_object_new_string(r->temp_key_id);
		if (v == NULL || json_object_object_add(o, "temporaryKeyId",
		    v) != 0) {
			json_object_put(v);
			goto fail;
		}
	}
	if (add_b64(o, "ephemeralPublicKey", r->eph, r->ephlen) != 0 ||
	    add_b64(o, "encryptedData", r->data, r->datalen) != 0 ||
	    add_b64(o, "mac", r->mac, ECIES_MAC_LEN) != 0)
		goto fail;
	if (r->has_nonce && add_b64(o, "nonce", r->nonce, ECIES_NONCE_LEN) != 0)
		goto fail;
	if (r->has_timestamp && add_ts(o, r->timestamp) != 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

struct json_object *
ecies_response_to_object(const struct ecies_response *r)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_b64(o, "encryptedData", r->data, r->datalen) != 0 ||
	    add_b64(o, "mac", r->mac, ECIES_MAC_LEN) != 0)
		goto fail;
	if (r->has_nonce && add_b64(o, "nonce", r->nonce, ECIES_NONCE_LEN) != 0)
		goto fail;
	if (r->has_timestamp && add_ts(o, r->timestamp) != 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* Serialises compactly without escaping '/' (Base64 stays readable). */
static char *
object_text(struct json_object *o)
{
	const char *s;
	char *copy = NULL;
	size_t n;

	if (o == NULL)
		return NULL;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL && (copy = malloc((n = strlen(s)) + 1)) != NULL)
		memcpy(copy, s, n + 1);
	json_object_put(o);
	return copy;
}

char *
ecies_request_to_json(const struct ecies_request *r)
{
	return object_text(ecies_request_to_object(r));
}

char *
ecies_response_to_json(const struct ecies_response *r)
{
	return object_text(ecies_response_to_object(r));
}
