/*
 * keys.h - activation-scoped key material (protocol.md §1.5).
 *
 * Owns: KEY_MASTER_SECRET = reduce32to16(ECDH(priv, peer pub)) from either
 * side (server private + device public, or device private + server public),
 * and the keys derived from it with KDF: the three signature factor keys,
 * transport, vault, and the transport IV / CTR keys.
 * Must not: store keys, do I/O, log. Callers wipe with keys_clear().
 */
#ifndef PASERV_CRYPTO_KEYS_H
#define PASERV_CRYPTO_KEYS_H

#include <openssl/evp.h>
#include <stdint.h>

#include "crypto/primitives.h"

#define KEYS_IDX_POSSESSION	1
#define KEYS_IDX_KNOWLEDGE	2
#define KEYS_IDX_BIOMETRY	3
#define KEYS_IDX_TRANSPORT	1000
#define KEYS_IDX_VAULT		2000
#define KEYS_IDX_TRANSPORT_IV	3000
#define KEYS_IDX_TRANSPORT_CTR	4000

struct pa_keys {
	uint8_t	possession[PA_KEY_LEN];
	uint8_t	knowledge[PA_KEY_LEN];
	uint8_t	biometry[PA_KEY_LEN];
	uint8_t	transport[PA_KEY_LEN];
	uint8_t	vault[PA_KEY_LEN];
	uint8_t	transport_iv[PA_KEY_LEN];	/* KDF(transport, 3000) */
	uint8_t	transport_ctr[PA_KEY_LEN];	/* KDF(transport, 4000) */
};

/* Master secret from a private key and the peer's (validated) public key. */
int	keys_master_secret(const EVP_PKEY *priv, const EVP_PKEY *peer,
	    uint8_t master[PA_KEY_LEN]);
/* All derived keys from the master secret; wiped on failure. */
int	keys_derive(const uint8_t master[PA_KEY_LEN], struct pa_keys *out);
/* Master secret + derivation in one step (the master secret is wiped). */
int	keys_from_ecdh(const EVP_PKEY *priv, const EVP_PKEY *peer,
	    struct pa_keys *out);
/* OPENSSL_cleanse of the whole struct. */
void	keys_clear(struct pa_keys *k);

#endif
