/*
 * auth.c - Basic credentials against cloud_user, with a result cache
 * (see auth.h).
 *
 * The cache is a fixed table of slots; a key hashes to a bucket of 8 slots
 * and the oldest (or expired) slot in the bucket is replaced. Fixed size
 * means a flood of random credentials cannot grow memory. An unknown user
 * still costs one yescrypt run against a dummy hash so that response time
 * does not tell which user names exist.
 */
#include <config.h>

#include "service/auth.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "service/abuse.h"
#include "service/password.h"

#define BUCKET	8

struct slot {
	uint8_t			key[32];
	int64_t			expires;	/* 0: empty */
	int64_t			stored;
	int			positive;
	struct auth_identity	id;
};

struct auth_cache {
	pthread_mutex_t	 mtx;
	struct slot	*slots;
	size_t		 nbuckets;
	int64_t		 ttl, neg_ttl;
	char		*dummy_hash;
};

struct auth_cache *
auth_cache_new(size_t slots, int64_t ttl_ms, int64_t neg_ttl_ms)
{
	struct auth_cache *c;
	char pw[PASSWORD_GEN_LEN + 1];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->nbuckets = (slots + BUCKET - 1) / BUCKET;
	if (c->nbuckets == 0)
		c->nbuckets = 1;
	c->ttl = ttl_ms;
	c->neg_ttl = neg_ttl_ms < ttl_ms ? neg_ttl_ms : ttl_ms;
	if ((c->slots = calloc(c->nbuckets * BUCKET, sizeof(*c->slots))) ==
	    NULL || pthread_mutex_init(&c->mtx, NULL) != 0) {
		free(c->slots);
		free(c);
		return NULL;
	}
	if (password_generate(pw) == 0)
		c->dummy_hash = password_hash(pw, PASSWORD_GENERATED);
	OPENSSL_cleanse(pw, sizeof(pw));
	return c;
}

void
auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c->slots, c->nbuckets * BUCKET * sizeof(*c->slots));
	free(c->slots);
	free(c->dummy_hash);
	pthread_mutex_destroy(&c->mtx);
	free(c);
}

static struct slot *
bucket(struct auth_cache *c, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return &c->slots[(h % c->nbuckets) * BUCKET];
}

int
auth_cache_lookup(struct auth_cache *c, const uint8_t key[32],
    int64_t now_ms, struct auth_identity *id)
{
	struct slot *b;
	int i, rc = -1;

	if (c == NULL)
		return -1;
	pthread_mutex_lock(&c->mtx);
	b = bucket(c, key);
	for (i = 0; i < BUCKET; i++) {
		if (b[i].expires <= now_ms ||
		    CRYPTO_memcmp(b[i].key, key, 32) != 0)
			continue;
		rc = b[i].positive;
		if (rc == 1)
			*id = b[i].id;
		break;
	}
	pthread_mutex_unlock(&c->mtx);
	return rc;
}

void
auth_cache_store(struct auth_cache *c, const uint8_t key[32], int64_t now_ms,
    const struct auth_identity *id)
{
	struct slot *b, *victim;
	int64_t ttl;
	int i;

	if (c == NULL || (ttl = id != NULL ? c->ttl : c->neg_ttl) <= 0)
		return;
	pthread_mutex_lock(&c->mtx);
	b = bucket(c, key);
	victim = NULL;
	for (i = 0; i < BUCKET && victim == NULL; i++)
		if (b[i].expires > now_ms &&
		    CRYPTO_memcmp(b[i].key, key, 32) == 0)
			victim = &b[i];
	if (victim == NULL) {
		/* An empty or expired slot, else the oldest entry. */
		victim = &b[0];
		for (i = 0; i < BUCKET; i++) {
			if (b[i].expires <= now_ms) {
				victim = &b[i];
				break;
			}
			if (b[i].stored < victim->stored)
				victim = &b[i];
		}
	}
	memcpy(victim->key, key, 32);
	victim->stored = now_ms;
	victim->expires = now_ms + ttl;
	victim->positive = id != NULL;
	if (id != NULL)
		victim->id = *id;
	else
		memset(&victim->id, 0, sizeof(victim->id));
	pthread_mutex_unlock(&c->mtx);
}

static int
username_ok(const char *u)
{
	size_t i;

	for (i = 0; u[i] != '\0'; i++)
		if (!isalnum((unsigned char)u[i]) && strchr("._@-", u[i]) == NULL)
			return 0;
	return i > 0 && i <= USER_NAME_MAX;
}

