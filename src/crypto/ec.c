/*
 * ec.c - P-256 keys, ECDH and ECDSA on OpenSSL 3 (see ec.h).
 *
 * Process-wide read-only state is built once (pthread_once): the curve group,
 * a parameters-only EVP_PKEY used as the template of every imported public
 * key, and the Montgomery context for point decompression. Creating the group
 * (what EVP_PKEY_fromdata() does for every key) costs about as much as a
 * third of an ECDH, so public keys are imported by copying the template's
 * parameters and setting the uncompressed point instead.
 *
 * Public keys are validated when imported: the point must decode (compressed
 * points are decompressed here, y^2 == x^3 - 3x + b checked), OpenSSL decodes
 * it again and EVP_PKEY_public_check_quick() checks range, curve membership
 * and not-infinity; P-256 has cofactor 1, so that also fixes the order. That
 * is what lets pa_ec_ecdh() skip the second validation OpenSSL would
 * otherwise do on every derive.
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

struct p256 {
	EC_GROUP	*group;
	EVP_PKEY	*tmpl;		/* parameters only */
	BIGNUM		*p, *b, *sqrt_exp;	/* field prime, b, (p + 1) / 4 */
	BN_MONT_CTX	*mont;
	int		 ok;
};

static pthread_once_t	 p256_once = PTHREAD_ONCE_INIT;
static struct p256	 P;

static EVP_PKEY *
template_key(void)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *k = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_paramgen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(ctx, SN_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_paramgen(ctx, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

/* Runs once; on failure P.ok stays 0 and every caller fails. */
static void
p256_init(void)
{
	BN_CTX *bc;

	if ((bc = BN_CTX_new()) == NULL)
		return;
	P.group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	P.tmpl = template_key();
	P.p = BN_new();
	P.b = BN_new();
	P.sqrt_exp = BN_new();
	P.mont = BN_MONT_CTX_new();
	if (P.group != NULL && P.tmpl != NULL && P.p != NULL && P.b != NULL &&
	    P.sqrt_exp != NULL && P.mont != NULL &&
	    EC_GROUP_get_curve(P.group, P.p, NULL, P.b, bc) == 1 &&
	    BN_copy(P.sqrt_exp, P.p) != NULL &&
	    BN_add_word(P.sqrt_exp, 1) == 1 &&
	    BN_rshift(P.sqrt_exp, P.sqrt_exp, 2) == 1 &&
	    BN_MONT_CTX_set(P.mont, P.p, bc) == 1)
		P.ok = 1;
	BN_CTX_free(bc);
}

static const struct p256 *
curve(void)
{
	if (pthread_once(&p256_once, p256_init) != 0 || !P.ok)
		return NULL;
	return &P;
}

static const EC_GROUP *
group(void)
{
	const struct p256 *c = curve();

	return c != NULL ? c->group : NULL;
}

/* Generation from the template's parameters skips building a new group. */
int
pa_ec_generate(EVP_PKEY **out)
{
	const struct p256 *c = curve();
	EVP_PKEY_CTX *ctx;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (c == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->tmpl, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, out) != 1) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return *out != NULL ? 0 : -1;
}

/* Key pair from an uncompressed point and the scalar (EVP_PKEY_fromdata is
 * the only OpenSSL 3 way to set an EC private key). */
static EVP_PKEY *
keypair_fromdata(const uint8_t pub[PA_EC_PUB_UNCOMPRESSED], const BIGNUM *d)
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
	    pub, PA_EC_PUB_UNCOMPRESSED) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1)
		goto fail;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		goto fail;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) != 1)
		k = NULL;
fail:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* clears the private scalar copy */
	OSSL_PARAM_BLD_free(bld);
	return k;
}

/*
 * 02|03 || X -> 04 || X || Y with y = rhs^((p+1)/4) (p = 3 mod 4), where
 * rhs = x^3 - 3x + b; fails unless x < p and y^2 == rhs (x on the curve).
 */
static int
decompress(const struct p256 *c, const uint8_t in[PA_EC_PUB_COMPRESSED],
    uint8_t out[PA_EC_PUB_UNCOMPRESSED])
{
	BN_CTX *bc;
	BIGNUM *x, *t, *y, *y2;
	int rc = -1;

	if ((bc = BN_CTX_new()) == NULL)
		return -1;
	BN_CTX_start(bc);
	x = BN_CTX_get(bc);
	t = BN_CTX_get(bc);
	y = BN_CTX_get(bc);
	if ((y2 = BN_CTX_get(bc)) == NULL ||
	    BN_bin2bn(in + 1, 32, x) == NULL || BN_cmp(x, c->p) >= 0)
		goto fail;
	if (BN_mod_sqr(t, x, c->p, bc) != 1 ||
	    BN_sub_word(t, 3) != 1 || BN_nnmod(t, t, c->p, bc) != 1 ||
	    BN_mod_mul(t, t, x, c->p, bc) != 1 ||
	    BN_mod_add_quick(t, t, c->b, c->p) != 1 ||
	    BN_mod_exp_mont(y, t, c->sqrt_exp, c->p, bc, c->mont) != 1 ||
	    BN_mod_sqr(y2, y, c->p, bc) != 1 || BN_cmp(y2, t) != 0)
		goto fail;		/* no square root: not on the curve */
	if (BN_is_odd(y) != (in[0] == 3)) {
		if (BN_is_zero(y) || BN_sub(y, c->p, y) != 1)
			goto fail;
	}
	out[0] = 4;
	memcpy(out + 1, in + 1, 32);
	if (BN_bn2binpad(y, out + 33, 32) == 32)
		rc = 0;
fail:
	BN_CTX_end(bc);
	BN_CTX_free(bc);
	return rc;
}

