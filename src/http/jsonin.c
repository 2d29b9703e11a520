/*
 * jsonin.c - strict JSON request parsing (see jsonin.h).
 *
 * json-c in strict mode with UTF-8 validation rejects comments, single
 * quotes, trailing commas and invalid UTF-8; the depth limit stops
 * stack-hungry nesting before it is built.
 *
 * One tolerance on top: a single comma after a value and right before the
 * `}` or `]` that closes it (`{"a": 1,}`), because the seed integration
 * tutorial's mobile-only create body has one and integrators paste it
 * verbatim. json-c's non-strict mode would take far more (bare words,
 * unquoted keys), so the body is parsed strictly and, only when that
 * fails, once more from a copy with those commas blanked out (outside
 * strings; `,,`, `{,`, `[,` and `:,` are left for the parser to refuse).
 */
#include <config.h>

#include "http/jsonin.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
only_ws(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_ws(p[i]))
			return 0;
	return 1;
}

/*
 * json-c's strict mode still takes single-quoted strings; outside of
 * double-quoted strings JSON only has structure, numbers and the three
 * literals, so anything else is refused before json-c sees it. Inside
 * strings the escape \u0000 is refused: json-c would decode it into a NUL
 * that every C string consumer silently cuts the value at ("PT2S\u0000x"
 * read as "PT2S").
 */
static int
lexically_json(const uint8_t *p, size_t n)
{
	static const char outside[] = " \t\r\n{}[]:,-+.0123456789eEtrufalsn";
	size_t i;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (p[i] == '\\' && n - i > 5 &&
			    memcmp(p + i + 1, "u0000", 5) == 0)
				return 0;
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = 0;
		} else if (p[i] == '"')
			in_str = 1;
		else if (strchr(outside, p[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * A copy of p (n bytes) with every trailing comma replaced by a space, or
 * NULL when there is none (or no memory).
 */
static uint8_t *
without_trailing_commas(const uint8_t *p, size_t n)
{
	uint8_t *q, prev = 0;
	size_t i, j;
	int in_str = 0, changed = 0;

	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, n);
	for (i = 0; i < n; i++) {
		if (in_str) {
			if (q[i] == '\\')
				i++;
			else if (q[i] == '"')
				in_str = 0;
			continue;
		}
		if (is_ws(q[i]))
			continue;
		if (q[i] == '"')
			in_str = 1;
		else if (q[i] == ',' && prev != 0 &&
		    strchr(",{[:", prev) == NULL) {
			for (j = i + 1; j < n && is_ws(q[j]); j++)
				;
			if (j < n && (q[j] == '}' || q[j] == ']')) {
				q[i] = ' ';
				changed = 1;
				continue;
			}
		}
		prev = q[i];
	}
	if (!changed) {
		OPENSSL_cleanse(q, n);
		free(q);
		return NULL;
	}
	return q;
}

/* One strict json-c parse of a whole object. */
static int
parse_strict(const uint8_t *body, size_t len, json_object **out, char *err,
    size_t errlen)
{
	json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum json_tokener_error e;
	size_t used;

	*out = NULL;
	if ((tok = json_tokener_new_ex(JSONIN_MAX_DEPTH)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, (const char *)body, (int)len);
	e = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (obj == NULL || e != json_tokener_success) {
		seterr(err, errlen, "malformed JSON: %s",
		    e == json_tokener_continue ? "unexpected end of input" :
		    json_tokener_error_desc(e));
		goto fail;
	}
	if (used > len || !only_ws(body + used, len - used)) {
		seterr(err, errlen, "malformed JSON: trailing data");
		goto fail;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		seterr(err, errlen, "request body must be a JSON object");
		goto fail;
	}
	json_tokener_free(tok);
	*out = obj;
	return 0;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return -1;
}

int
jsonin_parse_object(const uint8_t *body, size_t len, int allow_empty,
    json_object **out, char *err, size_t errlen)
{
	uint8_t *relaxed;
	char ignored[8];
	int rc;

	*out = NULL;
	if (body == NULL || only_ws(body, len)) {
		if (allow_empty)
			return 0;
		seterr(err, errlen, "request body must be a JSON object");
		return -1;
	}
	if (memchr(body, '\0', len) != NULL || len > (size_t)INT32_MAX ||
	    !lexically_json(body, len)) {
		seterr(err, errlen, "request body is not valid JSON");
		return -1;
	}
	if (parse_strict(body, len, out, err, errlen) == 0)
		return 0;
	/* The copy may hold secrets (an OTP): wiped before it is freed. */
	if ((relaxed = without_trailing_commas(body, len)) == NULL)
		return -1;
	rc = parse_strict(relaxed, len, out, ignored, sizeof(ignored));
	OPENSSL_cleanse(relaxed, len);
	free(relaxed);
	return rc;
}

static int
check_chars(const char *s, size_t n, jsonin_charset_fn cs)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (cs != NULL ? !cs(c) : (c < 0x20 || c == 0x7f))
			return -1;
	}
	return 0;
}

static int
check_string(json_object *v, const char *what, size_t minlen, size_t maxlen,
    jsonin_charset_fn cs, const char **out, char *err, size_t errlen)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string)) {
		seterr(err, errlen, "%s must be a string", what);
		return -1;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n < minlen || n > maxlen) {
		seterr(err, errlen, "%s must be %zu to %zu characters long",
		    what, minlen, maxlen);
		return -1;
	}
	if (strlen(s) != n || check_chars(s, n, cs) != 0) {
		seterr(err, errlen, "%s contains invalid characters", what);
		return -1;
	}
	*out = s;
	return 0;
}

