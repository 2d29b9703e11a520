/*
 * password.h - generated passwords and crypt(3) hashes (libxcrypt).
 *
 * Owns: generating strong random passwords, hashing secrets with yescrypt
 * at the strength their entropy calls for, and verifying a secret against
 * a stored yescrypt or bcrypt hash with a constant-time comparison, at
 * most as many at once per process as there are CPUs (a yescrypt run
 * holds its whole memory, 16 MiB at libxcrypt's default cost; more runs at
 * once than CPUs would only add memory, not speed). Must not: touch the
 * database or log.
 */
#ifndef PASERV_SERVICE_PASSWORD_H
#define PASERV_SERVICE_PASSWORD_H

#include <stddef.h>

#define PASSWORD_GEN_LEN	24	/* ~142 bits from a 62-letter alphabet */
#define PASSWORD_MAX		256

/* out needs PASSWORD_GEN_LEN + 1 bytes. 0 ok, -1 RNG failure. */
int	password_generate(char out[PASSWORD_GEN_LEN + 1]);
/*
 * How guessable the secret is, which decides the hash's cost:
 * PASSWORD_GENERATED for our own password_generate() output (142 bits: no
 * work factor makes guessing it any harder, so yescrypt at its smallest
 * cost, 1 MiB, about 2 ms); PASSWORD_CHOSEN for what a person picked or
 * types (OTPs): libxcrypt's default cost (16 MiB, about 30 ms).
 */
enum password_strength {
	PASSWORD_GENERATED = 1,
	PASSWORD_CHOSEN
};

/* malloc'ed yescrypt hash ($y$...), NULL on failure. */
char	*password_hash(const char *password, enum password_strength s);
/* 1 if password matches hash, 0 otherwise (also for unsupported hashes). */
int	password_verify(const char *password, const char *hash);
/* 1 if hash names an accepted scheme ($y$, $gy$, $2a$, $2b$, $2y$). */
int	password_hash_supported(const char *hash);

#endif
