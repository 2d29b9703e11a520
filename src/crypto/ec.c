/*
 * ec.c - P-256 keys, ECDH and ECDSA on OpenSSL 3 (see ec.h).
 *
 * Keys are EVP_PKEYs built from OSSL_PARAMs; the curve group needed for
 * point re-encoding and public-key derivation is created once per process
 * and only read afterwards. Public keys are validated when imported with
 * EVP_PKEY_public_check_quick (on the curve, not infinity): P-256 has
 * cofactor 1, so that already implies the right order, and the full check
 * would add a scalar multiplication per key (measured: import 51 -> 31 us,
 * activation-create crypto +60 %). That validation at import is what lets
 * pa_ec_ecdh() skip the second one OpenSSL would do on every derive.
 */
#include <config.h>

#include "crypto/ec.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <string.h>

static pthread_once_t	 group_once = PTHREAD_ONCE_INIT;
static EC_GROUP		*p256;

static void
group_init(void)
{
	p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

static const EC_GROUP *
group(void)
{
	if (pthread_once(&group_once, group_init) != 0)
		return NULL;
	return p256;
}

int
pa_ec_generate(EVP_PKEY **out)
{
	*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return *out != NULL ? 0 : -1;
}

/* Builds a public key or key pair from an encoded point (+ scalar). */
static EVP_PKEY *
key_fromdata(const uint8_t *pub, size_t publen, const BIGNUM *d)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto fail;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    SN_X9_62_prime256v1, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, publen) != 1)
		goto fail;
	if (d != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
	    d) != 1)
		goto fail;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		goto fail;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, d != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
fail:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* clears the private scalar copy */
	OSSL_PARAM_BLD_free(bld);
	return k;
}

int
pa_ec_public_from_bytes(const uint8_t *p, size_t n, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	int rc = -1;

	*out = NULL;
	if (p == NULL)
		return -1;
	if (!(n == PA_EC_PUB_COMPRESSED && (p[0] == 2 || p[0] == 3)) &&
	    !(n == PA_EC_PUB_UNCOMPRESSED && p[0] == 4))
		return -1;
	if ((k = key_fromdata(p, n, NULL)) == NULL)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL)) == NULL)
		goto fail;
	if (EVP_PKEY_public_check_quick(ctx) != 1)
		goto fail;
	*out = k;
	k = NULL;
	rc = 0;
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

int
pa_ec_private_from_bytes(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	const EC_GROUP *g = group();
	BIGNUM *bn = NULL;
	EC_POINT *pt = NULL;
	uint8_t pub[PA_EC_PUB_UNCOMPRESSED];
	int rc = -1;

	*out = NULL;
	if (g == NULL || d == NULL || n == 0 || n > 33)
		return -1;
	if (n == 33 && d[0] != 0)
		return -1;
	if ((bn = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, (int)n, bn) == NULL)
		goto fail;
	/* 1 <= d < order */
	if (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0)
		goto fail;
	if ((pt = EC_POINT_new(g)) == NULL ||
	    EC_POINT_mul(g, pt, bn, NULL, NULL, NULL) != 1)
		goto fail;
	if (EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
	    sizeof(pub), NULL) != sizeof(pub))
		goto fail;
	if ((*out = key_fromdata(pub, sizeof(pub), bn)) == NULL)
		goto fail;
	rc = 0;
fail:
	BN_clear_free(bn);
	EC_POINT_free(pt);
	return rc;
}

int
pa_ec_public_to_bytes(const EVP_PKEY *k, int compressed, uint8_t *out,
    size_t *outlen)
{
	const EC_GROUP *g = group();
	uint8_t raw[PA_EC_PUB_UNCOMPRESSED];
	EC_POINT *pt = NULL;
	size_t n = 0, len;
	int rc = -1;

	if (g == NULL || EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_PUB_KEY, raw, sizeof(raw), &n) != 1)
		return -1;
	if ((pt = EC_POINT_new(g)) == NULL ||
	    EC_POINT_oct2point(g, pt, raw, n, NULL) != 1)
		goto fail;
	len = EC_POINT_point2oct(g, pt, compressed ?
	    POINT_CONVERSION_COMPRESSED : POINT_CONVERSION_UNCOMPRESSED, out,
	    PA_EC_PUB_UNCOMPRESSED, NULL);
	if (len == 0)
		goto fail;
	*outlen = len;
	rc = 0;
