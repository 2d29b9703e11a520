/*
 * password.c - password generation and crypt(3) hashing (see password.h).
 *
 * crypt_rn() with a heap struct crypt_data is the re-entrant form that is
 * safe from many responder threads. Only modern schemes are accepted: a DES
 * or MD5 hash in the table would be a weaker password than the operator
 * thinks, so it is refused rather than silently honoured.
 */
#include <config.h>

#include "service/password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int
password_generate(char out[PASSWORD_GEN_LEN + 1])
{
	uint8_t r[64];
	size_t i, o = 0;

	while (o < PASSWORD_GEN_LEN) {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		/* Rejection sampling keeps every letter equally likely. */
		for (i = 0; i < sizeof(r) && o < PASSWORD_GEN_LEN; i++)
			if (r[i] < 248)
				out[o++] = ALPHABET[r[i] % 62];
	}
	out[o] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

int
password_hash_supported(const char *hash)
{
	static const char *const ok[] = { "$y$", "$gy$", "$2a$", "$2b$",
	    "$2y$", NULL };
	size_t i;

	for (i = 0; ok[i] != NULL; i++)
		if (strncmp(hash, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

/*
 * The gate: at most one crypt run per online CPU in the process at once.
 * Responder threads beyond that wait their turn instead of each mapping
 * its own yescrypt region next to the others.
 */
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t gate_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static long gate_free;

static void
gate_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	gate_free = n >= 1 ? n : 1;
}

static const char *
gated_crypt(const char *password, const char *setting, struct crypt_data *cd)
{
	const char *h;

	(void)pthread_once(&gate_once, gate_init);
	pthread_mutex_lock(&gate_mtx);
	while (gate_free == 0)
		pthread_cond_wait(&gate_cond, &gate_mtx);
	gate_free--;
	pthread_mutex_unlock(&gate_mtx);
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	pthread_mutex_lock(&gate_mtx);
	gate_free++;
	pthread_cond_signal(&gate_cond);
	pthread_mutex_unlock(&gate_mtx);
	return h;
}

char *
password_hash(const char *password, enum password_strength s)
{
	struct crypt_data *cd = NULL;
	char *salt = NULL, *out = NULL;
	const char *h;

	/* yescrypt cost 1 is its smallest; 0 asks for libxcrypt's default. */
	salt = crypt_gensalt_ra("$y$", s == PASSWORD_GENERATED ? 1 : 0, NULL,
	    0);
	if (salt == NULL)
		goto fail;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		goto fail;
	h = gated_crypt(password, salt, cd);
	if (h == NULL || h[0] == '*')
		goto fail;
	out = strdup(h);
fail:
	if (cd != NULL) {
		OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
	}
	free(salt);
	return out;
}

int
password_verify(const char *password, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	size_t n;
	int ok = 0;

	if (!password_hash_supported(hash) || strlen(password) > PASSWORD_MAX)
		return 0;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = gated_crypt(password, hash, cd);
	n = strlen(hash);
	if (h != NULL && h[0] != '*' && strlen(h) == n &&
	    CRYPTO_memcmp(h, hash, n) == 0)
		ok = 1;
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}
