/*
 * activation.c - key exchange, status and removal by the device (see
 * activation.h).
 */
#include <config.h>

#include "service/activation.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "crypto/activation_code.h"
#include "crypto/ec.h"
#include "crypto/fingerprint.h"
#include "crypto/keys.h"
#include "crypto/status_blob.h"
#include "service/ecies_server.h"
#include "service/password.h"
#include "service/lookup_cache.h"
#include "service/secrets.h"
#include "service/sigauth.h"
#include "store/activations.h"
#include "store/apps.h"

#define OTP_MAX		64
#define DEVICE_KEY_B64_MAX	100

/* What the device sends in the two levels. */
struct exchange_in {
	const char	*code;
	const char	*device_key_b64;
	const char	*name;
	const char	*otp;
	const char	*platform;
	const char	*device_info;
	const char	*extras;
};

/* Everything one key exchange holds (off the stack, wiped at the end). */
struct exchange {
	struct app_row		 app;
	struct act_row		 act;
	struct ecies_ctx	 l1, l2;
	struct buf		 p1, p2;
	json_object		*o1, *o2;	/* parsed plaintexts */
	struct exchange_in	 in;
	char			 platform[ACTIVATION_PLATFORM_MAX + 1];
	uint8_t			 device_pub[65];
	size_t			 device_publen;
	uint8_t			 master[PA_KEY_LEN];
	uint8_t			 ctr_data[16];
	char			 fingerprint[FINGERPRINT_LEN + 1];
	char			*master_enc;
	json_object		*resp2, *resp1;
};

static void
exchange_free(struct exchange *x)
{
	if (x == NULL)
		return;
	ecies_ctx_wipe(&x->l1);
	ecies_ctx_wipe(&x->l2);
	if (x->p1.data != NULL)
		OPENSSL_cleanse(x->p1.data, x->p1.cap);
	if (x->p2.data != NULL)
		OPENSSL_cleanse(x->p2.data, x->p2.cap);
	buf_free(&x->p1);
	buf_free(&x->p2);
	json_object_put(x->o1);
	json_object_put(x->o2);
	json_object_put(x->resp1);
	json_object_put(x->resp2);
	if (x->master_enc != NULL) {
		OPENSSL_cleanse(x->master_enc, strlen(x->master_enc));
		free(x->master_enc);
	}
	OPENSSL_cleanse(x, sizeof(*x));
	free(x);
}

/* Forgets what one attempt of the locked part made (it was rolled back). */
static void
exchange_undo(struct exchange *x)
{
	json_object_put(x->resp1);
	json_object_put(x->resp2);
	x->resp1 = x->resp2 = NULL;
	/* The answers sealed for the rolled-back attempt never leave. */
	ecies_response_withdraw(&x->l1);
	ecies_response_withdraw(&x->l2);
	if (x->master_enc != NULL) {
		OPENSSL_cleanse(x->master_enc, strlen(x->master_enc));
		free(x->master_enc);
		x->master_enc = NULL;
	}
}

/* A string member: absent/null -> *out NULL; wrong type or size -> -1. */
static int
opt_text(json_object *o, const char *key, size_t max, int allow_ctl,
    const char **out)
{
	json_object *v;
	const char *s;
	size_t i, n;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n > max || strlen(s) != n)
		return -1;
	for (i = 0; !allow_ctl && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	*out = s;
	return 0;
}

