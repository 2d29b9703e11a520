/*
 * applications.c - creating and reading applications
 * (see applications.h).
 *
 * The master public key is kept in the uncompressed 65-byte SEC1 form
 * because that is what the reference server hands out (and what the SDK's
 * mobileSdkConfig parser expects).
 */
#include <config.h>

#include "service/applications.h"

#include <ctype.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"
#include "crypto/sdk_config.h"
#include "service/secrets.h"

static int
token_valid(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (!isalnum((unsigned char)s[i]) &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-'))
			return 0;
	return i > 0;
}

int
application_id_valid(const char *id)
{
	return id != NULL && token_valid(id, APP_ID_MAX);
}

int
application_role_valid(const char *role)
{
	return role != NULL && token_valid(role, APPLICATION_ROLE_LEN);
}

/* Parses the stored roles; anything unexpected is a fault. */
static int
roles_from_json(const char *text, struct application *app)
{
	json_object *a, *v;
	size_t i, n;
	int rc = -1;

	if ((a = json_tokener_parse(text)) == NULL)
		return -1;
	if (!json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) > APPLICATION_ROLES_MAX)
		goto fail;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !application_role_valid(json_object_get_string(v)))
			goto fail;
		strcpy(app->roles[i], json_object_get_string(v));
	}
	app->nroles = n;
	rc = 0;
fail:
	json_object_put(a);
	return rc;
}

/* Builds the operator view of a stored row. */
static enum svc_rc
view_from_row(const struct app_row *row, struct application *out)
{
	uint8_t key[16], secret[16];
	enum svc_rc rc = SVC_INTERNAL;

	memset(out, 0, sizeof(*out));
	memcpy(out->id, row->id, sizeof(out->id));
	memcpy(out->app_key, row->app_key, sizeof(out->app_key));
	memcpy(out->app_secret, row->app_secret, sizeof(out->app_secret));
	out->created_ms = row->created_ms;
	if (row->master_public_key_len != PA_EC_PUB_UNCOMPRESSED ||
	    b64_decode_exact(row->app_key, key, 16) != 0 ||
	    b64_decode_exact(row->app_secret, secret, 16) != 0 ||
	    roles_from_json(row->roles, out) != 0)
		goto fail;
	b64_encode(row->master_public_key, row->master_public_key_len,
	    out->master_public_key);
	out->mobile_sdk_config = sdk_config_build(key, secret,
	    row->master_public_key, row->master_public_key_len);
	if (out->mobile_sdk_config != NULL)
		rc = SVC_OK;
fail:
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

/* Fresh key pair and credentials into row (private key encrypted). */
static enum svc_rc
generate_keys(const struct config *cfg, struct app_row *row)
{
	uint8_t rnd[32];
	char *enc = NULL;
	enum svc_rc rc = SVC_INTERNAL;

	if (secret_keypair_new(cfg, SECRET_APP_KEY, NULL, row->id,
	    APP_PRIV_ENC_MAX, row->master_public_key,
	    &row->master_public_key_len, &enc, NULL) != 0 ||
	    pa_random(rnd, sizeof(rnd)) != 0)
		goto fail;
	strcpy(row->master_private_key_enc, enc);
	b64_encode(rnd, 16, row->app_key);
	b64_encode(rnd + 16, 16, row->app_secret);
	rc = SVC_OK;
fail:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	if (enc != NULL) {
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	return rc;
}

enum svc_rc
application_create(struct db *db, const struct config *cfg, const char *id,
    const char *const *roles, size_t nroles, struct application *out)
{
	struct app_row *row;
	enum svc_rc rc = SVC_INVALID;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!application_id_valid(id) || nroles > APPLICATION_ROLES_MAX)
		return SVC_INVALID;
	for (i = 0; i < nroles; i++)
		if (!application_role_valid(roles[i]))
			return SVC_INVALID;
	if (!cfg->master_key_set)
		return SVC_INTERNAL;
	if ((row = calloc(1, sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	strcpy(row->id, id);
	if (svc_strings_to_json(roles, nroles, row->roles,
	    sizeof(row->roles)) != 0 ||
	    (rc = generate_keys(cfg, row)) != SVC_OK)
		goto fail;
	if ((rc = svc_from_db(apps_insert(db, row), SVC_APP_NOT_FOUND)) !=
	    SVC_OK)
		goto fail;
	if ((rc = svc_from_db(apps_get(db, id, row), SVC_APP_NOT_FOUND)) !=
	    SVC_OK)
		rc = rc == SVC_DB_DOWN ? rc : SVC_INTERNAL;
	else
		rc = view_from_row(row, out);
fail:
	OPENSSL_cleanse(row, sizeof(*row));
	free(row);
	return rc == SVC_INVALID ? SVC_INTERNAL : rc;
}

enum svc_rc
application_get(struct db *db, const char *id, struct application *out)
{
	struct app_row *row;
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	if (!application_id_valid(id))
		return SVC_APP_NOT_FOUND;
	if ((row = calloc(1, sizeof(*row))) == NULL)
		return SVC_INTERNAL;
	if ((rc = svc_from_db(apps_get(db, id, row), SVC_APP_NOT_FOUND)) ==
	    SVC_OK)
		rc = view_from_row(row, out);
	OPENSSL_cleanse(row, sizeof(*row));
	free(row);
	return rc;
}

struct list_ctx {
	int	(*fn)(const struct application *, void *);
	void	*arg;
	int	 failed;
};

static int
list_row(const struct app_row *row, void *arg)
{
	struct list_ctx *lc = arg;
	struct application app;
	int rc;

	if (view_from_row(row, &app) != SVC_OK) {
		lc->failed = 1;
		application_clear(&app);
		return -1;
	}
	rc = lc->fn(&app, lc->arg);
	application_clear(&app);
	return rc;
}

enum svc_rc
application_list(struct db *db,
    int (*fn)(const struct application *, void *), void *arg)
{
	struct list_ctx lc = { fn, arg, 0 };
	int rc;

	rc = apps_list(db, list_row, &lc);
	return rc == DB_OK ? SVC_OK : rc == DB_DOWN ? SVC_DB_DOWN :
	    SVC_INTERNAL;
}

void
application_clear(struct application *app)
{
	free(app->mobile_sdk_config);
	OPENSSL_cleanse(app, sizeof(*app));
}
