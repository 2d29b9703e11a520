/*
 * totp.h - proximity check TOTP (RFC 6238) as used by mobile-token offline
 * operations: HMAC-SHA256 or HMAC-SHA512, 8 digits, 30 s step,
 * T = floor(unix_time / 30) as BE64. The server accepts the current step and
 * one step back (TOTP_STEPS_BACK), nothing older and nothing in the future.
 *
 * Owns: the OTP computation and the window check. Must not: store seeds,
 * read the clock (the caller passes the time), log. 0 ok / match, -1 otherwise.
 */
#ifndef PASERV_CRYPTO_TOTP_H
#define PASERV_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_DIGITS	8
#define TOTP_STEP	30
#define TOTP_STEPS_BACK	1

enum totp_alg {
	TOTP_SHA256 = 1,
	TOTP_SHA512
};

/* OTP for step counter t. */
int	totp_at_step(const uint8_t *seed, size_t n, enum totp_alg alg,
	    uint64_t t, char out[TOTP_DIGITS + 1]);
/* OTP for unix time (seconds, >= 0). */
int	totp_generate(const uint8_t *seed, size_t n, enum totp_alg alg,
	    int64_t unix_time, char out[TOTP_DIGITS + 1]);
/* Constant-time check against the current and TOTP_STEPS_BACK older steps. */
int	totp_verify(const uint8_t *seed, size_t n, enum totp_alg alg,
	    int64_t now, const char *otp);

#endif
