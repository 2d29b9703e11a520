/*
 * Stored secrets across a master key rotation (service/secrets): sealing
 * uses security.master_key; opening tries it, then
 * security.previous_master_key; values stored before (crypto/dbenc with
 * the documented parts of each kind) open; a value the wrong key "opens"
 * through lucky CBC padding is still recognised by its shape and opened
 * with the right key; re-sealing for the rotation. Shared private keys
 * come from the key cache after their first use, under a tag that covers
 * the master keys; a registration's key is imported with its stored point.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dbenc.h"
#include "crypto/ec.h"
#include "service/key_cache.h"
#include "service/secrets.h"
#include "tap.h"

#define KEY_A	"AAECAwQFBgcICQoLDA0ODw=="
#define KEY_B	"8PHy8/T19vf4+fr7/P3+/w=="
#define ID	"5b2f3c1e-8d44-4a4e-9a51-0c1f2e3d4c5b"
#define USER	"user-1"
#define PEM	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAAAAAAAAAAAAAAAA\n" \
	"-----END PRIVATE KEY-----\n"

static struct config a, ba, b;	/* A; B with A previous; B alone */

static void
load(struct config *c, const char *text)
{
	char err[256] = "";

	if (config_load_text(c, text, strlen(text), "test.conf", err,
	    sizeof(err)) != 0)
		tap_ok(0, "config loads: %s", err);
}

/* enc under A opens with ba as PREVIOUS, the same bytes, and not with b. */
static void
previous_opens(enum secret_kind k, const char *user, const char *enc,
    const uint8_t *want, size_t wlen, const char *what)
{
	uint8_t got[4096];
	size_t n = 0;
	enum secret_key w;

	w = secret_open(&ba, k, user, ID, enc, got, sizeof(got), &n);
	tap_ok(w == SECRET_KEY_PREVIOUS && n == wlen &&
	    memcmp(got, want, wlen) == 0, "%s: opens with the previous key",
	    what);
	tap_ok(secret_open(&b, k, user, ID, enc, got, sizeof(got), &n) ==
	    SECRET_KEY_NONE && n == 0, "%s: not without it", what);
}

/* Values written before (dbenc with the documented parts) still open. */
static void
bindings(void)
{
	static const struct {
		enum secret_kind	 k;
		const char		*parts[4];
		size_t			 np, len;
	} t[] = {
		{ SECRET_APP_KEY, { "application", ID }, 2, 32 },
		{ SECRET_REG_KEY, { USER, ID }, 2, 32 },
		{ SECRET_REG_MASTER, { "secret", USER, ID }, 3, 16 },
		{ SECRET_TEMP_KEY, { "temporary_key", ID }, 2, 32 },
		{ SECRET_TOKEN, { "token", ID }, 2, 16 },
		{ SECRET_OP_SEED, { "operation", ID }, 2, 16 },
		{ SECRET_CB_HMAC, { "callback", "hmac", ID }, 3, 32 },
		{ SECRET_CB_AUTH, { "callback", "auth", ID }, 3, 14 },
		{ SECRET_PUSH_KEY, { "push", USER, ID }, 3,
		    sizeof(PEM) - 1 },
	};
	uint8_t p[256], got[256];
	size_t i, n, len;
	char *enc, name[96];

	tap_ok(sizeof(t) / sizeof(t[0]) == SECRET_KINDS, "every kind listed");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct secret_spec *s = secret_spec(t[i].k);
		const char *user = s->user_column != NULL ? USER : NULL;

		len = t[i].len;
		memset(p, 0x41 + (int)i, sizeof(p));
		if (t[i].k == SECRET_CB_AUTH)
			memcpy(p, "{\"bearer\":\"x\"}", len);
		if (t[i].k == SECRET_PUSH_KEY)
			memcpy(p, PEM, len);
		enc = dbenc_encrypt(a.master_key, t[i].parts, t[i].np, p, len);
		snprintf(name, sizeof(name), "%s.%s", s->table, s->column);
		tap_ok(enc != NULL && secret_open(&a, t[i].k, user, ID, enc,
		    got, sizeof(got), &n) == SECRET_KEY_CURRENT && n == len &&
		    memcmp(got, p, n) == 0, "%s: a value stored before opens",
		    name);
		previous_opens(t[i].k, user, enc, p, len, name);
		free(enc);
	}
	tap_ok(secret_spec(SECRET_KINDS) == NULL, "no kind past the table");
}

/*
 * A value under A that B "decrypts" (valid padding, garbage of another
 * length): the shape check rejects B's result and A opens it.
 */
