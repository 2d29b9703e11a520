/*
 * activation_code.h - activation and recovery codes (protocol.md §2.1, §2.2,
 * §9.2): CRC-16/ARC, RFC 4648 Base32 without padding, code generation and
 * strict validation, the ECDSA signature over a code, the QR text
 * `CODE#SIGNATURE`, recovery codes (optional `R:` prefix) and PUKs.
 *
 * Owns: the textual formats only. Must not: look codes up, log, do I/O.
 * Validation accepts only the canonical form (upper case, dashes at 5/11/17,
 * zero trailing Base32 bits, matching CRC); the SDK's typing auto-correction
 * is the client's business.
 * Return convention: 0 ok / valid, -1 invalid or failure.
 */
#ifndef PASERV_CRYPTO_ACTIVATION_CODE_H
#define PASERV_CRYPTO_ACTIVATION_CODE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define ACTIVATION_CODE_LEN	23	/* XXXXX-XXXXX-XXXXX-XXXXX */
#define ACTIVATION_CODE_RAND	10	/* random bytes in a code */
#define ACTIVATION_SIG_B64_MAX	128	/* longest signature text accepted */
#define RECOVERY_PUK_LEN	10

/* CRC-16/ARC (poly 0xA001 reflected, init 0, no xorout). */
uint16_t activation_code_crc16(const uint8_t *p, size_t n);

/* Base32 (A-Z2-7) without padding; out needs ceil(8n/5) + 1 bytes. */
size_t	activation_code_base32_encode(const uint8_t *in, size_t n, char *out);
/* Strict decode of len characters (upper case, no padding, zero trailing
 * bits). */
int	activation_code_base32_decode(const char *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen);

/* Code from 10 given bytes (tests, deterministic) or from fresh randomness. */
int	activation_code_from_bytes(const uint8_t r[ACTIVATION_CODE_RAND],
	    char out[ACTIVATION_CODE_LEN + 1]);
int	activation_code_generate(char out[ACTIVATION_CODE_LEN + 1]);
/* NUL-terminated text must be exactly a canonical, CRC-valid code. */
int	activation_code_validate(const char *s);

/* ECDSA-SHA256 (DER, Base64) over UTF-8 of the 23-char code with dashes. */
int	activation_code_sign(const EVP_PKEY *master_priv, const char *code,
	    char out[ACTIVATION_SIG_B64_MAX + 1]);
int	activation_code_verify(const EVP_PKEY *master_pub, const char *code,
	    const char *sig_b64);

/* "CODE#SIG" (or just "CODE" when sig_b64 is NULL/empty); 0 or -1 if cap is
 * too small or the code is invalid. */
int	activation_code_qr_build(const char *code, const char *sig_b64,
	    char *out, size_t cap);
/*
 * Parses QR text: a valid code, optionally '#' and a non-empty Base64-shaped
 * signature (alphabet, length % 4 == 0, at most two trailing '='). sig gets
 * "" when absent. The signature is not verified here.
 */
int	activation_code_qr_parse(const char *s, char code[ACTIVATION_CODE_LEN + 1],
	    char sig[ACTIVATION_SIG_B64_MAX + 1]);

/* Recovery code, optionally "R:"-prefixed when allow_r_prefix; never '#'. */
int	recovery_code_validate(const char *s, int allow_r_prefix);
/* Same, and copies the bare code. */
int	recovery_code_parse(const char *s, char code[ACTIVATION_CODE_LEN + 1]);
/* Exactly 10 decimal digits. */
int	recovery_puk_validate(const char *s);

#endif
