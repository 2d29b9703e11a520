/*
 * jwt.c - temporary-key JWTs (see jwt.h).
 *
 * Implemented directly rather than with a JWT library: the protocol uses
 * 16-byte HS256 keys, which generic libraries refuse, and the signature must
 * be checked over the exact received text (the SDK's claim order is not
 * fixed). JSON parsing of the header and claims uses json-c with a small
 * depth limit; no logging, no lookups.
 */
#include "crypto/jwt.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "crypto/ec.h"
#include "crypto/headers.h"
#include "crypto/primitives.h"

#define JWT_HS256_HEADER	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define JWT_ES256_HEADER	"{\"typ\":\"JWT\",\"alg\":\"ES256\"}"

/* The three parts of a compact JWT. */
struct jwt_parts {
	const char	*h, *p, *s;
	size_t		 hlen, plen, slen;
};

int
jwt_key_application(const char *app_secret_b64, uint8_t key[16])
{
	if (app_secret_b64 == NULL)
		return -1;
	return b64_decode_exact(app_secret_b64, key, 16);
}

int
jwt_key_activation(const uint8_t transport_key[16],
    const char *app_secret_b64, uint8_t key[16])
{
	uint8_t raw[16];
	int rc = -1;

	if (jwt_key_application(app_secret_b64, raw) == 0 &&
	    pa_kdf_internal(transport_key, raw, sizeof(raw), key) == 0)
		rc = 0;
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

static int
split(const char *jwt, size_t n, struct jwt_parts *jp)
{
	const char *d1, *d2;

	if (jwt == NULL || n == 0 || n > JWT_MAX_LEN ||
	    memchr(jwt, '\0', n) != NULL)
		return -1;
	if ((d1 = memchr(jwt, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - jwt))) == NULL ||
	    memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - jwt)) != NULL)
		return -1;
	jp->h = jwt;
	jp->hlen = (size_t)(d1 - jwt);
	jp->p = d1 + 1;
	jp->plen = (size_t)(d2 - jp->p);
	jp->s = d2 + 1;
	jp->slen = n - (size_t)(jp->s - jwt);
	return jp->hlen > 0 && jp->plen > 0 && jp->slen > 0 ? 0 : -1;
}

/* base64url part -> JSON object (NULL if either step fails). */
static struct json_object *
part_json(const char *s, size_t n)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	uint8_t *raw = NULL;
	size_t len = 0;

	if ((raw = malloc(b64_decoded_max(n + 2) + 1)) == NULL)
		return NULL;
	if (b64url_decode(s, n, raw, b64_decoded_max(n + 2), &len) != 0 ||
	    len == 0 || (tok = json_tokener_new_ex(4)) == NULL)
		goto fail;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, (const char *)raw, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
fail:
	if (tok != NULL)	/* json-c's free does not accept NULL */
		json_tokener_free(tok);
	free(raw);
	return o;
}

static const char *
str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Copies a string claim of 1..max bytes; -1 if absent or too long. */
static int
copy_claim(struct json_object *o, const char *key, char *dst, size_t max)
{
	struct json_object *v;
	const char *s = str_member(o, key);
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return -1;
	/* no embedded NUL (\u0000) hiding a suffix */
	json_object_object_get_ex(o, key, &v);
	if ((size_t)json_object_get_string_len(v) != n)
		return -1;
	memcpy(dst, s, n + 1);
	return 0;
}

static int
header_alg_is(const struct jwt_parts *jp, const char *alg)
{
	struct json_object *h = part_json(jp->h, jp->hlen);
	const char *a = h != NULL ? str_member(h, "alg") : NULL;
	int ok = a != NULL && strcmp(a, alg) == 0;

	json_object_put(h);
	return ok;
}

/* Optional activationId claim: absent/null, or a UUID. */
static int
activation_claim(struct json_object *o, int *has, char *dst)
{
	struct json_object *v;

	*has = 0;
	if (!json_object_object_get_ex(o, "activationId", &v) || v == NULL)
		return 0;
	if (copy_claim(o, "activationId", dst, JWT_TEXT_MAX) != 0 ||
	    !hdr_uuid_valid(dst, strlen(dst)))
		return -1;
	*has = 1;
	return 0;
}

