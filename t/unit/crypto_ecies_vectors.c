/*
 * ECIES against the published vectors: the eight E2EE files (from the given
 * envelope key), the 3.0/3.1 bare primitive with the server private key, and
 * the 3.2/3.3 full envelopes with server private keys (all encryptors, both
 * scopes, envelope key and AD intermediates, byte-exact responses).
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/ecies.h"
#include "crypto/primitives.h"
#include "tap.h"
#include "vectors.h"

static const char *const e2ee_files[] = {
	"powerauth-crypto-e2ee-v3/E2ee_Application_Scope_Test_Vectors_30.json",
	"powerauth-crypto-e2ee-v3/E2ee_Application_Scope_Test_Vectors_31.json",
	"powerauth-crypto-e2ee-v3/E2ee_Application_Scope_Test_Vectors_32.json",
	"powerauth-crypto-e2ee-v3/E2ee_Application_Scope_Test_Vectors_33.json",
	"powerauth-crypto-e2ee-v3/E2ee_Activation_Scope_Test_Vectors_30.json",
	"powerauth-crypto-e2ee-v3/E2ee_Activation_Scope_Test_Vectors_31.json",
	"powerauth-crypto-e2ee-v3/E2ee_Activation_Scope_Test_Vectors_32.json",
	"powerauth-crypto-e2ee-v3/E2ee_Activation_Scope_Test_Vectors_33.json",
};

static int
sh1_by_name(const char *name, enum ecies_sh1 *out)
{
	static const struct {
		const char	*name;
		enum ecies_sh1	 sh1;
	} map[] = {
		{ "APPLICATION_SCOPE_GENERIC", ECIES_SH1_APPLICATION_GENERIC },
		{ "ACTIVATION_SCOPE_GENERIC", ECIES_SH1_ACTIVATION_GENERIC },
		{ "ACTIVATION_LAYER_2", ECIES_SH1_ACTIVATION_LAYER2 },
		{ "UPGRADE", ECIES_SH1_UPGRADE },
		{ "VAULT_UNLOCK", ECIES_SH1_VAULT_UNLOCK },
		{ "CREATE_TOKEN", ECIES_SH1_TOKEN_CREATE },
		{ "CONFIRM_RECOVERY_CODE", ECIES_SH1_RECOVERY_CONFIRM },
	};

	for (size_t i = 0; name != NULL && i < sizeof(map) / sizeof(map[0]);
	    i++)
		if (strcmp(map[i].name, name) == 0) {
			*out = map[i].sh1;
			return 0;
		}
	return -1;
}

/* Copies member `from` of v into o as `to` (skipped when absent). */
static void
move_member(struct json_object *o, struct json_object *v, const char *from,
    const char *to, int as_int)
{
	const char *s = vec_str(v, from);

	if (s == NULL)
		return;
	if (as_int)
		json_object_object_add(o, to,
		    json_object_new_int64(strtoll(s, NULL, 10)));
	else
		json_object_object_add(o, to, json_object_new_string(s));
}

/* The E2EE entry's request/response in wire form. */
static struct json_object *
e2ee_wire(struct json_object *v, int response)
{
	struct json_object *o = json_object_new_object();

	if (!response) {
		move_member(o, v, "temporaryKeyId", "temporaryKeyId", 0);
		move_member(o, v, "requestEphemeralPublicKey",
		    "ephemeralPublicKey", 0);
		move_member(o, v, "encryptedDataRequest", "encryptedData", 0);
		move_member(o, v, "requestMac", "mac", 0);
		move_member(o, v, "requestNonce", "nonce", 0);
		move_member(o, v, "timestampRequest", "timestamp", 1);
	} else {
		move_member(o, v, "encryptedDataResponse", "encryptedData", 0);
		move_member(o, v, "responseMac", "mac", 0);
		move_member(o, v, "responseNonce", "nonce", 0);
		move_member(o, v, "timestampResponse", "timestamp", 1);
	}
	return o;
}

static void
expected_ad(struct buf *ad, struct json_object *v, enum pa_proto_version ver,
    int activation)
{
	if (ver < PA_PROTO_32)
		return;
	pa_lv_append_str(ad, vec_str(v, "protocolVersion"));
	pa_lv_append_str(ad, vec_str(v, "applicationKey"));
	if (activation)
		pa_lv_append_str(ad, vec_str(v, "activationId"));
	if (ver == PA_PROTO_33)
		pa_lv_append_str(ad, vec_str(v, "temporaryKeyId"));
}

