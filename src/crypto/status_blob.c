/*
 * status_blob.c - activation status blob (see status_blob.h).
 *
 * Owns bytes only. The transport sub-keys are derived here from
 * KEY_TRANSPORT with the indices of keys.h (§1.5) so callers need to hold
 * just the transport key; every derived key is wiped before return.
 */
#include "crypto/status_blob.h"

#include <openssl/crypto.h>
#include <string.h>

#include "crypto/keys.h"
#include "crypto/primitives.h"

static const uint8_t blob_magic[4] = { 0xde, 0xc0, 0xde, 0xd1 };

int
status_blob_iv(const uint8_t transport_key[16], const uint8_t challenge[16],
    const uint8_t nonce[16], uint8_t iv[16])
{
	uint8_t k[16], data[32];
	int rc = -1;

	memcpy(data, challenge, 16);
	memcpy(data + 16, nonce, 16);
	if (pa_kdf(transport_key, KEYS_IDX_TRANSPORT_IV, k) == 0 &&
	    pa_kdf_internal(k, data, sizeof(data), iv) == 0)
		rc = 0;
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
status_blob_ctr_hash(const uint8_t transport_key[16],
    const uint8_t ctr_data[16], uint8_t out[16])
{
	uint8_t k[16];
	int rc = -1;

	if (pa_kdf(transport_key, KEYS_IDX_TRANSPORT_CTR, k) == 0 &&
	    pa_kdf_internal(k, ctr_data, 16, out) == 0)
		rc = 0;
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
status_blob_build(const struct status_blob *b, int with_challenge,
    uint8_t out[STATUS_BLOB_LEN])
{
	uint8_t rnd[STATUS_BLOB_LEN];

	if (pa_random(rnd, sizeof(rnd)) != 0)
		return -1;
	memcpy(out, blob_magic, 4);
	out[4] = b->status;
	out[5] = b->current_version;
	out[6] = b->upgrade_version;
	memcpy(out + 7, rnd + 7, 5);		/* reserved */
	out[12] = b->ctr_byte;
	out[13] = b->failed_attempts;
	out[14] = b->max_failed_attempts;
	out[15] = b->ctr_lookahead;
	memcpy(out + 16, b->ctr_data_hash, 16);
	if (!with_challenge) {
		/*
		 * A 3.0 client reads only status, versions and fail counts;
		 * with a zero IV the rest is filled with entropy (§6.2).
		 */
		out[12] = rnd[12];
		out[15] = rnd[15];
		memcpy(out + 16, rnd + 16, 16);
	}
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

static int
blob_crypt(int enc, const uint8_t transport_key[16], const uint8_t *challenge,
    const uint8_t *nonce, const uint8_t in[STATUS_BLOB_LEN],
    uint8_t out[STATUS_BLOB_LEN])
{
	uint8_t iv[16] = { 0 };
	size_t olen = 0;
	int rc = -1;

	if (challenge != NULL && (nonce == NULL ||
	    status_blob_iv(transport_key, challenge, nonce, iv) != 0))
		goto fail;
	if (enc)
		rc = pa_aes_cbc_encrypt(transport_key, iv, 0, in,
		    STATUS_BLOB_LEN, out, &olen);
	else
		rc = pa_aes_cbc_decrypt(transport_key, iv, 0, in,
		    STATUS_BLOB_LEN, out, &olen);
	if (rc == 0 && olen != STATUS_BLOB_LEN)
		rc = -1;
fail:
	OPENSSL_cleanse(iv, sizeof(iv));
	return rc;
}

int
status_blob_encrypt(const uint8_t transport_key[16], const uint8_t *challenge,
    const uint8_t *nonce, const uint8_t plain[STATUS_BLOB_LEN],
    uint8_t out[STATUS_BLOB_LEN])
{
	return blob_crypt(1, transport_key, challenge, nonce, plain, out);
}

int
status_blob_decrypt(const uint8_t transport_key[16], const uint8_t *challenge,
    const uint8_t *nonce, const uint8_t enc[STATUS_BLOB_LEN],
    uint8_t plain[STATUS_BLOB_LEN])
{
	return blob_crypt(0, transport_key, challenge, nonce, enc, plain);
}

int
status_blob_seal(const struct status_blob *info,
    const uint8_t transport_key[16], const uint8_t *ctr_data,
    const uint8_t *challenge, uint8_t nonce_out[16],
    uint8_t out[STATUS_BLOB_LEN])
{
	struct status_blob b = *info;
	uint8_t plain[STATUS_BLOB_LEN];
	int rc = -1;

	memset(b.ctr_data_hash, 0, sizeof(b.ctr_data_hash));
	if (ctr_data != NULL &&
	    status_blob_ctr_hash(transport_key, ctr_data, b.ctr_data_hash) != 0)
		goto fail;
	if (challenge != NULL && pa_random(nonce_out, 16) != 0)
		goto fail;
	if (status_blob_build(&b, challenge != NULL, plain) != 0)
		goto fail;
	rc = status_blob_encrypt(transport_key, challenge, nonce_out, plain,
	    out);
fail:
	OPENSSL_cleanse(plain, sizeof(plain));
	OPENSSL_cleanse(&b, sizeof(b));
	return rc;
}

int
status_blob_parse(const uint8_t plain[STATUS_BLOB_LEN],
    struct status_blob *out)
{
	memset(out, 0, sizeof(*out));
	if (memcmp(plain, blob_magic, 3) != 0 || plain[3] < 0xd1 ||
	    plain[3] > 0xdf)
		return -1;
	if (plain[4] < STATUS_CREATED || plain[4] > STATUS_REMOVED)
		return -1;
	out->status = plain[4];
	out->current_version = plain[5];
	out->upgrade_version = plain[6];
	out->ctr_byte = plain[12];
	out->failed_attempts = plain[13];
	out->max_failed_attempts = plain[14];
	out->ctr_lookahead = plain[15];
	memcpy(out->ctr_data_hash, plain + 16, 16);
	return 0;
}

int
status_blob_ctr_distance(const uint8_t transport_key[16],
    const uint8_t ctr_data[16], const uint8_t hash[16], unsigned lookahead)
{
	uint8_t k[16], ctr[16], h[16];
	int found = -1;

	if (lookahead > 1024 || pa_kdf(transport_key, KEYS_IDX_TRANSPORT_CTR,
	    k) != 0)
		return -1;
	memcpy(ctr, ctr_data, 16);
	for (unsigned d = 0; d <= lookahead && found < 0; d++) {
		if (pa_kdf_internal(k, ctr, 16, h) != 0)
			break;
		if (CRYPTO_memcmp(h, hash, 16) == 0)
			found = (int)d;
		else if (pa_ctr_next(ctr, ctr) != 0)
			break;
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(ctr, sizeof(ctr));
	OPENSSL_cleanse(h, sizeof(h));
	return found;
}
