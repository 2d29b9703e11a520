/*
 * operations.c - device side of the Mobile Token operations API
 * (api.md §3.6): list and detail with a MAC token, approve and reject with
 * a signature, as the mtoken SDKs call them.
 */
#include <config.h>

#include "device/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "crypto/ec.h"
#include "crypto/offline_qr.h"

#define OPS_PATH	"/api/auth/token/app/operation/"

/* POST with an X-PowerAuth-Token made from a stored token. */
static int
token_call(struct device *d, const char *token_id, const char *what,
    const char *body, long *status, char **resp)
{
	char hdr[1100], path[64], *value;
	const char *hdrs[2] = { hdr, NULL };

	if ((value = device_token_header(d, token_id)) == NULL)
		return -1;
	snprintf(hdr, sizeof(hdr), "X-PowerAuth-Token: %s", value);
	free(value);
	snprintf(path, sizeof(path), OPS_PATH "%s", what);
	return device_post(d, path, hdrs, body, status, resp);
}

int
device_op_list(struct device *d, const char *token_id, long *status,
    char **resp)
{
	return token_call(d, token_id, "list", "{}", status, resp);
}

int
device_op_detail(struct device *d, const char *token_id, const char *op_id,
    long *status, char **resp)
{
	struct json_object *o = json_object_new_object(), *ro;
	int rc = -1;

	if (o == NULL || (ro = json_object_new_object()) == NULL) {
		json_object_put(o);
		return -1;
	}
	json_object_object_add(ro, "id", json_object_new_string(op_id));
	json_object_object_add(o, "requestObject", ro);
	rc = token_call(d, token_id, "detail", json_object_to_json_string(o),
	    status, resp);
	json_object_put(o);
	return rc;
}

int
device_op_decide(struct device *d, const char *op_id, const char *data,
    const char *otp, const char *reason, const char *type, long *status,
    char **resp)
{
	struct json_object *o = json_object_new_object(), *ro, *pc;
	int rc = -1;

	if (o == NULL || (ro = json_object_new_object()) == NULL) {
		json_object_put(o);
		return -1;
	}
	json_object_object_add(ro, "id", json_object_new_string(op_id));
	if (reason != NULL)
		json_object_object_add(ro, "reason",
		    json_object_new_string(reason));
	else {
		json_object_object_add(ro, "data", json_object_new_string(data));
		if (otp != NULL && (pc = json_object_new_object()) != NULL) {
			json_object_object_add(pc, "otp",
			    json_object_new_string(otp));
			json_object_object_add(pc, "type",
			    json_object_new_string("QR_CODE"));
			json_object_object_add(ro, "proximityCheck", pc);
		}
	}
	json_object_object_add(o, "requestObject", ro);
	rc = device_signed_call(d, reason != NULL ? OPS_PATH "cancel" :
	    OPS_PATH "authorize", reason != NULL ? "/operation/cancel" :
	    "/operation/authorize", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), type, 0, status, resp);
	json_object_put(o);
	return rc;
}

/* The key that signed a QR code: the server key (K=1) or master (K=0). */
static int
qr_key(struct device *d, int personalized, EVP_PKEY **out)
{
	const char *spub = device_state_str(&d->st, "serverPublicKey");
	uint8_t raw[80];
	size_t n = 0;

	if (!personalized)
		return pa_ec_public_from_bytes(d->master_pub, d->master_publen,
		    out);
	if (spub == NULL || b64_decode(spub, strlen(spub), raw, sizeof(raw),
	    &n) != 0)
		return -1;
	return pa_ec_public_from_bytes(raw, n, out);
}

char *
device_op_offline(struct device *d, const char *qr, const char *type)
{
	struct offline_qr_parsed p;
	struct buf body = BUF_INIT;
	EVP_PKEY *key = NULL;
	char *sig = NULL;

	memset(&p, 0, sizeof(p));
	if (offline_qr_parse(qr, strlen(qr), &p) != 0) {
		snprintf(d->err, sizeof(d->err), "not an offline QR payload");
		goto fail;
	}
	if (qr_key(d, p.personalized, &key) != 0 ||
	    offline_qr_verify(&p, qr, key) != 0) {
		snprintf(d->err, sizeof(d->err),
		    "the QR code's signature does not verify");
		goto fail;
	}
	if (buf_printf(&body, "%s&%s", p.operation_id, p.operation_data) != 0)
		goto fail;
	sig = device_sign_offline(d, "/operation/authorize/offline",
	    p.nonce_b64, body.data, body.len, type, 8);
fail:
	EVP_PKEY_free(key);
	buf_free(&body);
	free(p.lines);
	return sig;
}