int
pa_ec_public_from_bytes(const uint8_t *p, size_t n, EVP_PKEY **out)
{
	const struct p256 *c = curve();
	uint8_t u[PA_EC_PUB_UNCOMPRESSED];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	int rc = -1;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (c == NULL || p == NULL)
		return -1;
	if (n == PA_EC_PUB_COMPRESSED && (p[0] == 2 || p[0] == 3)) {
		if (decompress(c, p, u) != 0)
			return -1;
	} else if (n == PA_EC_PUB_UNCOMPRESSED && p[0] == 4)
		memcpy(u, p, sizeof(u));
	else
		return -1;
	/* OpenSSL decodes (and curve-checks) the point once more here. */
	if ((k = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_copy_parameters(k, c->tmpl) != 1 ||
	    EVP_PKEY_set1_encoded_public_key(k, u, sizeof(u)) != 1)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL)) == NULL ||
	    EVP_PKEY_public_check_quick(ctx) != 1)
		goto fail;
	*out = k;
	k = NULL;
	rc = 0;
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

/*
 * Key pair from a scalar and, when the caller knows it, its public point
 * (uncompressed): the point saves the scalar multiplication that would
 * compute it. The point is still decoded and curve-checked by OpenSSL; a
 * point that is not d * G would only be reported wrongly by
 * pa_ec_public_to_bytes(), since ECDH and ECDSA use the scalar alone.
 */
static int
private_import(const uint8_t *d, size_t n, const uint8_t *known_pub,
    EVP_PKEY **out)
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
	if (known_pub != NULL)
		memcpy(pub, known_pub, sizeof(pub));
	else if ((pt = EC_POINT_new(g)) == NULL ||
	    EC_POINT_mul(g, pt, bn, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
	    sizeof(pub), NULL) != sizeof(pub))
		goto fail;
	if ((*out = keypair_fromdata(pub, bn)) == NULL)
		goto fail;
	rc = 0;
fail:
	BN_clear_free(bn);
	EC_POINT_free(pt);
	return rc;
}

int
pa_ec_private_from_bytes(const uint8_t *d, size_t n, EVP_PKEY **out)
{
	return pa_ec_keypair_from_bytes(d, n, NULL, 0, out);
}

int
pa_ec_keypair_from_bytes(const uint8_t *d, size_t n, const uint8_t *pub,
    size_t publen, EVP_PKEY **out)
{
	int usable = pub != NULL && publen == PA_EC_PUB_UNCOMPRESSED &&
	    pub[0] == 4;

	if (out == NULL)
		return -1;
	return private_import(d, n, usable ? pub : NULL, out);
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

	if (g == NULL || k == NULL || out == NULL || outlen == NULL ||
	    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, raw,
	    sizeof(raw), &n) != 1)
		return -1;
	if (n == PA_EC_PUB_UNCOMPRESSED && raw[0] == 4) {
		/* Our keys hold the uncompressed form: no point arithmetic. */
		if (compressed) {
			out[0] = (uint8_t)(2 | (raw[64] & 1));
			memcpy(out + 1, raw + 1, 32);
			*outlen = PA_EC_PUB_COMPRESSED;
		} else {
			memcpy(out, raw, n);
			*outlen = n;
		}
		return 0;
	}
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
pa_ec_ecdh_bytes(const EVP_PKEY *priv, const uint8_t *peer, size_t n,
    uint8_t z[PA_EC_ECDH_LEN])
{
	const EC_GROUP *g = group();
	EC_POINT *q = NULL, *r = NULL;
	BIGNUM *d = NULL, *x = NULL;
	BN_CTX *bc = NULL;
	int rc = -1;

	if (g == NULL || peer == NULL ||
	    (!(n == PA_EC_PUB_COMPRESSED && (peer[0] == 2 || peer[0] == 3)) &&
	    !(n == PA_EC_PUB_UNCOMPRESSED && peer[0] == 4)))
		return -1;
	if ((bc = BN_CTX_secure_new()) == NULL || (q = EC_POINT_new(g)) == NULL ||
	    (r = EC_POINT_new(g)) == NULL || (x = BN_new()) == NULL)
		goto fail;
	/* oct2point rejects points that are not on the curve. */
	if (EC_POINT_oct2point(g, q, peer, n, bc) != 1 ||
	    EC_POINT_is_at_infinity(g, q))
		goto fail;
	if (EVP_PKEY_get_bn_param(priv, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
		goto fail;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if (EC_POINT_mul(g, r, NULL, q, d, bc) != 1 ||
	    EC_POINT_is_at_infinity(g, r) ||
	    EC_POINT_get_affine_coordinates(g, r, x, NULL, bc) != 1 ||
	    BN_bn2binpad(x, z, PA_EC_ECDH_LEN) != PA_EC_ECDH_LEN)
		goto fail;
	rc = 0;
fail:
	if (rc != 0)
		OPENSSL_cleanse(z, PA_EC_ECDH_LEN);
	BN_clear_free(d);
	BN_clear_free(x);
	EC_POINT_clear_free(r);
	EC_POINT_free(q);
	BN_CTX_free(bc);
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