static json_object *
parse_plain(struct buf *b)
{
	json_object *o;
	const char *s = buf_cstr(b);

	if (s == NULL || strlen(s) != b->len ||
	    (o = json_tokener_parse(s)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Level 1: type CODE, the code, the level-2 envelope. */
static enum svc_rc
read_level1(struct exchange *x, json_object **l2env, const char **why)
{
	json_object *v, *ia;

	*l2env = NULL;
	if ((x->o1 = parse_plain(&x->p1)) == NULL) {
		*why = "level-1 payload is not a JSON object";
		return SVC_ACTIVATION_INVALID;
	}
	if (!json_object_object_get_ex(x->o1, "type", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "CODE") != 0) {
		*why = "activation type is not CODE";
		return SVC_ACTIVATION_INVALID;
	}
	if (!json_object_object_get_ex(x->o1, "identityAttributes", &ia) ||
	    !json_object_is_type(ia, json_type_object) ||
	    opt_text(ia, "code", ACTIVATION_CODE_LEN, 0, &x->in.code) != 0 ||
	    x->in.code == NULL || activation_code_validate(x->in.code) != 0) {
		*why = "activation code missing or malformed";
		return SVC_ACTIVATION_INVALID;
	}
	if (!json_object_object_get_ex(x->o1, "activationData", l2env) ||
	    !json_object_is_type(*l2env, json_type_object)) {
		*why = "activationData missing";
		return SVC_ACTIVATION_INVALID;
	}
	return SVC_OK;
}

/* Level 2: the device key and what the user sees. */
static enum svc_rc
read_level2(struct exchange *x, const char **why)
{
	const char *p;
	uint8_t raw[80];
	size_t n = 0, i;
	EVP_PKEY *k = NULL;
	int bad;

	if ((x->o2 = parse_plain(&x->p2)) == NULL) {
		*why = "level-2 payload is not a JSON object";
		return SVC_ACTIVATION_INVALID;
	}
	if (opt_text(x->o2, "devicePublicKey", DEVICE_KEY_B64_MAX, 0,
	    &x->in.device_key_b64) != 0 || x->in.device_key_b64 == NULL ||
	    opt_text(x->o2, "activationName", ACTIVATION_NAME_MAX, 0,
	    &x->in.name) != 0 ||
	    opt_text(x->o2, "activationOtp", OTP_MAX, 0, &x->in.otp) != 0 ||
	    opt_text(x->o2, "platform", ACTIVATION_PLATFORM_MAX, 0,
	    &p) != 0 ||
	    opt_text(x->o2, "deviceInfo", ACTIVATION_INFO_MAX, 0,
	    &x->in.device_info) != 0 ||
	    opt_text(x->o2, "extras", ACT_EXTRAS_MAX, 1, &x->in.extras) != 0) {
		*why = "level-2 payload field missing or malformed";
		return SVC_ACTIVATION_INVALID;
	}
	/* Stored lower case, as the reference server does. */
	snprintf(x->platform, sizeof(x->platform), "%s", p != NULL ? p :
	    "unknown");
	for (i = 0; x->platform[i] != '\0'; i++)
		x->platform[i] = (char)tolower((unsigned char)x->platform[i]);
	x->in.platform = x->platform;
	bad = b64_decode(x->in.device_key_b64, strlen(x->in.device_key_b64),
	    raw, sizeof(raw), &n) != 0 || pa_ec_public_from_bytes(raw, n,
	    &k) != 0 || pa_ec_public_to_bytes(k, 0, x->device_pub,
	    &x->device_publen) != 0;
	EVP_PKEY_free(k);
	if (bad) {
		*why = "devicePublicKey is not a P-256 point";
		return SVC_ACTIVATION_INVALID;
	}
	return SVC_OK;
}

/* Opens both levels (they need no database lock). */
static enum svc_rc
open_levels(struct db *db, const struct config *cfg,
    enum pa_proto_version version, json_object *envelope,
    struct exchange *x, const char **why)
{
	struct ecies_server_in in;
	json_object *l2env;
	enum svc_rc rc;

	memset(&in, 0, sizeof(in));
	in.version = version;
	in.app = &x->app;
	in.sh1 = ECIES_SH1_APPLICATION_GENERIC;
	if ((rc = ecies_server_open(db, cfg, &in, envelope, &x->l1,
	    &x->p1)) != SVC_OK) {
		*why = "level-1 envelope does not open";
		return rc;
	}
	if ((rc = read_level1(x, &l2env, why)) != SVC_OK)
		return rc;
	in.sh1 = ECIES_SH1_ACTIVATION_LAYER2;
	if ((rc = ecies_server_open(db, cfg, &in, l2env, &x->l2,
	    &x->p2)) != SVC_OK) {
		*why = "level-2 envelope does not open";
		return rc;
	}
	return read_level2(x, why);
}

/* The OTP rules of the commit phase; *counted set when a failure was
 * stored (the caller then commits instead of rolling back). */
static enum svc_rc
check_otp(struct db *db, struct exchange *x, int *counted, const char **why)
{
	const struct act_row *a = &x->act;
	int on_kx = strcmp(a->commit_phase, "ON_KEY_EXCHANGE") == 0;
	int failed, dbrc;

	*counted = 0;
	if (a->otp_hash[0] == '\0' || !on_kx) {
		if (x->in.otp == NULL)
			return SVC_OK;
		*why = "activation OTP not expected at key exchange";
		return SVC_ACTIVATION_INVALID;
	}
	if (x->in.otp != NULL && password_verify(x->in.otp, a->otp_hash))
		return SVC_OK;
	failed = a->failed_attempts + 1;
	dbrc = act_store_otp_failures(db, a->id, failed,
	    failed >= a->max_failed_attempts);
	if (dbrc != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	*counted = 1;
	*why = failed >= a->max_failed_attempts ?
	    "wrong activation OTP, attempts exhausted: registration removed" :
	    "wrong activation OTP";
	return SVC_ACTIVATION_INVALID;
}

/* Keys, fingerprint, counter data and both response envelopes. */
static enum svc_rc
derive_and_answer(const struct config *cfg, struct exchange *x)
{
	EVP_PKEY *server = NULL, *device = NULL;
	json_object *o = NULL;
	char b64[100];
	const char *text;
	enum svc_rc rc = SVC_INTERNAL;

	if (secret_server_key(cfg, &x->act, &server) != 0 ||
	    pa_ec_public_from_bytes(x->device_pub, x->device_publen,
	    &device) != 0 ||
	    keys_master_secret(server, device, x->master) != 0 ||
	    fingerprint_v3(device, x->act.id, server, x->fingerprint) != 0 ||
	    pa_random(x->ctr_data, sizeof(x->ctr_data)) != 0 ||
	    (x->master_enc = secret_master_encrypt(cfg, x->act.user_id,
	    x->act.id, x->master)) == NULL ||
	    x->act.server_public_key_len != PA_EC_PUB_UNCOMPRESSED)
		goto fail;
	if ((o = json_object_new_object()) == NULL)
		goto fail;
	json_object_object_add(o, "activationId",
	    json_object_new_string(x->act.id));
	b64_encode(x->act.server_public_key, x->act.server_public_key_len,
	    b64);
	json_object_object_add(o, "serverPublicKey",
	    json_object_new_string(b64));
	b64_encode(x->ctr_data, sizeof(x->ctr_data), b64);
	json_object_object_add(o, "ctrData", json_object_new_string(b64));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if ((rc = ecies_server_seal(&x->l2, text, strlen(text),
	    &x->resp2)) != SVC_OK)
		goto fail;
	json_object_put(o);
	rc = SVC_INTERNAL;
	if ((o = json_object_new_object()) == NULL)
		goto fail;
	json_object_object_add(o, "activationData", x->resp2);
	x->resp2 = NULL;
	json_object_object_add(o, "customAttributes", json_object_new_object());
	json_object_object_add(o, "userInfo", json_object_new_object());
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = ecies_server_seal(&x->l1, text, strlen(text), &x->resp1);
fail:
	OPENSSL_cleanse(b64, sizeof(b64));
	json_object_put(o);
	EVP_PKEY_free(server);
	EVP_PKEY_free(device);
	return rc;
}

/* The locked part: find the code, apply the rules, store. */
static enum svc_rc
exchange_locked(struct db *db, const struct config *cfg, struct exchange *x,
    int *commit, const char **why)
{
	struct act_exchange s;
	enum svc_rc rc;
	int dbrc, counted;

	*commit = 0;
	dbrc = act_lock_by_code(db, x->app.id, x->in.code, &x->act);
	if (dbrc != DB_OK) {
		*why = "no registration with this activation code";
		return svc_from_db(dbrc, SVC_ACTIVATION_INVALID);
	}
	if (x->act.status != REG_CREATED ||
	    x->act.expires_ms <= time_now_ms()) {
		*why = "registration is not waiting for a key exchange";
		return SVC_ACTIVATION_INVALID;
	}
	rc = check_otp(db, x, &counted, why);
	if (rc != SVC_OK) {
		*commit = counted;
		return rc;
	}
	if ((rc = derive_and_answer(cfg, x)) != SVC_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	s.id = x->act.id;
	s.status = strcmp(x->act.commit_phase, "ON_KEY_EXCHANGE") == 0 ?
	    REG_ACTIVE : REG_PENDING_COMMIT;
	s.device_public_key = x->device_pub;
	s.device_public_key_len = x->device_publen;
	s.ctr_data = x->ctr_data;
	s.master_secret_enc = x->master_enc;
	s.fingerprint = x->fingerprint;
	s.name = x->in.name;
	s.platform = x->in.platform;
	s.device_info = x->in.device_info;
	s.extras = x->in.extras;
	s.protocol_version = 3;
	if ((dbrc = act_store_exchange(db, &s)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	*commit = 1;
	return SVC_OK;
}

enum svc_rc
activation_key_exchange(struct db *db, const struct config *cfg,
    enum pa_proto_version version, const char *app_key,
    json_object *envelope, json_object **out, const char **why)
{
	struct exchange *x;
	enum svc_rc rc;
	int dbrc, commit = 0, attempt;

	*out = NULL;
	*why = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return SVC_INTERNAL;
	dbrc = lookup_app_by_key(db, cfg, app_key, &x->app);
	if (dbrc != DB_OK) {
		*why = "unknown application key";
		rc = svc_from_db(dbrc, SVC_ENCRYPTION);
		goto done;
	}
	if ((rc = open_levels(db, cfg, version, envelope, x, why)) != SVC_OK)
		goto done;
	/*
	 * The transaction, again when it lost a lock conflict (a deadlock
	 * with the housekeeping job expiring the same row, or a Galera
	 * certification failure): it was rolled back, nothing of it stays.
	 */
	for (attempt = 1;; attempt++) {
		if ((dbrc = db_begin(db)) != DB_OK) {
			rc = svc_from_db(dbrc, SVC_INTERNAL);
			goto done;
		}
		rc = exchange_locked(db, cfg, x, &commit, why);
		if (commit) {
			dbrc = db_commit(db);
			if (dbrc != DB_OK)
				rc = svc_from_db(dbrc, SVC_INTERNAL);
		} else
			db_rollback(db);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			break;
		svc_retry_pause(attempt + 1);
		exchange_undo(x);
		*why = NULL;
	}
	if (rc == SVC_OK) {
		*out = x->resp1;
		x->resp1 = NULL;
	}
done:
	exchange_free(x);
	return rc;
}

enum svc_rc
activation_status(struct db *db, const struct config *cfg, const char *id,
    const uint8_t *challenge, struct activation_status *out)
{
	struct status_blob info;
	struct act_row *a;
	struct pa_keys keys;
	enum svc_rc rc = SVC_INTERNAL;
	int dbrc;

	memset(out, 0, sizeof(*out));
	out->has_nonce = challenge != NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return SVC_INTERNAL;
	dbrc = act_get(db, id, a);
	if (dbrc != DB_OK && dbrc != DB_NOT_FOUND) {
		rc = svc_from_db(dbrc, SVC_INTERNAL);
		goto done;
	}
	if (dbrc == DB_NOT_FOUND || a->master_secret_enc[0] == '\0' ||
	    !a->has_ctr_data) {
		/* Nothing to encrypt for: noise the device cannot open. */
		if (pa_random(out->blob, sizeof(out->blob)) == 0 &&
		    pa_random(out->nonce, sizeof(out->nonce)) == 0)
			rc = SVC_OK;
		goto done;
	}
	if (secret_activation_keys(cfg, a, &keys) != 0)
		goto done;
	memset(&info, 0, sizeof(info));
	info.status = (uint8_t)a->status;
	if ((a->status == REG_CREATED || a->status == REG_PENDING_COMMIT) &&
	    a->expires_ms <= time_now_ms())
		info.status = REG_REMOVED;
	info.current_version = 3;
	info.upgrade_version = 3;
	info.ctr_byte = (uint8_t)(a->ctr & 0xff);
	info.failed_attempts = (uint8_t)(a->failed_attempts > 255 ? 255 :
	    a->failed_attempts);
	info.max_failed_attempts = (uint8_t)(a->max_failed_attempts > 255 ?
	    255 : a->max_failed_attempts);
	info.ctr_lookahead = (uint8_t)cfg->signature_lookahead;
	if (status_blob_seal(&info, keys.transport, a->ctr_data, challenge,
	    out->nonce, out->blob) == 0)
		rc = SVC_OK;
	keys_clear(&keys);
done:
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	return rc;
}

static enum svc_rc
remove_now(struct db *db, const struct sigauth_ctx *c, void *arg)
{
	(void)arg;
	return svc_from_db(reg_set_removed(db, c->act->id), SVC_INTERNAL);
}

enum svc_rc
activation_remove_signed(struct db *db, const struct config *cfg,
    const char *auth_header, const uint8_t *body, size_t bodylen,
    char id_out[37])
{
	struct sigauth_result res;
	enum svc_rc rc;

	id_out[0] = '\0';
	rc = sigauth_signed_call(db, cfg, auth_header, "/pa/activation/remove",
	    body, bodylen, SIGAUTH_2FA, remove_now, NULL, &res);
	if (rc == SVC_OK)
		memcpy(id_out, res.subject.activation_id, 37);
	return rc;
}