/* Server response with the given nonce/timestamp, compared byte for byte. */
static int
check_response(struct ecies_ctx *c, const uint8_t *plain, size_t n,
    struct json_object *wire, enum pa_proto_version ver, const char *what)
{
	struct ecies_response want, got;
	struct buf dec = BUF_INIT;
	int ok;

	if (ecies_response_from_object(wire, ver, &want) != ECIES_OK)
		return tap_ok(0, "%s: response parses", what);
	ok = ecies_encrypt_response(c, plain, n, want.has_nonce ? want.nonce :
	    NULL, want.timestamp, &got) == ECIES_OK &&
	    got.datalen == want.datalen &&
	    memcmp(got.data, want.data, got.datalen) == 0 &&
	    memcmp(got.mac, want.mac, ECIES_MAC_LEN) == 0;
	tap_ok(ok, "%s: response re-encrypted byte-exact", what);
	ok &= ecies_decrypt_response(c, &want, &dec) == ECIES_OK &&
	    dec.len == n && memcmp(dec.data, plain, n) == 0;
	tap_ok(ok, "%s: response MAC + decrypt", what);
	ecies_response_free(&want);
	ecies_response_free(&got);
	buf_free(&dec);
	return ok;
}

static int
e2ee_entry(struct json_object *v, const char *what)
{
	struct ecies_params p = { 0 };
	struct ecies_ctx c;
	struct ecies_request req;
	struct buf ad = BUF_INIT, want_ad = BUF_INIT, plain = BUF_INIT;
	struct json_object *rq, *rs;
	uint8_t tk[16], ek[48], sh2b[32];
	enum ecies_sh1 sh1;
	const char *reqd = vec_str(v, "requestData"),
	    *resd = vec_str(v, "responseData");
	int ok = 1, act;

	p.version = pa_proto_parse(vec_str(v, "protocolVersion"));
	act = strcmp(vec_str(v, "encryptorScope"), "ACTIVATION_SCOPE") == 0;
	p.scope = act ? ECIES_SCOPE_ACTIVATION : ECIES_SCOPE_APPLICATION;
	p.app_key = vec_str(v, "applicationKey");
	p.app_secret = vec_str(v, "applicationSecret");
	p.activation_id = vec_str(v, "activationId");
	p.temp_key_id = vec_str(v, "temporaryKeyId");
	if (act && vec_b64(v, "transportKey", tk, 16) == 16)
		p.transport_key = tk;
	if (sh1_by_name(vec_str(v, "encryptorId"), &sh1) != 0 ||
	    vec_b64(v, "envelopeKey", ek, 48) != 48 ||
	    vec_b64(v, "sharedInfo2Base", sh2b, 32) != 32 ||
	    ecies_ctx_init(&c, &p, sh1) != ECIES_OK)
		return tap_ok(0, "%s: setup", what);
	ok &= tap_mem(c.sh2base, c.sh2baselen, sh2b, 32, "%s: SH2 base", what);
	expected_ad(&want_ad, v, p.version, act);
	ok &= ecies_associated_data(&c, &ad) == ECIES_OK &&
	    tap_mem(ad.data, ad.len, want_ad.data, want_ad.len, "%s: AD", what);
	ecies_ctx_set_envelope(&c, ek);
	rq = e2ee_wire(v, 0);
	rs = e2ee_wire(v, 1);
	ok &= tap_ok(ecies_request_from_object(rq, p.version, &req) ==
	    ECIES_OK, "%s: request envelope parses", what);
	ok &= tap_ok(ecies_decrypt_request(&c, NULL, &req, &plain) == ECIES_OK,
	    "%s: request MAC ok", what) &&
	    tap_mem(plain.data, plain.len, reqd, strlen(reqd),
	    "%s: request plaintext", what);
	ok &= check_response(&c, (const uint8_t *)resd, strlen(resd), rs,
	    p.version, what);
	ecies_request_free(&req);
	json_object_put(rq);
	json_object_put(rs);
	ecies_ctx_wipe(&c);
	buf_free(&ad);
	buf_free(&want_ad);
	buf_free(&plain);
	return ok;
}

static void
e2ee_file(const char *file)
{
	struct json_object *root = vec_load(file), *arr = NULL;
	char what[160];
	int checked = 0;

	if (root == NULL) {
		tap_ok(0, "load %s", file);
		return;
	}
	json_object_object_foreach(root, key, val) {
		(void)key;
		arr = val;
	}
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr);
	    i++) {
		snprintf(what, sizeof(what), "%s #%zu", strrchr(file, '/') + 1,
		    i);
		checked += e2ee_entry(json_object_array_get_idx(arr, i), what);
	}
	tap_ok(checked == 25, "%s: all 25 entries pass", file);
	vec_report(file, checked, 0);
	json_object_put(root);
}

