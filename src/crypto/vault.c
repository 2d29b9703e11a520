/*
 * vault.c - vault key transport (protocol.md §8). Pure computation.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <string.h>

#include "crypto/vault.h"

static const uint8_t zero_iv[PA_AES_BLOCK];

int
vault_encrypt_key(const uint8_t transport[PA_KEY_LEN],
    const uint8_t vault_key[PA_KEY_LEN], uint8_t out[VAULT_ENC_KEY_LEN])
{
	size_t n = 0;

	if (transport == NULL || vault_key == NULL || out == NULL)
		return -1;
	if (pa_aes_cbc_encrypt(transport, zero_iv, 1, vault_key, PA_KEY_LEN,
	    out, &n) != 0 || n != VAULT_ENC_KEY_LEN) {
		OPENSSL_cleanse(out, VAULT_ENC_KEY_LEN);
		return -1;
	}
	return 0;
}

int
vault_decrypt_key(const uint8_t transport[PA_KEY_LEN], const uint8_t *enc,
    size_t n, uint8_t vault_key[PA_KEY_LEN])
{
	uint8_t plain[VAULT_ENC_KEY_LEN];
	size_t pl = 0;
	int rc = -1;

	if (transport == NULL || enc == NULL || vault_key == NULL ||
	    n != VAULT_ENC_KEY_LEN)
		return -1;
	if (pa_aes_cbc_decrypt(transport, zero_iv, 1, enc, n, plain,
	    &pl) != 0 || pl != PA_KEY_LEN)
		goto fail;
	memcpy(vault_key, plain, PA_KEY_LEN);
	rc = 0;
fail:
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}
