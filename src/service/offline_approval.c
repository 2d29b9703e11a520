/* offline_approval.c - QR and typed-code approval (offline_approval.h). */
#include <config.h>

#include "service/offline_approval.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "common/uuid.h"
#include "crypto/offline_qr.h"
#include "crypto/primitives.h"
#include "crypto/signature.h"
#include "service/operations.h"
#include "service/secrets.h"
#include "store/activations.h"
#include "store/operations.h"
#include "store/templates.h"

#define OFFLINE_URI_ID	"/operation/authorize/offline"

/* The PENDING operation and the registration that may approve it. */
static enum svc_rc
load(struct db *db, const struct config *cfg, const struct reg_scope *scope,
    const char *op_id, const char *reg_id, struct operation *op,
    struct act_row *act)
{
	enum svc_rc rc;
	int dbrc;

	if ((rc = operation_get(db, cfg, scope, op_id, op)) != SVC_OK)
		return rc;
	if (op->status != OP_PENDING)
		return SVC_OP_STATE;
	if (reg_id == NULL || !uuid_is_valid(reg_id))
		return SVC_REG_NOT_FOUND;
	dbrc = act_get(db, reg_id, act);
	if (dbrc != DB_OK)
		return svc_from_db(dbrc, SVC_REG_NOT_FOUND);
	if (act->status != REG_ACTIVE || strcmp(act->user_id,
	    op->row.user_id) != 0 || strcmp(act->app_id, op->row.app_id) != 0 ||
	    (op->row.registration_id[0] != '\0' &&
	    strcmp(op->row.registration_id, reg_id) != 0))
		return SVC_REG_NOT_FOUND;
	return SVC_OK;
}

/* Display texts in the operation's language (empty when none). */
static void
texts(struct db *db, const struct operation *op, char *title, size_t tcap,
    char *message, size_t mcap)
{
	struct op_display *d = malloc(sizeof(*d));
	json_object *params = json_tokener_parse(op->row.parameters);
	struct buf b = BUF_INIT;

	title[0] = message[0] = '\0';
	if (d != NULL && op_display_get(db, op->row.operation_type,
	    op->row.language, d) == DB_OK) {
		if (operation_fill(d->title, operation_param_text, params,
		    &b) == 0 && b.len < tcap)
			memcpy(title, b.data, b.len + 1);
		if (operation_fill(d->message, operation_param_text, params,
		    &b) == 0 && b.len < mcap)
			memcpy(message, b.data, b.len + 1);
	}
	buf_free(&b);
	json_object_put(params);
	free(d);
}

enum svc_rc
offline_qr_for(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *op_id, const char *reg_id,
    char **qr, char nonce_b64[25], const char **why)
{
	struct operation *op = NULL;
	struct act_row *act = NULL;
	struct offline_qr q;
	EVP_PKEY *key = NULL;
	uint8_t nonce[16];
	char title[OP_TEXT_MAX + 1], message[OP_DATA_MAX / 2 + 1];
	enum svc_rc rc = SVC_INTERNAL;

	*qr = NULL;
	*why = NULL;
	if ((op = malloc(sizeof(*op))) == NULL ||
	    (act = malloc(sizeof(*act))) == NULL)
		goto done;
	if ((rc = load(db, cfg, scope, op_id, reg_id, op, act)) != SVC_OK)
		goto done;
	if (op->row.totp_seed_enc[0] != '\0') {
		*why = "an operation with a proximity check has no offline QR";
		rc = SVC_INVALID;
		goto done;
	}
	rc = SVC_INTERNAL;
	texts(db, op, title, sizeof(title), message, sizeof(message));
	memset(&q, 0, sizeof(q));
	q.operation_id = op->row.id;
	q.title = title;
	q.message = message;
	q.operation_data = op->row.data;
	q.flags = strstr(op->row.signature_types, "possession_biometry") !=
	    NULL ? "B" : "";
	if (pa_random(nonce, sizeof(nonce)) != 0 ||
	    secret_server_key(cfg, act, &key) != 0 ||
	    (*qr = offline_qr_build(&q, nonce, 1, key)) == NULL)
		goto done;
	b64_encode(nonce, sizeof(nonce), nonce_b64);
	rc = SVC_OK;
done:
	EVP_PKEY_free(key);
	if (act != NULL)
		OPENSSL_cleanse(act, sizeof(*act));
	free(act);
	free(op);
	return rc;
}

/* "1234-5678 9012-3456" -> "12345678-90123456"; -1 when not digits in
 * whole 8-digit components. */
static int
normalise(const char *in, char *out, size_t cap)
{
	size_t i, n = 0, digits = 0;

	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == ' ' || in[i] == '-')
			continue;
		if (in[i] < '0' || in[i] > '9')
			return -1;
		if (digits > 0 && digits % 8 == 0) {
			if (n + 1 >= cap)
				return -1;
			out[n++] = '-';
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = in[i];
		digits++;
	}
	out[n] = '\0';
	return digits > 0 && digits % 8 == 0 && digits <= 24 ? 0 : -1;
}