static EVP_PKEY *
private_key(struct json_object *o, const char *key)
{
	uint8_t d[40];
	int n = vec_b64(o, key, d, sizeof(d));
	EVP_PKEY *k = NULL;

	if (n <= 0 || pa_ec_private_from_bytes(d, (size_t)n, &k) != 0)
		return NULL;
	return k;
}

static int
raw_entry(struct json_object *v, enum pa_proto_version ver, EVP_PKEY *priv,
    const char *what)
{
	struct ecies_ctx c;
	struct ecies_request req;
	struct buf plain = BUF_INIT;
	struct json_object *rq, *rs;
	uint8_t sh1[256], sh2[256], pt[512], rpt[512];
	int n1, n2, np, nr, ok;

	n1 = vec_b64(v, "sharedInfo1", sh1, sizeof(sh1));
	n2 = vec_b64(v, "sharedInfo2", sh2, sizeof(sh2));
	np = vec_b64(v, "requestPlaintext", pt, sizeof(pt));
	nr = vec_b64(v, "responsePlaintext", rpt, sizeof(rpt));
	json_object_object_get_ex(v, "request", &rq);
	json_object_object_get_ex(v, "response", &rs);
	if (n1 < 0 || n2 < 0 || np < 0 || nr < 0 ||
	    ecies_ctx_init_raw(&c, ver, sh1, (size_t)n1, sh2, (size_t)n2) !=
	    ECIES_OK || ecies_request_from_object(rq, ver, &req) != ECIES_OK)
		return tap_ok(0, "%s: setup", what);
	ok = tap_ok(ecies_decrypt_request(&c, priv, &req, &plain) == ECIES_OK,
	    "%s: ECDH + X9.63 + MAC", what) &&
	    tap_mem(plain.data, plain.len, pt, (size_t)np,
	    "%s: request plaintext", what);
	ok &= check_response(&c, rpt, (size_t)nr, rs, ver, what);
	ecies_request_free(&req);
	ecies_ctx_wipe(&c);
	buf_free(&plain);
	return ok;
}

static void
raw_file(void)
{
	static const char file[] = "extracted/ecies-v30-v31-raw.json";
	static const char *const sets[] = { "3.0", "3.1" };
	struct json_object *root = vec_load(file), *jsets, *set, *arr;
	EVP_PKEY *priv;
	char what[64];
	int checked = 0, total = 0;

	if (root == NULL || !json_object_object_get_ex(root, "sets", &jsets)) {
		tap_ok(0, "load %s", file);
		json_object_put(root);
		return;
	}
	for (size_t s = 0; s < 2; s++) {
		json_object_object_get_ex(jsets, sets[s], &set);
		json_object_object_get_ex(set, "vectors", &arr);
		priv = private_key(set, "serverPrivateKey");
		tap_ok(priv != NULL, "raw %s: server private key", sets[s]);
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			snprintf(what, sizeof(what), "raw %s #%zu", sets[s], i);
			total++;
			checked += priv != NULL && raw_entry(
			    json_object_array_get_idx(arr, i),
			    pa_proto_parse(sets[s]), priv, what);
		}
		EVP_PKEY_free(priv);
	}
	tap_ok(checked == total && total == 12, "%s: all entries pass", file);
	vec_report(file, checked, 0);
	json_object_put(root);
}

struct full_set {
	enum pa_proto_version	 ver;
	struct json_object	*k;	/* constants */
	EVP_PKEY		*master, *server;
	uint8_t			 tk[16];
};

static int
full_check_intermediates(struct ecies_ctx *c, struct json_object *v,
    const char *what)
{
	struct buf ad = BUF_INIT;
	uint8_t want_ad[512], ek[48], got[48];
	int n = vec_b64(v, "associatedData", want_ad, sizeof(want_ad)), ok;

	memcpy(got, c->key_enc, 16);
	memcpy(got + 16, c->key_mac, 16);
	memcpy(got + 32, c->key_iv, 16);
	ok = vec_b64(v, "envelopeKey", ek, 48) == 48 &&
	    tap_mem(got, 48, ek, 48, "%s: envelope key", what);
	ok &= ecies_associated_data(c, &ad) == ECIES_OK && n > 0 &&
	    tap_mem(ad.data, ad.len, want_ad, (size_t)n, "%s: AD", what);
	buf_free(&ad);
	return ok;
}

