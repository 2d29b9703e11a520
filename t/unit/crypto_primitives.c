/*
 * Symmetric primitives against published vectors: the four
 * powerauth-js-test-client files (AES-CBC-PKCS7, HMAC-SHA256, X9.63 KDF,
 * AES index KDF) and extracted/primitives-mobile-sdk.json (PBKDF2-HMAC-SHA1,
 * AES-CBC NoPadding), plus KDF_INTERNAL / NEXT sanity checks.
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto/primitives.h"
#include "tap.h"
#include "vectors.h"

static void
aes_cbc(void)
{
	static const char f[] = "powerauth-js-test-client/aes-cbc-pkcs7.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "testVectors");
	uint8_t p[256], k[16], iv[16], want[272], got[272], back[272];
	size_t i, gl, bl;
	int pl, wl, checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		pl = vec_hex(e, "plain", p, sizeof(p));
		wl = vec_hex(e, "enc", want, sizeof(want));
		if (pl < 0 || wl < 0 || vec_hex(e, "key", k, 16) != 16 ||
		    vec_hex(e, "iv", iv, 16) != 16 ||
		    pa_aes_cbc_encrypt(k, iv, 1, p, (size_t)pl, got, &gl) != 0 ||
		    pa_aes_cbc_decrypt(k, iv, 1, want, (size_t)wl, back,
		    &bl) != 0) {
			tap_ok(0, "aes-cbc #%zu", i);
			continue;
		}
		checked += tap_mem(got, gl, want, (size_t)wl,
		    "aes-cbc-pkcs7 #%zu encrypt", i) &
		    tap_mem(back, bl, p, (size_t)pl, "aes-cbc-pkcs7 #%zu decrypt",
		    i);
	}
	tap_ok(checked == 14, "aes-cbc-pkcs7: 14 entries");
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
hmac(void)
{
	static const char f[] = "powerauth-js-test-client/hmac.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "testVectors");
	uint8_t k[256], d[256], want[32], got[32];
	size_t i;
	int kl, dl, wl, checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		kl = vec_hex(e, "key", k, sizeof(k));
		dl = vec_hex(e, "data", d, sizeof(d));
		wl = vec_hex(e, "hmac", want, sizeof(want));
		if (kl < 0 || dl < 0 || wl < 16 ||
		    pa_hmac_sha256(k, (size_t)kl, d, (size_t)dl, got) != 0) {
			tap_ok(0, "hmac #%zu", i);
			continue;
		}
		/* RFC 4231 case 5 publishes only the first 16 bytes. */
		checked += tap_mem(got, (size_t)wl, want, (size_t)wl,
		    "hmac #%zu (%d bytes compared)", i, wl);
	}
	tap_ok(checked == 7, "hmac: 7 entries");
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
x963(void)
{
	static const char f[] = "powerauth-js-test-client/kdf-x963.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "testVectors");
	uint8_t z[128], info[256], want[256], got[256];
	size_t i;
	int zl, il, wl, checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		zl = vec_hex(e, "secret", z, sizeof(z));
		il = vec_hex(e, "sinfo", info, sizeof(info));
		wl = vec_hex(e, "expected", want, sizeof(want));
		if (zl < 0 || il < 0 || wl <= 0 ||
		    pa_x963_sha256(z, (size_t)zl, info, (size_t)il, got,
		    (size_t)wl) != 0) {
			tap_ok(0, "x963 #%zu", i);
			continue;
		}
		checked += tap_mem(got, (size_t)wl, want, (size_t)wl,
		    "kdf-x963 #%zu", i);
	}
	tap_ok(checked == 20, "kdf-x963: 20 entries");
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
aes_kdf(void)
{
	static const char f[] = "powerauth-js-test-client/aes-kdf.json";
	static const struct { const char *name; uint64_t idx; } d[] = {
		{ "signaturePossessionKey", 1 }, { "signatureKnowledgeKey", 2 },
		{ "signatureBiometryKey", 3 }, { "transportKey", 1000 },
		{ "vaultEncryptionKey", 2000 }
	};
	struct json_object *root = vec_load(f), *a = vec_member(root, "testVectors");
	uint8_t m[16], want[16], got[16];
	size_t i, j;
	int ok, checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		ok = vec_b64(e, "masterSecretKey", m, 16) == 16;
		for (j = 0; ok && j < sizeof(d) / sizeof(d[0]); j++)
			ok = vec_b64(e, d[j].name, want, 16) == 16 &&
			    pa_kdf(m, d[j].idx, got) == 0 &&
			    memcmp(got, want, 16) == 0;
		checked += tap_ok(ok, "aes-kdf #%zu: five derived keys", i);
	}
	tap_ok(checked == 6, "aes-kdf: 6 entries");
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
pbkdf2(struct json_object *root, int *checked)
{
	struct json_object *a = vec_member(vec_member(root, "pbkdf2HmacSha1"),
	    "vectors");
	uint8_t pw[64], salt[64], want[64], got[64];
	size_t i;
	int pl, sl, wl;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		pl = vec_hex(e, "passwordHex", pw, sizeof(pw));
		sl = vec_hex(e, "saltHex", salt, sizeof(salt));
		wl = vec_hex(e, "derivedKeyHex", want, sizeof(want));
		if (pl < 0 || sl < 0 || wl != vec_int(e, "dkLen") ||
		    PKCS5_PBKDF2_HMAC((const char *)pw, pl, salt, sl,
		    (int)vec_int(e, "iterations"), EVP_sha1(), wl, got) != 1) {
			tap_ok(0, "pbkdf2 #%zu", i);
			continue;
		}
		*checked += tap_mem(got, (size_t)wl, want, (size_t)wl,
		    "pbkdf2-hmac-sha1 #%zu", i);
	}
}

