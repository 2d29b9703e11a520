/* jws.c - compact JWS, ES256 and RS256 (see jws.h). */
#include <config.h>

#include "crypto/jws.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "crypto/ec.h"

#define JWS_TEXT_MAX	16384
#define RSA_MIN_BITS	2048
#define RSA_SIG_MAX	1024	/* 8192-bit keys */

/* Appends base64url(p, n) to b. */
static int
append_b64url(struct buf *b, const void *p, size_t n)
{
	char *s;
	size_t len;
	int rc;

	if ((s = malloc(b64_encoded_len(n) + 1)) == NULL)
		return -1;
	len = b64url_encode(p, n, s);
	rc = buf_append(b, s, len);
	free(s);
	return rc;
}

static int
sign_es256(const EVP_PKEY *key, const char *in, size_t n, uint8_t *sig,
    size_t *siglen)
{
	uint8_t der[PA_ECDSA_DER_MAX];
	size_t derlen = 0;

	if (pa_ecdsa_sign(key, (const uint8_t *)in, n, der, &derlen) != 0 ||
	    pa_ecdsa_der_to_jose(der, derlen, sig) != 0)
		return -1;
	*siglen = PA_ECDSA_JOSE_LEN;
	return 0;
}

static int
sign_rs256(const EVP_PKEY *key, const char *in, size_t n, uint8_t *sig,
    size_t *siglen)
{
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	size_t len = RSA_SIG_MAX;
	int rc = -1;

	if (EVP_PKEY_get_size(key) > RSA_SIG_MAX ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL,
	    (EVP_PKEY *)(uintptr_t)key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_DigestSign(ctx, sig, &len, (const uint8_t *)in, n) == 1) {
		*siglen = len;
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

char *
jws_sign(const EVP_PKEY *key, enum jws_alg alg, const char *header,
    const char *payload)
{
	struct buf b = BUF_INIT;
	uint8_t sig[RSA_SIG_MAX];
	size_t siglen = 0;
	int rc;

	if (key == NULL || header == NULL || payload == NULL ||
	    strlen(header) > JWS_TEXT_MAX || strlen(payload) > JWS_TEXT_MAX)
		return NULL;
	if (append_b64url(&b, header, strlen(header)) != 0 ||
	    buf_append(&b, ".", 1) != 0 ||
	    append_b64url(&b, payload, strlen(payload)) != 0)
		goto fail;
	if (alg == JWS_ES256 && EVP_PKEY_is_a(key, "EC"))
		rc = sign_es256(key, (const char *)b.data, b.len, sig, &siglen);
	else if (alg == JWS_RS256 && EVP_PKEY_is_a(key, "RSA"))
		rc = sign_rs256(key, (const char *)b.data, b.len, sig, &siglen);
	else
		rc = -1;
	if (rc != 0 || buf_append(&b, ".", 1) != 0 ||
	    append_b64url(&b, sig, siglen) != 0)
		goto fail;
	return buf_take_cstr(&b);
fail:
	buf_free(&b);
	return NULL;
}

/* A P-256 key. */
static int
is_p256(const EVP_PKEY *k)
{
	char group[64];
	size_t n = 0;

	return EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_utf8_string_param(k,
	    "group", group, sizeof(group), &n) == 1 &&
	    strcmp(group, "prime256v1") == 0;
}

int
jws_key_from_pem(const char *pem, size_t n, enum jws_alg alg,
    EVP_PKEY **out)
{
	BIO *bio;
	EVP_PKEY *k;
	int ok;

	*out = NULL;
	if (pem == NULL || n == 0 || n > JWS_TEXT_MAX ||
	    (bio = BIO_new_mem_buf(pem, (int)n)) == NULL)
		return -1;
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (k == NULL)
		return -1;
	if (alg == JWS_ES256)
		ok = is_p256(k);
	else
		ok = alg == JWS_RS256 && EVP_PKEY_is_a(k, "RSA") &&
		    EVP_PKEY_get_bits(k) >= RSA_MIN_BITS;
	if (!ok) {
		EVP_PKEY_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

char *
jws_key_to_pem(const EVP_PKEY *key)
{
	BIO *bio;
	BUF_MEM *m = NULL;
	char *out = NULL;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) ==
	    1 && BIO_get_mem_ptr(bio, &m) == 1 && m != NULL &&
	    (out = malloc(m->length + 1)) != NULL) {
		memcpy(out, m->data, m->length);
		out[m->length] = '\0';
	}
	if (m != NULL)
		OPENSSL_cleanse(m->data, m->length);
	BIO_free(bio);
	return out;
}
