/*
 * P-256 (§0.2, §12): extracted/ec-p256-public-keys.json (strict import incl.
 * Base64), extracted/ecdsa-p256-sha256.json, the activation-code ECDSA of
 * protocol 2 (verify-activation-data-signature*.json), the protocol 2
 * activation files (encrypt-device-public-key, decrypt-server-public-key,
 * verify-encrypted-server-public-key-signature; both copies) exercising
 * ECDH + fold + PBKDF2 + AES + HMAC + ECDSA, and ECDSA/JOSE round trips.
 */
#include <json-c/json.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"
#include "tap.h"
#include "vectors.h"

/* Strict import of a Base64 text: 0 when accepted. */
static int
import_b64(const char *s)
{
	uint8_t b[80], o[65];
	size_t n = 0, ol = 0;
	EVP_PKEY *k = NULL;
	int rc = -1;

	if (s != NULL && b64_decode(s, strlen(s), b, sizeof(b), &n) == 0 &&
	    pa_ec_public_from_bytes(b, n, &k) == 0) {
		/* Re-export in the received encoding gives the same bytes. */
		rc = pa_ec_public_to_bytes(k, n == 33, o, &ol) == 0 &&
		    ol == n && memcmp(o, b, n) == 0 ? 0 : -2;
	}
	EVP_PKEY_free(k);
	return rc;
}

static int
import_group(struct json_object *a, const char *name)
{
	size_t i;
	int n = 0, r;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		int valid = json_object_get_boolean(vec_member(e, "valid"));

		r = import_b64(vec_str(e, "publicKey"));
		n += tap_ok(valid ? r == 0 : r == -1, "%s #%zu %s", name, i,
		    valid ? "accepted" : "rejected");
	}
	return n;
}

static int
coordinates(struct json_object *a)
{
	uint8_t x[40], y[40], want[65], pt[65], o[65];
	size_t i, ol = 0;
	int n = 0, xl, yl, ok;
	EVP_PKEY *k;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		k = NULL;
		xl = vec_b64(e, "x", x, sizeof(x));
		yl = vec_b64(e, "y", y, sizeof(y));
		ok = xl > 0 && yl > 0 && xl <= 33 && yl <= 33 &&
		    vec_b64(e, "uncompressedPoint", want, 65) == 65;
		if (ok) {
			/* Unsigned big-endian, left-padded to 32 bytes. */
			const uint8_t *xp = x + (xl == 33), *yp = y + (yl == 33);
			size_t xn = (size_t)xl - (xl == 33);
			size_t yn = (size_t)yl - (yl == 33);

			memset(pt, 0, sizeof(pt));
			pt[0] = 0x04;
			memcpy(pt + 1 + 32 - xn, xp, xn);
			memcpy(pt + 33 + 32 - yn, yp, yn);
			ok = memcmp(pt, want, 65) == 0 &&
			    pa_ec_public_from_bytes(pt, 65, &k) == 0 &&
			    pa_ec_public_to_bytes(k, 0, o, &ol) == 0 &&
			    ol == 65 && memcmp(o, want, 65) == 0;
		}
		EVP_PKEY_free(k);
		n += tap_ok(ok, "point from coordinates #%zu", i);
	}
	return n;
}

static void
public_keys(void)
{
	static const char f[] = "extracted/ec-p256-public-keys.json";
	struct json_object *root = vec_load(f), *a;
	uint8_t b[40];
	EVP_PKEY *k = NULL;
	int n = 0, bl;

	n += import_group(vec_member(root, "mobileSdkImport"), "mobileSdkImport");
	n += import_group(vec_member(root, "javaInvalidPoint"), "javaInvalidPoint");
	n += import_group(vec_member(root, "javaKeyConversionValid"),
	    "javaKeyConversionValid");
	n += coordinates(vec_member(root, "javaPointFromCoordinates"));
	a = vec_member(root, "mobileSdkEciesInvalidCurveKey");
	if (a != NULL && json_object_array_length(a) == 1) {
		bl = vec_hex(json_object_array_get_idx(a, 0), "publicKeyHex", b,
		    sizeof(b));
		n += tap_ok(bl == 33 && pa_ec_public_from_bytes(b, 33, &k) != 0,
		    "ECIES invalid-curve key rejected");
		EVP_PKEY_free(k);
	}
	tap_ok(n == 29, "%s: 29 entries", f);
	vec_report(f, n, 0);
	json_object_put(root);
}

