/*
 * jsonin.h - strict parsing of JSON request bodies and typed field access.
 *
 * Owns: turning request bytes into a json-c object only when they are one
 * well-formed UTF-8 JSON object (bounded nesting depth, no NUL bytes nor
 * \u0000 escapes, nothing but whitespace after it), and extracting fields
 * with their type and length
 * checked. Every failure yields a message naming the field, for a 400
 * ERROR_REQUEST. Unknown fields are ignored (as Jackson does by default in
 * the reference server), but never reach a handler.
 * Must not: know what a field means beyond its syntax.
 */
#ifndef PASERV_HTTP_JSONIN_H
#define PASERV_HTTP_JSONIN_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define JSONIN_MAX_DEPTH	16

/* Character class checks for jsonin_string(). */
typedef int (*jsonin_charset_fn)(int c);

/*
 * Parses body as one JSON object. An empty body (or only whitespace) is
 * accepted when allow_empty is set and yields NULL in *out. One comma
 * between a value and the `}` or `]` closing it is tolerated (the seed
 * tutorial sends `{"a": 1,}`); nothing else beyond strict JSON is.
 * 0 ok, -1 with a message in err.
 */
int	jsonin_parse_object(const uint8_t *body, size_t len, int allow_empty,
	    json_object **out, char *err, size_t errlen);
/*
 * The string field `name` of obj, with minlen..maxlen bytes all accepted by
 * charset (NULL: any character but control characters). Absent or null:
 * *out = NULL and 0 unless required. The pointer lives as long as obj.
 */
int	jsonin_string(json_object *obj, const char *name, int required,
	    size_t minlen, size_t maxlen, jsonin_charset_fn charset,
	    const char **out, char *err, size_t errlen);
/*
 * Array of strings field; items checked like jsonin_string(). *out is a
 * malloc'ed array of pointers into obj (free() it), *n its length.
 */
int	jsonin_string_array(json_object *obj, const char *name, int required,
	    size_t maxitems, size_t maxlen, jsonin_charset_fn charset,
	    const char ***out, size_t *n, char *err, size_t errlen);

/*
 * Integer field (a JSON number without fraction or exponent) within
 * min..max. Absent or null: *present = 0 and 0 unless required.
 */
int	jsonin_int64(json_object *obj, const char *name, int required,
	    int64_t min, int64_t max, int64_t *out, int *present, char *err,
	    size_t errlen);

/* Boolean field; absent or null: *out = dflt and 0. */
int	jsonin_bool(json_object *obj, const char *name, int dflt, int *out,
	    char *err, size_t errlen);

/* The member name of obj, of any type (the caller checks it); NULL when
 * absent or null. Lives as long as obj. */
json_object	*jsonin_member(json_object *obj, const char *name);

/* Common character classes. */
int	jsonin_cs_ident(int c);		/* [A-Za-z0-9._-] */
int	jsonin_cs_username(int c);	/* [A-Za-z0-9._@-] */

#endif
