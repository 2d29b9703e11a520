/*
 * mobileSdkConfig: extracted/sdk-configuration.json (known answer, count
 * encoding incl. unencodable values, valid and invalid strings).
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sdk_config.h"
#include "tap.h"
#include "vectors.h"

static const char file[] = "extracted/sdk-configuration.json";

static int
known_answer(struct json_object *root)
{
	struct json_object *ka;
	uint8_t key[16], sec[16], pub[65], k2[16], s2[16], p2[65];
	size_t plen = 0;
	char *s = NULL;
	int ok;

	if (!json_object_object_get_ex(root, "knownAnswer", &ka) ||
	    vec_b64(ka, "applicationKey", key, 16) != 16 ||
	    vec_b64(ka, "applicationSecret", sec, 16) != 16 ||
	    vec_b64(ka, "masterServerPublicKey", pub, 65) != 65)
		return tap_ok(0, "known answer inputs");
	s = sdk_config_build(key, sec, pub, 65);
	ok = tap_str(s, vec_str(ka, "config"), "known answer built");
	ok &= tap_ok(sdk_config_parse(vec_str(ka, "config"), k2, s2, p2,
	    &plen) == 0 && memcmp(k2, key, 16) == 0 &&
	    memcmp(s2, sec, 16) == 0 && plen == 65 &&
	    memcmp(p2, pub, 65) == 0, "known answer parsed");
	free(s);
	return ok;
}

static int
counts(struct json_object *root)
{
	struct json_object *c, *vals, *bad;
	uint8_t want[128], got[128], tmp[4];
	size_t glen = 0, off = 0, used;
	uint32_t v;
	int n, checked = 0;

	if (!json_object_object_get_ex(root, "counts", &c) ||
	    !json_object_object_get_ex(c, "values", &vals) ||
	    !json_object_object_get_ex(c, "invalidForWrite", &bad) ||
	    (n = vec_b64(c, "countsBase64", want, sizeof(want))) < 0)
		return tap_ok(0, "counts inputs");
	for (size_t i = 0; i < json_object_array_length(vals); i++) {
		uint32_t x = (uint32_t)json_object_get_int64(
		    json_object_array_get_idx(vals, i));
		size_t l = sdk_config_count_encode(x, got + glen);

		glen += l;
		used = sdk_config_count_decode(want + off, (size_t)n - off, &v);
		off += used;
		checked += tap_ok(l > 0 && used == l && v == x,
		    "count %u encodes/decodes", x);
	}
	tap_mem(got, glen, want, (size_t)n, "count stream");
	for (size_t i = 0; i < json_object_array_length(bad); i++) {
		int64_t x = json_object_get_int64(
		    json_object_array_get_idx(bad, i));

		checked += tap_ok(sdk_config_count_encode((uint32_t)x, tmp) == 0,
		    "count %lld not encodable", (long long)x);
	}
	tap_ok(sdk_config_count_decode((const uint8_t *)"\x80", 1, &v) == 0 &&
	    sdk_config_count_decode((const uint8_t *)"\xc0\x00\x01", 3, &v) ==
	    0, "truncated counts rejected");
	return checked;
}

static int
configs(struct json_object *root, const char *key, int valid)
{
	struct json_object *arr, *e;
	uint8_t k[16], s[16], p[65];
	size_t plen;
	int checked = 0;

	if (!json_object_object_get_ex(root, key, &arr))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		checked += tap_ok((sdk_config_parse(vec_str(e, "config"), k, s,
		    p, &plen) == 0) == valid, "%s: %s", key,
		    vec_str(e, "label"));
	}
	return checked;
}

int
main(void)
{
	struct json_object *root = vec_load(file);
	int a, b, c, d;
	uint8_t k[16], s[16], p[65];
	size_t plen;

	if (root == NULL) {
		tap_ok(0, "load %s", file);
		return tap_done();
	}
	a = known_answer(root);
	b = counts(root);
	c = configs(root, "validConfigs", 1);
	d = configs(root, "invalidConfigs", 0);
	tap_ok(a == 1 && b == 20 && c == 2 && d == 10,
	    "all entries pass (1 known answer, 16 + 4 counts, 12 configs)");
	vec_report(file, a + b + c + d, 0);
	tap_ok(sdk_config_parse("", k, s, p, &plen) != 0 &&
	    sdk_config_parse("AQ==", k, s, p, &plen) != 0 &&
	    sdk_config_parse("not base64", k, s, p, &plen) != 0,
	    "garbage rejected");
	tap_ok(sdk_config_build(k, s, p, 64) == NULL, "bad key length refused");
	json_object_put(root);
	return tap_done();
}
