/*
 * dbenc.h - encryption of secrets stored in MariaDB ("at rest"), bound to the
 * record that holds them.
 *
 * Owns: key = KDF_INTERNAL(master key, UTF8(part1 "&" part2 "&" ...)),
 * value = Base64(random IV(16) || AES-128-CBC-PKCS7(key, IV, secret)).
 * This is the layout of the reference server's AES_HMAC mode (vectors in
 * extracted/server-db-encryption.json). Because the record identity is part
 * of the key, a value copied onto another row fails to decrypt.
 * Binding parts used by this project: activation server private key
 * {userId, activationId}; application master private key {"application",
 * appId}; other secrets name their record the same way (documented where used).
 */
#ifndef PASERV_CRYPTO_DBENC_H
#define PASERV_CRYPTO_DBENC_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'ed Base64 string, NULL on failure. */
char	*dbenc_encrypt(const uint8_t master[16], const char *const *parts,
	    size_t nparts, const uint8_t *secret, size_t n);
/* 0 and the plaintext in out (cap bytes), or -1 (wrong key/record, tampered,
 * malformed). Uses PKCS#7 padding as the integrity check of the binding. */
int	 dbenc_decrypt(const uint8_t master[16], const char *const *parts,
	    size_t nparts, const char *b64, uint8_t *out, size_t cap,
	    size_t *outlen);

#endif
