/*
 * Activation / recovery codes (§2.1, §2.2): every case of
 * extracted/activation-and-recovery-codes.json and extracted/crc16-arc.json,
 * verify-activation-data-signature-v3.json (ECDSA over the code), plus
 * generation, Base32 and sign / verify / QR round trips.
 */
#include <json-c/json.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/activation_code.h"
#include "crypto/ec.h"
#include "tap.h"
#include "vectors.h"

static const char codes_file[] = "extracted/activation-and-recovery-codes.json";

static int
bool_member(struct json_object *o, const char *k)
{
	return json_object_get_boolean(vec_member(o, k));
}

/* Each array member of group `g` ("value" strings) must (not) validate. */
static int
value_group(struct json_object *g, int valid, int recovery)
{
	int n = 0, r;

	if (g == NULL)		/* json_object_object_foreach needs an object */
		return 0;
	json_object_object_foreach(g, key, arr) {
		size_t i;

		if (!json_object_is_type(arr, json_type_array))
			continue;
		for (i = 0; i < json_object_array_length(arr); i++) {
			const char *v = vec_str(json_object_array_get_idx(arr,
			    i), "value");

			r = recovery ? recovery_code_validate(v, 1) :
			    activation_code_validate(v);
			n += tap_ok((r == 0) == valid, "%s %s '%s' (%s)",
			    recovery ? "recovery" : "activation",
			    valid ? "valid" : "invalid", v, key);
		}
	}
	return n;
}

static int
qr_cases(struct json_object *root)
{
	struct json_object *a = vec_member(vec_member(root,
	    "activationCodeParse_QRformat"), "cases");
	char code[ACTIVATION_CODE_LEN + 1], sig[ACTIVATION_SIG_B64_MAX + 1];
	size_t i;
	int n = 0, ok;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *in = vec_str(e, "input");

		if (bool_member(e, "parses"))
			ok = activation_code_qr_parse(in, code, sig) == 0 &&
			    strcmp(code, vec_str(e, "activationCode")) == 0 &&
			    strcmp(sig, vec_str(e, "activationSignature")) == 0;
		else
			ok = activation_code_qr_parse(in, code, sig) != 0;
		n += tap_ok(ok, "QR parse '%s'", in);
	}
	return n;
}

static int
recovery_cases(struct json_object *root)
{
	struct json_object *a = vec_member(vec_member(root, "recoveryCodeParse"),
	    "cases"), *d = vec_member(root, "recoveryCodeRPrefixDisallowed");
	char code[ACTIVATION_CODE_LEN + 1];
	size_t i;
	int n = 0, ok;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *in = vec_str(e, "input");

		if (bool_member(e, "parses"))
			ok = recovery_code_parse(in, code) == 0 &&
			    strcmp(code, vec_str(e, "recoveryCode")) == 0;
		else
			ok = recovery_code_parse(in, code) != 0;
		n += tap_ok(ok, "recovery parse '%s'", in);
	}
	for (i = 0; d != NULL && i < json_object_array_length(d); i++) {
		struct json_object *e = json_object_array_get_idx(d, i);

		n += tap_ok((recovery_code_validate(vec_str(e, "input"),
		    bool_member(e, "allowRPrefix")) == 0) ==
		    bool_member(e, "valid"), "recovery '%s' allowRPrefix=%d",
		    vec_str(e, "input"), bool_member(e, "allowRPrefix"));
	}
	return n;
}