static void
ecdsa_vectors(void)
{
	static const char f[] = "extracted/ecdsa-p256-sha256.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "vectors");
	uint8_t m[256], sig[80], q[40];
	size_t i;
	int n = 0, ml, sl, ql, r;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		EVP_PKEY *k = NULL;

		ml = vec_hex(e, "dataHex", m, sizeof(m));
		sl = vec_hex(e, "signatureDerHex", sig, sizeof(sig));
		ql = vec_hex(e, "publicKeyHex", q, sizeof(q));
		r = ml >= 0 && sl > 0 && ql > 0 &&
		    pa_ec_public_from_bytes(q, (size_t)ql, &k) == 0 ?
		    pa_ecdsa_verify(k, m, (size_t)ml, sig, (size_t)sl) : -2;
		n += tap_ok(json_object_get_boolean(vec_member(e, "valid")) ?
		    r == 0 : r == -1, "ecdsa #%zu", i);
		EVP_PKEY_free(k);
	}
	tap_ok(n == 5, "%s: 5 entries", f);
	vec_report(f, n, 0);
	json_object_put(root);
}

static int v2_server_key_sig_defect(struct json_object *, struct json_object *,
    size_t);

/* Runs fn on every entry of f; fn returns 1 when the entry passes. */
static void
each(const char *f, int want, int (*fn)(struct json_object *, struct
    json_object *, size_t))
{
	struct json_object *root = vec_load(f), *a = vec_member(root, "data");
	size_t i;
	int n = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		n += tap_ok(fn(vec_member(e, "input"), vec_member(e, "output"), i),
		    "%s #%zu", f, i);
	}
	tap_ok(n == want, "%s: %d entries", f, want);
	if (fn == v2_server_key_sig_defect)	/* proofs, not vectors */
		vec_report(f, 0, n);
	else
		vec_report(f, n, 0);
	json_object_put(root);
}

/* Protocol 2 activation-code signature: ECDSA over "idShort-otp". */
static int
v2_activation_sig(struct json_object *in, struct json_object *out, size_t i)
{
	EVP_PKEY *pub = vec_key(in, "masterPublicKey", 0);
	EVP_PKEY *priv = vec_key(in, "masterPrivateKey", 1);
	uint8_t sig[80], mine[PA_ECDSA_DER_MAX];
	char text[32];
	size_t ml = 0;
	int sl = vec_b64(out, "activationSignature", sig, sizeof(sig)), ok;

	(void)i;
	snprintf(text, sizeof(text), "%s-%s", vec_str(in, "activationIdShort"),
	    vec_str(in, "activationOtp"));
	ok = pub != NULL && priv != NULL && sl > 0 &&
	    pa_ecdsa_verify(pub, (const uint8_t *)text, strlen(text), sig,
	    (size_t)sl) == 0 &&
	    pa_ecdsa_sign(priv, (const uint8_t *)text, strlen(text), mine,
	    &ml) == 0 &&
	    pa_ecdsa_verify(pub, (const uint8_t *)text, strlen(text), mine,
	    ml) == 0;
	text[0] ^= 1;
	ok = ok && pa_ecdsa_verify(pub, (const uint8_t *)text, strlen(text),
	    sig, (size_t)sl) != 0;
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	return ok;
}

/* K_OTP = PBKDF2-HMAC-SHA1(otp, idShort, 10000, 16). */
static int
k_otp(struct json_object *in, uint8_t k[16])
{
	const char *otp = vec_str(in, "activationOtp");
	const char *id = vec_str(in, "activationIdShort");

	return otp != NULL && id != NULL &&
	    PKCS5_PBKDF2_HMAC(otp, (int)strlen(otp), (const uint8_t *)id,
	    (int)strlen(id), 10000, EVP_sha1(), 16, k) == 1;
}

