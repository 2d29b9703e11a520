/*
 * vault.h - vault unlock key transport (protocol.md §8):
 *   encryptedVaultEncryptionKey = AES-CBC-PKCS7(KEY_TRANSPORT, 0x00*16,
 *                                               KEY_ENCRYPTION_VAULT)
 * (32 bytes). Server side encrypts, device side decrypts and requires a
 * 16-byte result. Must not: decide authorization, log. 0 ok, -1 failure.
 */
#ifndef PASERV_CRYPTO_VAULT_H
#define PASERV_CRYPTO_VAULT_H

#include <stdint.h>

#include "crypto/primitives.h"

#define VAULT_ENC_KEY_LEN	32

int	vault_encrypt_key(const uint8_t transport[PA_KEY_LEN],
	    const uint8_t vault_key[PA_KEY_LEN],
	    uint8_t out[VAULT_ENC_KEY_LEN]);
int	vault_decrypt_key(const uint8_t transport[PA_KEY_LEN],
	    const uint8_t *enc, size_t n, uint8_t vault_key[PA_KEY_LEN]);

#endif
