/*
 * keystore.c - device side of temporary encryption keys (protocol 3.3,
 * POST /pa/v3/keystore/create): asks for a key, checks the server's ES256
 * signature and the echoed challenge, and caches the key in the state until
 * ten seconds before it expires (as the SDK does).
 */
#include <config.h>

#include "device/keystore.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "crypto/ec.h"
#include "crypto/jwt.h"
#include "crypto/primitives.h"

/* Signs and sends the request JWT; returns the response JWT text. */
static char *
request_key(struct device *d, const uint8_t hskey[16],
    const struct jwt_request_claims *rc)
{
	struct json_object *body = NULL, *req, *resp = NULL, *ro, *jwt;
	char *text = NULL, *reply = NULL, *out = NULL;
	long status = 0;

	if ((text = jwt_request_build(hskey, rc)) == NULL)
		goto fail;
	body = json_object_new_object();
	req = json_object_new_object();
	json_object_object_add(req, "jwt", json_object_new_string(text));
	json_object_object_add(body, "requestObject", req);
	if (device_post(d, "/pa/v3/keystore/create", NULL,
	    json_object_to_json_string(body), &status, &reply) != 0)
		goto fail;
	if (status != 200) {
		snprintf(d->err, sizeof(d->err), "keystore/create: HTTP %ld: %s",
		    status, reply);
		goto fail;
	}
	if ((resp = json_tokener_parse(reply)) == NULL ||
	    !json_object_object_get_ex(resp, "responseObject", &ro) ||
	    !json_object_object_get_ex(ro, "jwt", &jwt) ||
	    !json_object_is_type(jwt, json_type_string)) {
		snprintf(d->err, sizeof(d->err), "keystore/create: bad reply");
		goto fail;
	}
	out = strdup(json_object_get_string(jwt));
fail:
	json_object_put(body);
	json_object_put(resp);
	free(text);
	free(reply);
	return out;
}

/* Checks the signed answer against what was asked and caches it. */
static int
accept_key(struct device *d, const char *jwt, const EVP_PKEY *signer,
    const struct jwt_request_claims *rc, const char *slot)
{
	struct jwt_response_claims c;
	struct json_object *keys, *k;

	if (jwt_response_verify(jwt, strlen(jwt), signer, &c) != JWT_OK ||
	    strcmp(c.challenge, rc->challenge) != 0 ||
	    strcmp(c.app_key, rc->app_key) != 0 ||
	    c.has_activation_id != rc->has_activation_id ||
	    (rc->has_activation_id &&
	    strcmp(c.activation_id, rc->activation_id) != 0)) {
		snprintf(d->err, sizeof(d->err),
		    "keystore/create: response signature or claims invalid");
		return -1;
	}
	if ((keys = device_state_object(&d->st, "temporaryKeys")) == NULL ||
	    (k = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(k, "id", json_object_new_string(c.key_id));
	json_object_object_add(k, "publicKey",
	    json_object_new_string(c.public_key));
	json_object_object_add(k, "expiresMs", json_object_new_int64(c.exp_ms));
	json_object_object_add(keys, slot, k);
	return 0;
}

/* Returns the cached key of slot if it is still good for 10 s. */
static int
cached_key(struct device *d, const char *slot, EVP_PKEY **pub, char id[65])
{
	struct json_object *keys, *k, *v;
	uint8_t raw[65];
	size_t n;
	const char *s;

	keys = device_state_object(&d->st, "temporaryKeys");
	if (keys == NULL || !json_object_object_get_ex(keys, slot, &k))
		return -1;
	if (!json_object_object_get_ex(k, "expiresMs", &v) ||
	    json_object_get_int64(v) - 10000 <= time_now_ms())
		return -1;
	if (!json_object_object_get_ex(k, "publicKey", &v) ||
	    (s = json_object_get_string(v)) == NULL ||
	    b64_decode(s, strlen(s), raw, sizeof(raw), &n) != 0 ||
	    pa_ec_public_from_bytes(raw, n, pub) != 0)
		return -1;
	if (!json_object_object_get_ex(k, "id", &v) ||
	    strlen(json_object_get_string(v)) > 64) {
		EVP_PKEY_free(*pub);
		*pub = NULL;
		return -1;
	}
	snprintf(id, 65, "%s", json_object_get_string(v));
	return 0;
}

int
device_temp_key(struct device *d, int activation_scope,
    const uint8_t transport_key[16], const EVP_PKEY *signer, EVP_PKEY **pub,
    char id[65])
{
	const char *slot = activation_scope ? "activation" : "application";
	struct jwt_request_claims rc;
	uint8_t hskey[16], ch[18];
	char *jwt = NULL;
	int rc_ok = -1;

	*pub = NULL;
	if (cached_key(d, slot, pub, id) == 0)
		return 0;
	memset(&rc, 0, sizeof(rc));
	snprintf(rc.app_key, sizeof(rc.app_key), "%s", d->app_key);
	if (activation_scope) {
		const char *aid = device_state_str(&d->st, "activationId");

		if (aid == NULL || strlen(aid) > JWT_TEXT_MAX)
			goto fail;
		rc.has_activation_id = 1;
		snprintf(rc.activation_id, sizeof(rc.activation_id), "%s", aid);
	}
	if (pa_random(ch, sizeof(ch)) != 0)
		goto fail;
	b64_encode(ch, sizeof(ch), rc.challenge);
	if ((activation_scope ? jwt_key_activation(transport_key,
	    d->app_secret, hskey) : jwt_key_application(d->app_secret,
	    hskey)) != 0)
		goto fail;
	if ((jwt = request_key(d, hskey, &rc)) == NULL)
		goto fail;
	if (accept_key(d, jwt, signer, &rc, slot) != 0)
		goto fail;
	rc_ok = cached_key(d, slot, pub, id);
fail:
	OPENSSL_cleanse(hskey, sizeof(hskey));
	free(jwt);
	if (rc_ok != 0 && d->err[0] == '\0')
		snprintf(d->err, sizeof(d->err), "temporary key unavailable");
	return rc_ok;
}
