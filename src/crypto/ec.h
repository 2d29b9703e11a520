/*
 * ec.h - NIST P-256 keys, ECDH and ECDSA-SHA256 (protocol.md §0.1, §0.2, §12).
 *
 * Owns: key generation, strict import/export of public keys (SEC1 compressed
 * 33 bytes or uncompressed 65 bytes), private scalars (accepting the Java
 * BigInteger form: 31..33 bytes, optional leading 0x00), ECDH returning the
 * 32-byte X coordinate, ECDSA with DER and JOSE (r||s) signatures, and the
 * minimal-length X coordinate used by fingerprints.
 * Must not: do I/O or log. Keys are OpenSSL EVP_PKEY objects owned by the
 * caller (EVP_PKEY_free). Every imported public key has been validated (on the
 * curve, not infinity, correct order), so pa_ec_ecdh() can skip re-validation.
 *
 * Return convention: 0 success, -1 failure (invalid input or OpenSSL error).
 */
#ifndef PASERV_CRYPTO_EC_H
#define PASERV_CRYPTO_EC_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define PA_EC_PUB_COMPRESSED	33
#define PA_EC_PUB_UNCOMPRESSED	65
#define PA_EC_PRIV_LEN		32
#define PA_EC_ECDH_LEN		32
#define PA_ECDSA_DER_MAX	72
#define PA_ECDSA_JOSE_LEN	64

/* New random key pair. */
int	pa_ec_generate(EVP_PKEY **out);
/* Validated public key from SEC1 bytes (either encoding). */
int	pa_ec_public_from_bytes(const uint8_t *p, size_t n, EVP_PKEY **out);
/* Key pair from a private scalar (big-endian, unsigned, 1..33 bytes). */
int	pa_ec_private_from_bytes(const uint8_t *d, size_t n, EVP_PKEY **out);
/* The same, given the stored public point as well (65 bytes, 04 || X ||
 * Y; anything else is ignored and the point computed): cheaper. */
int	pa_ec_keypair_from_bytes(const uint8_t *d, size_t n, const uint8_t *pub,
	    size_t publen, EVP_PKEY **out);
/* SEC1 public point; out needs 65 bytes. */
int	pa_ec_public_to_bytes(const EVP_PKEY *k, int compressed, uint8_t *out,
	    size_t *outlen);
/* The private scalar as exactly 32 big-endian bytes. */
int	pa_ec_private_to_bytes(const EVP_PKEY *k, uint8_t out[PA_EC_PRIV_LEN]);
/* X coordinate without leading zero bytes (fingerprints, §2.4). */
int	pa_ec_public_x_minimal(const EVP_PKEY *k, uint8_t out[32],
	    size_t *outlen);
/* Shared secret Z = X(d * Q), 32 bytes, not reduced. */
int	pa_ec_ecdh(const EVP_PKEY *priv, const EVP_PKEY *peer,
	    uint8_t z[PA_EC_ECDH_LEN]);

/*
 * The same from the peer's SEC1 bytes, validated here (on the curve, not
 * infinity). Skips building an EVP_PKEY for a key used once (ECIES
 * ephemeral keys): that construction costs a curve-group set-up each time.
 */
int	pa_ec_ecdh_bytes(const EVP_PKEY *priv, const uint8_t *peer, size_t n,
	    uint8_t z[PA_EC_ECDH_LEN]);

/* ECDSA-SHA256; DER signature, der needs PA_ECDSA_DER_MAX bytes. */
int	pa_ecdsa_sign(const EVP_PKEY *priv, const uint8_t *m, size_t n,
	    uint8_t *der, size_t *derlen);
/* 0 if the DER signature is valid for m, -1 otherwise. */
int	pa_ecdsa_verify(const EVP_PKEY *pub, const uint8_t *m, size_t n,
	    const uint8_t *der, size_t derlen);
int	pa_ecdsa_der_to_jose(const uint8_t *der, size_t derlen,
	    uint8_t jose[PA_ECDSA_JOSE_LEN]);
int	pa_ecdsa_jose_to_der(const uint8_t jose[PA_ECDSA_JOSE_LEN],
	    uint8_t *der, size_t *derlen);

#endif
