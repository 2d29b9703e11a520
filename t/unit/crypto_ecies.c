/*
 * ECIES device <-> server interoperation with fresh keys for all four
 * versions in both scopes (through the JSON envelopes), and the failure
 * paths: tampered MAC/data, wrong server key, wrong version, wrong temporary
 * key id, presence rules of the envelope fields, context reuse.
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/ecies.h"
#include "tap.h"

static const uint8_t tk[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    14, 15, 16 };

static struct ecies_params
params(enum pa_proto_version v, enum ecies_scope s)
{
	struct ecies_params p = { 0 };

	p.version = v;
	p.scope = s;
	p.app_key = "w4+hAeogFLTZjcSjPwbG2g==";
	p.app_secret = "Szls/7JWbKN+FAOijHcsPA==";
	if (s == ECIES_SCOPE_ACTIVATION) {
		p.transport_key = tk;
		p.activation_id = "c564e700-7e86-4a87-b6c8-a5a0cc89683f";
	}
	if (v == PA_PROTO_33)
		p.temp_key_id = "dc497e8a-8faa-44bc-a52a-20d8393005d2";
	return p;
}

/* Device request -> JSON -> server; server response -> JSON -> device. */
static void
roundtrip(enum pa_proto_version v, enum ecies_scope s, enum ecies_sh1 sh1,
    EVP_PKEY *server)
{
	struct ecies_params p = params(v, s), ps = p;
	struct ecies_ctx dev, srv;
	struct ecies_request rq, rq2;
	struct ecies_response rs, rs2, rs3;
	struct buf got = BUF_INIT, back = BUF_INIT;
	const char *req = "{\"hello\":\"server\"}", *resp = "{\"a\":1}";
	char *jreq = NULL, *jresp = NULL;
	const char *vs = pa_proto_str(v), *sc = s ? "activation" : "app";

	ps.temp_key_id = NULL;	/* server side takes it from the request */
	tap_ok(ecies_ctx_init(&dev, &p, sh1) == ECIES_OK &&
	    ecies_ctx_init(&srv, &ps, sh1) == ECIES_OK, "%s %s: init", vs, sc);
	tap_ok(ecies_encrypt_request(&dev, server, (const uint8_t *)req,
	    strlen(req), 1700000000123, &rq) == ECIES_OK &&
	    rq.ephlen == 33, "%s %s: device encrypts (compressed eph)", vs, sc);
	jreq = ecies_request_to_json(&rq);
	tap_ok(jreq != NULL && ecies_request_from_json(jreq, strlen(jreq), v,
	    &rq2) == ECIES_OK, "%s %s: request JSON round trip", vs, sc);
	tap_ok(ecies_decrypt_request(&srv, server, &rq2, &got) == ECIES_OK &&
	    got.len == strlen(req) && memcmp(got.data, req, got.len) == 0,
	    "%s %s: server decrypts", vs, sc);
	tap_ok(ecies_encrypt_response(&srv, (const uint8_t *)resp,
	    strlen(resp), NULL, 1700000000456, &rs) == ECIES_OK,
	    "%s %s: server encrypts response", vs, sc);
	tap_ok(v < PA_PROTO_32 || memcmp(rs.nonce, rq.nonce, 16) != 0,
	    "%s %s: response nonce differs from request nonce", vs, sc);
	jresp = ecies_response_to_json(&rs);
	tap_ok(jresp != NULL && ecies_response_from_json(jresp, strlen(jresp),
	    v, &rs2) == ECIES_OK, "%s %s: response JSON round trip", vs, sc);
	tap_ok(ecies_decrypt_response(&dev, &rs2, &back) == ECIES_OK &&
	    back.len == strlen(resp) && memcmp(back.data, resp, back.len) == 0,
	    "%s %s: device decrypts response", vs, sc);
	tap_ok(ecies_encrypt_response(&srv, (const uint8_t *)resp, 1, NULL, 0,
	    &rs3) == ECIES_ERR_PARAM, "%s %s: one response per envelope", vs,
	    sc);
	/* A response thrown away unsent (its transaction rolled back). */
	ecies_response_withdraw(&srv);
	buf_reset(&back);
	tap_ok(ecies_encrypt_response(&srv, (const uint8_t *)resp,
	    strlen(resp), NULL, 1700000000789, &rs3) == ECIES_OK &&
	    ecies_decrypt_response(&dev, &rs3, &back) == ECIES_OK &&
	    back.len == strlen(resp) && memcmp(back.data, resp, back.len) == 0,
	    "%s %s: withdrawn, the next response is sealed and decrypts", vs,
	    sc);
	ecies_response_free(&rs3);
	free(jreq);
	free(jresp);
	ecies_request_free(&rq);
	ecies_request_free(&rq2);
	ecies_response_free(&rs);
	ecies_response_free(&rs2);
	ecies_ctx_wipe(&dev);
	ecies_ctx_wipe(&srv);
	buf_free(&got);
	buf_free(&back);
}