static int
full_entry(struct full_set *fs, struct json_object *v, const char *what)
{
	struct ecies_params p = { 0 };
	struct ecies_ctx c;
	struct ecies_request req;
	struct buf plain = BUF_INIT;
	struct json_object *rq, *rs;
	uint8_t pt[1024], rpt[1024];
	enum ecies_sh1 sh1;
	int np, nr, ok, act;

	np = vec_b64(v, "plainRequestData", pt, sizeof(pt));
	nr = vec_b64(v, "plainResponseData", rpt, sizeof(rpt));
	if (sh1_by_name(vec_str(v, "encryptorId"), &sh1) != 0 || np < 0 ||
	    nr < 0)
		return tap_ok(0, "%s: setup", what);
	act = ecies_sh1_scope(sh1) == ECIES_SCOPE_ACTIVATION;
	tap_str(act ? "ACTIVATION_SCOPE" : "APPLICATION_SCOPE",
	    vec_str(v, "scope"), "%s: scope of %s", what,
	    vec_str(v, "encryptorId"));
	tap_str(ecies_sh1_str(sh1), vec_str(v, "sharedInfo1Value"),
	    "%s: sharedInfo1 constant", what);
	p.version = fs->ver;
	p.scope = act ? ECIES_SCOPE_ACTIVATION : ECIES_SCOPE_APPLICATION;
	p.app_key = vec_str(fs->k, "applicationKey");
	p.app_secret = vec_str(fs->k, "applicationSecret");
	p.transport_key = act ? fs->tk : NULL;
	p.activation_id = act ? vec_str(fs->k, "activationId") : NULL;
	json_object_object_get_ex(v, "request", &rq);
	json_object_object_get_ex(v, "response", &rs);
	if (ecies_ctx_init(&c, &p, sh1) != ECIES_OK ||
	    ecies_request_from_object(rq, fs->ver, &req) != ECIES_OK)
		return tap_ok(0, "%s: init + parse", what);
	ok = tap_ok(ecies_decrypt_request(&c, act ? fs->server : fs->master,
	    &req, &plain) == ECIES_OK, "%s: ECDH + MAC", what) &&
	    tap_mem(plain.data, plain.len, pt, (size_t)np,
	    "%s: request plaintext", what);
	ok &= full_check_intermediates(&c, v, what);
	ok &= check_response(&c, rpt, (size_t)nr, rs, fs->ver, what);
	ecies_request_free(&req);
	ecies_ctx_wipe(&c);
	buf_free(&plain);
	return ok;
}

static void
full_file(void)
{
	static const char file[] = "extracted/ecies-v32-v33-full-envelope.json";
	static const char *const sets[] = { "3.2", "3.3" };
	struct json_object *root = vec_load(file), *jsets, *set, *arr;
	struct full_set fs;
	char what[64];
	int checked = 0, total = 0;

	if (root == NULL || !json_object_object_get_ex(root, "sets", &jsets)) {
		tap_ok(0, "load %s", file);
		json_object_put(root);
		return;
	}
	for (size_t s = 0; s < 2; s++) {
		json_object_object_get_ex(jsets, sets[s], &set);
		json_object_object_get_ex(set, "vectors", &arr);
		json_object_object_get_ex(set, "constants", &fs.k);
		fs.ver = pa_proto_parse(sets[s]);
		fs.master = private_key(fs.k, "masterServerPrivateKey");
		fs.server = private_key(fs.k, "serverPrivateKey");
		tap_ok(fs.master && fs.server &&
		    vec_b64(fs.k, "transportKey", fs.tk, 16) == 16,
		    "full %s: constants", sets[s]);
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			snprintf(what, sizeof(what), "full %s #%zu", sets[s],
			    i);
			total++;
			checked += fs.master && fs.server && full_entry(&fs,
			    json_object_array_get_idx(arr, i), what);
		}
		EVP_PKEY_free(fs.master);
		EVP_PKEY_free(fs.server);
	}
	tap_ok(checked == total && total == 32, "%s: all entries pass", file);
	vec_report(file, checked, 0);
	json_object_put(root);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(e2ee_files) / sizeof(e2ee_files[0]); i++)
		e2ee_file(e2ee_files[i]);
	raw_file();
	full_file();
	return tap_done();
}