static void
lucky_padding(enum secret_kind k, const char *const *parts, size_t np,
    size_t len, const char *what)
{
	uint8_t p[32], got[64];
	size_t n = 0;
	char *enc = NULL;
	int i, found = 0;

	memset(p, 0x5a, sizeof(p));
	for (i = 0; i < 20000 && !found; i++) {
		free(enc);
		enc = dbenc_encrypt(a.master_key, parts, np, p, len);
		found = enc != NULL && dbenc_decrypt(b.master_key, parts, np,
		    enc, got, sizeof(got), &n) == 0;
	}
	tap_ok(found && n != len, "%s: a value B's padding accepts (%d tries)",
	    what, i);
	tap_ok(found && secret_open(&ba, k, NULL, ID, enc, got, sizeof(got),
	    &n) == SECRET_KEY_PREVIOUS && n == len && memcmp(got, p, n) == 0,
	    "%s: still opened with the right key", what);
	free(enc);
}

static void
seal_and_reseal(void)
{
	uint8_t p[16] = "0123456789abcdef", got[64];
	size_t n = 0;
	char *old, *cur, *fresh = NULL;

	old = secret_seal(&a, SECRET_TOKEN, NULL, ID, p, 16, 255);
	cur = secret_seal(&ba, SECRET_TOKEN, NULL, ID, p, 16, 255);
	tap_ok(old != NULL && cur != NULL, "sealed under A and under B");
	tap_ok(secret_open(&ba, SECRET_TOKEN, NULL, ID, cur, got, sizeof(got),
	    &n) == SECRET_KEY_CURRENT && secret_open(&b, SECRET_TOKEN, NULL,
	    ID, cur, got, sizeof(got), &n) == SECRET_KEY_CURRENT &&
	    secret_open(&a, SECRET_TOKEN, NULL, ID, cur, got, sizeof(got),
	    &n) == SECRET_KEY_NONE, "sealing uses the current key only");
	tap_ok(secret_reseal(&ba, SECRET_TOKEN, NULL, ID, old, 255, &fresh) ==
	    SECRET_KEY_PREVIOUS && fresh != NULL && strcmp(fresh, old) != 0 &&
	    strlen(fresh) == strlen(old) && secret_open(&b, SECRET_TOKEN,
	    NULL, ID, fresh, got, sizeof(got), &n) == SECRET_KEY_CURRENT &&
	    n == 16 && memcmp(got, p, 16) == 0,
	    "reseal: a previous-key value comes back under the current key");
	free(fresh);
	tap_ok(secret_reseal(&ba, SECRET_TOKEN, NULL, ID, cur, 255, &fresh) ==
	    SECRET_KEY_CURRENT && fresh == NULL,
	    "reseal: a current-key value is left alone");
	tap_ok(secret_reseal(&b, SECRET_TOKEN, NULL, ID, old, 255, &fresh) ==
	    SECRET_KEY_NONE && fresh == NULL,
	    "reseal: neither key: nothing");
	tap_ok(secret_reseal(&ba, SECRET_TOKEN, NULL, ID, old, 10, &fresh) ==
	    SECRET_KEY_ERROR && fresh == NULL,
	    "reseal: cannot be stored again: an error");
	tap_ok(secret_open(&ba, SECRET_TOKEN, NULL, "other", old, got,
	    sizeof(got), &n) == SECRET_KEY_NONE,
	    "another record: neither key");
	tap_ok(secret_open(&ba, SECRET_OP_SEED, NULL, ID, old, got,
	    sizeof(got), &n) == SECRET_KEY_NONE,
	    "another kind of secret: neither key");
	free(old);
	free(cur);
}