/* A fresh device request for negative tests. */
static int
make_request(enum pa_proto_version v, enum ecies_scope s, enum ecies_sh1 sh1,
    EVP_PKEY *server, struct ecies_request *rq)
{
	struct ecies_params p = params(v, s);
	struct ecies_ctx dev;
	int rc;

	if (ecies_ctx_init(&dev, &p, sh1) != ECIES_OK)
		return -1;
	rc = ecies_encrypt_request(&dev, server, (const uint8_t *)"{}", 2,
	    1700000000000, rq) == ECIES_OK ? 0 : -1;
	ecies_ctx_wipe(&dev);
	return rc;
}

/* Decrypts as the server; *same (may be NULL) says whether the result is
 * the original "{}". */
static enum ecies_err
server_try_plain(enum pa_proto_version v, enum ecies_scope s,
    enum ecies_sh1 sh1, EVP_PKEY *server, const struct ecies_request *rq,
    const char *temp_key_id, int *same)
{
	struct ecies_params p = params(v, s);
	struct ecies_ctx srv;
	struct buf out = BUF_INIT;
	enum ecies_err e;

	p.temp_key_id = temp_key_id;
	if ((e = ecies_ctx_init(&srv, &p, sh1)) == ECIES_OK)
		e = ecies_decrypt_request(&srv, server, rq, &out);
	if (same != NULL)
		*same = e == ECIES_OK && out.len == 2 &&
		    memcmp(out.data, "{}", 2) == 0;
	ecies_ctx_wipe(&srv);
	buf_free(&out);
	return e;
}

static enum ecies_err
server_try(enum pa_proto_version v, enum ecies_scope s, enum ecies_sh1 sh1,
    EVP_PKEY *server, const struct ecies_request *rq,
    const char *temp_key_id)
{
	return server_try_plain(v, s, sh1, server, rq, temp_key_id, NULL);
}

