/* secrets.c - stored secrets bound to their records (see secrets.h). */
#include <config.h>

#include "service/secrets.h"

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "crypto/dbenc.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"
#include "crypto/token.h"
#include "service/callbacks.h"
#include "service/key_cache.h"

/* Plaintext shapes: min, max, shape. EC: a P-256 scalar, 33 bytes when a
 * 0 comes first. PEM: a private key as PEM text (push credentials). */
#define EC	1, PA_EC_PRIV_LEN + 1, SECRET_SHAPE_BYTES
#define K16	16, 16, SECRET_SHAPE_BYTES	/* 16-byte keys and seeds */
#define HMAC	CALLBACK_SECRET_LEN, CALLBACK_SECRET_LEN, SECRET_SHAPE_BYTES
#define JSON	2, CALLBACK_AUTH_MAX, SECRET_SHAPE_JSON
#define PEM	64, SECRET_PEM_MAX, SECRET_SHAPE_PEM

/*
 * Every stored secret, in the order of enum secret_kind. A new encrypted
 * column is one line here (and its constant in the enum); the key rotation
 * (service/key_rotation.c) walks this table.
 */
static const struct secret_spec SPECS[SECRET_KINDS] = {
	{ "app", "master_private_key_enc", NULL, { "application" }, EC,
	    NULL },
	{ "activation", "server_private_key_enc", "user_id", { NULL }, EC,
	    NULL },
	{ "activation", "master_secret_enc", "user_id", { "secret" }, K16,
	    NULL },
	{ "temporary_key", "private_key_enc", NULL, { "temporary_key" }, EC,
	    NULL },
	{ "token", "secret_enc", NULL, { "token" }, K16, NULL },
	{ "operation", "totp_seed_enc", NULL, { "operation" }, K16, NULL },
	{ "callback", "secret_enc", NULL, { "callback", "hmac" }, HMAC,
	    NULL },
	{ "callback", "auth_enc", NULL, { "callback", "auth" }, JSON, NULL },
	/* {"push", platform, app_id}; primary key (app_id, platform). */
	{ "push_credential", "private_key_enc", "platform", { "push" }, PEM,
	    "app_id" },
};

const struct secret_spec *
secret_spec(enum secret_kind kind)
{
	if ((int)kind < 0 || kind >= SECRET_KINDS)
		return NULL;
	return &SPECS[kind];
}

/* The parts naming record (user_id, id) of kind s; 0 or -1. */
static int
binding(const struct secret_spec *s, const char *user_id, const char *id,
    const char *parts[4], size_t *np)
{
	size_t n = 0, i;

	for (i = 0; i < 2; i++)
		if (s->tag[i] != NULL)
			parts[n++] = s->tag[i];
	if (s->user_column != NULL) {
		if (user_id == NULL || user_id[0] == '\0')
			return -1;
		parts[n++] = user_id;
	}
	if (id == NULL || id[0] == '\0')
		return -1;
	parts[n++] = id;
	*np = n;
	return 0;
}

/* p is a whole JSON object ("{...}" and nothing after it). */
static int
json_object_text(const uint8_t *p, size_t n)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ok;

	if (n < 2 || p[0] != '{' || p[n - 1] != '}' || n > (size_t)INT32_MAX ||
	    (tok = json_tokener_new()) == NULL)
		return 0;
	o = json_tokener_parse_ex(tok, (const char *)p, (int)n);
	ok = o != NULL && json_object_is_type(o, json_type_object) &&
	    json_tokener_get_parse_end(tok) == n;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/*
 * p is PEM text: printable ASCII lines, "-----BEGIN " first, a line
 * "-----END ...-----" last (line ends after it allowed).
 */
static int
pem_text(const uint8_t *p, size_t n)
{
	static const char begin[] = "-----BEGIN ", end[] = "\n-----END ";
	size_t i, last;

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n < sizeof(begin) + sizeof(end) || memcmp(p, begin,
	    sizeof(begin) - 1) != 0 || memcmp(p + n - 5, "-----", 5) != 0)
		return 0;
	for (i = 0, last = 0; i < n; i++) {
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\n' &&
		    p[i] != '\r')
			return 0;
		if (p[i] == '\n')
			last = i;
	}
	return last > 0 && n - last > sizeof(end) - 1 &&
	    memcmp(p + last, end, sizeof(end) - 1) == 0;
}

