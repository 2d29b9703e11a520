/*
 * password.h - generated passwords and crypt(3) hashes (libxcrypt).
 *
 * Owns: generating strong random passwords, hashing them with yescrypt, and
 * verifying a password against a stored yescrypt or bcrypt hash with a
 * constant-time comparison. Must not: touch the database or log.
 */
#ifndef PASERV_SERVICE_PASSWORD_H
#define PASERV_SERVICE_PASSWORD_H

#include <stddef.h>

#define PASSWORD_GEN_LEN	24	/* ~142 bits from a 62-letter alphabet */
#define PASSWORD_MAX		256

/* out needs PASSWORD_GEN_LEN + 1 bytes. 0 ok, -1 RNG failure. */
int	password_generate(char out[PASSWORD_GEN_LEN + 1]);
/* malloc'ed yescrypt hash ($y$...), NULL on failure. */
char	*password_hash(const char *password);
/* 1 if password matches hash, 0 otherwise (also for unsupported hashes). */
int	password_verify(const char *password, const char *hash);
/* 1 if hash names an accepted scheme ($y$, $gy$, $2a$, $2b$, $2y$). */
int	password_hash_supported(const char *hash);

#endif
