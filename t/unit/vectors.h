/*
 * vectors.h - loading the published PowerAuth test vectors (../shared/vectors,
 * or $PASERV_VECTORS) for the unit tests.
 */
#ifndef PASERV_T_VECTORS_H
#define PASERV_T_VECTORS_H

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* Parses <vectors dir>/<relpath>; NULL (with a diagnostic) when missing. */
struct json_object *vec_load(const char *relpath);
/* Reads a whole file under the vectors dir; malloc'ed, NUL-terminated. */
char	*vec_read_text(const char *relpath, size_t *len);
/* Any member (NULL if o is NULL or the member is absent). */
struct json_object *vec_member(struct json_object *o, const char *key);
/* A P-256 key from a Base64 member: the public point (priv 0) or the
 * private scalar in any of the published encodings (priv 1). */
EVP_PKEY *vec_key(struct json_object *o, const char *key, int priv);
/* String member (NULL if absent or not a string). */
const char *vec_str(struct json_object *o, const char *key);
/* Base64-decodes member `key` (standard alphabet, lenient about padding
 * absence) into out; returns length or -1. */
int	 vec_b64(struct json_object *o, const char *key, uint8_t *out,
	    size_t cap);
/* Hex-decodes member `key`; returns length or -1. */
int	 vec_hex(struct json_object *o, const char *key, uint8_t *out,
	    size_t cap);
/* Hex-decodes a string; returns length or -1. */
int	 vec_hex_str(const char *s, uint8_t *out, size_t cap);
/* Member as integer, accepting a JSON number or a decimal string. */
long long vec_int(struct json_object *o, const char *key);
/* Prints "# <file>: <n> vectors checked" (done-when item of the crypto issue). */
void	 vec_report(const char *relpath, int checked, int skipped);

#endif