/* The plaintext has the shape of kind s. */
static int
shaped(const struct secret_spec *s, const uint8_t *p, size_t n)
{
	if (n < s->min || n > s->max)
		return 0;
	switch (s->shape) {
	case SECRET_SHAPE_JSON:
		return json_object_text(p, n);
	case SECRET_SHAPE_PEM:
		return pem_text(p, n);
	default:
		return 1;
	}
}

/* enc opened with key into out and of the right shape: 0, else -1. */
static int
try_key(const uint8_t key[CONFIG_MASTER_KEY_LEN], const struct secret_spec *s,
    const char *const *parts, size_t np, const char *enc, uint8_t *out,
    size_t cap, size_t *n)
{
	*n = 0;
	if (dbenc_decrypt(key, parts, np, enc, out, cap, n) != 0)
		return -1;
	if (shaped(s, out, *n))
		return 0;
	OPENSSL_cleanse(out, *n);
	*n = 0;
	return -1;
}

char *
secret_seal(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, const uint8_t *p, size_t n,
    size_t encmax)
{
	const struct secret_spec *s = secret_spec(kind);
	const char *parts[4];
	size_t np = 0;
	char *enc;

	if (s == NULL || !cfg->master_key_set ||
	    binding(s, user_id, id, parts, &np) != 0 || !shaped(s, p, n))
		return NULL;
	enc = dbenc_encrypt(cfg->master_key, parts, np, p, n);
	if (enc != NULL && strlen(enc) > encmax) {
		free(enc);
		enc = NULL;
	}
	return enc;
}

/* The one place that decides which key opens a stored value. */
enum secret_key
secret_open(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, const char *enc, uint8_t *out,
    size_t cap, size_t *n)
{
	const struct secret_spec *s = secret_spec(kind);
	const char *parts[4];
	size_t np = 0;

	*n = 0;
	if (s == NULL || !cfg->master_key_set || enc == NULL ||
	    enc[0] == '\0' || binding(s, user_id, id, parts, &np) != 0)
		return SECRET_KEY_NONE;
	if (try_key(cfg->master_key, s, parts, np, enc, out, cap, n) == 0)
		return SECRET_KEY_CURRENT;
	if (cfg->previous_master_key_set &&
	    try_key(cfg->previous_master_key, s, parts, np, enc, out, cap,
	    n) == 0)
		return SECRET_KEY_PREVIOUS;
	return SECRET_KEY_NONE;
}

enum secret_key
secret_reseal(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, const char *enc, size_t encmax,
    char **fresh)
{
	const struct secret_spec *s = secret_spec(kind);
	enum secret_key which;
	uint8_t *plain;
	size_t n = 0;

	*fresh = NULL;
	if (s == NULL || (plain = malloc(s->max)) == NULL)
		return SECRET_KEY_ERROR;
	which = secret_open(cfg, kind, user_id, id, enc, plain, s->max, &n);
	if (which == SECRET_KEY_PREVIOUS && (*fresh = secret_seal(cfg, kind,
	    user_id, id, plain, n, encmax)) == NULL)
		which = SECRET_KEY_ERROR;
	OPENSSL_cleanse(plain, s->max);
	free(plain);
	return which;
}

int
secret_keypair_new(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, size_t encmax, uint8_t pub[65],
    size_t *publen, char **enc, EVP_PKEY **key)
{
	uint8_t priv[PA_EC_PRIV_LEN];
	EVP_PKEY *k = NULL;
	int rc = -1;

	*enc = NULL;
	if (key != NULL)
		*key = NULL;
	if (!cfg->master_key_set || pa_ec_generate(&k) != 0 ||
	    pa_ec_public_to_bytes(k, 0, pub, publen) != 0 ||
	    pa_ec_private_to_bytes(k, priv) != 0)
		goto fail;
	if ((*enc = secret_seal(cfg, kind, user_id, id, priv, sizeof(priv),
	    encmax)) == NULL)
		goto fail;
	if (key != NULL) {
		*key = k;
		k = NULL;
	}
	rc = 0;
fail:
	OPENSSL_cleanse(priv, sizeof(priv));
	EVP_PKEY_free(k);
	return rc;
}