int
jsonin_string(json_object *obj, const char *name, int required,
    size_t minlen, size_t maxlen, jsonin_charset_fn charset,
    const char **out, char *err, size_t errlen)
{
	json_object *v = NULL;
	char what[96];

	*out = NULL;
	snprintf(what, sizeof(what), "field '%s'", name);
	if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
	    v == NULL) {
		if (!required)
			return 0;
		seterr(err, errlen, "%s is required", what);
		return -1;
	}
	return check_string(v, what, minlen, maxlen, charset, out, err,
	    errlen);
}

int
jsonin_string_array(json_object *obj, const char *name, int required,
    size_t maxitems, size_t maxlen, jsonin_charset_fn charset,
    const char ***out, size_t *n, char *err, size_t errlen)
{
	json_object *v = NULL;
	const char **items = NULL;
	char what[96];
	size_t i, len;

	*out = NULL;
	*n = 0;
	if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
	    v == NULL) {
		if (!required)
			return 0;
		seterr(err, errlen, "field '%s' is required", name);
		return -1;
	}
	if (!json_object_is_type(v, json_type_array) ||
	    (len = json_object_array_length(v)) > maxitems) {
		seterr(err, errlen, "field '%s' must be an array of at most "
		    "%zu strings", name, maxitems);
		return -1;
	}
	if ((items = calloc(len + 1, sizeof(*items))) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		snprintf(what, sizeof(what), "field '%s[%zu]'", name, i);
		if (check_string(json_object_array_get_idx(v, i), what, 1,
		    maxlen, charset, &items[i], err, errlen) != 0)
			goto fail;
	}
	*out = items;
	*n = len;
	return 0;
fail:
	free(items);
	return -1;
}

int
jsonin_int64(json_object *obj, const char *name, int required, int64_t min,
    int64_t max, int64_t *out, int *present, char *err, size_t errlen)
{
	json_object *v = NULL;
	int64_t i;

	*out = 0;
	*present = 0;
	if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
	    v == NULL) {
		if (!required)
			return 0;
		seterr(err, errlen, "field '%s' is required", name);
		return -1;
	}
	/* json-c saturates out-of-range integers: bounds below catch them. */
	errno = 0;
	if (!json_object_is_type(v, json_type_int) ||
	    ((i = json_object_get_int64(v)) < min || i > max) ||
	    errno != 0) {
		seterr(err, errlen, "field '%s' must be an integer from %lld "
		    "to %lld", name, (long long)min, (long long)max);
		return -1;
	}
	*out = i;
	*present = 1;
	return 0;
}

int
jsonin_bool(json_object *obj, const char *name, int dflt, int *out,
    char *err, size_t errlen)
{
	json_object *v = NULL;

	*out = dflt;
	if (obj == NULL || !json_object_object_get_ex(obj, name, &v) ||
	    v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		seterr(err, errlen, "field '%s' must be a boolean", name);
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

json_object *
jsonin_member(json_object *obj, const char *name)
{
	json_object *v = NULL;

	return obj != NULL && json_object_object_get_ex(obj, name, &v) ? v :
	    NULL;
}

int
jsonin_cs_ident(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

int
jsonin_cs_username(int c)
{
	return jsonin_cs_ident(c) || c == '@';
}
