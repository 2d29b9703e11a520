/*
 * fingerprint.h - activation fingerprint, the 8-digit visual check of the key
 * exchange (protocol.md §2.4). Identical for 3.0-3.3; v2 for completeness.
 *
 * Owns: the hash and reduction. X coordinates are the minimal big-endian
 * encoding (leading zero bytes dropped), as both reference implementations do.
 * Must not: log, do I/O. Returns 0 ok, -1 failure.
 */
#ifndef PASERV_CRYPTO_FINGERPRINT_H
#define PASERV_CRYPTO_FINGERPRINT_H

#include <openssl/evp.h>

#define FINGERPRINT_LEN	8

/* SHA256(X(device) || UTF8(activation_id) || X(server)) -> 8 digits. */
int	fingerprint_v3(const EVP_PKEY *device_pub, const char *activation_id,
	    const EVP_PKEY *server_pub, char out[FINGERPRINT_LEN + 1]);
/* SHA256(X(device)) -> 8 digits (protocol 2). */
int	fingerprint_v2(const EVP_PKEY *device_pub,
	    char out[FINGERPRINT_LEN + 1]);

#endif