static void
shapes(void)
{
	const char *parts[2] = { "token", ID };
	uint8_t p[33] = { 0 }, got[64], pem[200];
	size_t n = 0;
	char *enc;

	tap_ok(secret_seal(&a, SECRET_TOKEN, NULL, ID, p, 15, 255) == NULL &&
	    secret_seal(&a, SECRET_CB_AUTH, NULL, ID, (const uint8_t *)"{x",
	    2, 255) == NULL && secret_seal(&a, SECRET_REG_KEY, NULL, ID, p,
	    32, 255) == NULL, "sealing refuses a wrong length, non-JSON, a "
	    "missing user id");
	memset(pem, 'A', sizeof(pem));
	tap_ok(secret_seal(&a, SECRET_PUSH_KEY, "apns", ID, pem, sizeof(pem),
	    255) == NULL && secret_seal(&a, SECRET_PUSH_KEY, "apns", ID,
	    (const uint8_t *)PEM, 40, 1024) == NULL, "sealing refuses what "
	    "is not PEM text, a cut PEM key");
	enc = secret_seal(&a, SECRET_PUSH_KEY, "apns", ID,
	    (const uint8_t *)PEM, sizeof(PEM) - 1, 1024);
	tap_ok(enc != NULL && secret_open(&ba, SECRET_PUSH_KEY, "apns", ID,
	    enc, pem, sizeof(pem), &n) == SECRET_KEY_PREVIOUS &&
	    n == sizeof(PEM) - 1 && memcmp(pem, PEM, n) == 0 &&
	    secret_open(&ba, SECRET_PUSH_KEY, "fcm", ID, enc, pem,
	    sizeof(pem), &n) == SECRET_KEY_NONE,
	    "a push key: PEM text, bound to its platform");
	free(enc);
	enc = dbenc_encrypt(a.master_key, parts, 2, p, 15);
	tap_ok(secret_open(&ba, SECRET_TOKEN, NULL, ID, enc, got, sizeof(got),
	    &n) == SECRET_KEY_NONE, "a stored value of the wrong length: "
	    "neither key");
	free(enc);
	tap_ok(secret_open(&ba, SECRET_TOKEN, NULL, ID, "", got, sizeof(got),
	    &n) == SECRET_KEY_NONE && secret_open(&ba, SECRET_TOKEN, NULL, ID,
	    "@@@", got, sizeof(got), &n) == SECRET_KEY_NONE,
	    "empty or malformed text: neither key");
}

static void
key_pairs(void)
{
	uint8_t pub[65], pub2[65];
	size_t publen = 0, n2 = 0;
	EVP_PKEY *k = NULL, *back = NULL;
	char *enc = NULL;

	tap_ok(secret_keypair_new(&a, SECRET_TEMP_KEY, NULL, ID, 512, pub,
	    &publen, &enc, &k) == 0 && secret_private_key(&ba,
	    SECRET_TEMP_KEY, NULL, ID, enc, &back) == 0 &&
	    pa_ec_public_to_bytes(back, 0, pub2, &n2) == 0 && n2 == publen &&
	    memcmp(pub, pub2, n2) == 0,
	    "a key pair made under A: its private key with B (previous A)");
	EVP_PKEY_free(back);
	back = NULL;
	tap_ok(secret_private_key(&b, SECRET_TEMP_KEY, NULL, ID, enc,
	    &back) != 0 && back == NULL, "and not with B alone");
	EVP_PKEY_free(k);
	free(enc);
}

/* Public bytes of k equal pub (65 bytes). */
static int
same_pub(const EVP_PKEY *k, const uint8_t *pub)
{
	uint8_t got[65];
	size_t n = 0;

	return k != NULL && pa_ec_public_to_bytes(k, 0, got, &n) == 0 &&
	    n == 65 && memcmp(got, pub, 65) == 0;
}

