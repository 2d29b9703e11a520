/*
 * Activation status blob: activation-status-blob-iv.json and
 * activation-status-blob-data.json (all entries), server re-encryption of
 * the vector plaintexts, 3.0 (no challenge) and 3.1+ round trips.
 */
#include <json-c/json.h>
#include <string.h>

#include "crypto/status_blob.h"
#include "tap.h"
#include "vectors.h"

static const char iv_file[] = "powerauth-crypto/activation-status-blob-iv.json";
static const char data_file[] =
    "powerauth-crypto/activation-status-blob-data.json";

static struct json_object *
entries(struct json_object *root)
{
	struct json_object *a = NULL;

	json_object_object_get_ex(root, "data", &a);
	return a;
}

static void
iv_vectors(void)
{
	struct json_object *root = vec_load(iv_file), *a, *in, *out;
	uint8_t tk[16], ch[16], nonce[16], want[16], iv[16];
	int checked = 0;

	if (root == NULL || (a = entries(root)) == NULL) {
		tap_ok(0, "load %s", iv_file);
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object_object_get_ex(json_object_array_get_idx(a, i),
		    "input", &in);
		json_object_object_get_ex(json_object_array_get_idx(a, i),
		    "output", &out);
		if (vec_b64(in, "transportKey", tk, 16) != 16 ||
		    vec_b64(in, "challenge", ch, 16) != 16 ||
		    vec_b64(in, "nonce", nonce, 16) != 16 ||
		    vec_b64(out, "iv", want, 16) != 16 ||
		    status_blob_iv(tk, ch, nonce, iv) != 0) {
			tap_ok(0, "iv #%zu: inputs", i);
			continue;
		}
		checked += tap_mem(iv, 16, want, 16, "iv #%zu", i);
	}
	tap_ok(checked == 32, "all 32 IV entries pass");
	vec_report(iv_file, checked, 0);
	json_object_put(root);
}

static int
fields_match(const struct status_blob *b, struct json_object *out, size_t i)
{
	return tap_ok(b->status == vec_int(out, "activationStatus") &&
	    b->current_version == vec_int(out, "currentVersion") &&
	    b->upgrade_version == vec_int(out, "upgradeVersion") &&
	    b->failed_attempts == vec_int(out, "failedAttempts") &&
	    b->max_failed_attempts == vec_int(out, "maxFailedAttempts") &&
	    b->ctr_lookahead == vec_int(out, "ctrLookAhead") &&
	    b->ctr_byte == vec_int(out, "ctrByte"), "data #%zu: fields", i);
}

/* Server side: rebuild from the fields, compare all but the reserved bytes,
 * and re-encrypt the exact vector plaintext. */
static int
server_side(const struct status_blob *b, const uint8_t plain[32],
    const uint8_t tk[16], const uint8_t ch[16], const uint8_t nonce[16],
    const uint8_t enc[32], size_t i)
{
	uint8_t built[32], again[32];
	int ok;

	ok = status_blob_build(b, 1, built) == 0 &&
	    memcmp(built, plain, 7) == 0 && memcmp(built + 12, plain + 12, 20)
	    == 0;
	tap_ok(ok, "data #%zu: server builds the same blob", i);
	ok &= status_blob_encrypt(tk, ch, nonce, plain, again) == 0 &&
	    tap_mem(again, 32, enc, 32, "data #%zu: re-encrypted", i);
	return ok;
}

static int
data_entry(struct json_object *e, size_t i)
{
	struct json_object *in, *out;
	struct status_blob b;
	uint8_t tk[16], ch[16], nonce[16], ctr[16], enc[32], plain[32], h[16];
	int ok;

	json_object_object_get_ex(e, "input", &in);
	json_object_object_get_ex(e, "output", &out);
	if (vec_b64(in, "transportKey", tk, 16) != 16 ||
	    vec_b64(in, "challenge", ch, 16) != 16 ||
	    vec_b64(in, "nonce", nonce, 16) != 16 ||
	    vec_b64(in, "ctrData", ctr, 16) != 16 ||
	    vec_b64(in, "encryptedStatusBlob", enc, 32) != 32 ||
	    vec_b64(out, "ctrDataHash", h, 16) != 16)
		return tap_ok(0, "data #%zu: inputs", i);
	ok = tap_ok(status_blob_decrypt(tk, ch, nonce, enc, plain) == 0 &&
	    status_blob_parse(plain, &b) == 0, "data #%zu: decrypts", i);
	ok &= fields_match(&b, out, i);
	ok &= tap_mem(b.ctr_data_hash, 16, h, 16, "data #%zu: ctr hash", i);
	ok &= tap_ok(status_blob_ctr_distance(tk, ctr, b.ctr_data_hash, 64) ==
	    vec_int(out, "counterDistance"), "data #%zu: counter distance", i);
	ok &= server_side(&b, plain, tk, ch, nonce, enc, i);
	return ok;
}

