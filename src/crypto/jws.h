/*
 * jws.h - compact JSON Web Signatures made by the server for other
 * services: ES256 (P-256, JOSE r||s signature; APNs provider tokens) and
 * RS256 (RSASSA-PKCS1-v1_5 with SHA-256; OAuth 2.0 JWT assertions such as
 * FCM's), and private keys read from PEM text.
 *
 * Owns: header.payload.signature with base64url (no padding) parts over
 * the given header and payload JSON texts, signing, and loading a PKCS#8
 * or traditional PEM private key of the expected type.
 * Must not: know what the claims mean (service/push_payload.h does), do
 * I/O or log.
 */
#ifndef PASERV_CRYPTO_JWS_H
#define PASERV_CRYPTO_JWS_H

#include <openssl/evp.h>
#include <stddef.h>

enum jws_alg {
	JWS_ES256 = 1,
	JWS_RS256
};

/* The JWS of payload (JSON text) under header (JSON text) signed with key
 * (a P-256 key for ES256, RSA of at least 2048 bits for RS256); a
 * malloc'ed string or NULL. */
char	*jws_sign(const EVP_PKEY *key, enum jws_alg alg, const char *header,
	    const char *payload);
/*
 * The private key in PEM text (n bytes, no passphrase): 0 and *out, or -1
 * when it is not a PEM private key for alg (a P-256 key for ES256, RSA of
 * 2048 bits or more for RS256).
 */
int	 jws_key_from_pem(const char *pem, size_t n, enum jws_alg alg,
	    EVP_PKEY **out);

/* The key as unencrypted PKCS#8 PEM text; malloc'ed, NULL on failure. */
char	*jws_key_to_pem(const EVP_PKEY *key);

#endif
