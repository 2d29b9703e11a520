/*
 * totp.c - RFC 6238 TOTP for the proximity check. Pure computation.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "crypto/totp.h"

int
totp_at_step(const uint8_t *seed, size_t n, enum totp_alg alg, uint64_t t,
    char out[TOTP_DIGITS + 1])
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0, off;
	uint32_t v;
	int i, rc = -1;

	if (seed == NULL || out == NULL || n == 0 || n > INT32_MAX ||
	    (alg != TOTP_SHA256 && alg != TOTP_SHA512))
		return -1;
	for (i = 0; i < 8; i++)
		msg[7 - i] = (uint8_t)(t >> (8 * i));
	if (HMAC(alg == TOTP_SHA256 ? EVP_sha256() : EVP_sha512(), seed,
	    (int)n, msg, sizeof(msg), mac, &ml) == NULL || ml < 20)
		goto fail;
	off = mac[ml - 1] & 0x0F;
	v = ((uint32_t)(mac[off] & 0x7F) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | mac[off + 3]);
	snprintf(out, TOTP_DIGITS + 1, "%08u", (unsigned)(v % 100000000u));
	rc = 0;
fail:
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
totp_generate(const uint8_t *seed, size_t n, enum totp_alg alg,
    int64_t unix_time, char out[TOTP_DIGITS + 1])
{
	if (unix_time < 0)
		return -1;
	return totp_at_step(seed, n, alg, (uint64_t)unix_time / TOTP_STEP,
	    out);
}

int
totp_verify(const uint8_t *seed, size_t n, enum totp_alg alg, int64_t now,
    const char *otp)
{
	char want[TOTP_DIGITS + 1];
	uint64_t t;
	int back, ok = 0;

	if (otp == NULL || now < 0 || strlen(otp) != TOTP_DIGITS)
		return -1;
	t = (uint64_t)now / TOTP_STEP;
	for (back = 0; back <= TOTP_STEPS_BACK && (uint64_t)back <= t;
	    back++) {
		if (totp_at_step(seed, n, alg, t - (uint64_t)back, want) != 0)
			return -1;
		ok |= CRYPTO_memcmp(want, otp, TOTP_DIGITS) == 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return ok ? 0 : -1;
}
