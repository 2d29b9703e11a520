/*
 * codes.c - fuzz target: the short texts people and cameras pass around:
 * activation codes and the activation QR text `CODE#SIGNATURE`, recovery
 * codes and PUKs, RFC 4648 Base32 (crypto/activation_code.c), the offline
 * operation QR payload (crypto/offline_qr.c) and the mobileSdkConfig
 * string (crypto/sdk_config.c). The input is one such text.
 *
 * Invariants: whatever parses is valid by the matching validator and is
 * rebuilt to text that parses to the same values.
 */
#include <config.h>

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "crypto/activation_code.h"
#include "crypto/ec.h"
#include "crypto/offline_qr.h"
#include "crypto/sdk_config.h"
#include "fuzz/fuzz.h"

static void
activation_qr(const char *s)
{
	char code[ACTIVATION_CODE_LEN + 1], sig[ACTIVATION_SIG_B64_MAX + 1];
	char code2[ACTIVATION_CODE_LEN + 1], sig2[ACTIVATION_SIG_B64_MAX + 1];
	char text[ACTIVATION_CODE_LEN + ACTIVATION_SIG_B64_MAX + 2];
	int valid = activation_code_validate(s) == 0;

	if (activation_code_qr_parse(s, code, sig) != 0) {
		FUZZ_ASSERT(!valid);
		return;
	}
	FUZZ_ASSERT(activation_code_validate(code) == 0);
	FUZZ_ASSERT(!valid || (strcmp(code, s) == 0 && sig[0] == '\0'));
	FUZZ_ASSERT(activation_code_qr_build(code, sig, text,
	    sizeof(text)) == 0);
	FUZZ_ASSERT(strcmp(text, s) == 0);
	FUZZ_ASSERT(activation_code_qr_parse(text, code2, sig2) == 0);
	FUZZ_ASSERT(strcmp(code, code2) == 0 && strcmp(sig, sig2) == 0);
}

static void
recovery(const char *s)
{
	char code[ACTIVATION_CODE_LEN + 1];

	if (recovery_code_parse(s, code) == 0) {
		FUZZ_ASSERT(recovery_code_validate(code, 0) == 0);
		FUZZ_ASSERT(recovery_code_validate(s, 1) == 0);
	}
	(void)recovery_code_validate(s, 0);
	if (recovery_puk_validate(s) == 0)
		FUZZ_ASSERT(strlen(s) == RECOVERY_PUK_LEN &&
		    strspn(s, "0123456789") == RECOVERY_PUK_LEN);
}

static void
base32(const char *s, size_t n)
{
	uint8_t raw[512];
	char *again;
	size_t len = 0;

	if (activation_code_base32_decode(s, n, raw, sizeof(raw), &len) != 0)
		return;
	FUZZ_ASSERT(len <= sizeof(raw));
	FUZZ_ASSERT((again = malloc((8 * len + 4) / 5 + 1)) != NULL);
	FUZZ_ASSERT(activation_code_base32_encode(raw, len, again) == n);
	FUZZ_ASSERT(memcmp(again, s, n) == 0);
	free(again);
}

static void
offline(const char *s, size_t n, const EVP_PKEY *pub)
{
	struct offline_qr_parsed p;
	struct buf b = BUF_INIT;
	size_t i;

	memset(&p, 0, sizeof(p));
	if (offline_qr_parse(s, n, &p) != 0)
		return;
	FUZZ_ASSERT(p.signed_len <= n && p.siglen <= sizeof(p.sig));
	FUZZ_ASSERT(p.nattrs <= OFFLINE_QR_MAX_ATTRS);
	FUZZ_ASSERT(p.operation_id != NULL && p.title != NULL &&
	    p.message != NULL && p.operation_data != NULL && p.flags != NULL);
	(void)offline_qr_unescape(&b, p.title);
	buf_reset(&b);
	(void)offline_qr_unescape(&b, p.message);
	buf_reset(&b);
	for (i = 0; i < p.nattrs; i++)
		FUZZ_ASSERT(p.attrs[i] != NULL);
	(void)offline_qr_signing_body(&b, p.operation_id, p.operation_data,
	    p.nattrs > 0 ? p.attrs[0] : NULL);
	buf_free(&b);
	/* Nobody holds the fixed key's private half: never valid. */
	FUZZ_ASSERT(offline_qr_verify(&p, s, pub) != 0);
	offline_qr_parsed_free(&p);
}

static void
sdk_config(const char *s)
{
	uint8_t key[16], secret[16], pub[65], key2[16], secret2[16], pub2[65];
	size_t publen = 0, publen2 = 0;
	char *again;

	if (sdk_config_parse(s, key, secret, pub, &publen) != 0)
		return;
	FUZZ_ASSERT(publen <= sizeof(pub));
	FUZZ_ASSERT((again = sdk_config_build(key, secret, pub, publen)) !=
	    NULL);
	FUZZ_ASSERT(sdk_config_parse(again, key2, secret2, pub2,
	    &publen2) == 0);
	FUZZ_ASSERT(memcmp(key, key2, 16) == 0 &&
	    memcmp(secret, secret2, 16) == 0 && publen == publen2 &&
	    memcmp(pub, pub2, publen) == 0);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static EVP_PKEY *pub;
	char *s = fuzz_strndup(data, n);

	(void)fuzz_config();
	if (pub == NULL)
		FUZZ_ASSERT(pa_ec_generate(&pub) == 0);
	(void)activation_code_crc16(data, n);
	activation_qr(s);
	recovery(s);
	base32(s, strlen(s));
	offline(s, n, pub);
	sdk_config(s);
	free(s);
	return 0;
}
