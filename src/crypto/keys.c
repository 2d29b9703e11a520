/*
 * keys.c - activation-scoped key material (protocol.md §1.5).
 * Owns the master secret and KDF derivations; must not store or log keys.
 */
#include <config.h>

#include <openssl/crypto.h>

#include "crypto/ec.h"
#include "crypto/keys.h"

int
keys_master_secret(const EVP_PKEY *priv, const EVP_PKEY *peer,
    uint8_t master[PA_KEY_LEN])
{
	uint8_t z[PA_EC_ECDH_LEN];
	int rc = -1;

	if (priv == NULL || peer == NULL || master == NULL)
		return -1;
	if (pa_ec_ecdh(priv, peer, z) != 0)
		goto fail;
	pa_reduce32to16(z, master);
	rc = 0;
fail:
	OPENSSL_cleanse(z, sizeof(z));
	return rc;
}

int
keys_derive(const uint8_t master[PA_KEY_LEN], struct pa_keys *out)
{
	if (master == NULL || out == NULL)
		return -1;
	if (pa_kdf(master, KEYS_IDX_POSSESSION, out->possession) != 0 ||
	    pa_kdf(master, KEYS_IDX_KNOWLEDGE, out->knowledge) != 0 ||
	    pa_kdf(master, KEYS_IDX_BIOMETRY, out->biometry) != 0 ||
	    pa_kdf(master, KEYS_IDX_TRANSPORT, out->transport) != 0 ||
	    pa_kdf(master, KEYS_IDX_VAULT, out->vault) != 0 ||
	    pa_kdf(out->transport, KEYS_IDX_TRANSPORT_IV,
	    out->transport_iv) != 0 ||
	    pa_kdf(out->transport, KEYS_IDX_TRANSPORT_CTR,
	    out->transport_ctr) != 0) {
		keys_clear(out);
		return -1;
	}
	return 0;
}

int
keys_from_ecdh(const EVP_PKEY *priv, const EVP_PKEY *peer,
    struct pa_keys *out)
{
	uint8_t master[PA_KEY_LEN];
	int rc = -1;

	if (out == NULL)
		return -1;
	if (keys_master_secret(priv, peer, master) != 0)
		goto fail;
	rc = keys_derive(master, out);
fail:
	OPENSSL_cleanse(master, sizeof(master));
	return rc;
}

void
keys_clear(struct pa_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}
