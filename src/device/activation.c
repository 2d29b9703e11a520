/*
 * activation.c - device side of /pa/v3/activation/create (protocol.md §3):
 * the two nested application-scope ECIES envelopes, the new device key pair
 * and what the device keeps afterwards (activation id, server public key,
 * counter data); and, for load tests, such requests in bulk without
 * sending them.
 */
#include <config.h>

#include "device/device.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/activation_code.h"
#include "crypto/ec.h"
#include "crypto/headers.h"
#include "device/keystore.h"

/* One application-scope envelope (level 1 or level 2). */
struct layer {
	struct ecies_ctx	ctx;
	struct ecies_request	req;
};

static int
layer_seal(struct device *d, struct layer *l, enum ecies_sh1 sh1,
    const EVP_PKEY *server_pub, const char *temp_id, const char *plain,
    struct json_object **out)
{
	struct ecies_params p;

	memset(&p, 0, sizeof(p));
	p.version = d->version;
	p.scope = ECIES_SCOPE_APPLICATION;
	p.app_key = d->app_key;
	p.app_secret = d->app_secret;
	p.temp_key_id = temp_id;
	if (ecies_ctx_init(&l->ctx, &p, sh1) != ECIES_OK ||
	    ecies_encrypt_request(&l->ctx, server_pub, (const uint8_t *)plain,
	    strlen(plain), device_now_ms(), &l->req) != ECIES_OK ||
	    (*out = ecies_request_to_object(&l->req)) == NULL) {
		snprintf(d->err, sizeof(d->err), "ECIES encryption failed");
		return -1;
	}
	return 0;
}

/* Level-2 plaintext: the device public key and what the user sees. */
static char *
level2_plain(EVP_PKEY *device_key, const char *otp, const char *name)
{
	struct json_object *o = json_object_new_object();
	uint8_t pub[65];
	char b64[100], *out = NULL;
	size_t n;

	if (o == NULL || pa_ec_public_to_bytes(device_key, 1, pub, &n) != 0)
		goto fail;
	b64_encode(pub, n, b64);
	json_object_object_add(o, "devicePublicKey",
	    json_object_new_string(b64));
	json_object_object_add(o, "activationName",
	    json_object_new_string(name != NULL ? name : "pa-device"));
	if (otp != NULL)
		json_object_object_add(o, "activationOtp",
		    json_object_new_string(otp));
	json_object_object_add(o, "platform", json_object_new_string("Android"));
	json_object_object_add(o, "deviceInfo",
	    json_object_new_string("pa-device simulator"));
	out = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
fail:
	json_object_put(o);
	return out;
}

