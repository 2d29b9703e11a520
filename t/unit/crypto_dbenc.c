/*
 * At-rest encryption (dbenc): all 3 entries of
 * extracted/server-db-encryption.json decrypt with the test master key,
 * re-encryption round trips, and the record binding: a value copied onto
 * another record (other parts, other order, other master key) fails.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dbenc.h"
#include "tap.h"
#include "vectors.h"

static const char f[] = "extracted/server-db-encryption.json";

static int
entry(const uint8_t master[16], struct json_object *e, size_t i)
{
	struct json_object *pa = vec_member(e, "kdfIndexParts");
	const char *parts[4], *swapped[4], *other[4];
	const char *enc = vec_str(e, "encryptedBase64");
	uint8_t want[128], got[128], m2[16];
	size_t np, k, gl = 0;
	char *again;
	int wl, ok;

	np = pa != NULL ? json_object_array_length(pa) : 0;
	if (np < 1 || np > 4 || enc == NULL)
		return tap_ok(0, "db entry #%zu: inputs", i);
	for (k = 0; k < np; k++) {
		parts[k] = json_object_get_string(json_object_array_get_idx(pa,
		    k));
		swapped[np - 1 - k] = parts[k];
		other[k] = parts[k];
	}
	other[np - 1] = "ffffffff-e1c5-4ee1-8d1b-c6947cab0a56";
	if (vec_str(e, "plaintextUtf8") != NULL) {
		wl = (int)strlen(vec_str(e, "plaintextUtf8"));
		if (wl > (int)sizeof(want))
			wl = -1;
		else
			memcpy(want, vec_str(e, "plaintextUtf8"), (size_t)wl);
	} else
		wl = vec_b64(e, "plaintextBase64", want, sizeof(want));
	ok = wl > 0 && dbenc_decrypt(master, parts, np, enc, got, sizeof(got),
	    &gl) == 0 && gl == (size_t)wl && memcmp(got, want, gl) == 0;
	tap_ok(ok, "db entry #%zu (%s) decrypts", i, vec_str(e, "what"));
	tap_ok(dbenc_decrypt(master, other, np, enc, got, sizeof(got),
	    &gl) != 0, "db entry #%zu: copied onto another record fails", i);
	if (np > 1)
		tap_ok(dbenc_decrypt(master, swapped, np, enc, got,
		    sizeof(got), &gl) != 0,
		    "db entry #%zu: parts in another order fail", i);
	memcpy(m2, master, 16);
	m2[0] ^= 0x80;
	tap_ok(dbenc_decrypt(m2, parts, np, enc, got, sizeof(got), &gl) != 0,
	    "db entry #%zu: other master key fails", i);
	again = wl > 0 ? dbenc_encrypt(master, parts, np, want, (size_t)wl) :
	    NULL;
	tap_ok(again != NULL && strcmp(again, enc) != 0 &&
	    dbenc_decrypt(master, parts, np, again, got, sizeof(got),
	    &gl) == 0 && gl == (size_t)wl && memcmp(got, want, gl) == 0,
	    "db entry #%zu: re-encryption (fresh IV) round trips", i);
	free(again);
	return ok;
}

int
main(void)
{
	struct json_object *root = vec_load(f), *a = vec_member(root, "vectors");
	const char *p2[2] = { "user", "act" };
	uint8_t master[16], got[64];
	size_t i, gl = 0;
	int n = 0;

	if (vec_b64(root, "masterDbEncryptionKeyBase64", master, 16) != 16) {
		tap_ok(0, "load %s", f);
		json_object_put(root);
		return tap_done();
	}
	for (i = 0; a != NULL && i < json_object_array_length(a); i++)
		n += entry(master, json_object_array_get_idx(a, i), i);
	tap_ok(n == 3, "%s: 3 entries", f);
	vec_report(f, n, 0);
	json_object_put(root);
	tap_ok(dbenc_decrypt(master, p2, 2, "AAAA", got, sizeof(got),
	    &gl) != 0, "short value refused");
	tap_ok(dbenc_decrypt(master, p2, 2, "not base64!", got, sizeof(got),
	    &gl) != 0, "malformed value refused");
	return tap_done();
}
