/*
 * Activation keys: compute-master-secret-key.json and compute-derived-keys.json
 * (powerauth-crypto and powerauth-mobile-sdk copies, every entry, both ECDH
 * directions), ECDH symmetry with fresh keys, transport IV/CTR keys and the
 * vault key transport round trip (§8).
 */
#include <json-c/json.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/keys.h"
#include "crypto/vault.h"
#include "tap.h"
#include "vectors.h"

static int
master_entry(struct json_object *e, size_t i)
{
	struct json_object *in = vec_member(e, "input"), *out = vec_member(e, "output");
	EVP_PKEY *dpriv = vec_key(in, "devicePrivateKey", 1);
	EVP_PKEY *dpub = vec_key(in, "devicePublicKey", 0);
	EVP_PKEY *spriv = vec_key(in, "serverPrivateKey", 1);
	EVP_PKEY *spub = vec_key(in, "serverPublicKey", 0);
	uint8_t want[16], srv[16], dev[16], pb[65];
	size_t pl = 0;
	int ok = 0, pbl;

	if (dpriv == NULL || dpub == NULL || spriv == NULL || spub == NULL ||
	    vec_b64(out, "masterSecretKey", want, 16) != 16)
		goto done;
	/* The imported private keys must reproduce the given public keys. */
	pbl = vec_b64(in, "devicePublicKey", pb, sizeof(pb));
	{
		uint8_t mine[65];

		ok = pa_ec_public_to_bytes(dpriv, 0, mine, &pl) == 0 &&
		    (int)pl == pbl && memcmp(mine, pb, pl) == 0;
	}
	ok = ok && keys_master_secret(spriv, dpub, srv) == 0 &&
	    keys_master_secret(dpriv, spub, dev) == 0 &&
	    memcmp(srv, want, 16) == 0 && memcmp(dev, want, 16) == 0;
done:
	EVP_PKEY_free(dpriv);
	EVP_PKEY_free(dpub);
	EVP_PKEY_free(spriv);
	EVP_PKEY_free(spub);
	return tap_ok(ok, "master secret #%zu (server and device side)", i);
}

static void
master_file(const char *f)
{
	struct json_object *root = vec_load(f), *a = vec_member(root, "data");
	size_t i;
	int checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++)
		checked += master_entry(json_object_array_get_idx(a, i), i);
	tap_ok(checked == 20, "%s: 20 entries", f);
	vec_report(f, checked, 0);
	json_object_put(root);
}

static int
derived_entry(struct json_object *e, size_t i)
{
	struct json_object *in = vec_member(e, "input"), *out = vec_member(e, "output");
	struct pa_keys k;
	uint8_t m[16], w[5][16], t[16];
	int ok;

	ok = vec_b64(in, "masterSecretKey", m, 16) == 16 &&
	    vec_b64(out, "signaturePossessionKey", w[0], 16) == 16 &&
	    vec_b64(out, "signatureKnowledgeKey", w[1], 16) == 16 &&
	    vec_b64(out, "signatureBiometryKey", w[2], 16) == 16 &&
	    vec_b64(out, "transportKey", w[3], 16) == 16 &&
	    vec_b64(out, "vaultEncryptionKey", w[4], 16) == 16 &&
	    keys_derive(m, &k) == 0;
	ok = ok && memcmp(k.possession, w[0], 16) == 0 &&
	    memcmp(k.knowledge, w[1], 16) == 0 &&
	    memcmp(k.biometry, w[2], 16) == 0 &&
	    memcmp(k.transport, w[3], 16) == 0 &&
	    memcmp(k.vault, w[4], 16) == 0;
	/* Second-level transport keys: KDF(transport, 3000 / 4000). */
	ok = ok && pa_kdf(w[3], 3000, t) == 0 &&
	    memcmp(t, k.transport_iv, 16) == 0 &&
	    pa_kdf(w[3], 4000, t) == 0 && memcmp(t, k.transport_ctr, 16) == 0;
	keys_clear(&k);
	return tap_ok(ok, "derived keys #%zu", i);
}

