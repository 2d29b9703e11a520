/*
 * jwt.h - the temporary-key JWTs of protocol 3.3 (protocol.md §9.3).
 *
 * Owns: the HS256 request JWT (device builds, server verifies over the
 * received text with a 16-byte key: the raw application secret for
 * application scope, KDF_INTERNAL(KEY_TRANSPORT, raw app secret) for
 * activation scope), and the ES256 response JWT with a JOSE (r||s) signature
 * (server builds with the master or activation server key, device verifies).
 * base64url without padding everywhere; every size is bounded.
 * Must not: look up applications, activations or keys (service layer).
 */
#ifndef PASERV_CRYPTO_JWT_H
#define PASERV_CRYPTO_JWT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define JWT_MAX_LEN		4096
#define JWT_TEXT_MAX		64	/* app key, ids */
#define JWT_CHALLENGE_MAX	128
#define JWT_PUBKEY_MAX		128	/* Base64 of a 65-byte point = 88 */

enum jwt_err {
	JWT_OK = 0,
	JWT_ERR_FORMAT,		/* not three base64url parts / bad JSON */
	JWT_ERR_ALG,		/* header alg is not the expected one */
	JWT_ERR_CLAIMS,		/* a claim is missing or malformed */
	JWT_ERR_SIGNATURE,	/* signature does not verify */
	JWT_ERR_INTERNAL
};

struct jwt_request_claims {
	char	app_key[JWT_TEXT_MAX + 1];
	int	has_activation_id;
	char	activation_id[JWT_TEXT_MAX + 1];
	char	challenge[JWT_CHALLENGE_MAX + 1];
};

struct jwt_response_claims {
	char	key_id[JWT_TEXT_MAX + 1];		/* "sub" */
	char	app_key[JWT_TEXT_MAX + 1];
	int	has_activation_id;
	char	activation_id[JWT_TEXT_MAX + 1];
	char	challenge[JWT_CHALLENGE_MAX + 1];
	char	public_key[JWT_PUBKEY_MAX + 1];		/* standard Base64 */
	int64_t	iat_ms;
	int64_t	exp_ms;		/* iat/exp (seconds) are derived */
};

/* HS256 keys: application scope = raw app secret (16 bytes). */
int	jwt_key_application(const char *app_secret_b64, uint8_t key[16]);
/* Activation scope = KDF_INTERNAL(transport key, raw app secret). */
int	jwt_key_activation(const uint8_t transport_key[16],
	    const char *app_secret_b64, uint8_t key[16]);

/*
 * Server: checks the shape (header alg HS256) and extracts the claims
 * without verifying; the caller picks the key from the claims' scope and
 * then calls jwt_request_verify().
 */
enum jwt_err jwt_request_parse(const char *jwt, size_t n,
	    struct jwt_request_claims *out);
/* Constant-time HS256 check over the received "h.p" text. */
enum jwt_err jwt_request_verify(const char *jwt, size_t n,
	    const uint8_t key[16]);
/* Device: builds the request JWT; malloc'ed text, NULL on error. */
char	*jwt_request_build(const uint8_t key[16],
	    const struct jwt_request_claims *c);

/* Server: ES256 response (claims sub, applicationKey, [activationId],
 * challenge, publicKey, iat, exp, iat_ms, exp_ms); malloc'ed text. */
char	*jwt_response_build(const EVP_PKEY *signing_key,
	    const struct jwt_response_claims *c);
/* Device: verifies the ES256 signature with pub and extracts the claims;
 * comparing challenge/appKey/activationId is the caller's job. */
enum jwt_err jwt_response_verify(const char *jwt, size_t n,
	    const EVP_PKEY *pub, struct jwt_response_claims *out);

#endif
