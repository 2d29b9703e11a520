/*
 * uuid.h - RFC 4122 version 4 identifiers as text.
 *
 * Owns: generation from the OpenSSL CSPRNG and strict syntax checks of the
 * canonical 36-character form. Must not: accept braces, URNs, missing
 * hyphens or surrounding whitespace (a value has exactly one spelling).
 */
#ifndef PASERV_COMMON_UUID_H
#define PASERV_COMMON_UUID_H

#define UUID_STR_LEN	36	/* without the NUL */

/* Lower-case random UUID into out (37 bytes). 0 ok, -1 if RNG failed. */
int	uuid_v4_generate(char out[UUID_STR_LEN + 1]);
/* 1 if s is 8-4-4-4-12 hex digits (either case), else 0. */
int	uuid_is_valid(const char *s);
/* 1 if valid and of version 4 with the RFC 4122 variant, else 0. */
int	uuid_is_v4(const char *s);

#endif