static int
fold_ecdh(const EVP_PKEY *priv, const EVP_PKEY *pub, uint8_t k[16])
{
	uint8_t z[32];

	if (priv == NULL || pub == NULL || pa_ec_ecdh(priv, pub, z) != 0)
		return 0;
	pa_reduce32to16(z, k);
	return 1;
}

static int
v2_encrypt_device(struct json_object *in, struct json_object *out, size_t i)
{
	EVP_PKEY *eph = vec_key(in, "ephemeralPrivateKey", 1);
	EVP_PKEY *mpub = vec_key(in, "masterPublicKey", 0);
	uint8_t nonce[16], dpub[65], c1[96], c2[112], want[112], kotp[16],
	    keph[16], as[16], ak[16], mac[32], wmac[32];
	char n64[25], c64[160], k64[25], msg[256];
	size_t l1 = 0, l2 = 0;
	int wl, ok;

	(void)i;
	wl = vec_b64(out, "cDevicePublicKey", want, sizeof(want));
	ok = vec_b64(in, "activationNonce", nonce, 16) == 16 &&
	    vec_b64(in, "devicePublicKey", dpub, 65) == 65 &&
	    vec_b64(in, "applicationSecret", as, 16) == 16 &&
	    vec_b64(in, "applicationKey", ak, 16) == 16 &&
	    vec_b64(out, "applicationSignature", wmac, 32) == 32 &&
	    k_otp(in, kotp) && fold_ecdh(eph, mpub, keph) &&
	    pa_aes_cbc_encrypt(kotp, nonce, 1, dpub, 65, c1, &l1) == 0 &&
	    pa_aes_cbc_encrypt(keph, nonce, 1, c1, l1, c2, &l2) == 0 &&
	    (int)l2 == wl && memcmp(c2, want, l2) == 0;
	if (ok) {
		b64_encode(nonce, 16, n64);
		b64_encode(c2, l2, c64);
		b64_encode(ak, 16, k64);
		snprintf(msg, sizeof(msg), "%s&%s&%s&%s", vec_str(in,
		    "activationIdShort"), n64, c64, k64);
		ok = pa_hmac_sha256(as, 16, (const uint8_t *)msg, strlen(msg),
		    mac) == 0 && memcmp(mac, wmac, 32) == 0;
	}
	EVP_PKEY_free(eph);
	EVP_PKEY_free(mpub);
	return ok;
}

static int
v2_decrypt_server(struct json_object *in, struct json_object *out, size_t i)
{
	EVP_PKEY *dpriv = vec_key(in, "devicePrivateKey", 1);
	EVP_PKEY *eph = vec_key(in, "ephemeralPublicKey", 0);
	uint8_t nonce[16], c[128], p1[128], p2[128], want[65], kotp[16],
	    keph[16];
	size_t l1 = 0, l2 = 0;
	int cl, ok;

	(void)i;
	cl = vec_b64(in, "encryptedServerPublicKey", c, sizeof(c));
	ok = cl > 0 && vec_b64(in, "activationNonce", nonce, 16) == 16 &&
	    vec_b64(out, "serverPublicKey", want, 65) == 65 &&
	    k_otp(in, kotp) && fold_ecdh(dpriv, eph, keph) &&
	    pa_aes_cbc_decrypt(keph, nonce, 1, c, (size_t)cl, p1, &l1) == 0 &&
	    pa_aes_cbc_decrypt(kotp, nonce, 1, p1, l1, p2, &l2) == 0 &&
	    l2 == 65 && memcmp(p2, want, 65) == 0;
	EVP_PKEY_free(dpriv);
	EVP_PKEY_free(eph);
	return ok;
}

