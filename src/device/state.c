/*
 * state.c - device simulator state file (see state.h).
 */
#include <config.h>

#include "device/state.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"

int
device_state_load(struct device_state *st, const char *path)
{
	st->root = NULL;
	if ((st->path = strdup(path)) == NULL)
		return -1;
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		st->root = json_object_new_object();
		return st->root != NULL ? 0 : -1;
	}
	st->root = json_object_from_file(path);
	if (st->root == NULL || !json_object_is_type(st->root, json_type_object)) {
		json_object_put(st->root);
		st->root = NULL;
		return -1;
	}
	return 0;
}

int
device_state_save(const struct device_state *st)
{
	const char *text;
	char tmp[4096];
	size_t len;
	int fd = -1, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", st->path) >= (int)sizeof(tmp))
		return -1;
	text = json_object_to_json_string_ext(st->root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		goto fail;
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		goto fail;
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, st->path) != 0)
		goto fail;
	rc = 0;
fail:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

void
device_state_free(struct device_state *st)
{
	json_object_put(st->root);
	free(st->path);
	st->root = NULL;
	st->path = NULL;
}

const char *
device_state_str(const struct device_state *st, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(st->root, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
device_state_set_str(struct device_state *st, const char *key,
    const char *value)
{
	struct json_object *v = json_object_new_string(value);

	if (v == NULL)
		return -1;
	return json_object_object_add(st->root, key, v) == 0 ? 0 : -1;
}

int
device_state_bytes(const struct device_state *st, const char *key,
    uint8_t *out, size_t cap, size_t *outlen)
{
	const char *s = device_state_str(st, key);
	size_t n = 0;

	if (s == NULL || b64_decode(s, strlen(s), out, cap, &n) != 0)
		return -1;
	if (outlen != NULL)
		*outlen = n;
	else if (n != cap)
		return -1;
	return 0;
}

int
device_state_set_bytes(struct device_state *st, const char *key,
    const uint8_t *p, size_t n)
{
	char *s = b64_encode_new(p, n);
	int rc;

	if (s == NULL)
		return -1;
	rc = device_state_set_str(st, key, s);
	OPENSSL_cleanse(s, strlen(s));
	free(s);
	return rc;
}

long long
device_state_int(const struct device_state *st, const char *key,
    long long dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(st->root, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return dflt;
	return (long long)json_object_get_int64(v);
}

int
device_state_set_int(struct device_state *st, const char *key, long long v)
{
	struct json_object *o = json_object_new_int64((int64_t)v);

	if (o == NULL)
		return -1;
	return json_object_object_add(st->root, key, o) == 0 ? 0 : -1;
}

struct json_object *
device_state_object(struct device_state *st, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(st->root, key, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	if ((v = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(st->root, key, v) != 0)
		return NULL;
	return v;
}

void
device_state_remove(struct device_state *st, const char *key)
{
	json_object_object_del(st->root, key);
}