static void
derived_file(const char *f)
{
	struct json_object *root = vec_load(f), *a = vec_member(root, "data");
	size_t i;
	int checked = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++)
		checked += derived_entry(json_object_array_get_idx(a, i), i);
	tap_ok(checked == 20, "%s: 20 entries", f);
	vec_report(f, checked, 0);
	json_object_put(root);
}

static void
ecdh_symmetry(void)
{
	EVP_PKEY *a = NULL, *b = NULL, *apub = NULL, *bpub = NULL;
	struct pa_keys ka, kb;
	uint8_t pa[65], pb[33];
	size_t la = 0, lb = 0;
	int ok, i;

	for (i = 0; i < 4; i++) {
		ok = pa_ec_generate(&a) == 0 && pa_ec_generate(&b) == 0 &&
		    pa_ec_public_to_bytes(a, 0, pa, &la) == 0 &&
		    pa_ec_public_to_bytes(b, 1, pb, &lb) == 0 &&
		    pa_ec_public_from_bytes(pa, la, &apub) == 0 &&
		    pa_ec_public_from_bytes(pb, lb, &bpub) == 0 &&
		    keys_from_ecdh(a, bpub, &ka) == 0 &&
		    keys_from_ecdh(b, apub, &kb) == 0;
		tap_ok(ok && memcmp(&ka, &kb, sizeof(ka)) == 0,
		    "ECDH symmetry round %d (uncompressed vs compressed peer)",
		    i);
		keys_clear(&ka);
		tap_ok(ka.vault[0] == 0 && ka.transport_ctr[15] == 0,
		    "keys_clear wipes");
		keys_clear(&kb);
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
		EVP_PKEY_free(apub);
		EVP_PKEY_free(bpub);
		a = b = apub = bpub = NULL;
	}
	tap_ok(keys_master_secret(NULL, NULL, pa) != 0, "NULL keys refused");
}

static void
vault(void)
{
	uint8_t t[16], v[16], enc[32], back[16], iv[16] = { 0 }, ref[32];
	size_t rl = 0;
	int i;

	for (i = 0; i < 16; i++) {
		t[i] = (uint8_t)(0xA0 + i);
		v[i] = (uint8_t)(0x11 * i);
	}
	tap_ok(vault_encrypt_key(t, v, enc) == 0, "vault: encrypt");
	/* Independent path: AES-CBC-PKCS7 with zero IV is 32 bytes. */
	tap_ok(pa_aes_cbc_encrypt(t, iv, 1, v, 16, ref, &rl) == 0 && rl == 32,
	    "vault: reference encryption");
	tap_mem(enc, 32, ref, 32, "vault: equals AES-CBC-P(transport, 0, vault)");
	tap_ok(vault_decrypt_key(t, enc, 32, back) == 0 &&
	    memcmp(back, v, 16) == 0, "vault: device decrypts the key");
	tap_ok(vault_decrypt_key(t, enc, 16, back) != 0,
	    "vault: 16-byte input refused");
	t[0] ^= 1;
	tap_ok(vault_decrypt_key(t, enc, 32, back) != 0 ||
	    memcmp(back, v, 16) != 0, "vault: wrong transport key fails");
	t[0] ^= 1;
	/* A 32-byte plaintext (two blocks + pad) must be refused by the device. */
	{
		uint8_t big[32], e48[48];
		size_t el = 0;

		memset(big, 7, sizeof(big));
		pa_aes_cbc_encrypt(t, iv, 1, big, 16, e48, &el);
		tap_ok(vault_decrypt_key(t, e48, el, back) == 0,
		    "vault: 16-byte key accepted");
		pa_aes_cbc_encrypt(t, iv, 1, big, 8, e48, &el);
		tap_ok(el == 16 && vault_decrypt_key(t, e48, el, back) != 0,
		    "vault: short plaintext refused");
	}
}

int
main(void)
{
	master_file("powerauth-crypto/compute-master-secret-key.json");
	master_file("powerauth-mobile-sdk/compute-master-secret-key.json");
	derived_file("powerauth-crypto/compute-derived-keys.json");
	derived_file("powerauth-mobile-sdk/compute-derived-keys.json");
	ecdh_symmetry();
	vault();
	return tap_done();
}