/* Signed text: Base64(UTF8(activationId)) "&" Base64(encryptedServerPubKey). */
static int
v2_sig_text(struct json_object *in, char *out, size_t cap)
{
	const char *id = vec_str(in, "activationId");
	const char *esk = vec_str(in, "encryptedServerPublicKey");
	char id64[80];

	if (id == NULL || esk == NULL || strlen(id) > 48)
		return 0;
	b64_encode((const uint8_t *)id, strlen(id), id64);
	return snprintf(out, cap, "%s&%s", id64, esk) < (int)cap;
}

static int
v2_server_key_sig_ok(struct json_object *in, struct json_object *out,
    size_t i)
{
	EVP_PKEY *pub = vec_key(in, "masterServerPublicKey", 0);
	EVP_PKEY *priv = vec_key(in, "masterServerPrivateKey", 1);
	uint8_t sig[80], pt[65], pk[80];
	char text[256];
	size_t pl = 0;
	int sl = vec_b64(out, "encryptedServerPublicKeySignature", sig,
	    sizeof(sig)), ok;

	(void)i;
	/* The private key must match the public one (31..33-byte scalars). */
	ok = pub != NULL && priv != NULL && sl > 0 &&
	    pa_ec_public_to_bytes(priv, 0, pt, &pl) == 0 && pl == 65 &&
	    vec_b64(in, "masterServerPublicKey", pk, sizeof(pk)) == 65 &&
	    memcmp(pt, pk, 65) == 0 &&
	    v2_sig_text(in, text, sizeof(text)) &&
	    pa_ecdsa_verify(pub, (const uint8_t *)text, strlen(text), sig,
	    (size_t)sl) == 0;
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	return ok;
}

/*
 * vectors/README.md §6 item 1: in the powerauth-crypto copy every
 * "signature" is a 65-byte uncompressed EC point, not a DER ECDSA value, so
 * none can verify. Prove that for all 20 entries (they count as checked
 * proofs of the defect, not as signature vectors).
 */
static int
v2_server_key_sig_defect(struct json_object *in, struct json_object *out,
    size_t i)
{
	EVP_PKEY *pub = vec_key(in, "masterServerPublicKey", 0);
	const unsigned char *p;
	uint8_t sig[80];
	char text[256];
	ECDSA_SIG *es;
	int sl = vec_b64(out, "encryptedServerPublicKeySignature", sig,
	    sizeof(sig)), ok;

	(void)i;
	p = sig;
	es = sl > 0 ? d2i_ECDSA_SIG(NULL, &p, sl) : NULL;
	ok = pub != NULL && sl == 65 && sig[0] == 0x04 && es == NULL &&
	    v2_sig_text(in, text, sizeof(text)) &&
	    pa_ecdsa_verify(pub, (const uint8_t *)text, strlen(text), sig,
	    (size_t)sl) != 0;
	ECDSA_SIG_free(es);
	EVP_PKEY_free(pub);
	return ok;
}

static void
jose(void)
{
	EVP_PKEY *k = NULL;
	uint8_t der[PA_ECDSA_DER_MAX], der2[PA_ECDSA_DER_MAX], j[64];
	size_t dl = 0, dl2 = 0;
	int i, ok = 1;

	ok = pa_ec_generate(&k) == 0;
	for (i = 0; ok && i < 20; i++)
		ok = pa_ecdsa_sign(k, (const uint8_t *)"abc", 3, der, &dl) == 0 &&
		    pa_ecdsa_der_to_jose(der, dl, j) == 0 &&
		    pa_ecdsa_jose_to_der(j, der2, &dl2) == 0 && dl2 == dl &&
		    memcmp(der, der2, dl) == 0 &&
		    pa_ecdsa_verify(k, (const uint8_t *)"abc", 3, der2,
		    dl2) == 0 &&
		    pa_ecdsa_verify(k, (const uint8_t *)"abd", 3, der, dl) != 0;
	tap_ok(ok, "ECDSA sign / verify / DER<->JOSE round trips");
	EVP_PKEY_free(k);
}

