/*
 * primitives.c - symmetric primitives on OpenSSL 3 (see primitives.h).
 *
 * Algorithm objects are fetched once (pthread_once) and shared read-only by all
 * threads; per-call contexts are created from them. An implicit fetch (e.g.
 * one-shot HMAC()) costs a property-query lookup on every call, which is a
 * measurable share of a signature verification.
 */
#include <config.h>

#include "crypto/primitives.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

static pthread_once_t	 init_once = PTHREAD_ONCE_INIT;
static EVP_MAC		*mac_hmac;
static EVP_MD		*md_sha256;
static EVP_CIPHER	*cipher_cbc;
static EVP_CIPHER	*cipher_ecb;
static int		 init_ok;

static void
fetch_all(void)
{
	mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	cipher_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
	cipher_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	init_ok = mac_hmac && md_sha256 && cipher_cbc && cipher_ecb;
}

int
crypto_init(void)
{
	if (pthread_once(&init_once, fetch_all) != 0)
		return -1;
	return init_ok ? 0 : -1;
}

int
pa_random(uint8_t *out, size_t n)
{
	if (n > INT32_MAX)
		return -1;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

int
pa_sha256(const uint8_t *m, size_t n, uint8_t out[PA_SHA256_LEN])
{
	unsigned int olen = 0;

	if (crypto_init() != 0)
		return -1;
	if (EVP_Digest(m, n, out, &olen, md_sha256, NULL) != 1 ||
	    olen != PA_SHA256_LEN)
		return -1;
	return 0;
}

int
pa_hmac_sha256_2(const uint8_t *key, size_t klen, const uint8_t *m1,
    size_t n1, const uint8_t *m2, size_t n2, uint8_t out[PA_SHA256_LEN])
{
	static const OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 6),
		OSSL_PARAM_END
	};
	EVP_MAC_CTX *ctx = NULL;
	size_t olen = 0;
	int rc = -1;

	if (crypto_init() != 0)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(mac_hmac)) == NULL)
		goto fail;
	if (EVP_MAC_init(ctx, key, klen, params) != 1)
		goto fail;
	if (n1 > 0 && EVP_MAC_update(ctx, m1, n1) != 1)
		goto fail;
	if (n2 > 0 && EVP_MAC_update(ctx, m2, n2) != 1)
		goto fail;
	if (EVP_MAC_final(ctx, out, &olen, PA_SHA256_LEN) != 1 ||
	    olen != PA_SHA256_LEN)
		goto fail;
	rc = 0;
fail:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
pa_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *m, size_t n,
    uint8_t out[PA_SHA256_LEN])
{
	return pa_hmac_sha256_2(key, klen, m, n, NULL, 0, out);
}

void
pa_reduce32to16(const uint8_t in[32], uint8_t out[PA_KEY_LEN])
{
	uint8_t tmp[PA_KEY_LEN];

	for (int i = 0; i < PA_KEY_LEN; i++)
		tmp[i] = in[i] ^ in[i + PA_KEY_LEN];
	memcpy(out, tmp, PA_KEY_LEN);
	OPENSSL_cleanse(tmp, sizeof(tmp));
}

static int
aes_run(const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *iv,
    int pad, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int l1 = 0, l2 = 0, rc = -1;

	if (n > INT32_MAX - PA_AES_BLOCK)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto fail;
	if (EVP_CipherInit_ex2(ctx, c, key, iv, enc, NULL) != 1)
		goto fail;
	EVP_CIPHER_CTX_set_padding(ctx, pad ? 1 : 0);
	if (EVP_CipherUpdate(ctx, out, &l1, in, (int)n) != 1)
		goto fail;
	if (EVP_CipherFinal_ex(ctx, out + l1, &l2) != 1)
		goto fail;
	*outlen = (size_t)l1 + (size_t)l2;
	rc = 0;
fail:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
pa_aes_cbc_encrypt(const uint8_t key[PA_KEY_LEN],
    const uint8_t iv[PA_AES_BLOCK], int pad, const uint8_t *in, size_t n,
    uint8_t *out, size_t *outlen)
{
	if (crypto_init() != 0 || (!pad && n % PA_AES_BLOCK != 0))
		return -1;
	return aes_run(cipher_cbc, 1, key, iv, pad, in, n, out, outlen);
}

int
pa_aes_cbc_decrypt(const uint8_t key[PA_KEY_LEN],
    const uint8_t iv[PA_AES_BLOCK], int pad, const uint8_t *in, size_t n,
    uint8_t *out, size_t *outlen)
{
	if (crypto_init() != 0 || n % PA_AES_BLOCK != 0 || (pad && n == 0))
		return -1;
	return aes_run(cipher_cbc, 0, key, iv, pad, in, n, out, outlen);
}

int
pa_kdf(const uint8_t key[PA_KEY_LEN], uint64_t index, uint8_t out[PA_KEY_LEN])
{
	uint8_t block[PA_AES_BLOCK] = { 0 };
	size_t olen = 0;

	if (crypto_init() != 0)
		return -1;
	for (int i = 15; i >= 8; i--, index >>= 8)
		block[i] = (uint8_t)index;
	if (aes_run(cipher_ecb, 1, key, NULL, 0, block, sizeof(block), out,
	    &olen) != 0 || olen != PA_KEY_LEN)
		return -1;
	return 0;
}

int
pa_kdf_internal(const uint8_t key[PA_KEY_LEN], const uint8_t *data, size_t n,
    uint8_t out[PA_KEY_LEN])
{
	uint8_t mac[PA_SHA256_LEN];
	int rc;

	rc = pa_hmac_sha256(key, PA_KEY_LEN, data, n, mac);
	if (rc == 0)
		pa_reduce32to16(mac, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
pa_x963_sha256(const uint8_t *z, size_t zlen, const uint8_t *info,
    size_t infolen, uint8_t *out, size_t outlen)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t block[PA_SHA256_LEN];
	uint32_t counter = 1;
	size_t done = 0;
	int rc = -1;

	if (crypto_init() != 0)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	while (done < outlen) {
		uint8_t be[4] = { counter >> 24, counter >> 16, counter >> 8,
		    counter };
		size_t take = outlen - done;

		if (EVP_DigestInit_ex2(ctx, md_sha256, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, z, zlen) != 1 ||
		    EVP_DigestUpdate(ctx, be, sizeof(be)) != 1 ||
		    (infolen > 0 && EVP_DigestUpdate(ctx, info, infolen) != 1) ||
		    EVP_DigestFinal_ex(ctx, block, NULL) != 1)
			goto fail;
		if (take > PA_SHA256_LEN)
			take = PA_SHA256_LEN;
		memcpy(out + done, block, take);
		done += take;
		counter++;
	}
	rc = 0;
fail:
	OPENSSL_cleanse(block, sizeof(block));
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
pa_ctr_next(const uint8_t in[PA_KEY_LEN], uint8_t out[PA_KEY_LEN])
{
	uint8_t h[PA_SHA256_LEN];

	if (pa_sha256(in, PA_KEY_LEN, h) != 0)
		return -1;
	pa_reduce32to16(h, out);
	return 0;
}

int
pa_lv_append(struct buf *b, const uint8_t *p, size_t n)
{
	if (p == NULL)
		n = 0;
	if (n > UINT32_MAX)
		return -1;
	if (buf_append_be32(b, (uint32_t)n) != 0)
		return -1;
	return buf_append(b, p, n);
}

int
pa_lv_append_str(struct buf *b, const char *s)
{
	return pa_lv_append(b, (const uint8_t *)s, s ? strlen(s) : 0);
}