static void
aes_nopad(struct json_object *root, int *checked)
{
	struct json_object *a = vec_member(vec_member(root, "aes128CbcNoPadding"),
	    "vectors");
	uint8_t p[64], k[16], iv[16], want[64], got[64], back[64];
	size_t i, gl, bl;
	int pl, wl;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		pl = vec_hex(e, "plainHex", p, sizeof(p));
		wl = vec_hex(e, "cipherHex", want, sizeof(want));
		if (pl <= 0 || wl != pl || vec_hex(e, "keyHex", k, 16) != 16 ||
		    vec_hex(e, "ivHex", iv, 16) != 16 ||
		    pa_aes_cbc_encrypt(k, iv, 0, p, (size_t)pl, got, &gl) != 0 ||
		    pa_aes_cbc_decrypt(k, iv, 0, want, (size_t)wl, back,
		    &bl) != 0) {
			tap_ok(0, "aes nopad #%zu", i);
			continue;
		}
		*checked += tap_mem(got, gl, want, (size_t)wl,
		    "aes-cbc nopad #%zu encrypt", i) &
		    tap_mem(back, bl, p, (size_t)pl, "aes-cbc nopad #%zu decrypt",
		    i);
	}
}

static void
mobile_sdk(void)
{
	static const char f[] = "extracted/primitives-mobile-sdk.json";
	struct json_object *root = vec_load(f);
	int checked = 0;

	pbkdf2(root, &checked);
	aes_nopad(root, &checked);
	tap_ok(checked == 9, "primitives-mobile-sdk: 5 + 4 entries");
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
sanity(void)
{
	uint8_t k[16], x[32], a[16], b[16], h[32];
	size_t i;

	for (i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (i = 0; i < 32; i++)
		x[i] = (uint8_t)(i * 7);
	/* KDF_INTERNAL == reduce32to16(HMAC(key, msg)), key is the HMAC key. */
	pa_hmac_sha256(k, 16, x, 32, h);
	pa_reduce32to16(h, a);
	tap_ok(pa_kdf_internal(k, x, 32, b) == 0 && memcmp(a, b, 16) == 0,
	    "KDF_INTERNAL = fold(HMAC(key, data))");
	/* NEXT(c) = fold(SHA256(c)), in place allowed. */
	pa_sha256(k, 16, h);
	pa_reduce32to16(h, a);
	memcpy(b, k, 16);
	tap_ok(pa_ctr_next(b, b) == 0 && memcmp(a, b, 16) == 0,
	    "NEXT = fold(SHA256(ctr)), in place");
}

int
main(void)
{
	aes_cbc();
	hmac();
	x963();
	aes_kdf();
	mobile_sdk();
	sanity();
	return tap_done();
}