/* Application and temporary keys: imported once, then shared. */
static void
cached_keys(void)
{
	uint8_t pub[65], pub2[65];
	size_t publen = 0, n2 = 0;
	EVP_PKEY *k = NULL, *k1 = NULL, *k2 = NULL, *k3 = NULL, *e = NULL;
	EVP_PKEY *held[KEY_CACHE_SLOTS + 1];
	char *enc = NULL, *enc2 = NULL, id[40];
	int i, ok = 1;

	key_cache_clear();
	if (!tap_ok(secret_keypair_new(&a, SECRET_APP_KEY, NULL, ID, 512,
	    pub, &publen, &enc, &k) == 0, "cache: an application key"))
		return;
	tap_ok(secret_private_key(&a, SECRET_APP_KEY, NULL, ID, enc,
	    &k1) == 0 && secret_private_key(&a, SECRET_APP_KEY, NULL, ID, enc,
	    &k2) == 0 && k1 == k2 && same_pub(k2, pub),
	    "cache: the second use gets the first import");
	tap_ok(secret_private_key(&ba, SECRET_APP_KEY, NULL, ID, enc,
	    &k3) == 0 && k3 != k1 && same_pub(k3, pub),
	    "cache: other master keys are another entry");
	EVP_PKEY_free(k3);
	k3 = NULL;
	tap_ok(secret_private_key(&b, SECRET_APP_KEY, NULL, ID, enc,
	    &e) != 0 && e == NULL, "cache: never opens for the wrong key");
	tap_ok(secret_keypair_new(&a, SECRET_APP_KEY, NULL, ID, 512, pub2,
	    &n2, &enc2, &e) == 0 && secret_private_key(&a, SECRET_APP_KEY,
	    NULL, ID, enc2, &k3) == 0 && same_pub(k3, pub2) &&
	    !same_pub(k3, pub), "cache: a new stored value is a new entry");
	EVP_PKEY_free(e);
	EVP_PKEY_free(k3);
	/* KEY_CACHE_SLOTS more keys push the first one out. */
	for (i = 0; i < KEY_CACHE_SLOTS + 1; i++)
		held[i] = NULL;
	for (i = 0; i < KEY_CACHE_SLOTS && ok; i++) {
		snprintf(id, sizeof(id), "tkey-%d", i);
		free(enc2);
		enc2 = NULL;
		ok = secret_keypair_new(&a, SECRET_TEMP_KEY, NULL, id, 512,
		    pub2, &n2, &enc2, &e) == 0 && secret_private_key(&a,
		    SECRET_TEMP_KEY, NULL, id, enc2, &held[i]) == 0;
		EVP_PKEY_free(e);
		e = NULL;
	}
	tap_ok(ok && secret_private_key(&a, SECRET_APP_KEY, NULL, ID, enc,
	    &k3) == 0 && k3 != k1 && same_pub(k3, pub),
	    "cache: the least recently used key leaves first");
	EVP_PKEY_free(k3);
	for (i = 0; i < KEY_CACHE_SLOTS + 1; i++)
		EVP_PKEY_free(held[i]);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k);
	free(enc);
	free(enc2);
	key_cache_clear();
}

/* A registration's key: its stored point saves the multiplication; never
 * cached. */
static void
registration_key(void)
{
	struct act_row r;
	uint8_t z1[32], z2[32];
	size_t n = 0;
	EVP_PKEY *k = NULL, *s1 = NULL, *s2 = NULL, *peer = NULL;
	char *enc = NULL;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", ID);
	snprintf(r.user_id, sizeof(r.user_id), "%s", USER);
	if (!tap_ok(secret_keypair_new(&a, SECRET_REG_KEY, USER, ID, 512,
	    r.server_public_key, &n, &enc, &k) == 0 && pa_ec_generate(&peer)
	    == 0, "registration key: made"))
		goto done;
	r.server_public_key_len = n;
	snprintf(r.server_private_key_enc, sizeof(r.server_private_key_enc),
	    "%s", enc);
	tap_ok(secret_server_key(&a, &r, &s1) == 0 &&
	    secret_server_key(&a, &r, &s2) == 0 && s1 != s2 &&
	    same_pub(s1, r.server_public_key) && pa_ec_ecdh(s1, peer, z1) ==
	    0 && pa_ec_ecdh(k, peer, z2) == 0 && memcmp(z1, z2, 32) == 0,
	    "registration key: same key pair, imported each time");
	EVP_PKEY_free(s1);
	s1 = NULL;
	r.server_public_key_len = 0;	/* no stored point: computed */
	tap_ok(secret_server_key(&a, &r, &s1) == 0 &&
	    same_pub(s1, r.server_public_key),
	    "registration key: without its point as well");
done:
	EVP_PKEY_free(k);
	EVP_PKEY_free(s1);
	EVP_PKEY_free(s2);
	EVP_PKEY_free(peer);
	free(enc);
}

int
main(void)
{
	const char *tok[2] = { "token", ID };
	const char *hmac[3] = { "callback", "hmac", ID };

	unsetenv("PASERV_SECURITY_MASTER_KEY");
	unsetenv("PASERV_SECURITY_PREVIOUS_MASTER_KEY");
	load(&a, "security.master_key = " KEY_A "\n");
	load(&ba, "security.master_key = " KEY_B "\n"
	    "security.previous_master_key = " KEY_A "\n");
	load(&b, "security.master_key = " KEY_B "\n");
	tap_ok(ba.previous_master_key_set && !b.previous_master_key_set &&
	    memcmp(ba.previous_master_key, a.master_key, 16) == 0,
	    "security.previous_master_key loads");
	bindings();
	lucky_padding(SECRET_TOKEN, tok, 2, 16, "token secret");
	lucky_padding(SECRET_CB_HMAC, hmac, 3, 32, "callback HMAC key");
	seal_and_reseal();
	shapes();
	key_pairs();
	cached_keys();
	registration_key();
	config_free(&a);
	config_free(&ba);
	config_free(&b);
	return tap_done();
}
