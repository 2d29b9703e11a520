/*
 * webhook.c - fuzz target: the webhook callback configuration
 * (doc/webhooks.md): the create/replace body as the handler reads it
 * (cloud_callback_req), the rules (callback_check: URL, attributes, retry
 * policy with ISO-8601 durations, receiver authentication), what the
 * dispatcher reads back from what was stored (webhook_auth_parse), the
 * redacted form the API shows, the event body, and the two endpoints
 * through the /powerauth-cloud pipeline. The input is the JSON body.
 *
 * Invariants: a configuration the rules accept is one the dispatcher can
 * read, whose redacted form parses and holds no password or token, and
 * which the rules accept again as the stored one on a replace; a duration
 * that parses is formatted back to the same milliseconds.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cloud/cloud.h"
#include "fuzz/fuzz.h"
#include "http/jsonin.h"
#include "service/callbacks.h"
#include "service/webhook.h"

#define CALLBACKS	"/powerauth-cloud/v2/admin/applications/" \
			    "fuzz-app/callbacks"

/* Base64 of "fuzz-user:fuzz-password": an integration user. */
#define AUTH_USER	"HTTP_AUTHORIZATION=Basic " \
			    "ZnV6ei11c2VyOmZ1enotcGFzc3dvcmQ="

static void
secret_gone(const char *redacted, const char *secret)
{
	/* Short values may occur by chance (a field name, "true"). */
	if (strlen(secret) >= 12)
		FUZZ_ASSERT(strstr(redacted, secret) == NULL);
}

static void
stored(const char *auth)
{
	struct webhook_auth wa;
	char red[CALLBACK_AUTH_MAX + 64];
	json_object *o;

	FUZZ_ASSERT(webhook_auth_parse(auth, &wa) == 0);
	FUZZ_ASSERT(callback_auth_redact(auth, red, sizeof(red)) == 0);
	if (auth[0] != '\0') {
		FUZZ_ASSERT((o = json_tokener_parse(red)) != NULL);
		json_object_put(o);
	}
	secret_gone(red, wa.password);
	secret_gone(red, wa.token);
	secret_gone(red, wa.key_password);
	webhook_auth_clear(&wa);
}

static void
durations(json_object *body)
{
	char text[CALLBACK_DURATION_MAX];
	int64_t ms, ms2;

	json_object_object_foreach(body, key, val) {
		(void)key;
		if (!json_object_is_type(val, json_type_string) ||
		    callback_duration_parse(json_object_get_string(val),
		    &ms) != 0)
			continue;
		FUZZ_ASSERT(ms >= 0);
		callback_duration_format(ms, text, sizeof(text));
		FUZZ_ASSERT(callback_duration_parse(text, &ms2) == 0 &&
		    ms2 == ms);
	}
}

static void
rules(const uint8_t *data, size_t n)
{
	struct callback_req r;
	struct callback_row *row, *row2;
	json_object *body = NULL;
	char err[160], *auth, *auth2, *ev;
	const char *text;

	if (jsonin_parse_object(data, n, 0, &body, err, sizeof(err)) != 0)
		return;
	durations(body);
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	ev = webhook_body(text, "[\"userId\",\"status\"]");
	free(ev);
	if (cloud_callback_req(body, &r, err, sizeof(err)) != 0)
		goto done;
	FUZZ_ASSERT((row = malloc(sizeof(*row))) != NULL &&
	    (row2 = malloc(sizeof(*row2))) != NULL &&
	    (auth = malloc(CALLBACK_AUTH_MAX + 1)) != NULL &&
	    (auth2 = malloc(CALLBACK_AUTH_MAX + 1)) != NULL);
	if (callback_check(&r, NULL, row, auth, CALLBACK_AUTH_MAX + 1) ==
	    NULL) {
		FUZZ_ASSERT(row->max_attempts >= 1 &&
		    row->initial_backoff_ms >= 0 && row->max_backoff_ms >= 0);
		stored(auth);
		FUZZ_ASSERT(callback_check(&r, auth, row2, auth2,
		    CALLBACK_AUTH_MAX + 1) == NULL);
		stored(auth2);
		ev = webhook_body(text, row->attributes);
		free(ev);
	}
	free(row);
	free(row2);
	free(auth);
	free(auth2);
done:
	json_object_put(body);
}

static void
endpoint(const char *method, const char *uri, const uint8_t *data, size_t n)
{
	const char *params[] = { method, uri, AUTH_USER,
	    "CONTENT_TYPE=application/json", NULL };
	struct fuzz_fcgi f;

	FUZZ_ASSERT(fuzz_fcgi_init_body(&f, params, data, n) == 0);
	fuzz_serve(fuzz_cloud_worker(), &f);
	fuzz_fcgi_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	(void)fuzz_config();
	fuzz_db_set(FUZZ_DB_YES);
	rules(data, n);
	endpoint("REQUEST_METHOD=POST", "DOCUMENT_URI=" CALLBACKS, data, n);
	endpoint("REQUEST_METHOD=PUT", "DOCUMENT_URI=" CALLBACKS
	    "/4f6a1e2b-8c3d-4e5f-9a0b-1c2d3e4f5a6b", data, n);
	return 0;
}
