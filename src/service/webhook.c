/* webhook.c - body, signature, backoff, receiver auth (see webhook.h). */
#include <config.h>

#include "service/webhook.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "common/base64.h"
#include "crypto/primitives.h"

static int
listed(json_object *attributes, const char *key)
{
	size_t i, n = json_object_array_length(attributes);
	json_object *v;

	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(attributes, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), key) == 0)
			return 1;
	}
	return 0;
}

char *
webhook_body(const char *payload, const char *attributes)
{
	json_object *p = json_tokener_parse(payload);
	json_object *a = json_tokener_parse(attributes);
	json_object *body = NULL;
	const char *s;
	char *out = NULL;

	if (p == NULL || a == NULL ||
	    !json_object_is_type(p, json_type_object) ||
	    !json_object_is_type(a, json_type_array) ||
	    (body = json_object_new_object()) == NULL)
		goto done;
	json_object_object_foreach(p, key, val) {
		if (strcmp(key, "type") != 0 &&
		    strcmp(key, "activationId") != 0 &&
		    strcmp(key, "operationId") != 0 && !listed(a, key))
			continue;
		if (json_object_object_add(body, key, json_object_get(val)) !=
		    0)
			goto done;
	}
	s = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL)
		out = strdup(s);
done:
	json_object_put(body);
	json_object_put(p);
	json_object_put(a);
	return out;
}

int
webhook_signature(const uint8_t *key, size_t keylen, const char *id,
    int64_t timestamp, const char *body, char out[WEBHOOK_SIG_MAX + 1])
{
	uint8_t mac[PA_SHA256_LEN];
	char head[128];
	int n;

	n = snprintf(head, sizeof(head), "%s.%" PRId64 ".", id, timestamp);
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    pa_hmac_sha256_2(key, keylen, (const uint8_t *)head, (size_t)n,
	    (const uint8_t *)body, strlen(body), mac) != 0)
		return -1;
	memcpy(out, "v1,", 3);
	b64_encode(mac, sizeof(mac), out + 3);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int64_t
webhook_backoff_ms(int64_t failures, int64_t initial_ms,
    int64_t multiplier_pct, int64_t max_ms, double jitter)
{
	double d = (double)initial_ms;
	int64_t i, delay;

	for (i = 1; i < failures && d < (double)max_ms; i++)
		d *= (double)multiplier_pct / 100.0;
	delay = d < (double)max_ms ? (int64_t)d : max_ms;
	if (jitter < 0 || jitter >= 1)
		jitter = 0;
	return delay - (int64_t)((double)(delay / 2) * jitter);
}

/* The string member name of o into out (cap bytes); "" when absent. */
static int
text(json_object *o, const char *name, char *out, size_t cap)
{
	json_object *v;
	const char *s;

	out[0] = '\0';
	if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    strlen(s = json_object_get_string(v)) >= cap)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The object member name of o when its "enabled" is true, else NULL. */
static json_object *
enabled(json_object *o, const char *name)
{
	json_object *m, *e;

	if (!json_object_object_get_ex(o, name, &m) ||
	    !json_object_is_type(m, json_type_object) ||
	    !json_object_object_get_ex(m, "enabled", &e) ||
	    !json_object_get_boolean(e))
		return NULL;
	return m;
}

int
webhook_auth_parse(const char *json, struct webhook_auth *out)
{
	json_object *o, *m;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (json == NULL || json[0] == '\0')
		return 0;
	if ((o = json_tokener_parse(json)) == NULL ||
	    !json_object_is_type(o, json_type_object))
		goto done;
	if ((m = enabled(o, "httpBasic")) != NULL) {
		out->basic = 1;
		if (text(m, "username", out->username,
		    sizeof(out->username)) != 0 ||
		    text(m, "password", out->password,
		    sizeof(out->password)) != 0)
			goto done;
	}
	if ((m = enabled(o, "bearer")) != NULL) {
		out->bearer = 1;
		if (text(m, "token", out->token, sizeof(out->token)) != 0)
			goto done;
	}
	if ((m = enabled(o, "certificate")) != NULL) {
		out->certificate = 1;
		if (text(m, "certificateFile", out->cert_file,
		    sizeof(out->cert_file)) != 0 ||
		    text(m, "keyFile", out->key_file,
		    sizeof(out->key_file)) != 0 ||
		    text(m, "keyPassword", out->key_password,
		    sizeof(out->key_password)) != 0 ||
		    text(m, "caFile", out->ca_file, sizeof(out->ca_file)) != 0)
			goto done;
	}
	rc = 0;
done:
	json_object_put(o);
	if (rc != 0)
		webhook_auth_clear(out);
	return rc;
}

void
webhook_auth_clear(struct webhook_auth *a)
{
	OPENSSL_cleanse(a, sizeof(*a));
}