static int
puk_cases(struct json_object *root)
{
	struct json_object *v = vec_member(root, "recoveryPukValid"),
	    *bad = vec_member(root, "recoveryPukInvalid"),
	    *pairs = vec_member(root, "recoveryDataPairs");
	const char *grp[2] = { "valid", "invalid" };
	size_t i, g;
	int n = 0;

	for (i = 0; v != NULL && i < json_object_array_length(v); i++)
		n += tap_ok(recovery_puk_validate(vec_str(
		    json_object_array_get_idx(v, i), "value")) == 0, "PUK valid");
	for (i = 0; bad != NULL && i < json_object_array_length(bad); i++)
		n += tap_ok(recovery_puk_validate(vec_str(
		    json_object_array_get_idx(bad, i), "value")) != 0,
		    "PUK invalid '%s'", vec_str(json_object_array_get_idx(bad,
		    i), "value"));
	for (g = 0; g < 2; g++) {
		struct json_object *a = vec_member(pairs, grp[g]);

		for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
			struct json_object *e = json_object_array_get_idx(a, i);
			int ok = recovery_code_validate(vec_str(e,
			    "recoveryCode"), 1) == 0 && recovery_puk_validate(
			    vec_str(e, "puk")) == 0;

			n += tap_ok(ok == bool_member(e, "valid"),
			    "recovery pair '%s' / '%s'", vec_str(e,
			    "recoveryCode"), vec_str(e, "puk"));
		}
	}
	return n;
}

static int
from_bytes(struct json_object *root)
{
	struct json_object *a = vec_member(root, "activationCodeFromBytes");
	char code[ACTIVATION_CODE_LEN + 1];
	uint8_t r[16];
	size_t i;
	int n = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		n += tap_ok(vec_hex(e, "randomBytesHex", r, sizeof(r)) == 10 &&
		    activation_code_from_bytes(r, code) == 0 &&
		    strcmp(code, vec_str(e, "activationCode")) == 0,
		    "code from bytes -> %s", code);
	}
	return n;
}

static void
codes(void)
{
	struct json_object *root = vec_load(codes_file);
	int n = 0, total = 0;
	size_t i;
	const char *arrays[] = { "activationCodeFromBytes",
	    "recoveryPukValid", "recoveryPukInvalid",
	    "recoveryCodeRPrefixDisallowed" };

	if (root == NULL) {
		tap_ok(0, "load %s", codes_file);
		return;
	}
	n += value_group(vec_member(root, "activationCodeValid"), 1, 0);
	n += value_group(vec_member(root, "activationCodeInvalid"), 0, 0);
	n += value_group(vec_member(root, "recoveryCodeValid"), 1, 1);
	n += value_group(vec_member(root, "recoveryCodeInvalid"), 0, 1);
	n += from_bytes(root);
	n += qr_cases(root);
	n += recovery_cases(root);
	n += puk_cases(root);
	/* Count the published cases to prove none was missed. */
	for (i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		total += (int)json_object_array_length(vec_member(root, arrays[i]));
	total += 12 + 1 + 15 + 16 + 19 + 23;	/* value groups */
	total += (int)json_object_array_length(vec_member(vec_member(root,
	    "activationCodeParse_QRformat"), "cases"));
	total += (int)json_object_array_length(vec_member(vec_member(root,
	    "recoveryCodeParse"), "cases"));
	total += 1 + 7;				/* recovery pairs */
	tap_ok(n == total && total == 158, "%s: %d of %d cases", codes_file, n,
	    total);
	vec_report(codes_file, n, 0);
	json_object_put(root);
}

static void
crc(void)
{
	static const char f[] = "extracted/crc16-arc.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "vectors");
	uint8_t want[2];
	const char *s;
	size_t i;
	int n = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		s = vec_str(e, "ascii");
		n += tap_ok(s != NULL && vec_hex(e, "crc16", want, 2) == 2 &&
		    activation_code_crc16((const uint8_t *)s, strlen(s)) ==
		    ((uint16_t)want[0] << 8 | want[1]), "crc16 #%zu", i);
	}
	tap_ok(activation_code_crc16((const uint8_t *)"123456789", 9) ==
	    0xBB3D, "CRC-16/ARC check value");
	tap_ok(n == 10, "%s: 10 entries", f);
	vec_report(f, n, 0);
	json_object_put(root);
}

