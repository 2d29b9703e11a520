/*
 * Stored secrets across a master key rotation (service/secrets): sealing
 * uses security.master_key; opening tries it, then
 * security.previous_master_key; values stored before (crypto/dbenc with
 * the documented parts of each kind) open; a value the wrong key "opens"
 * through lucky CBC padding is still recognised by its shape and opened
 * with the right key; re-sealing for the rotation.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/dbenc.h"
#include "crypto/ec.h"
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
	config_free(&a);
	config_free(&ba);
	config_free(&b);
	return tap_done();
}
