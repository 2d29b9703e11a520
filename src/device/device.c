/*
 * device.c - device simulator: state, set-up and HTTP plumbing
 * (see device.h).
 */
#include <config.h>

#include "device/device.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/timeutil.h"
#include "crypto/sdk_config.h"
#include "device/http_client.h"

static void
set_err(struct device *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_err(struct device *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
}

/* Loads the app credentials kept in the state by device_setup(). */
static int
load_app(struct device *d)
{
	const char *cfg = device_state_str(&d->st, "mobileSdkConfig");
	const char *ver = device_state_str(&d->st, "version");
	uint8_t key[16], secret[16];

	if (cfg == NULL || ver == NULL)
		return 0;	/* not set up yet */
	if (sdk_config_parse(cfg, key, secret, d->master_pub,
	    &d->master_publen) != 0) {
		set_err(d, "state: invalid mobileSdkConfig");
		return -1;
	}
	if ((d->version = pa_proto_parse(ver)) == 0) {
		set_err(d, "state: invalid version '%s'", ver);
		return -1;
	}
	b64_encode(key, sizeof(key), d->app_key);
	b64_encode(secret, sizeof(secret), d->app_secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

int
device_open(struct device *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	if (device_state_load(&d->st, path) != 0) {
		set_err(d, "cannot read state file %s", path);
		return -1;
	}
	return load_app(d);
}

int
device_save(struct device *d)
{
	if (device_state_save(&d->st) != 0) {
		set_err(d, "cannot write state file %s", d->st.path);
		return -1;
	}
	return 0;
}

void
device_close(struct device *d)
{
	device_state_free(&d->st);
	OPENSSL_cleanse(d, sizeof(*d));
}

int
device_setup(struct device *d, const char *sdk_config, const char *base_url,
    const char *version)
{
	if (pa_proto_parse(version) == 0) {
		set_err(d, "unsupported protocol version '%s' (3.0..3.3)",
		    version);
		return -1;
	}
	if (strncmp(base_url, "http://", 7) != 0 &&
	    strncmp(base_url, "https://", 8) != 0) {
		set_err(d, "server URL must start with http:// or https://");
		return -1;
	}
	/* A new set-up forgets any previous activation. */
	json_object_put(d->st.root);
	if ((d->st.root = json_object_new_object()) == NULL ||
	    device_state_set_str(&d->st, "mobileSdkConfig", sdk_config) != 0 ||
	    device_state_set_str(&d->st, "version", version) != 0 ||
	    device_state_set_str(&d->st, "baseUrl", base_url) != 0) {
		set_err(d, "out of memory");
		return -1;
	}
	return load_app(d);
}

int64_t
device_now_ms(void)
{
	const char *s = getenv("PA_DEVICE_CLOCK_SKEW_MS");

	return time_now_ms() + (s != NULL ? strtoll(s, NULL, 10) : 0);
}

/*
 * With PA_DEVICE_TRACE=FILE every exchange is appended to FILE as one JSON
 * line {"path","headers","body","status","response"}: for debugging and
 * for tests that replay or tamper with what a device sent.
 */
static void
trace(const char *path, const char *const *hdrs, const char *body,
    long status, const char *resp)
{
	const char *file = getenv("PA_DEVICE_TRACE");
	json_object *o, *h;
	FILE *fp;

	if (file == NULL || file[0] == '\0' ||
	    (o = json_object_new_object()) == NULL)
		return;
	h = json_object_new_array();
	for (; h != NULL && *hdrs != NULL; hdrs++)
		json_object_array_add(h, json_object_new_string(*hdrs));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "headers", h);
	json_object_object_add(o, "body", json_object_new_string(body));
	json_object_object_add(o, "status", json_object_new_int64(status));
	json_object_object_add(o, "response", json_object_new_string(resp));
	if ((fp = fopen(file, "a")) != NULL) {
		fprintf(fp, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		fclose(fp);
	}
	json_object_put(o);
}

int
device_post(struct device *d, const char *path, const char *const *headers,
    const char *body, long *status, char **resp)
{
	const char *base = device_state_str(&d->st, "baseUrl");
	const char *hdrs[8];
	struct http_reply reply;
	char url[2048];
	size_t n = 0;

	*resp = NULL;
	if (base == NULL) {
		set_err(d, "not set up: run 'pa-device setup' first");
		return -1;
	}
	if (snprintf(url, sizeof(url), "%s%s", base, path) >=
	    (int)sizeof(url)) {
		set_err(d, "URL too long");
		return -1;
	}
	hdrs[n++] = "Content-Type: application/json";
	hdrs[n++] = "Accept: application/json";
	for (; headers != NULL && *headers != NULL && n < 7; headers++)
		hdrs[n++] = *headers;
	hdrs[n] = NULL;
	if (http_request("POST", url, hdrs, body, strlen(body), &reply,
	    d->err, sizeof(d->err)) != 0)
		return -1;
	*status = reply.status;
	trace(path, hdrs, body, reply.status, buf_cstr(&reply.body));
	*resp = strdup(buf_cstr(&reply.body));
	http_reply_free(&reply);
	if (*resp == NULL) {
		set_err(d, "out of memory");
		return -1;
	}
	return 0;
}