/* POST & b64(uriId) & nonce & b64(operationId&operationData). */
static int
offline_data(const struct operation *op, const char *nonce_b64,
    struct buf *out)
{
	struct buf body = BUF_INIT;
	char *b1 = NULL, *b2 = NULL;
	int rc = -1;

	if (buf_printf(&body, "%s&%s", op->row.id, op->row.data) != 0 ||
	    (b1 = b64_encode_new((const uint8_t *)OFFLINE_URI_ID,
	    strlen(OFFLINE_URI_ID))) == NULL ||
	    (b2 = b64_encode_new(body.data, body.len)) == NULL ||
	    buf_printf(out, "POST&%s&%s&%s", b1, nonce_b64, b2) != 0 ||
	    buf_cstr(out) == NULL)
		goto fail;
	rc = 0;
fail:
	free(b1);
	free(b2);
	buf_free(&body);
	return rc;
}

/* Approves or counts a failure, with the operation locked. */
static enum svc_rc
settle(struct db *db, const struct operation *op, const char *reg_id,
    const struct sigauth_result *res)
{
	struct reg_scope all = { 0, 1 };
	struct op_row *row;
	json_object *ad = NULL;
	enum svc_rc rc;
	int dbrc;

	if ((row = malloc(sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	if ((dbrc = db_begin(db)) != DB_OK) {
		free(row);
		return svc_from_db(dbrc, SVC_INTERNAL);
	}
	rc = svc_from_db(op_lock(db, &all, op->row.id, row), SVC_OP_NOT_FOUND);
	if (rc == SVC_OK && (row->status != OP_PENDING ||
	    row->expires_ms <= time_now_ms()))
		rc = SVC_OP_STATE;
	if (rc == SVC_OK && (ad = json_tokener_parse(row->additional_data)) ==
	    NULL)
		ad = json_object_new_object();
	if (rc == SVC_OK && ad != NULL) {
		json_object_object_add(ad, "activationId",
		    json_object_new_string(reg_id));
		json_object_object_add(ad, "applicationId",
		    json_object_new_string(row->app_id));
		json_object_object_add(ad, "authFactor",
		    json_object_new_string(hdr_sig_type_str(res->type)));
		if (res->valid)
			dbrc = op_approve(db, row->id,
			    json_object_to_json_string(ad));
		else
			dbrc = op_fail(db, row->id, row->failure_count + 1,
			    row->additional_data, row->failure_count + 1 >=
			    row->max_failures);
		rc = svc_from_db(dbrc, SVC_INTERNAL);
	}
	json_object_put(ad);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	free(row);
	return rc;
}

enum svc_rc
offline_otp_check(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *op_id, const char *reg_id,
    const char *nonce_b64, const char *otp, struct sigauth_result *res,
    const char **why)
{
	struct sigauth_offline_req o;
	struct operation *op = NULL;
	struct act_row *act = NULL;
	struct buf data = BUF_INIT;
	uint8_t nonce[16];
	char sig[SIGNATURE_MAX_LEN + 1];
	enum svc_rc rc = SVC_INTERNAL;

	memset(res, 0, sizeof(*res));
	*why = NULL;
	if (otp == NULL || normalise(otp, sig, sizeof(sig)) != 0) {
		*why = "otp must be 8-digit groups (dashes and spaces allowed)";
		return SVC_INVALID;
	}
	if (nonce_b64 == NULL || b64_decode_exact(nonce_b64, nonce, 16) != 0) {
		*why = "nonce must be the QR's Base64 nonce (16 bytes)";
		return SVC_INVALID;
	}
	if ((op = malloc(sizeof(*op))) == NULL ||
	    (act = malloc(sizeof(*act))) == NULL)
		goto done;
	if ((rc = load(db, cfg, scope, op_id, reg_id, op, act)) != SVC_OK)
		goto done;
	rc = SVC_INTERNAL;
	if (offline_data(op, nonce_b64, &data) != 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.activation_id = reg_id;
	o.data = buf_cstr(&data);
	o.signature = sig;
	o.digits = SIGNATURE_DIGITS_DEFAULT;
	o.allow_biometry = strstr(op->row.signature_types,
	    "possession_biometry") != NULL;
	o.scope = scope;
	if ((rc = sigauth_verify_offline(db, cfg, &o, res, why)) != SVC_OK)
		goto done;
	rc = settle(db, op, reg_id, res);
done:
	buf_free(&data);
	if (act != NULL)
		OPENSSL_cleanse(act, sizeof(*act));
	free(act);
	free(op);
	return rc;
}