static void
negatives(EVP_PKEY *server, EVP_PKEY *other)
{
	struct ecies_request rq;
	const enum ecies_scope act = ECIES_SCOPE_ACTIVATION;
	const enum ecies_sh1 gen = ECIES_SH1_ACTIVATION_GENERIC;

	for (int v = PA_PROTO_30; v <= PA_PROTO_33; v++) {
		const char *vs = pa_proto_str((enum pa_proto_version)v);

		if (make_request((enum pa_proto_version)v, act, gen, server,
		    &rq) != 0) {
			tap_ok(0, "%s: request for negatives", vs);
			continue;
		}
		rq.mac[5] ^= 1;
		tap_ok(server_try((enum pa_proto_version)v, act, gen, server,
		    &rq, NULL) == ECIES_ERR_MAC, "%s: tampered MAC rejected",
		    vs);
		rq.mac[5] ^= 1;
		rq.data[0] ^= 0x80;
		tap_ok(server_try((enum pa_proto_version)v, act, gen, server,
		    &rq, NULL) == ECIES_ERR_MAC, "%s: tampered data rejected",
		    vs);
		rq.data[0] ^= 0x80;
		tap_ok(server_try((enum pa_proto_version)v, act, gen, other,
		    &rq, NULL) == ECIES_ERR_MAC, "%s: wrong server key rejected",
		    vs);
		tap_ok(server_try((enum pa_proto_version)v, act,
		    ECIES_SH1_VAULT_UNLOCK, server, &rq, NULL) == ECIES_ERR_MAC,
		    "%s: wrong sharedInfo1 rejected", vs);
		if (rq.has_nonce && v >= PA_PROTO_32) {
			rq.nonce[0] ^= 1;
			tap_ok(server_try((enum pa_proto_version)v, act, gen,
			    server, &rq, NULL) == ECIES_ERR_MAC,
			    "%s: tampered nonce rejected (MAC)", vs);
			rq.nonce[0] ^= 1;
		} else if (rq.has_nonce) {
			int same = 1;

			/* 3.1 keeps the nonce out of the MAC: it only moves
			 * the IV, so the first block decrypts to garbage that
			 * may even pad correctly. Never the original, though. */
			rq.nonce[0] ^= 1;
			(void)server_try_plain((enum pa_proto_version)v, act,
			    gen, server, &rq, NULL, &same);
			tap_ok(!same, "%s: tampered nonce never gives the "
			    "original plaintext", vs);
			rq.nonce[0] ^= 1;
		}
		if (v >= PA_PROTO_32) {
			rq.timestamp++;
			tap_ok(server_try((enum pa_proto_version)v, act, gen,
			    server, &rq, NULL) == ECIES_ERR_MAC,
			    "%s: tampered timestamp rejected", vs);
			rq.timestamp--;
		}
		if (v == PA_PROTO_33)
			tap_ok(server_try(PA_PROTO_33, act, gen, server, &rq,
			    "00000000-0000-4000-8000-000000000000") ==
			    ECIES_ERR_TEMP_KEY, "3.3: other temporary key id");
		/* Same fields, other version: presence rules or MAC fail. */
		tap_ok(server_try(v == PA_PROTO_33 ? PA_PROTO_32 :
		    (enum pa_proto_version)(v + 1), act, gen, server, &rq,
		    NULL) != ECIES_OK, "%s: wrong version rejected", vs);
		tap_ok(server_try((enum pa_proto_version)v, act, gen, server,
		    &rq, NULL) == ECIES_OK, "%s: untampered request accepted",
		    vs);
		ecies_request_free(&rq);
	}
	/* Same version string but the other AD: 3.2 activation id. */
	if (make_request(PA_PROTO_32, act, gen, server, &rq) == 0) {
		struct ecies_params p = params(PA_PROTO_32, act);
		struct ecies_ctx srv;
		struct buf out = BUF_INIT;

		p.activation_id = "00000000-0000-4000-8000-000000000000";
		tap_ok(ecies_ctx_init(&srv, &p, gen) == ECIES_OK &&
		    ecies_decrypt_request(&srv, server, &rq, &out) ==
		    ECIES_ERR_MAC, "3.2: AD binds the activation id");
		ecies_ctx_wipe(&srv);
		buf_free(&out);
		ecies_request_free(&rq);
	}
}

