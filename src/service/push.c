/* push.c - push credentials, devices and messages (see push.h). */
#include <config.h>

#include "service/push.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/uuid.h"
#include "crypto/jws.h"
#include "service/operations.h"
#include "service/push_payload.h"
#include "service/secrets.h"
#include "service/tokens.h"
#include "store/apps.h"

#define JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define PEM_MAX		SECRET_PEM_MAX	/* a 4096-bit RSA key: about 3300 */

/* [A-Za-z0-9]{1,max} */
static int
alnum_valid(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

/* 1..max visible ASCII characters (no space). */
static int
visible_valid(const char *s, size_t max)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

/* A device token: 1..max of [A-Za-z0-9_.:~-] (APNs: hex; FCM: base64url
 * with ':'), safe in a URL path. */
static int
device_token_valid(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.:~-") == n;
}

static int
environment_valid(const char *s)
{
	return s != NULL && (strcmp(s, "development") == 0 ||
	    strcmp(s, "production") == 0);
}

/* An absolute http(s) URL without spaces. */
static int
url_valid(const char *s, size_t max)
{
	return visible_valid(s, max) && (strncmp(s, "https://", 8) == 0 ||
	    strncmp(s, "http://", 7) == 0);
}

/* The application exists: SVC_OK, SVC_APP_NOT_FOUND, ... */
static enum svc_rc
app_exists(struct db *db, const char *app_id)
{
	struct app_row *a;
	enum svc_rc rc;

	if (app_id == NULL || strlen(app_id) > APP_ID_MAX)
		return SVC_APP_NOT_FOUND;
	if ((a = malloc(sizeof(*a))) == NULL)
		return SVC_INTERNAL;
	rc = svc_from_db(apps_get(db, app_id, a), SVC_APP_NOT_FOUND);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	return rc;
}

/*
 * The key of a "privateKeyBase64": Base64 of a PEM file, or the Base64
 * body of one (PKCS#8 DER), normalised to PKCS#8 PEM into *pem.
 */
static int
key_from_b64(const char *b64, enum jws_alg alg, EVP_PKEY **key)
{
	uint8_t *raw;
	char *pem = NULL;
	size_t n = 0, len = strlen(b64);
	int rc = -1;

	if (len > PEM_MAX * 2 || (raw = malloc(len + 1)) == NULL)
		return -1;
	if (b64_decode(b64, len, raw, len, &n) != 0)
		goto done;
	raw[n] = '\0';
	if (strstr((char *)raw, "-----BEGIN") != NULL) {
		rc = jws_key_from_pem((char *)raw, n, alg, key);
		goto done;
	}
	if ((pem = malloc(len + 64)) == NULL)
		goto done;
	n = (size_t)snprintf(pem, len + 64, "-----BEGIN PRIVATE KEY-----\n"
	    "%s\n-----END PRIVATE KEY-----\n", b64);
	rc = jws_key_from_pem(pem, n, alg, key);
done:
	OPENSSL_cleanse(raw, len + 1);
	free(raw);
	if (pem != NULL) {
		OPENSSL_cleanse(pem, len + 64);
		free(pem);
	}
	return rc;
}

/* Encrypts key (normalised to PEM) into out->private_key_enc. */
static enum svc_rc
seal_key(const struct config *cfg, EVP_PKEY *key, struct push_cred_row *out,
    const char **why)
{
	char *pem, *enc = NULL;

	if ((pem = jws_key_to_pem(key)) == NULL)
		return SVC_INTERNAL;
	if (strlen(pem) > PEM_MAX)
		*why = "the private key is too large";
	else if ((enc = secret_seal(cfg, SECRET_PUSH_KEY, out->platform,
	    out->app_id, (const uint8_t *)pem, strlen(pem),
	    PUSH_KEY_ENC_MAX)) != NULL)
		snprintf(out->private_key_enc, sizeof(out->private_key_enc),
		    "%s", enc);
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	free(enc);
	if (*why != NULL)
		return SVC_INVALID;
	return enc != NULL ? SVC_OK : SVC_INTERNAL;
}

/* Stores *row and reads it back without the key. */
static enum svc_rc
store(struct db *db, struct push_cred_row *row, struct push_cred_row *out)
{
	enum svc_rc rc;
	int found;

	rc = svc_from_db(pushc_put(db, row), SVC_INTERNAL);
	OPENSSL_cleanse(row->private_key_enc, sizeof(row->private_key_enc));
	if (rc == SVC_INTERNAL)
		rc = app_exists(db, row->app_id) == SVC_APP_NOT_FOUND ?
		    SVC_APP_NOT_FOUND : SVC_INTERNAL;
	if (rc != SVC_OK)
		return rc;
	rc = push_cred_get(db, row->app_id, row->platform, out, &found);
	return rc == SVC_OK && !found ? SVC_INTERNAL : rc;
}

static const char *
apns_check(const struct push_apns_req *r)
{
	if (!visible_valid(r->topic, PUSH_TOPIC_MAX))
		return "topic (the bundle id) is required: 1 to 255 visible "
		    "characters";
	if (!alnum_valid(r->key_id, PUSH_KEY_ID_MAX))
		return "keyId is required: letters and digits";
	if (!alnum_valid(r->team_id, PUSH_TEAM_ID_MAX))
		return "teamId is required: letters and digits";
	if (r->environment != NULL && !environment_valid(r->environment))
		return "environment is development or production";
	if ((r->private_key_b64 == NULL) == (r->private_key == NULL))
		return "one of privateKeyBase64 (the .p8 file in Base64) and "
		    "privateKey (its PEM text) is required";
	return NULL;
}

enum svc_rc
push_apns_put(struct db *db, const struct config *cfg, const char *app_id,
    const struct push_apns_req *r, struct push_cred_row *out,
    const char **why)
{
	struct push_cred_row *row;
	EVP_PKEY *key = NULL;
	enum svc_rc rc;
	int k;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if ((rc = app_exists(db, app_id)) != SVC_OK)
		return rc;
	if ((*why = apns_check(r)) != NULL)
		return SVC_INVALID;
	k = r->private_key != NULL ? jws_key_from_pem(r->private_key,
	    strlen(r->private_key), JWS_ES256, &key) :
	    key_from_b64(r->private_key_b64, JWS_ES256, &key);
	if (k != 0) {
		*why = "the private key is not a P-256 key in PKCS#8 (a .p8 "
		    "file)";
		return SVC_INVALID;
	}
	if ((row = calloc(1, sizeof(*row))) == NULL) {
		EVP_PKEY_free(key);
		return SVC_INTERNAL;
	}
	snprintf(row->app_id, sizeof(row->app_id), "%s", app_id);
	strcpy(row->platform, "apns");
	snprintf(row->topic, sizeof(row->topic), "%s", r->topic);
	snprintf(row->key_id, sizeof(row->key_id), "%s", r->key_id);
	snprintf(row->team_id, sizeof(row->team_id), "%s", r->team_id);
	snprintf(row->environment, sizeof(row->environment), "%s",
	    r->environment != NULL ? r->environment : "production");
	rc = seal_key(cfg, key, row, why);
	EVP_PKEY_free(key);
	if (rc == SVC_OK)
		rc = store(db, row, out);
	free(row);
	return rc;
}

static const char *
member(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The service account as an object (taken from r or decoded). */
static json_object *
service_account(const struct push_fcm_req *r)
{
	json_object *o = NULL;
	uint8_t *raw;
	size_t n = 0, len;

	if (r->service_account != NULL)
		return json_object_get(r->service_account);
	if (r->service_account_b64 == NULL ||
	    (len = strlen(r->service_account_b64)) > 4 * PEM_MAX ||
	    (raw = malloc(len + 1)) == NULL)
		return NULL;
	if (b64_decode(r->service_account_b64, len, raw, len, &n) == 0) {
		raw[n] = '\0';
		o = json_tokener_parse((char *)raw);
	}
	OPENSSL_cleanse(raw, len + 1);
	free(raw);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* The account's fields into row; NULL or why not. */
static const char *
fcm_fields(const struct push_fcm_req *r, json_object *sa,
    struct push_cred_row *row)
{
	const char *project = r->project_id != NULL ? r->project_id :
	    member(sa, "project_id");
	const char *email = member(sa, "client_email");
	const char *uri = member(sa, "token_uri");
	const char *kid = member(sa, "private_key_id");

	if (project == NULL || !svc_ident_valid(project, PUSH_PROJECT_MAX))
		return "projectId (or the account's project_id) is required: "
		    "[A-Za-z0-9._-]";
	if (!visible_valid(email, PUSH_EMAIL_MAX) ||
	    strchr(email, '@') == NULL)
		return "the service account has no valid client_email";
	if (uri != NULL && !url_valid(uri, PUSH_URI_MAX))
		return "the service account's token_uri is not an http(s) URL";
	if (kid != NULL && !alnum_valid(kid, PUSH_KEY_ID_MAX))
		return "the service account's private_key_id is not "
		    "hexadecimal";
	snprintf(row->project_id, sizeof(row->project_id), "%s", project);
	snprintf(row->client_email, sizeof(row->client_email), "%s", email);
	snprintf(row->token_uri, sizeof(row->token_uri), "%s", uri != NULL ?
	    uri : PUSH_DEFAULT_TOKEN_URI);
	snprintf(row->key_id, sizeof(row->key_id), "%s", kid != NULL ? kid :
	    "");
	return NULL;
}

enum svc_rc
push_fcm_put(struct db *db, const struct config *cfg, const char *app_id,
    const struct push_fcm_req *r, struct push_cred_row *out,
    const char **why)
{
	struct push_cred_row *row = NULL;
	json_object *sa = NULL;
	EVP_PKEY *key = NULL;
	const char *pem;
	enum svc_rc rc;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if ((rc = app_exists(db, app_id)) != SVC_OK)
		return rc;
	rc = SVC_INVALID;
	if ((r->service_account_b64 == NULL) == (r->service_account == NULL))
		*why = "one of privateKeyBase64 (the service account JSON in "
		    "Base64) and serviceAccount (the JSON) is required";
	else if ((sa = service_account(r)) == NULL)
		*why = "privateKeyBase64 is not a service account JSON in "
		    "Base64";
	else if ((row = calloc(1, sizeof(*row))) == NULL)
		rc = SVC_INTERNAL;
	else if ((*why = fcm_fields(r, sa, row)) == NULL) {
		pem = member(sa, "private_key");
		if (pem == NULL || jws_key_from_pem(pem, strlen(pem),
		    JWS_RS256, &key) != 0)
			*why = "the service account's private_key is not an "
			    "RSA key (2048 bits or more) in PEM";
		else {
			snprintf(row->app_id, sizeof(row->app_id), "%s",
			    app_id);
			strcpy(row->platform, "fcm");
			rc = seal_key(cfg, key, row, why);
		}
	}
	if (rc == SVC_OK)
		rc = store(db, row, out);
	EVP_PKEY_free(key);
	free(row);
	json_object_put(sa);
	return rc;
}

enum svc_rc
push_cred_get(struct db *db, const char *app_id, const char *platform,
    struct push_cred_row *out, int *found)
{
	enum svc_rc rc;
	int dbrc;

	*found = 0;
	if ((rc = app_exists(db, app_id)) != SVC_OK)
		return rc;
	dbrc = pushc_get(db, app_id, platform, out);
	OPENSSL_cleanse(out->private_key_enc, sizeof(out->private_key_enc));
	if (dbrc == DB_NOT_FOUND)
		return SVC_OK;
	*found = dbrc == DB_OK;
	return svc_from_db(dbrc, SVC_INTERNAL);
}

enum svc_rc
push_cred_delete(struct db *db, const char *app_id, const char *platform,
    const char **why)
{
	enum svc_rc rc;

	*why = NULL;
	if ((rc = app_exists(db, app_id)) != SVC_OK)
		return rc;
	rc = svc_from_db(pushc_delete(db, app_id, platform), SVC_INVALID);
	if (rc == SVC_INVALID)
		*why = "the application has no credentials for this platform";
	return rc;
}

/* --- devices ------------------------------------------------------------ */

enum svc_rc
push_device_register(struct db *db, const struct config *cfg,
    const char *token_header, const char *platform, const char *token,
    const char *environment, enum push_refusal *refusal, const char **why)
{
	struct token_result *t;
	const char *p = push_platform_canonical(platform), *twhy;
	enum svc_rc rc;

	*refusal = PUSH_REFUSED_INPUT;
	*why = NULL;
	if (p == NULL)
		*why = "platform is apns, fcm or hms (ios, android, huawei)";
	else if (!device_token_valid(token, PUSH_TOKEN_MAX))
		*why = "token: 1 to 512 characters of A-Z a-z 0-9 _ . : ~ -";
	else if (environment != NULL && !environment_valid(environment))
		*why = "environment is development or production";
	if ((t = malloc(sizeof(*t))) == NULL)
		return SVC_INTERNAL;
	/* Authentication first: an unauthenticated caller learns nothing. */
	rc = token_check(db, cfg, token_header, NULL, t, &twhy);
	if (rc == SVC_INVALID || (rc == SVC_OK && !t->valid))
		rc = SVC_AUTH_FAILED;
	if (rc == SVC_OK && *why != NULL)
		rc = SVC_INVALID;
	else if (rc == SVC_OK && strcmp(p, "hms") == 0) {
		*refusal = PUSH_REFUSED_PLATFORM;
		*why = "HMS (Huawei) delivery is not supported";
		rc = SVC_INVALID;
	} else if (rc == SVC_OK) {
		*refusal = PUSH_ACCEPTED;
		rc = svc_from_db(pushd_register(db, t->subject.activation_id,
		    t->subject.app_id, p, token, strcmp(p, "apns") == 0 ?
		    environment : NULL), SVC_INTERNAL);
	}
	free(t);
	return rc;
}

/* --- messages ----------------------------------------------------------- */

/* Reserved names an integrator's extras may not use. */
static int
extras_valid(json_object *extras)
{
	const char *s;

	if (extras == NULL)
		return 1;
	if (!json_object_is_type(extras, json_type_object))
		return 0;
	json_object_object_foreach(extras, key, val) {
		(void)val;
		if (strcmp(key, "aps") == 0 || strcmp(key, "messageType") == 0
		    || !svc_text_valid(key, 64))
			return 0;
	}
	s = json_object_to_json_string_ext(extras, JSON_FLAGS);
	return s != NULL && strlen(s) <= PUSH_EXTRAS_MAX;
}

static const char *
message_check(const struct push_message_req *r)
{
	if (r->user_id == NULL || !svc_text_valid(r->user_id, REG_USER_MAX))
		return "userId is required";
	if (!r->silent && (r->title == NULL || r->title[0] == '\0' ||
	    strspn(r->title, " \t") == strlen(r->title)))
		return "title must not be blank (unless the message is "
		    "silent)";
	if ((r->title != NULL && !svc_text_valid(r->title,
	    PUSH_TITLE_MAX) && r->title[0] != '\0') ||
	    (r->message != NULL && r->message[0] != '\0' &&
	    !svc_text_valid(r->message, PUSH_MESSAGE_MAX)))
		return "title: at most 255 characters, message: at most 1024";
	if (r->sound != NULL && r->sound[0] != '\0' &&
	    !svc_text_valid(r->sound, PUSH_SOUND_MAX))
		return "sound: at most 64 characters";
	if (!extras_valid(r->extras))
		return "extras is an object (at most 2048 characters as "
		    "JSON) and may not use the names aps and messageType";
	return NULL;
}

static int
add_text(json_object *o, const char *key, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return 0;
	return json_object_object_add(o, key, json_object_new_string(s));
}

/* The MESSAGE event's payload. */
static char *
message_payload(const struct push_message_req *r, const char *app_id,
    const char *id)
{
	json_object *o = json_object_new_object();
	const char *s;
	char *out = NULL;

	if (o == NULL || add_text(o, "type", "MESSAGE") != 0 ||
	    add_text(o, "messageId", id) != 0 ||
	    add_text(o, "userId", r->user_id) != 0 ||
	    add_text(o, "registrationId", r->registration_id) != 0 ||
	    add_text(o, "applicationId", app_id) != 0 ||
	    json_object_object_add(o, "silent",
	    json_object_new_boolean(r->silent)) != 0 ||
	    add_text(o, "title", r->title) != 0 ||
	    add_text(o, "message", r->message) != 0 ||
	    add_text(o, "sound", r->sound) != 0 ||
	    (r->extras != NULL && json_object_object_add(o, "extras",
	    json_object_get(r->extras)) != 0))
		goto done;
	if ((s = json_object_to_json_string_ext(o, JSON_FLAGS)) != NULL)
		out = strdup(s);
done:
	json_object_put(o);
	return out;
}

/* The named registration must be the user's, in the application. */
static enum svc_rc
check_registration(struct db *db, const struct reg_scope *scope,
    const struct push_message_req *r, const char *app_id)
{
	struct reg_row *row;
	enum svc_rc rc;

	if (!uuid_is_valid(r->registration_id))
		return SVC_REG_NOT_FOUND;
	if ((row = malloc(sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	rc = svc_from_db(reg_get(db, scope, r->registration_id, row),
	    SVC_REG_NOT_FOUND);
	if (rc == SVC_OK && (strcmp(row->app_id, app_id) != 0 ||
	    strcmp(row->user_id, r->user_id) != 0))
		rc = SVC_REG_NOT_FOUND;
	free(row);
	return rc;
}

enum svc_rc
push_message_send(struct db *db, const struct reg_scope *scope,
    const struct push_message_req *r, char id[PUSH_ID_LEN + 1],
    int64_t *devices, const char **why, int *app_problem)
{
	char app_id[APP_ID_MAX + 1];
	char *payload;
	enum svc_rc rc;

	*devices = 0;
	*app_problem = 0;
	id[0] = '\0';
	if ((*why = message_check(r)) != NULL)
		return SVC_INVALID;
	if ((rc = operation_pick_app(db, scope, r->app_id, app_id, why)) !=
	    SVC_OK) {
		*app_problem = 1;
		return rc;
	}
	if (r->registration_id != NULL &&
	    (rc = check_registration(db, scope, r, app_id)) != SVC_OK)
		return rc;
	if (uuid_v4_generate(id) != 0 ||
	    (payload = message_payload(r, app_id, id)) == NULL)
		return SVC_INTERNAL;
	rc = svc_from_db(push_message_queue(db, app_id, id, payload,
	    devices), SVC_INTERNAL);
	free(payload);
	return rc;
}
