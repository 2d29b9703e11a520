/* vectors.c - test-vector loading helpers (see vectors.h). */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "tap.h"

static void
vec_path(const char *relpath, char *out, size_t cap)
{
	const char *dir = getenv("PASERV_VECTORS");

	if (dir == NULL || *dir == '\0')
		dir = "../shared/vectors";
	snprintf(out, cap, "%s/%s", dir, relpath);
}

char *
vec_read_text(const char *relpath, size_t *len)
{
	char path[4096];
	FILE *f;
	char *s = NULL;
	long n;

	vec_path(relpath, path, sizeof(path));
	if ((f = fopen(path, "rb")) == NULL) {
		tap_diag("cannot open %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	if ((s = malloc((size_t)n + 1)) == NULL)
		goto fail;
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
		goto fail;
	}
	s[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
fail:
	fclose(f);
	return s;
}

struct json_object *
vec_load(const char *relpath)
{
	char path[4096];
	struct json_object *o;

	vec_path(relpath, path, sizeof(path));
	o = json_object_from_file(path);
	if (o == NULL)
		tap_diag("cannot load %s: %s", path, json_util_get_last_err());
	return o;
}

struct json_object *
vec_member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

EVP_PKEY *
vec_key(struct json_object *o, const char *key, int priv)
{
	uint8_t b[80];
	EVP_PKEY *p = NULL;
	int n = vec_b64(o, key, b, sizeof(b));

	if (n <= 0 || (priv ? pa_ec_private_from_bytes(b, (size_t)n, &p) :
	    pa_ec_public_from_bytes(b, (size_t)n, &p)) != 0)
		return NULL;
	return p;
}

const char *
vec_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
vec_b64(struct json_object *o, const char *key, uint8_t *out, size_t cap)
{
	const char *s = vec_str(o, key);
	char tmp[8192];
	size_t n, got;

	if (s == NULL || (n = strlen(s)) + 4 > sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	while (n % 4 != 0)
		tmp[n++] = '=';
	if (b64_decode(tmp, n, out, cap, &got) != 0)
		return -1;
	return (int)got;
}

int
vec_hex_str(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

int
vec_hex(struct json_object *o, const char *key, uint8_t *out, size_t cap)
{
	const char *s = vec_str(o, key);

	return s == NULL ? -1 : vec_hex_str(s, out, cap);
}

long long
vec_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 10);
	return json_object_get_int64(v);
}

void
vec_report(const char *relpath, int checked, int skipped)
{
	if (skipped > 0)
		tap_diag("%s: %d vectors checked, %d skipped (documented defect)",
		    relpath, checked, skipped);
	else
		tap_diag("%s: %d vectors checked", relpath, checked);
}