static char *
level1_plain(const char *code, struct json_object *l2)
{
	struct json_object *o = json_object_new_object(), *id;
	char *out = NULL;

	if (o == NULL || (id = json_object_new_object()) == NULL) {
		json_object_put(o);
		json_object_put(l2);
		return NULL;
	}
	json_object_object_add(o, "type", json_object_new_string("CODE"));
	json_object_object_add(id, "code", json_object_new_string(code));
	json_object_object_add(o, "identityAttributes", id);
	json_object_object_add(o, "customAttributes", json_object_new_object());
	json_object_object_add(o, "activationData", l2);
	out = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* Splits `code#signature`, checking the signature with the master key. */
static int
check_code(struct device *d, const EVP_PKEY *master, const char *qr,
    char code[ACTIVATION_CODE_LEN + 1])
{
	char sig[ACTIVATION_SIG_B64_MAX + 1];

	if (activation_code_qr_parse(qr, code, sig) != 0 ||
	    activation_code_validate(code) != 0) {
		snprintf(d->err, sizeof(d->err), "invalid activation code");
		return -1;
	}
	if (sig[0] != '\0' && activation_code_verify(master, code, sig) != 0) {
		snprintf(d->err, sizeof(d->err),
		    "activation code signature does not match the master key");
		return -1;
	}
	return 0;
}

/* Opens one response layer; returns the parsed plaintext object. */
static struct json_object *
layer_open(struct device *d, struct layer *l, struct json_object *env)
{
	struct ecies_response resp;
	struct buf plain = BUF_INIT;
	struct json_object *o = NULL;

	memset(&resp, 0, sizeof(resp));
	if (ecies_response_from_object(env, d->version, &resp) != ECIES_OK ||
	    ecies_decrypt_response(&l->ctx, &resp, &plain) != ECIES_OK ||
	    buf_cstr(&plain) == NULL)
		snprintf(d->err, sizeof(d->err),
		    "activation response does not decrypt");
	else if ((o = json_tokener_parse(buf_cstr(&plain))) == NULL)
		snprintf(d->err, sizeof(d->err), "activation response not JSON");
	ecies_response_free(&resp);
	buf_free(&plain);
	return o;
}

/* Stores what the server's level-2 answer says. */
static int
keep_activation(struct device *d, struct json_object *l2, EVP_PKEY *dev)
{
	struct json_object *v;
	const char *aid, *spub, *ctr;
	uint8_t raw[65], priv[32], ctrd[16];
	size_t n;
	EVP_PKEY *sk = NULL;
	int rc = -1;

	if (!json_object_object_get_ex(l2, "activationId", &v) ||
	    (aid = json_object_get_string(v)) == NULL ||
	    !json_object_object_get_ex(l2, "serverPublicKey", &v) ||
	    (spub = json_object_get_string(v)) == NULL ||
	    !json_object_object_get_ex(l2, "ctrData", &v) ||
	    (ctr = json_object_get_string(v)) == NULL ||
	    !hdr_uuid_valid(aid, strlen(aid)) ||
	    b64_decode(spub, strlen(spub), raw, sizeof(raw), &n) != 0 ||
	    pa_ec_public_from_bytes(raw, n, &sk) != 0 ||
	    b64_decode_exact(ctr, ctrd, sizeof(ctrd)) != 0) {
		snprintf(d->err, sizeof(d->err), "activation answer malformed");
		goto fail;
	}
	if (pa_ec_private_to_bytes(dev, priv) != 0 ||
	    pa_ec_public_to_bytes(dev, 1, raw, &n) != 0 ||
	    device_state_set_str(&d->st, "activationId", aid) != 0 ||
	    device_state_set_str(&d->st, "serverPublicKey", spub) != 0 ||
	    device_state_set_bytes(&d->st, "devicePrivateKey", priv, 32) != 0 ||
	    device_state_set_bytes(&d->st, "devicePublicKey", raw, n) != 0 ||
	    device_state_set_bytes(&d->st, "ctrData", ctrd, 16) != 0 ||
	    device_state_set_int(&d->st, "counter", 0) != 0)
		goto fail;
	device_state_remove(&d->st, "tokens");
	rc = 0;
fail:
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(ctrd, sizeof(ctrd));
	EVP_PKEY_free(sk);
	return rc;
}

/* The X-PowerAuth-Encryption value of an application-scope request. */
static char *
encryption_header(struct device *d)
{
	struct hdr_encryption he;

	memset(&he, 0, sizeof(he));
	he.version = d->version;
	snprintf(he.app_key, sizeof(he.app_key), "%s", d->app_key);
	if (b64_decode_exact(d->app_key, he.app_key_raw, 16) != 0)
		return NULL;
	return hdr_encryption_build(&he);
}

/* Sends level 1 and returns the decrypted level-2 answer. */
static struct json_object *
exchange(struct device *d, struct layer *l1, struct layer *l2,
    struct json_object *env1)
{
	struct json_object *resp = NULL, *p1 = NULL, *inner, *out = NULL;
	char hdr[256], *hv = NULL, *reply = NULL;
	const char *hdrs[2] = { hdr, NULL };
	long status = 0;

	if ((hv = encryption_header(d)) == NULL)
		goto fail;
	snprintf(hdr, sizeof(hdr), "X-PowerAuth-Encryption: %s", hv);
	if (device_post(d, "/pa/v3/activation/create", hdrs,
	    json_object_to_json_string(env1), &status, &reply) != 0)
		goto fail;
	if (status != 200) {
		snprintf(d->err, sizeof(d->err), "activation/create: HTTP %ld: %s",
		    status, reply);
		goto fail;
	}
	if ((resp = json_tokener_parse(reply)) == NULL ||
	    (p1 = layer_open(d, l1, resp)) == NULL)
		goto fail;
	if (!json_object_object_get_ex(p1, "activationData", &inner)) {
		snprintf(d->err, sizeof(d->err), "no activationData in answer");
		goto fail;
	}
	out = layer_open(d, l2, inner);
fail:
	json_object_put(resp);
	json_object_put(p1);
	free(hv);
	free(reply);
	return out;
}

/* The ECIES public key: master key (3.0-3.2) or temporary key (3.3). */
static int
app_scope_key(struct device *d, const EVP_PKEY *master, EVP_PKEY **pub,
    char id[65])
{
	id[0] = '\0';
	if (d->version == PA_PROTO_33)
		return device_temp_key(d, 0, NULL, master, pub, id);
	if (EVP_PKEY_up_ref((EVP_PKEY *)master) != 1)
		return -1;
	*pub = (EVP_PKEY *)master;
	return 0;
}

/*
 * The request of one activation: a new device key pair in *dev, the
 * level-2 envelope inside the level-1 one in *env1, both layers' contexts
 * (for opening the answer) in l1 and l2. The caller frees all of them.
 */
static int
seal_request(struct device *d, const EVP_PKEY *enc, const char *tid,
    const char *code, const char *otp, const char *name, struct layer *l1,
    struct layer *l2, EVP_PKEY **dev, struct json_object **env1)
{
	struct json_object *env2 = NULL;
	char *p1 = NULL, *p2 = NULL;
	int rc = -1;

	if (pa_ec_generate(dev) != 0 ||
	    (p2 = level2_plain(*dev, otp, name)) == NULL)
		goto fail;
	if (layer_seal(d, l2, ECIES_SH1_ACTIVATION_LAYER2, enc,
	    tid[0] ? tid : NULL, p2, &env2) != 0)
		goto fail;
	/* level1_plain() takes env2 over, also when it fails */
	p1 = level1_plain(code, env2);
	env2 = NULL;
	if (p1 == NULL || layer_seal(d, l1, ECIES_SH1_APPLICATION_GENERIC,
	    enc, tid[0] ? tid : NULL, p1, env1) != 0)
		goto fail;
	rc = 0;
fail:
	json_object_put(env2);
	/* Both plaintexts may carry the activation OTP. */
	if (p1 != NULL)
		OPENSSL_cleanse(p1, strlen(p1));
	if (p2 != NULL)
		OPENSSL_cleanse(p2, strlen(p2));
	free(p1);
	free(p2);
	return rc;
}

static void
layers_free(struct layer *l1, struct layer *l2)
{
	ecies_ctx_wipe(&l1->ctx);
	ecies_ctx_wipe(&l2->ctx);
	ecies_request_free(&l1->req);
	ecies_request_free(&l2->req);
	memset(l1, 0, sizeof(*l1));
	memset(l2, 0, sizeof(*l2));
}

int
device_activate(struct device *d, const char *code_or_qr, const char *otp,
    const char *name)
{
	struct layer l1, l2;
	struct json_object *env1 = NULL, *ans = NULL;
	EVP_PKEY *master = NULL, *enc = NULL, *dev = NULL;
	char code[ACTIVATION_CODE_LEN + 1], tid[65];
	int rc = -1;

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	if (d->version == 0) {
		snprintf(d->err, sizeof(d->err), "not set up");
		return -1;
	}
	if (pa_ec_public_from_bytes(d->master_pub, d->master_publen,
	    &master) != 0 || check_code(d, master, code_or_qr, code) != 0)
		goto fail;
	if (app_scope_key(d, master, &enc, tid) != 0 ||
	    seal_request(d, enc, tid, code, otp, name, &l1, &l2, &dev,
	    &env1) != 0)
		goto fail;
	if ((ans = exchange(d, &l1, &l2, env1)) == NULL ||
	    keep_activation(d, ans, dev) != 0)
		goto fail;
	rc = 0;
fail:
	layers_free(&l1, &l2);
	json_object_put(env1);
	json_object_put(ans);
	EVP_PKEY_free(master);
	EVP_PKEY_free(enc);
	EVP_PKEY_free(dev);
	return rc;
}

int
device_activation_batch(struct device *d, FILE *in, FILE *out, long *count)
{
	struct layer l1, l2;
	struct json_object *env1 = NULL;
	EVP_PKEY *master = NULL, *enc = NULL, *dev = NULL;
	char code[ACTIVATION_CODE_LEN + 1], tid[65], *hv = NULL, *line = NULL;
	size_t cap = 0;
	int ok, rc = -1;

	*count = 0;
	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	if (d->version == 0) {
		snprintf(d->err, sizeof(d->err), "not set up");
		return -1;
	}
	if (pa_ec_public_from_bytes(d->master_pub, d->master_publen,
	    &master) != 0 || app_scope_key(d, master, &enc, tid) != 0 ||
	    (hv = encryption_header(d)) == NULL)
		goto fail;
	while (getline(&line, &cap, in) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		ok = check_code(d, master, line, code) == 0 &&
		    seal_request(d, enc, tid, code, NULL, NULL, &l1, &l2,
		    &dev, &env1) == 0 && fprintf(out, "%s\t%s\n", hv,
		    json_object_to_json_string_ext(env1,
		    JSON_C_TO_STRING_PLAIN)) > 0;
		layers_free(&l1, &l2);
		json_object_put(env1);
		env1 = NULL;
		EVP_PKEY_free(dev);
		dev = NULL;
		if (!ok) {
			if (d->err[0] == '\0')
				snprintf(d->err, sizeof(d->err),
				    "cannot build request %ld", *count + 1);
			goto fail;
		}
		(*count)++;
	}
	if (ferror(in) || fflush(out) != 0) {
		snprintf(d->err, sizeof(d->err), "read/write error");
		goto fail;
	}
	rc = 0;
fail:
	free(line);
	free(hv);
	EVP_PKEY_free(master);
	EVP_PKEY_free(enc);
	return rc;
}
