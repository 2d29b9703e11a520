/*
 * token.h - MAC token digest (protocol.md §7.1, §7.3, §7.4).
 *
 * Owns: token id / secret generation, the digest
 *   3.0/3.1: HMAC(secret, nonceRaw(16) || "&" || ts)
 *   3.2/3.3: HMAC(secret, nonceRaw(16) || "&" || ts || "&" || version)
 * with ts the timestamp text exactly as received, and the constant-time
 * comparison. Must not: check timestamps/replays or look tokens up (service
 * layer), log. Returns 0 ok / match, -1 failure / mismatch.
 */
#ifndef PASERV_CRYPTO_TOKEN_H
#define PASERV_CRYPTO_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/ecies.h"	/* enum pa_proto_version */

#define TOKEN_SECRET_LEN	16
#define TOKEN_NONCE_LEN		16
#define TOKEN_DIGEST_LEN	32
#define TOKEN_TS_MAX		15

#define TOKEN_ID_LEN		36	/* UUID v4 text, without the NUL */

int	token_secret_generate(uint8_t secret[TOKEN_SECRET_LEN]);
/* A new token: random UUID v4 id (lower case) and 16-byte secret; on
 * failure both are wiped. */
int	token_new(char id[TOKEN_ID_LEN + 1], uint8_t secret[TOKEN_SECRET_LEN]);
/* ts: decimal text (1..15 chars) as in the header. */
int	token_digest(const uint8_t secret[TOKEN_SECRET_LEN],
	    enum pa_proto_version v, const uint8_t nonce[TOKEN_NONCE_LEN],
	    const char *ts, uint8_t out[TOKEN_DIGEST_LEN]);
/* 0 if digest equals the computed one (CRYPTO_memcmp), -1 otherwise. */
int	token_verify(const uint8_t secret[TOKEN_SECRET_LEN],
	    enum pa_proto_version v, const uint8_t nonce[TOKEN_NONCE_LEN],
	    const char *ts, const uint8_t digest[TOKEN_DIGEST_LEN]);

#endif