fail:
	EC_POINT_free(pt);
	return rc;
}

int
pa_ec_private_to_bytes(const EVP_PKEY *k, uint8_t out[PA_EC_PRIV_LEN])
{
	BIGNUM *bn = NULL;
	int rc = -1;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1)
		return -1;
	if (BN_bn2binpad(bn, out, PA_EC_PRIV_LEN) == PA_EC_PRIV_LEN)
		rc = 0;
	BN_clear_free(bn);
	return rc;
}

int
pa_ec_public_x_minimal(const EVP_PKEY *k, uint8_t out[32], size_t *outlen)
{
	uint8_t pub[PA_EC_PUB_UNCOMPRESSED];
	size_t n = 0, skip = 0;

	if (pa_ec_public_to_bytes(k, 0, pub, &n) != 0 ||
	    n != PA_EC_PUB_UNCOMPRESSED)
		return -1;
	while (skip < 31 && pub[1 + skip] == 0)
		skip++;
	memcpy(out, pub + 1 + skip, 32 - skip);
	*outlen = 32 - skip;
	return 0;
}

int
pa_ec_ecdh(const EVP_PKEY *priv, const EVP_PKEY *peer,
    uint8_t z[PA_EC_ECDH_LEN])
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = PA_EC_ECDH_LEN;
	int rc = -1;

	/* The API takes non-const keys but does not modify them. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)priv,
	    NULL)) == NULL)
		goto fail;
	if (EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, (EVP_PKEY *)peer, 0) != 1 ||
	    EVP_PKEY_derive(ctx, z, &n) != 1 || n != PA_EC_ECDH_LEN)
		goto fail;
	rc = 0;
fail:
	if (rc != 0)
		OPENSSL_cleanse(z, PA_EC_ECDH_LEN);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int
pa_ecdsa_sign(const EVP_PKEY *priv, const uint8_t *m, size_t n, uint8_t *der,
    size_t *derlen)
{
	EVP_MD_CTX *ctx = NULL;
	size_t len = PA_ECDSA_DER_MAX;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL,
	    (EVP_PKEY *)priv, NULL) != 1 ||
	    EVP_DigestSign(ctx, der, &len, m, n) != 1)
		goto fail;
	*derlen = len;
	rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
pa_ecdsa_verify(const EVP_PKEY *pub, const uint8_t *m, size_t n,
    const uint8_t *der, size_t derlen)
{
	EVP_MD_CTX *ctx = NULL;
	int rc = -1;

	if (der == NULL || derlen == 0 || derlen > PA_ECDSA_DER_MAX)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL,
	    (EVP_PKEY *)pub, NULL) != 1)
		goto fail;
	if (EVP_DigestVerify(ctx, der, derlen, m, n) == 1)
		rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
pa_ecdsa_der_to_jose(const uint8_t *der, size_t derlen,
    uint8_t jose[PA_ECDSA_JOSE_LEN])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int rc = -1;

	if (derlen > PA_ECDSA_DER_MAX)
		return -1;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return -1;
	if (p != der + derlen)
		goto fail;	/* trailing bytes */
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, jose, 32) == 32 &&
	    BN_bn2binpad(s, jose + 32, 32) == 32)
		rc = 0;
fail:
	ECDSA_SIG_free(sig);
	return rc;
}

int
pa_ecdsa_jose_to_der(const uint8_t jose[PA_ECDSA_JOSE_LEN], uint8_t *der,
    size_t *derlen)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = der;
	int len, rc = -1;

	if ((sig = ECDSA_SIG_new()) == NULL)
		goto fail;
	if ((r = BN_bin2bn(jose, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(jose + 32, 32, NULL)) == NULL)
		goto fail;
	if (ECDSA_SIG_set0(sig, r, s) != 1)
		goto fail;
	r = s = NULL;	/* owned by sig now */
	len = i2d_ECDSA_SIG(sig, NULL);
	if (len <= 0 || len > PA_ECDSA_DER_MAX)
		goto fail;
	if (i2d_ECDSA_SIG(sig, &p) != len)
		goto fail;
	*derlen = (size_t)len;
	rc = 0;
fail:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}