static int
sig_entry(struct json_object *e, size_t i)
{
	struct json_object *in = vec_member(e, "input"), *out = vec_member(e, "output");
	EVP_PKEY *priv = vec_key(in, "masterPrivateKey", 1);
	EVP_PKEY *pub = vec_key(in, "masterPublicKey", 0);
	const char *code = vec_str(in, "activationCode");
	const char *sig = vec_str(out, "activationSignature");
	char mine[ACTIVATION_SIG_B64_MAX + 1], qr[160], c2[24],
	    s2[ACTIVATION_SIG_B64_MAX + 1];
	int ok;

	ok = priv != NULL && pub != NULL && code != NULL && sig != NULL &&
	    activation_code_validate(code) == 0 &&
	    activation_code_verify(pub, code, sig) == 0;
	/* Our own signature with the private key verifies with the public. */
	ok = ok && activation_code_sign(priv, code, mine) == 0 &&
	    activation_code_verify(pub, code, mine) == 0 &&
	    activation_code_qr_build(code, sig, qr, sizeof(qr)) == 0 &&
	    activation_code_qr_parse(qr, c2, s2) == 0 &&
	    strcmp(c2, code) == 0 && strcmp(s2, sig) == 0;
	/* A different code must not verify with this signature. */
	{
		char other[ACTIVATION_CODE_LEN + 1];

		activation_code_generate(other);
		ok = ok && activation_code_verify(pub, other, sig) != 0;
	}
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	return tap_ok(ok, "activation signature v3 #%zu", i);
}

static void
signatures(void)
{
	static const char f[] =
	    "powerauth-crypto/verify-activation-data-signature-v3.json";
	struct json_object *root = vec_load(f), *a = vec_member(root, "data");
	size_t i;
	int n = 0;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++)
		n += sig_entry(json_object_array_get_idx(a, i), i);
	tap_ok(n == 20, "%s: 20 entries", f);
	vec_report(f, n, 0);
	json_object_put(root);
}

static void
generation(void)
{
	char code[ACTIVATION_CODE_LEN + 1], b32[32], qr[64];
	char c2[ACTIVATION_CODE_LEN + 1], s2[ACTIVATION_SIG_B64_MAX + 1];
	uint8_t r[12], back[12];
	size_t bl = 0;
	int i, ok = 1;

	for (i = 0; i < 200; i++) {
		ok &= activation_code_generate(code) == 0 &&
		    activation_code_validate(code) == 0 &&
		    (code[22] == 'A' || code[22] == 'Q');
	}
	tap_ok(ok, "200 generated codes validate and end in A or Q");
	for (i = 0; i < 12; i++)
		r[i] = (uint8_t)(i * 37 + 1);
	activation_code_base32_encode(r, 12, b32);
	tap_ok(strlen(b32) == 20 && activation_code_base32_decode(b32, 20,
	    back, sizeof(back), &bl) == 0 && bl == 12 &&
	    memcmp(back, r, 12) == 0, "base32 round trip (%s)", b32);
	activation_code_base32_encode((const uint8_t *)"foobar", 6, b32);
	tap_str(b32, "MZXW6YTBOI", "RFC 4648 base32('foobar') unpadded");
	tap_ok(activation_code_base32_decode("MZXW6YTBOJ", 10, back,
	    sizeof(back), &bl) != 0, "non-zero trailing bits refused");
	tap_ok(activation_code_base32_decode("mzxw6ytboi", 10, back,
	    sizeof(back), &bl) != 0, "lower case refused");
	activation_code_generate(code);
	tap_ok(activation_code_qr_build(code, NULL, qr, sizeof(qr)) == 0 &&
	    strcmp(qr, code) == 0 && activation_code_qr_parse(qr, c2, s2) ==
	    0 && s2[0] == '\0', "QR without signature");
	tap_ok(activation_code_qr_build(code, "ABCD", qr, 24) != 0,
	    "QR build: small buffer refused");
	tap_ok(activation_code_validate(NULL) != 0 &&
	    recovery_puk_validate(NULL) != 0, "NULL refused");
}

int
main(void)
{
	codes();
	crc();
	signatures();
	generation();
	return tap_done();
}
