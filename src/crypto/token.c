/*
 * token.c - MAC token digest (protocol.md §7.3). Pure computation.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <string.h>

#include "common/uuid.h"
#include "crypto/primitives.h"
#include "crypto/token.h"

int
token_secret_generate(uint8_t secret[TOKEN_SECRET_LEN])
{
	if (secret == NULL)
		return -1;
	return pa_random(secret, TOKEN_SECRET_LEN);
}

int
token_new(char id[TOKEN_ID_LEN + 1], uint8_t secret[TOKEN_SECRET_LEN])
{
	if (id == NULL || secret == NULL)
		return -1;
	if (uuid_v4_generate(id) != 0 || token_secret_generate(secret) != 0) {
		OPENSSL_cleanse(id, TOKEN_ID_LEN + 1);
		OPENSSL_cleanse(secret, TOKEN_SECRET_LEN);
		return -1;
	}
	return 0;
}

int
token_digest(const uint8_t secret[TOKEN_SECRET_LEN], enum pa_proto_version v,
    const uint8_t nonce[TOKEN_NONCE_LEN], const char *ts,
    uint8_t out[TOKEN_DIGEST_LEN])
{
	uint8_t msg[TOKEN_NONCE_LEN + 1 + TOKEN_TS_MAX + 4];
	const char *vs;
	size_t tl, n;
	int rc;

	if (secret == NULL || nonce == NULL || ts == NULL || out == NULL)
		return -1;
	tl = strlen(ts);
	if (tl == 0 || tl > TOKEN_TS_MAX || (vs = pa_proto_str(v)) == NULL)
		return -1;
	memcpy(msg, nonce, TOKEN_NONCE_LEN);
	msg[TOKEN_NONCE_LEN] = '&';
	memcpy(msg + TOKEN_NONCE_LEN + 1, ts, tl);
	n = TOKEN_NONCE_LEN + 1 + tl;
	if (v == PA_PROTO_32 || v == PA_PROTO_33) {
		msg[n++] = '&';
		memcpy(msg + n, vs, 3);
		n += 3;
	}
	rc = pa_hmac_sha256(secret, TOKEN_SECRET_LEN, msg, n, out);
	OPENSSL_cleanse(msg, sizeof(msg));
	return rc;
}

int
token_verify(const uint8_t secret[TOKEN_SECRET_LEN], enum pa_proto_version v,
    const uint8_t nonce[TOKEN_NONCE_LEN], const char *ts,
    const uint8_t digest[TOKEN_DIGEST_LEN])
{
	uint8_t want[TOKEN_DIGEST_LEN];
	int rc = -1;

	if (digest == NULL)
		return -1;
	if (token_digest(secret, v, nonce, ts, want) == 0 &&
	    CRYPTO_memcmp(want, digest, TOKEN_DIGEST_LEN) == 0)
		rc = 0;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}