static void
data_vectors(void)
{
	struct json_object *root = vec_load(data_file), *a;
	int checked = 0;

	if (root == NULL || (a = entries(root)) == NULL) {
		tap_ok(0, "load %s", data_file);
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++)
		checked += data_entry(json_object_array_get_idx(a, i), i);
	tap_ok(checked == 8, "all 8 data entries pass");
	vec_report(data_file, checked, 0);
	json_object_put(root);
}

static void
roundtrips(void)
{
	struct status_blob in = { STATUS_ACTIVE, 3, 3, 0x2a, 2, 5, 20, { 0 } };
	struct status_blob out;
	uint8_t tk[16] = { 7 }, ctr[16] = { 9 }, ch[16] = { 1, 2, 3 };
	uint8_t nonce[16], blob[32], blob2[32], plain[32], zero[16] = { 0 };
	uint8_t want_hash[16];

	/* 3.1+: every field comes back. */
	status_blob_ctr_hash(tk, ctr, want_hash);
	tap_ok(status_blob_seal(&in, tk, ctr, ch, nonce, blob) == 0 &&
	    status_blob_decrypt(tk, ch, nonce, blob, plain) == 0 &&
	    status_blob_parse(plain, &out) == 0 && out.status == in.status &&
	    out.ctr_byte == 0x2a && out.failed_attempts == 2 &&
	    out.max_failed_attempts == 5 && out.ctr_lookahead == 20 &&
	    memcmp(out.ctr_data_hash, want_hash, 16) == 0,
	    "3.1+ round trip with challenge");
	tap_ok(status_blob_ctr_distance(tk, ctr, out.ctr_data_hash, 20) == 0,
	    "device finds distance 0");
	/* 3.0: zero IV, only status/versions/fail counts are meaningful. */
	tap_ok(status_blob_seal(&in, tk, ctr, NULL, NULL, blob) == 0 &&
	    status_blob_decrypt(tk, NULL, NULL, blob, plain) == 0 &&
	    status_blob_parse(plain, &out) == 0 && out.status == in.status &&
	    out.current_version == 3 && out.upgrade_version == 3 &&
	    out.failed_attempts == 2 && out.max_failed_attempts == 5,
	    "3.0 round trip without challenge");
	tap_ok(status_blob_seal(&in, tk, ctr, NULL, NULL, blob2) == 0 &&
	    memcmp(blob, blob2, 32) != 0, "3.0 blobs carry fresh entropy");
	/* v2 activation: zero hash. */
	tap_ok(status_blob_seal(&in, tk, NULL, ch, nonce, blob) == 0 &&
	    status_blob_decrypt(tk, ch, nonce, blob, plain) == 0 &&
	    memcmp(plain + 16, zero, 16) == 0, "v2 activation: zero ctr hash");
	memcpy(plain, "\xde\xc0\xde\xdf", 4);
	tap_ok(status_blob_parse(plain, &out) == 0, "magic D1..DF accepted");
	plain[3] = 0xd0;
	tap_ok(status_blob_parse(plain, &out) != 0, "magic D0 rejected");
	plain[3] = 0xd1;
	plain[4] = 6;
	tap_ok(status_blob_parse(plain, &out) != 0, "status 6 rejected");
	plain[4] = 0;
	tap_ok(status_blob_parse(plain, &out) != 0, "status 0 rejected");
	tap_ok(status_blob_ctr_distance(tk, zero, want_hash, 20) < 0,
	    "distance not found outside window");
}

int
main(void)
{
	iv_vectors();
	data_vectors();
	roundtrips();
	return tap_done();
}