static void
json_rules(void)
{
	static const struct {
		const char	*json;
		int		 v;
		int		 ok;
		const char	*why;
	} t[] = {
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"}",
		  30, 1, "3.0 minimal" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\"}", 30, 0, "3.0 with nonce" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"}",
		  31, 0, "3.1 without nonce" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\"}", 31, 1, "3.1 with nonce" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\"}", 32, 0, "3.2 without timestamp" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\",\"timestamp\":1691762307384,\"temporaryKeyId\":null}",
		  32, 1, "3.2 with null temporaryKeyId" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\",\"timestamp\":\"1691762307384\"}",
		  32, 0, "3.2 timestamp as string" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\",\"timestamp\":1691762307384}",
		  33, 0, "3.3 without temporaryKeyId" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\","
		  "\"nonce\":\"ZQxUjy/hSRyJ3xBtqyXBeQ==\",\"timestamp\":1691762307384,"
		  "\"temporaryKeyId\":\"dc497e8a-8faa-44bc-a52a-20d8393005d2\"}", 33, 1, "3.3 complete" },
		{ "{\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"}",
		  30, 0, "missing ephemeral key" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQ\"}",
		  30, 0, "short MAC" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFp XefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"}",
		  30, 0, "bad Base64" },
		{ "{\"ephemeralPublicKey\":\"A97NlW0JPLJfpG0AUvaRHRGSHh+quZu+u0c+yxsK7Xji\","
		  "\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\",\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"} x",
		  30, 0, "trailing garbage" },
		{ "[1,2]", 30, 0, "not an object" },
		{ "", 30, 0, "empty" },
	};
	static const char resp32[] =
	    "{\"encryptedData\":\"qYLONkDWFpXefTKPbaKTAw==\","
	    "\"mac\":\"DNlZdsM1wgH8v2mAROjj3vmQu4DI4ZJnuTBzQMrHsew=\"}";
	struct ecies_request r;
	struct ecies_response rs;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum ecies_err e = ecies_request_from_json(t[i].json,
		    strlen(t[i].json), (enum pa_proto_version)t[i].v, &r);

		tap_ok((e == ECIES_OK) == t[i].ok, "request JSON: %s", t[i].why);
		ecies_request_free(&r);
	}
	tap_ok(ecies_response_from_json(resp32, strlen(resp32), PA_PROTO_32,
	    &rs) == ECIES_ERR_FORMAT,
	    "response JSON: 3.2 needs nonce + timestamp");
	tap_ok(ecies_response_from_json(resp32, strlen(resp32), PA_PROTO_31,
	    &rs) == ECIES_OK, "response JSON: 3.1 has no nonce/timestamp");
	ecies_response_free(&rs);
}

static void
tables(void)
{
	static const char *const want[ECIES_SH1_COUNT] = {
		"/pa/generic/application", "/pa/activation", "/pa/upgrade",
		"/pa/vault/unlock", "/pa/token/create", "/pa/recovery/confirm",
		"/pa/generic/activation",
	};
	struct ecies_params p = params(PA_PROTO_31, ECIES_SCOPE_APPLICATION);
	struct ecies_ctx c;

	for (int i = 0; i < ECIES_SH1_COUNT; i++)
		tap_str(ecies_sh1_str((enum ecies_sh1)i), want[i],
		    "sharedInfo1 %d", i);
	tap_ok(ecies_sh1_scope(ECIES_SH1_ACTIVATION_LAYER2) ==
	    ECIES_SCOPE_APPLICATION && ecies_sh1_scope(ECIES_SH1_UPGRADE) ==
	    ECIES_SCOPE_ACTIVATION, "scopes of the constants");
	tap_ok(pa_proto_parse("3.4") == 0 && pa_proto_parse("3.") == 0 &&
	    pa_proto_parse("2.1") == 0 && pa_proto_parse("3.3") == PA_PROTO_33,
	    "version parsing");
	tap_ok(ecies_ctx_init(&c, &p, ECIES_SH1_VAULT_UNLOCK) ==
	    ECIES_ERR_PARAM, "scope must match the sharedInfo1 constant");
	p.version = (enum pa_proto_version)34;
	tap_ok(ecies_ctx_init(&c, &p, ECIES_SH1_APPLICATION_GENERIC) ==
	    ECIES_ERR_VERSION, "unknown version refused");
}

int
main(void)
{
	EVP_PKEY *server = NULL, *other = NULL;

	if (pa_ec_generate(&server) != 0 || pa_ec_generate(&other) != 0) {
		tap_ok(0, "generate server keys");
		return tap_done();
	}
	for (int v = PA_PROTO_30; v <= PA_PROTO_33; v++) {
		roundtrip((enum pa_proto_version)v, ECIES_SCOPE_APPLICATION,
		    ECIES_SH1_APPLICATION_GENERIC, server);
		roundtrip((enum pa_proto_version)v, ECIES_SCOPE_ACTIVATION,
		    ECIES_SH1_ACTIVATION_GENERIC, server);
		roundtrip((enum pa_proto_version)v, ECIES_SCOPE_APPLICATION,
		    ECIES_SH1_ACTIVATION_LAYER2, server);
		roundtrip((enum pa_proto_version)v, ECIES_SCOPE_ACTIVATION,
		    ECIES_SH1_TOKEN_CREATE, server);
	}
	negatives(server, other);
	json_rules();
	tables();
	EVP_PKEY_free(server);
	EVP_PKEY_free(other);
	return tap_done();
}
