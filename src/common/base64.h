/*
 * base64.h - RFC 4648 Base64 (standard alphabet with padding) and base64url
 * (no padding, used only by the 3.3 temporary-key JWTs).
 *
 * Owns: encoding and *strict* decoding. Decoding rejects whitespace, wrong
 * padding, non-zero trailing bits and characters outside the alphabet, so a
 * value that decodes has exactly one textual form (the Java validators in the
 * reference stack are equally strict).
 */
#ifndef PASERV_COMMON_BASE64_H
#define PASERV_COMMON_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Length of the encoded text without the terminating NUL. */
size_t b64_encoded_len(size_t n);
/* Upper bound of decoded bytes for an input of n characters. */
size_t b64_decoded_max(size_t n);

/* Encodes n bytes into out (b64_encoded_len(n) + 1 bytes); returns the length. */
size_t b64_encode(const uint8_t *in, size_t n, char *out);
/* Returns a malloc'ed NUL-terminated string, or NULL on allocation failure. */
char *b64_encode_new(const uint8_t *in, size_t n);

/*
 * Strict decode of len characters. On success stores the byte count in *outlen
 * and returns 0; returns -1 for malformed input or when the result would not
 * fit in outcap bytes.
 */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen);
/* Decodes and requires exactly `want` bytes. */
int b64_decode_exact(const char *in, uint8_t *out, size_t want);

/* base64url without padding (RFC 7515 §2). */
size_t b64url_encode(const uint8_t *in, size_t n, char *out);
int b64url_decode(const char *in, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen);

#endif