/*
 * Point decompression (done by ec.c itself): random keys of both Y parities
 * survive compressed -> import -> uncompressed, the other prefix gives the
 * negated point (p - Y), and X >= p or X with no square root is refused.
 */
static void
decompression(void)
{
	static const uint8_t prime[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint8_t c[65], u[65], o[65], neg[65], bad[33];
	size_t cl = 0, ul = 0, ol = 0;
	EVP_PKEY *k = NULL, *p = NULL;
	int i, ok = 1, parity[2] = { 0, 0 }, borrow, j, d;

	for (i = 0; ok && (i < 64 || !parity[0] || !parity[1]) && i < 512;
	    i++) {
		ok = pa_ec_generate(&k) == 0 &&
		    pa_ec_public_to_bytes(k, 1, c, &cl) == 0 && cl == 33 &&
		    pa_ec_public_to_bytes(k, 0, u, &ul) == 0 && ul == 65 &&
		    c[0] == (uint8_t)(2 | (u[64] & 1)) &&
		    pa_ec_public_from_bytes(c, cl, &p) == 0 &&
		    pa_ec_public_to_bytes(p, 0, o, &ol) == 0 && ol == 65 &&
		    memcmp(o, u, 65) == 0;
		parity[u[64] & 1] = 1;
		EVP_PKEY_free(p);
		p = NULL;
		/* Other prefix: Y' = p - Y. */
		c[0] ^= 1;
		neg[0] = 4;
		memcpy(neg + 1, u + 1, 32);
		for (j = 31, borrow = 0; j >= 0; j--) {
			d = prime[j] - u[33 + j] - borrow;
			borrow = d < 0;
			neg[33 + j] = (uint8_t)(d + (borrow ? 256 : 0));
		}
		ok = ok && pa_ec_public_from_bytes(c, cl, &p) == 0 &&
		    pa_ec_public_to_bytes(p, 0, o, &ol) == 0 &&
		    memcmp(o, neg, 65) == 0;
		EVP_PKEY_free(p);
		EVP_PKEY_free(k);
		p = k = NULL;
	}
	tap_ok(ok && parity[0] && parity[1], "decompression round trips, "
	    "both parities, other prefix negates Y (%d keys)", i);
	bad[0] = 2;
	memcpy(bad + 1, prime, 32);
	tap_ok(pa_ec_public_from_bytes(bad, 33, &p) == -1 && p == NULL,
	    "compressed X = p refused");
	memset(bad + 1, 0xff, 32);
	tap_ok(pa_ec_public_from_bytes(bad, 33, &p) == -1, "compressed X > p "
	    "refused");
	/* X = 1: 1 - 3 + b is a quadratic non-residue mod p (so is X = 2). */
	memset(bad + 1, 0, 32);
	bad[32] = 1;
	bad[0] = 3;
	tap_ok(pa_ec_public_from_bytes(bad, 33, &p) == -1, "compressed X "
	    "without a square root refused");
	bad[0] = 4;
	tap_ok(pa_ec_public_from_bytes(bad, 33, &p) == -1, "33 bytes with "
	    "prefix 04 refused");
}

/* ECDH from raw peer bytes (ECIES ephemeral keys) equals the EVP path. */
static void
ecdh_bytes(void)
{
	EVP_PKEY *a = NULL, *b = NULL;
	uint8_t pc[65], pu[65], z1[32], z2[32], z3[32], bad[65];
	size_t nc = 0, nu = 0;

	if (!tap_ok(pa_ec_generate(&a) == 0 && pa_ec_generate(&b) == 0 &&
	    pa_ec_public_to_bytes(b, 1, pc, &nc) == 0 &&
	    pa_ec_public_to_bytes(b, 0, pu, &nu) == 0, "ecdh_bytes: keys"))
		goto done;
	tap_ok(pa_ec_ecdh(a, b, z1) == 0 &&
	    pa_ec_ecdh_bytes(a, pc, nc, z2) == 0 &&
	    pa_ec_ecdh_bytes(a, pu, nu, z3) == 0 &&
	    memcmp(z1, z2, 32) == 0 && memcmp(z1, z3, 32) == 0,
	    "ecdh_bytes: compressed and uncompressed equal pa_ec_ecdh");
	memcpy(bad, pu, 65);
	bad[64] ^= 1;
	tap_ok(pa_ec_ecdh_bytes(a, bad, 65, z2) != 0,
	    "ecdh_bytes: point off the curve rejected");
	bad[0] = 5;
	tap_ok(pa_ec_ecdh_bytes(a, bad, 65, z2) != 0,
	    "ecdh_bytes: bad prefix rejected");
	tap_ok(pa_ec_ecdh_bytes(a, pc, 32, z2) != 0,
	    "ecdh_bytes: bad length rejected");
done:
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* A key pair from scalar and stored point: the same key; a point off the
 * curve is refused, one of another form ignored (computed instead). */
static void
keypair_bytes(void)
{
	EVP_PKEY *a = NULL, *b = NULL, *k = NULL;
	uint8_t d[32], pub[65], got[65], bad[65], z1[32], z2[32];
	size_t n = 0, m = 0;

	if (!tap_ok(pa_ec_generate(&a) == 0 && pa_ec_generate(&b) == 0 &&
	    pa_ec_private_to_bytes(a, d) == 0 &&
	    pa_ec_public_to_bytes(a, 0, pub, &n) == 0, "keypair: keys"))
		goto done;
	tap_ok(pa_ec_keypair_from_bytes(d, 32, pub, n, &k) == 0 &&
	    pa_ec_public_to_bytes(k, 0, got, &m) == 0 && m == 65 &&
	    memcmp(got, pub, 65) == 0 && pa_ec_ecdh(k, b, z1) == 0 &&
	    pa_ec_ecdh(a, b, z2) == 0 && memcmp(z1, z2, 32) == 0,
	    "keypair: with its point, the same key");
	EVP_PKEY_free(k);
	k = NULL;
	memcpy(bad, pub, 65);
	bad[64] ^= 1;
	tap_ok(pa_ec_keypair_from_bytes(d, 32, bad, 65, &k) != 0 && k == NULL,
	    "keypair: a point off the curve refused");
	tap_ok(pa_ec_keypair_from_bytes(d, 32, pub, 33, &k) == 0 &&
	    pa_ec_public_to_bytes(k, 0, got, &m) == 0 &&
	    memcmp(got, pub, 65) == 0,
	    "keypair: a point of another length: computed");
	EVP_PKEY_free(k);
	k = NULL;
	memset(d, 0, sizeof(d));
	tap_ok(pa_ec_keypair_from_bytes(d, 32, pub, 65, &k) != 0 && k == NULL,
	    "keypair: scalar 0 refused");
done:
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	EVP_PKEY_free(k);
}

int
main(void)
{
	public_keys();
	ecdsa_vectors();
	each("powerauth-crypto/verify-activation-data-signature-v2.json", 20,
	    v2_activation_sig);
	each("powerauth-mobile-sdk/verify-activation-data-signature.json", 20,
	    v2_activation_sig);
	each("powerauth-crypto/encrypt-device-public-key-v2.json", 20,
	    v2_encrypt_device);
	each("powerauth-mobile-sdk/encrypt-device-public-key.json", 20,
	    v2_encrypt_device);
	each("powerauth-crypto/decrypt-server-public-key-v2.json", 20,
	    v2_decrypt_server);
	each("powerauth-mobile-sdk/decrypt-server-public-key.json", 20,
	    v2_decrypt_server);
	each("powerauth-mobile-sdk/verify-encrypted-server-public-key-"
	    "signature.json", 20, v2_server_key_sig_ok);
	each("powerauth-crypto/verify-encrypted-server-public-key-"
	    "signature-v2.json", 20, v2_server_key_sig_defect);
	jose();
	decompression();
	ecdh_bytes();
	keypair_bytes();
	return tap_done();
}