/* Opens and imports a stored private key (pub: its public point, or
 * NULL). */
static int
private_key_open(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, const char *enc, const uint8_t *pub,
    size_t publen, EVP_PKEY **out)
{
	uint8_t priv[64];
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if (secret_open(cfg, kind, user_id, id, enc, priv, sizeof(priv),
	    &n) >= SECRET_KEY_CURRENT && pa_ec_keypair_from_bytes(priv, n,
	    pub, publen, out) == 0)
		rc = 0;
	OPENSSL_cleanse(priv, sizeof(priv));
	return rc;
}

/* The key cache's name for a stored key: everything it opens from. */
static int
cache_tag(const struct config *cfg, enum secret_kind kind, const char *id,
    const char *enc, uint8_t tag[KEY_CACHE_TAG_LEN])
{
	struct buf b = BUF_INIT;
	uint8_t k = (uint8_t)kind, sep = 0;
	int rc = -1;

	if (id != NULL && enc != NULL && buf_append(&b, &k, 1) == 0 &&
	    buf_append_str(&b, id) == 0 && buf_append(&b, &sep, 1) == 0 &&
	    buf_append_str(&b, enc) == 0 && buf_append(&b,
	    cfg->master_key, sizeof(cfg->master_key)) == 0 &&
	    (!cfg->previous_master_key_set || buf_append(&b,
	    cfg->previous_master_key, sizeof(cfg->previous_master_key)) ==
	    0) && pa_sha256(b.data, b.len, tag) == 0)
		rc = 0;
	buf_free(&b);		/* wipes the master keys' copy */
	return rc;
}

/*
 * The keys many requests share (an application's master key, a temporary
 * ECIES key) come from the key cache after their first use; a
 * registration's own key is opened each time (service/key_cache.h).
 */
int
secret_private_key(const struct config *cfg, enum secret_kind kind,
    const char *user_id, const char *id, const char *enc, EVP_PKEY **out)
{
	uint8_t tag[KEY_CACHE_TAG_LEN];
	int shared = (kind == SECRET_APP_KEY || kind == SECRET_TEMP_KEY) &&
	    cache_tag(cfg, kind, id, enc, tag) == 0;

	if (shared && (*out = key_cache_get(tag)) != NULL)
		return 0;
	if (private_key_open(cfg, kind, user_id, id, enc, NULL, 0, out) != 0)
		return -1;
	if (shared)
		key_cache_put(tag, *out);
	return 0;
}

int
secret_app_master_key(const struct config *cfg, const struct app_row *app,
    EVP_PKEY **out)
{
	return secret_private_key(cfg, SECRET_APP_KEY, NULL, app->id,
	    app->master_private_key_enc, out);
}

int
secret_server_key(const struct config *cfg, const struct act_row *a,
    EVP_PKEY **out)
{
	return private_key_open(cfg, SECRET_REG_KEY, a->user_id, a->id,
	    a->server_private_key_enc, a->server_public_key,
	    a->server_public_key_len, out);
}

char *
secret_master_encrypt(const struct config *cfg, const char *user_id,
    const char *id, const uint8_t master[PA_KEY_LEN])
{
	return secret_seal(cfg, SECRET_REG_MASTER, user_id, id, master,
	    PA_KEY_LEN, ACT_SECRET_ENC_MAX);
}

int
secret_activation_keys(const struct config *cfg, const struct act_row *a,
    struct pa_keys *out)
{
	uint8_t master[32];
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (secret_open(cfg, SECRET_REG_MASTER, a->user_id, a->id,
	    a->master_secret_enc, master, sizeof(master), &n) >=
	    SECRET_KEY_CURRENT && keys_derive(master, out) == 0)
		rc = 0;
	OPENSSL_cleanse(master, sizeof(master));
	return rc;
}
