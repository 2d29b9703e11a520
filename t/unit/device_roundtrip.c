/*
 * The device simulator against the server-side verifiers: every header the
 * device builds (all versions, all six factor types, offline signatures,
 * token headers) must verify with the server's functions, and the device's
 * counter must move the way the server's look-ahead expects.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/fingerprint.h"
#include "crypto/keys.h"
#include "crypto/sdk_config.h"
#include "crypto/sigdata.h"
#include "crypto/signature.h"
#include "crypto/token.h"
#include "device/device.h"
#include "tap.h"

static const char *AID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";

struct server {
	EVP_PKEY	*master, *key, *device;
	struct pa_keys	 keys;
	struct sig_state st;
	char		 app_secret[25];
};

static void
b64_put(struct device *d, const char *k, const uint8_t *p, size_t n)
{
	device_state_set_bytes(&d->st, k, p, n);
}

/* A device that "activated" against srv, without HTTP. */
static int
make_device(struct device *d, const char *path, struct server *srv,
    const char *version)
{
	uint8_t key[16], secret[16], pub[65], priv[32], ctr[16];
	size_t n;
	char *cfg = NULL;
	int rc = -1;

	unlink(path);
	if (device_open(d, path) != 0 || pa_random(key, 16) != 0 ||
	    pa_random(secret, 16) != 0 || pa_random(ctr, 16) != 0)
		goto fail;
	b64_encode(secret, 16, srv->app_secret);
	if (pa_ec_public_to_bytes(srv->master, 0, pub, &n) != 0 ||
	    (cfg = sdk_config_build(key, secret, pub, n)) == NULL ||
	    device_setup(d, cfg, "http://127.0.0.1:1/enrollment-server",
	    version) != 0)
		goto fail;
	device_state_set_str(&d->st, "activationId", AID);
	if (pa_ec_public_to_bytes(srv->key, 0, pub, &n) != 0)
		goto fail;
	b64_put(d, "serverPublicKey", pub, n);
	device_state_set_str(&d->st, "serverPublicKey",
	    device_state_str(&d->st, "serverPublicKey"));
	if (pa_ec_private_to_bytes(srv->device, priv) != 0)
		goto fail;
	b64_put(d, "devicePrivateKey", priv, 32);
	b64_put(d, "ctrData", ctr, 16);
	device_state_set_int(&d->st, "counter", 0);
	memset(&srv->st, 0, sizeof(srv->st));
	memcpy(srv->st.ctr_data, ctr, 16);
	srv->st.max_failed = 5;
	srv->st.is_active = 1;
	rc = keys_from_ecdh(srv->key, srv->device, &srv->keys);
fail:
	free(cfg);
	return rc;
}

/* Server side: verifies an authorization header, advancing its state. */
static int
server_verify(struct server *srv, const char *hdr, const char *method,
    const char *uri, const char *body)
{
	struct hdr_auth h;
	struct buf data = BUF_INIT;
	struct sig_keys k = { srv->keys.possession, srv->keys.knowledge,
	    srv->keys.biometry };
	struct sig_verify_req r;
	struct sig_result res;
	int ok = 0;

	if (hdr == NULL || hdr_auth_parse(hdr, strlen(hdr), &h) != HDR_OK)
		return 0;
	if (sigdata_build(&data, method, uri, h.nonce, (const uint8_t *)body,
	    strlen(body), srv->app_secret) != 0)
		goto fail;
	memset(&r, 0, sizeof(r));
	r.keys = &k;
	r.type = h.sig_type;
	r.data = data.data;
	r.datalen = data.len;
	r.signature = h.signature;
	r.format = signature_format_for_version(h.version);
	if (signature_verify(&r, &srv->st, &res) != 0)
		goto fail;
	if (res.valid) {
		srv->st.ctr = res.ctr_next;
		memcpy(srv->st.ctr_data, res.ctr_data_next, 16);
	}
	srv->st.failed_attempts = res.failed_attempts;
	ok = res.valid;
fail:
	buf_free(&data);
	return ok;
}

