/*
 * Offline operation QR payload: extracted/offline-operation-qr.json (layout,
 * exact signed bytes, nonce, signing-key flag), the server builder producing
 * the same signed bytes, and sign/verify round trips with fresh keys.
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/offline_qr.h"
#include "tap.h"
#include "vectors.h"

static const char file[] = "extracted/offline-operation-qr.json";

static int
vector(struct json_object *v, size_t i, EVP_PKEY *key)
{
	struct offline_qr_parsed p;
	struct offline_qr q = { 0 };
	const char *code = vec_str(v, "code"), *sd = vec_str(v, "expectedSignedData");
	const char *want_sig = vec_str(v, "expectedSignature");
	char *sig = NULL, *built = NULL;
	int ok;

	if (offline_qr_parse(code, strlen(code), &p) != 0)
		return tap_ok(0, "qr #%zu parses", i);
	ok = tap_mem(code, p.signed_len, sd, strlen(sd), "qr #%zu signed data",
	    i);
	ok &= tap_ok(!p.personalized, "qr #%zu: master key ('0')", i);
	if (vec_str(v, "expectedNonce") != NULL)
		ok &= tap_str(p.nonce_b64, vec_str(v, "expectedNonce"),
		    "qr #%zu nonce", i);
	if (want_sig != NULL) {
		sig = b64_encode_new(p.sig, p.siglen);
		ok &= tap_str(sig, want_sig, "qr #%zu signature", i);
	}
	/* The builder reproduces the signed bytes from the fields. */
	q.operation_id = p.operation_id;
	q.title = p.title;		/* no escapes in the samples */
	q.message = p.message;
	q.operation_data = p.operation_data;
	q.flags = p.flags;
	q.attrs = p.attrs;
	q.nattrs = p.nattrs;
	built = offline_qr_build(&q, p.nonce, 0, key);
	ok &= tap_ok(built != NULL && strncmp(built, sd, strlen(sd)) == 0,
	    "qr #%zu: builder produces the same signed bytes", i);
	free(sig);
	free(built);
	offline_qr_parsed_free(&p);
	return ok;
}

static void
vectors(EVP_PKEY *key)
{
	struct json_object *root = vec_load(file), *arr;
	struct offline_qr_parsed p;
	const char *code;
	int checked = 0;

	if (root == NULL || !json_object_object_get_ex(root, "vectors", &arr)) {
		tap_ok(0, "load %s", file);
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		checked += vector(json_object_array_get_idx(arr, i), i, key);
	code = vec_str(json_object_array_get_idx(arr, 1), "code");
	tap_ok(offline_qr_parse(code, strlen(code), &p) == 0 && p.nattrs == 2 &&
	    strcmp(p.attrs[0], "12345678") == 0 &&
	    strcmp(p.attrs[1], "Some Additional Information") == 0 &&
	    strcmp(p.flags, "B") == 0, "qr #1: extra attributes");
	offline_qr_parsed_free(&p);
	tap_ok(checked == 2, "all 2 entries pass");
	vec_report(file, checked, 0);
	json_object_put(root);
}

static void
roundtrip(EVP_PKEY *key, EVP_PKEY *other)
{
	static const char *const attrs[] = { "12345678" };
	struct offline_qr q = { "5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6",
	    "Pay\nnow \\ please", "Confirm", "A1*A100CZK*D20180425", "BX",
	    attrs, 1 };
	struct offline_qr_parsed p;
	struct buf t = BUF_INIT, body = BUF_INIT;
	char *s;

	s = offline_qr_build(&q, NULL, 1, key);
	tap_ok(s != NULL && offline_qr_parse(s, strlen(s), &p) == 0,
	    "built payload parses");
	if (s == NULL)
		return;
	tap_ok(p.personalized && strcmp(p.title, "Pay\\nnow \\\\ please") == 0,
	    "personalized flag, escaped title");
	tap_ok(offline_qr_unescape(&t, p.title) == 0 &&
	    strcmp(buf_cstr(&t), q.title) == 0, "title unescapes");
	tap_ok(offline_qr_verify(&p, s, key) == 0, "signature verifies");
	tap_ok(offline_qr_verify(&p, s, other) != 0, "wrong key fails");
	s[3] ^= 1;
	tap_ok(offline_qr_verify(&p, s, key) != 0, "tampered payload fails");
	offline_qr_parsed_free(&p);
	free(s);
	tap_ok(offline_qr_signing_body(&body, q.operation_id, q.operation_data,
	    attrs[0]) == 0 && strcmp(buf_cstr(&body),
	    "5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6&A1*A100CZK*D20180425&12345678")
	    == 0, "offline signing body with TOTP");
	q.operation_data = "A1\n*X";
	tap_ok(offline_qr_build(&q, NULL, 1, key) == NULL,
	    "newline in operation data refused");
	q.operation_data = "A1";
	q.flags = "Z";
	tap_ok(offline_qr_build(&q, NULL, 1, key) == NULL, "unknown flag refused");
	tap_ok(offline_qr_unescape(&t, "bad\\x") != 0, "unknown escape refused");
	buf_free(&t);
	buf_free(&body);
}

static void
negatives(void)
{
	static const char *const bad[] = {
		"id\nt\nm\nA1\nB\nAD8bOO0Df73kNaIGb3Vmpg==",
		"id\nt\nm\nA1\nB\nAD8bOO0Df73kNaIGb3Vmpg\n0MEYCIQ==",
		"id\nt\nm\nA1\nB\nAD8bOO0Df73kNaIGb3Vmpg==\n2MEYCIQ==",
		"id\nt\nm\nA1\nB\nAD8bOO0Df73kNaIGb3Vmpg==\n0",
		"\nt\nm\nA1\nB\nAD8bOO0Df73kNaIGb3Vmpg==\n0MEYCIQ==",
		"id\nt\nm\nA1\nB\n1\n2\n3\n4\n5\n6\n7\n8\n9\nAD8bOO0Df73kNaIGb3Vmpg==\n0MEYCIQ==",
	};
	struct offline_qr_parsed p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_ok(offline_qr_parse(bad[i], strlen(bad[i]), &p) != 0,
		    "malformed payload %zu rejected", i);
		offline_qr_parsed_free(&p);
	}
}

int
main(void)
{
	EVP_PKEY *key = NULL, *other = NULL;

	if (pa_ec_generate(&key) != 0 || pa_ec_generate(&other) != 0) {
		tap_ok(0, "generate keys");
		return tap_done();
	}
	vectors(key);
	roundtrip(key, other);
	negatives();
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	return tap_done();
}
