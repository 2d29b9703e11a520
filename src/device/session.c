/*
 * session.c - the device's activation material, rebuilt from the state file
 * on every command (see session.h). The device recomputes the keys with ECDH
 * like the SDK does after unlocking its keychain.
 */
#include <config.h>

#include "device/session.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/fingerprint.h"
#include "crypto/status_blob.h"
#include "crypto/primitives.h"

int
session_open(struct device *d, struct session *s)
{
	const char *spub;
	uint8_t priv[32], raw[65];
	size_t n;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->activation_id = device_state_str(&d->st, "activationId");
	spub = device_state_str(&d->st, "serverPublicKey");
	if (s->activation_id == NULL || spub == NULL) {
		snprintf(d->err, sizeof(d->err), "no activation in the state");
		return -1;
	}
	if (device_state_bytes(&d->st, "devicePrivateKey", priv, sizeof(priv),
	    NULL) != 0 || pa_ec_private_from_bytes(priv, 32,
	    &s->device_key) != 0 ||
	    b64_decode(spub, strlen(spub), raw, sizeof(raw), &n) != 0 ||
	    pa_ec_public_from_bytes(raw, n, &s->server_pub) != 0 ||
	    keys_from_ecdh(s->device_key, s->server_pub, &s->keys) != 0) {
		snprintf(d->err, sizeof(d->err), "activation keys unusable");
		goto fail;
	}
	rc = 0;
fail:
	OPENSSL_cleanse(priv, sizeof(priv));
	if (rc != 0)
		session_close(s);
	return rc;
}

void
session_close(struct session *s)
{
	EVP_PKEY_free(s->device_key);
	EVP_PKEY_free(s->server_pub);
	keys_clear(&s->keys);
	s->device_key = s->server_pub = NULL;
}

int
device_fingerprint(struct device *d, char out[9])
{
	struct session s;
	int rc;

	if (session_open(d, &s) != 0)
		return -1;
	rc = fingerprint_v3(s.device_key, s.activation_id, s.server_pub, out);
	session_close(&s);
	return rc;
}

static const char *
state_name(int st)
{
	static const char *names[] = { "UNKNOWN", "CREATED", "PENDING_COMMIT",
	    "ACTIVE", "BLOCKED", "REMOVED" };

	return st >= 1 && st <= 5 ? names[st] : names[0];
}

/* Sends the status request; fills nonce (3.1+) and the encrypted blob. */
static int
fetch_blob(struct device *d, const char *aid, const uint8_t *challenge,
    uint8_t nonce[16], uint8_t blob[32])
{
	struct json_object *req, *ro, *resp = NULL, *v;
	char ch[32], *reply = NULL;
	long status = 0;
	int rc = -1;

	req = json_object_new_object();
	ro = json_object_new_object();
	json_object_object_add(ro, "activationId", json_object_new_string(aid));
	if (challenge != NULL) {
		b64_encode(challenge, 16, ch);
		json_object_object_add(ro, "challenge",
		    json_object_new_string(ch));
	}
	json_object_object_add(req, "requestObject", ro);
	if (device_post(d, "/pa/v3/activation/status", NULL,
	    json_object_to_json_string(req), &status, &reply) != 0)
		goto fail;
	if (status != 200 || (resp = json_tokener_parse(reply)) == NULL ||
	    !json_object_object_get_ex(resp, "responseObject", &ro) ||
	    !json_object_object_get_ex(ro, "encryptedStatusBlob", &v) ||
	    b64_decode_exact(json_object_get_string(v), blob, 32) != 0) {
		snprintf(d->err, sizeof(d->err), "activation/status: HTTP %ld: %s",
		    status, reply ? reply : "");
		goto fail;
	}
	if (challenge != NULL && (!json_object_object_get_ex(ro, "nonce", &v) ||
	    b64_decode_exact(json_object_get_string(v), nonce, 16) != 0)) {
		snprintf(d->err, sizeof(d->err), "activation/status: no nonce");
		goto fail;
	}
	rc = 0;
fail:
	json_object_put(req);
	json_object_put(resp);
	free(reply);
	return rc;
}

int
device_status(struct device *d, char *out, size_t outlen)
{
	struct session s;
	struct status_blob sb;
	uint8_t challenge[16], nonce[16], enc[32], plain[32], ctr[16];
	int with_ch = d->version >= PA_PROTO_31, dist = -1, rc = -1;

	if (session_open(d, &s) != 0)
		return -1;
	if (pa_random(challenge, sizeof(challenge)) != 0 ||
	    fetch_blob(d, s.activation_id, with_ch ? challenge : NULL, nonce,
	    enc) != 0)
		goto fail;
	if (status_blob_decrypt(s.keys.transport, with_ch ? challenge : NULL,
	    with_ch ? nonce : NULL, enc, plain) != 0 ||
	    status_blob_parse(plain, &sb) != 0) {
		snprintf(d->err, sizeof(d->err),
		    "status blob does not decrypt (activation unknown to server?)");
		goto fail;
	}
	if (with_ch && device_state_bytes(&d->st, "ctrData", ctr, 16,
	    NULL) == 0)
		dist = status_blob_ctr_distance(s.keys.transport, ctr,
		    sb.ctr_data_hash, sb.ctr_lookahead);
	snprintf(out, outlen, "{\"activationId\":\"%s\",\"status\":\"%s\","
	    "\"currentVersion\":%u,\"upgradeVersion\":%u,\"ctrByte\":%u,"
	    "\"failedAttempts\":%u,\"maxFailedAttempts\":%u,"
	    "\"lookAhead\":%u,\"ctrDistance\":%d}", s.activation_id,
	    state_name(sb.status), sb.current_version, sb.upgrade_version,
	    sb.ctr_byte, sb.failed_attempts, sb.max_failed_attempts,
	    sb.ctr_lookahead, dist);
	rc = 0;
fail:
	OPENSSL_cleanse(ctr, sizeof(ctr));
	session_close(&s);
	return rc;
}