int
auth_parse_basic(const char *header, char *user, size_t usercap,
    char *pass, size_t passcap)
{
	uint8_t dec[AUTH_HEADER_MAX];
	const char *b64;
	uint8_t *colon;
	size_t n = 0, ulen;
	int rc = -1;

	if (header == NULL || strlen(header) > AUTH_HEADER_MAX ||
	    strncasecmp(header, "Basic ", 6) != 0)
		return -1;
	for (b64 = header + 6; *b64 == ' '; b64++)
		;
	if (b64_decode(b64, strlen(b64), dec, sizeof(dec), &n) != 0 ||
	    memchr(dec, '\0', n) != NULL ||
	    (colon = memchr(dec, ':', n)) == NULL)
		goto done;
	ulen = (size_t)(colon - dec);
	if (ulen >= usercap || n - ulen - 1 >= passcap)
		goto done;
	memcpy(user, dec, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, n - ulen - 1);
	pass[n - ulen - 1] = '\0';
	rc = username_ok(user) ? 0 : -1;
done:
	OPENSSL_cleanse(dec, sizeof(dec));
	return rc;
}

int
auth_role_parse(const char *s)
{
	if (strcmp(s, "ROLE_ADMIN") == 0)
		return AUTH_ROLE_ADMIN;
	if (strcmp(s, "ROLE_USER") == 0)
		return AUTH_ROLE_USER;
	return AUTH_ROLE_NONE;
}

const char *
auth_role_name(int role)
{
	return role == AUTH_ROLE_ADMIN ? "ROLE_ADMIN" :
	    role == AUTH_ROLE_USER ? "ROLE_USER" : "NONE";
}

/* Checks user:pass against the table; no cache involved. */
static enum auth_result
check_db(struct db *db, struct auth_cache *c, const char *user,
    const char *pass, struct auth_identity *out)
{
	struct user_row row;
	int rc, ok;

	rc = users_get(db, user, &row);
	if (rc == DB_DOWN)
		return AUTH_DB_DOWN;
	if (rc != DB_OK && rc != DB_NOT_FOUND)
		return AUTH_ERROR;
	if (rc == DB_NOT_FOUND) {
		if (c != NULL && c->dummy_hash != NULL)
			(void)password_verify(pass, c->dummy_hash);
		return AUTH_DENIED;
	}
	ok = password_verify(pass, row.password_hash);
	OPENSSL_cleanse(row.password_hash, sizeof(row.password_hash));
	if (!ok || !row.enabled ||
	    (out->role = auth_role_parse(row.role)) == AUTH_ROLE_NONE)
		return AUTH_DENIED;
	out->user_id = row.id;
	memcpy(out->username, row.username, sizeof(out->username));
	return AUTH_OK;
}

enum auth_result
auth_verify(struct db *db, const struct config *cfg,
    struct auth_cache *cache, const char *header, const char *addr,
    struct auth_identity *out)
{
	char user[USER_NAME_MAX + 1], pass[PASSWORD_MAX + 1];
	uint8_t key[32];
	enum auth_result r;
	int64_t now = (int64_t)(time_mono_us() / 1000);
	int hit;

	memset(out, 0, sizeof(*out));
	if (header == NULL || strlen(header) > AUTH_HEADER_MAX)
		return AUTH_DENIED;
	if (EVP_Digest(header, strlen(header), key, NULL, EVP_sha256(),
	    NULL) != 1)
		return AUTH_ERROR;
	if ((hit = auth_cache_lookup(cache, key, now, out)) >= 0)
		return hit == 1 ? AUTH_OK : AUTH_DENIED;
	if (abuse_check(db, cfg, ABUSE_CLOUD_AUTH, addr,
	    cfg->abuse_auth_failures) == SVC_THROTTLED)
		return AUTH_THROTTLED;
	if (auth_parse_basic(header, user, sizeof(user), pass,
	    sizeof(pass)) != 0)
		r = AUTH_DENIED;
	else
		r = check_db(db, cache, user, pass, out);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (r == AUTH_DENIED)
		abuse_failed(db, cfg, ABUSE_CLOUD_AUTH, addr,
		    cfg->abuse_auth_failures);
	if (r == AUTH_OK)
		auth_cache_store(cache, key, now, out);
	else if (r == AUTH_DENIED)
		auth_cache_store(cache, key, now, NULL);
	return r;
}
