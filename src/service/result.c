/*
 * result.c - shared helpers of the service layer (see result.h).
 */
#include <config.h>

#include "service/result.h"

#include <json-c/json.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

void
svc_retry_pause(int attempt)
{
	struct timespec ts;
	unsigned char r = 128;
	long us;
	int shift = attempt < 2 ? 0 : attempt - 2;

	if (shift > 6)
		shift = 6;
	us = 1000L << shift;
	(void)RAND_bytes(&r, 1);
	/* [0.5, 1.5) of the base. */
	us = us / 2 + us * (long)r / 256;
	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

enum svc_rc
svc_from_db(int rc, enum svc_rc not_found)
{
	switch (rc) {
	case DB_OK:
		return SVC_OK;
	case DB_NOT_FOUND:
		return not_found;
	case DB_DUPLICATE:
		return SVC_EXISTS;
	case DB_DOWN:
		return SVC_DB_DOWN;
	case DB_RETRY:
		return SVC_RETRY;
	default:
		return SVC_INTERNAL;
	}
}

int
svc_strings_to_json(const char *const *items, size_t n, char *out,
    size_t cap)
{
	json_object *a;
	const char *s;
	size_t i;
	int rc = -1;

	if ((a = json_object_new_array()) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (json_object_array_add(a,
		    json_object_new_string(items[i])) != 0)
			goto fail;
	s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	if (s != NULL && strlen(s) < cap) {
		memcpy(out, s, strlen(s) + 1);
		rc = 0;
	}
fail:
	json_object_put(a);
	return rc;
}

int
svc_text_valid(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return i > 0;
}

int
svc_lines_valid(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r') || s[i] == 0x7f)
			return 0;
	return i > 0;
}

int
svc_ident_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int
svc_ident_valid(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !svc_ident_char((unsigned char)s[i]))
			return 0;
	return i > 0;
}