static int
app_key_claim(struct json_object *o, char *dst)
{
	uint8_t raw[16];

	if (copy_claim(o, "applicationKey", dst, JWT_TEXT_MAX) != 0)
		return -1;
	return b64_decode_exact(dst, raw, sizeof(raw));
}

enum jwt_err
jwt_request_parse(const char *jwt, size_t n, struct jwt_request_claims *out)
{
	struct jwt_parts jp;
	struct json_object *p = NULL;
	enum jwt_err e = JWT_ERR_CLAIMS;

	memset(out, 0, sizeof(*out));
	if (split(jwt, n, &jp) != 0)
		return JWT_ERR_FORMAT;
	if (!header_alg_is(&jp, "HS256"))
		return JWT_ERR_ALG;
	if ((p = part_json(jp.p, jp.plen)) == NULL)
		return JWT_ERR_FORMAT;
	if (app_key_claim(p, out->app_key) != 0 ||
	    activation_claim(p, &out->has_activation_id,
	    out->activation_id) != 0 ||
	    copy_claim(p, "challenge", out->challenge, JWT_CHALLENGE_MAX) != 0)
		goto fail;
	e = JWT_OK;
fail:
	json_object_put(p);
	if (e != JWT_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

enum jwt_err
jwt_request_verify(const char *jwt, size_t n, const uint8_t key[16])
{
	struct jwt_parts jp;
	uint8_t want[32], got[33];
	size_t len = 0;
	enum jwt_err e = JWT_ERR_SIGNATURE;

	if (split(jwt, n, &jp) != 0)
		return JWT_ERR_FORMAT;
	if (!header_alg_is(&jp, "HS256"))
		return JWT_ERR_ALG;
	if (b64url_decode(jp.s, jp.slen, got, sizeof(got), &len) != 0 ||
	    len != sizeof(want))
		return JWT_ERR_SIGNATURE;
	/* Signed text = "h.p" exactly as received. */
	if (pa_hmac_sha256(key, 16, (const uint8_t *)jwt,
	    jp.hlen + 1 + jp.plen, want) != 0)
		e = JWT_ERR_INTERNAL;
	else if (CRYPTO_memcmp(want, got, sizeof(want)) == 0)
		e = JWT_OK;
	OPENSSL_cleanse(want, sizeof(want));
	return e;
}

/* Appends base64url(p) to b. */
static void
append_b64url(struct buf *b, const uint8_t *p, size_t n)
{
	char *s;

	if ((s = malloc(b64_encoded_len(n) + 1)) == NULL) {
		b->failed = 1;
		return;
	}
	b64url_encode(p, n, s);
	buf_append_str(b, s);
	free(s);
}

/* Adds a string member; returns -1 on allocation failure. */
static int
add_str(struct json_object *o, const char *key, const char *val)
{
	struct json_object *v = json_object_new_string(val);

	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
add_int(struct json_object *o, const char *key, int64_t val)
{
	struct json_object *v = json_object_new_int64(val);

	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* "b64url(header).b64url(claims)" into b. */
static int
signing_input(struct buf *b, const char *header, struct json_object *claims)
{
	const char *p = json_object_to_json_string_ext(claims,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (p == NULL)
		return -1;
	append_b64url(b, (const uint8_t *)header, strlen(header));
	buf_append_byte(b, '.');
	append_b64url(b, (const uint8_t *)p, strlen(p));
	return b->failed ? -1 : 0;
}

char *
jwt_request_build(const uint8_t key[16], const struct jwt_request_claims *c)
{
	struct json_object *o;
	struct buf b = BUF_INIT;
	uint8_t mac[32];
	int bad;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad = add_str(o, "applicationKey", c->app_key) != 0 ||
	    (c->has_activation_id &&
	    add_str(o, "activationId", c->activation_id) != 0) ||
	    add_str(o, "challenge", c->challenge) != 0 ||
	    signing_input(&b, JWT_HS256_HEADER, o) != 0 ||
	    pa_hmac_sha256(key, 16, b.data, b.len, mac) != 0;
	json_object_put(o);
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	buf_append_byte(&b, '.');
	append_b64url(&b, mac, sizeof(mac));
	return buf_take_cstr(&b);
}

static struct json_object *
response_claims(const struct jwt_response_claims *c)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "sub", c->key_id) != 0 ||
	    add_str(o, "applicationKey", c->app_key) != 0 ||
	    (c->has_activation_id &&
	    add_str(o, "activationId", c->activation_id) != 0) ||
	    add_str(o, "challenge", c->challenge) != 0 ||
	    add_str(o, "publicKey", c->public_key) != 0 ||
	    add_int(o, "iat", c->iat_ms / 1000) != 0 ||
	    add_int(o, "exp", c->exp_ms / 1000) != 0 ||
	    add_int(o, "iat_ms", c->iat_ms) != 0 ||
	    add_int(o, "exp_ms", c->exp_ms) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

char *
jwt_response_build(const EVP_PKEY *signing_key,
    const struct jwt_response_claims *c)
{
	struct json_object *o;
	struct buf b = BUF_INIT;
	uint8_t der[PA_ECDSA_DER_MAX], jose[PA_ECDSA_JOSE_LEN];
	size_t derlen = 0;
	int bad;

	if (signing_key == NULL || (o = response_claims(c)) == NULL)
		return NULL;
	bad = signing_input(&b, JWT_ES256_HEADER, o) != 0 ||
	    pa_ecdsa_sign(signing_key, b.data, b.len, der, &derlen) != 0 ||
	    pa_ecdsa_der_to_jose(der, derlen, jose) != 0;
	json_object_put(o);
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	buf_append_byte(&b, '.');
	append_b64url(&b, jose, sizeof(jose));
	return buf_take_cstr(&b);
}

static int
int_claim(struct json_object *o, const char *key, int64_t *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) ||
	    !json_object_is_type(m, json_type_int))
		return -1;
	*v = json_object_get_int64(m);
	return *v < 0 ? -1 : 0;
}

static enum jwt_err
response_extract(const struct jwt_parts *jp, struct jwt_response_claims *out)
{
	struct json_object *p;
	enum jwt_err e = JWT_ERR_CLAIMS;

	if ((p = part_json(jp->p, jp->plen)) == NULL)
		return JWT_ERR_FORMAT;
	if (copy_claim(p, "sub", out->key_id, JWT_TEXT_MAX) == 0 &&
	    app_key_claim(p, out->app_key) == 0 &&
	    activation_claim(p, &out->has_activation_id,
	    out->activation_id) == 0 &&
	    copy_claim(p, "challenge", out->challenge, JWT_CHALLENGE_MAX) == 0 &&
	    copy_claim(p, "publicKey", out->public_key, JWT_PUBKEY_MAX) == 0 &&
	    int_claim(p, "iat_ms", &out->iat_ms) == 0 &&
	    int_claim(p, "exp_ms", &out->exp_ms) == 0)
		e = JWT_OK;
	json_object_put(p);
	return e;
}

enum jwt_err
jwt_response_verify(const char *jwt, size_t n, const EVP_PKEY *pub,
    struct jwt_response_claims *out)
{
	struct jwt_parts jp;
	uint8_t jose[PA_ECDSA_JOSE_LEN + 1], der[PA_ECDSA_DER_MAX];
	size_t len = 0, derlen = 0;
	enum jwt_err e;

	memset(out, 0, sizeof(*out));
	if (split(jwt, n, &jp) != 0)
		return JWT_ERR_FORMAT;
	if (!header_alg_is(&jp, "ES256"))
		return JWT_ERR_ALG;
	if (b64url_decode(jp.s, jp.slen, jose, sizeof(jose), &len) != 0 ||
	    len != PA_ECDSA_JOSE_LEN ||
	    pa_ecdsa_jose_to_der(jose, der, &derlen) != 0 ||
	    pa_ecdsa_verify(pub, (const uint8_t *)jwt, jp.hlen + 1 + jp.plen,
	    der, derlen) != 0)
		return JWT_ERR_SIGNATURE;
	if ((e = response_extract(&jp, out)) != JWT_OK)
		memset(out, 0, sizeof(*out));
	return e;
}