static void
check_version(struct server *srv, const char *path, const char *version)
{
	static const char *types[] = { "possession", "knowledge", "biometry",
	    "possession_knowledge", "possession_biometry",
	    "possession_knowledge_biometry" };
	struct device d;
	char *h, fp_dev[9], fp_srv[9];

	if (!tap_ok(make_device(&d, path, srv, version) == 0,
	    "%s: device set up", version))
		return;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		h = device_sign(&d, "POST", "/login", (const uint8_t *)"{}", 2,
		    types[i], 0);
		tap_ok(server_verify(srv, h, "POST", "/login", "{}"),
		    "%s: %s signature verifies", version, types[i]);
		free(h);
	}
	/* Two signatures made but never sent: still inside the window. */
	free(device_sign(&d, "POST", "/x", (const uint8_t *)"{}", 2,
	    "possession", 0));
	free(device_sign(&d, "POST", "/x", (const uint8_t *)"{}", 2,
	    "possession", 0));
	h = device_sign(&d, "POST", "/pay", (const uint8_t *)"{\"a\":1}", 7,
	    "possession_knowledge", 0);
	tap_ok(server_verify(srv, h, "POST", "/pay", "{\"a\":1}") &&
	    srv->st.ctr == 9, "%s: device 2 steps ahead verifies, server ctr 9",
	    version);
	tap_ok(!server_verify(srv, h, "POST", "/pay", "{\"a\":1}") &&
	    srv->st.failed_attempts == 1 && srv->st.ctr == 9,
	    "%s: replayed header rejected, counted, counter kept", version);
	free(h);
	h = device_sign(&d, "POST", "/pay", (const uint8_t *)"{}", 2,
	    "possession_knowledge", 1);
	tap_ok(!server_verify(srv, h, "POST", "/pay", "{}") &&
	    srv->st.failed_attempts == 2,
	    "%s: wrong knowledge key rejected and counted", version);
	free(h);
	tap_ok(device_fingerprint(&d, fp_dev) == 0 &&
	    fingerprint_v3(srv->device, AID, srv->key, fp_srv) == 0 &&
	    strcmp(fp_dev, fp_srv) == 0, "%s: fingerprint %s matches server",
	    version, fp_dev);
	device_close(&d);
}

static void
check_offline_and_token(struct server *srv, const char *path)
{
	struct device d;
	struct hdr_token ht;
	struct json_object *tokens;
	uint8_t secret[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	    15, 16 };
	char sb64[25], *sig, *h;
	const char *tid = "0d1c2b3a-4958-4a6b-9c8d-7e6f5a4b3c2d";
	struct buf data = BUF_INIT;
	struct sig_keys k;
	struct sig_verify_req r;
	struct sig_result res;
	uint8_t nonce[16] = { 0 };

	if (make_device(&d, path, srv, "3.2") != 0)
		return;
	sig = device_sign_offline(&d, "/operation/authorize/offline",
	    "AAAAAAAAAAAAAAAAAAAAAA==", (const uint8_t *)"op&A2", 5,
	    "possession_knowledge", 8);
	k = (struct sig_keys){ srv->keys.possession, srv->keys.knowledge,
	    srv->keys.biometry };
	sigdata_build(&data, "POST", "/operation/authorize/offline", nonce,
	    (const uint8_t *)"op&A2", 5, SIGDATA_OFFLINE);
	memset(&r, 0, sizeof(r));
	r.keys = &k;
	r.data = data.data;
	r.datalen = data.len;
	r.signature = sig;
	r.format = SIG_FORMAT_DECIMAL;
	r.digits = 8;
	tap_ok(sig != NULL && strlen(sig) == 17 &&
	    signature_verify_offline(&r, &srv->st, &res) == 0 && res.valid,
	    "offline signature %s verifies", sig ? sig : "(null)");
	buf_free(&data);
	free(sig);

	b64_encode(secret, 16, sb64);
	tokens = device_state_object(&d.st, "tokens");
	json_object_object_add(tokens, tid, json_object_new_string(sb64));
	h = device_token_header(&d, tid);
	tap_ok(h != NULL && hdr_token_parse(h, strlen(h), &ht) == HDR_OK &&
	    strcmp(ht.token_id, tid) == 0 && token_verify(secret, ht.version,
	    ht.nonce, ht.timestamp, ht.digest) == 0,
	    "token header verifies with the token secret");
	free(h);
	tap_ok(device_token_header(&d, "00000000-0000-4000-8000-000000000000")
	    == NULL, "unknown token refused");
	device_close(&d);
}

int
main(void)
{
	static const char *versions[] = { "3.0", "3.1", "3.2", "3.3" };
	struct server srv;
	char path[] = "/tmp/pa-device-test-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return tap_skip_all("cannot create a temporary file");
	close(fd);
	memset(&srv, 0, sizeof(srv));
	if (pa_ec_generate(&srv.master) != 0 || pa_ec_generate(&srv.key) != 0 ||
	    pa_ec_generate(&srv.device) != 0)
		return 1;
	for (size_t i = 0; i < 4; i++)
		check_version(&srv, path, versions[i]);
	check_offline_and_token(&srv, path);
	unlink(path);
	keys_clear(&srv.keys);
	EVP_PKEY_free(srv.master);
	EVP_PKEY_free(srv.key);
	EVP_PKEY_free(srv.device);
	return tap_done();
}
