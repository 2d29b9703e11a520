/* push_payload.c - push bodies, tokens and answers (see push_payload.h). */
#include <config.h>

#include "service/push_payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/jws.h"

#define JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const struct {
	const char	*name;
	const char	*canonical;
} PLATFORMS[] = {
	{ "apns", "apns" }, { "fcm", "fcm" }, { "hms", "hms" },
	{ "ios", "apns" }, { "android", "fcm" }, { "huawei", "hms" },
};

const char *
push_platform_canonical(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(PLATFORMS) /
	    sizeof(PLATFORMS[0]); i++)
		if (strcasecmp(name, PLATFORMS[i].name) == 0)
			return PLATFORMS[i].canonical;
	return NULL;
}

const char *
push_operation_result(const char *status)
{
	static const char *const MAP[][2] = {
		{ "APPROVED", "authentication.success" },
		{ "FAILED", "authentication.fail" },
		{ "EXPIRED", "operation.timeout" },
		{ "CANCELED", "operation.canceled" },
		{ "REJECTED", "operation.canceled" },
	};
	size_t i;

	for (i = 0; status != NULL && i < sizeof(MAP) / sizeof(MAP[0]); i++)
		if (strcmp(status, MAP[i][0]) == 0)
			return MAP[i][1];
	return NULL;
}

/* --- content ------------------------------------------------------------ */

static const char *
member_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* data[key] = value (a string), when value is not NULL. */
static int
put_str(json_object *data, const char *key, const char *value)
{
	json_object *v;

	if (value == NULL)
		return 0;
	if ((v = json_object_new_string(value)) == NULL)
		return -1;
	return json_object_object_add(data, key, v);
}

static int
set_text(char **dst, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return 0;
	return (*dst = strdup(s)) != NULL ? 0 : -1;
}

/* The integrator's message (POST /v2/messages/send). */
static int
custom_content(json_object *p, struct push_content *out)
{
	json_object *v, *extras;

	out->silent = json_object_object_get_ex(p, "silent", &v) &&
	    json_object_get_boolean(v);
	if (set_text(&out->title, member_str(p, "title")) != 0 ||
	    set_text(&out->body, member_str(p, "message")) != 0 ||
	    set_text(&out->sound, member_str(p, "sound")) != 0)
		return -1;
	if (!json_object_object_get_ex(p, "extras", &extras) ||
	    !json_object_is_type(extras, json_type_object))
		return 0;
	json_object_object_foreach(extras, key, val) {
		if (json_object_object_add(out->data, key,
		    json_object_get(val)) != 0)
			return -1;
	}
	return 0;
}

/* A push the system sends about an operation, registration or message. */
static int
system_content(const char *type, json_object *p, const char *activation_id,
    const struct push_texts *t, struct push_content *out)
{
	json_object *d = out->data;
	int rc;

	rc = put_str(d, "messageType", type);
	if (strcmp(type, PUSH_MSG_OPERATION_INIT) == 0 ||
	    strcmp(type, PUSH_MSG_OPERATION_FINISHED) == 0) {
		rc |= put_str(d, "operationId", member_str(p, "operationId"));
		rc |= put_str(d, "operationName", member_str(p,
		    "operationType"));
	}
	if (strcmp(type, PUSH_MSG_OPERATION_FINISHED) == 0)
		rc |= put_str(d, "mtokenOperationResult",
		    push_operation_result(member_str(p, "status")));
	if (strcmp(type, PUSH_MSG_INBOX) == 0)
		rc |= put_str(d, "inboxId", member_str(p, "inboxId"));
	rc |= put_str(d, "activationId", activation_id);
	if (rc != 0)
		return -1;
	if (strcmp(type, PUSH_MSG_OPERATION_INIT) == 0)
		return set_text(&out->title, t->operation_title) |
		    set_text(&out->body, t->operation_body) |
		    set_text(&out->sound, "default");
	if (strcmp(type, PUSH_MSG_INBOX) == 0)
		return set_text(&out->title, t->inbox_title) |
		    set_text(&out->body, member_str(p, "subject")) |
		    set_text(&out->sound, "default");
	out->silent = 1;	/* finished, blocked, removed */
	return 0;
}

int
push_content_build(const char *message_type, const char *payload,
    const char *activation_id, const struct push_texts *texts,
    struct push_content *out)
{
	json_object *p = json_tokener_parse(payload);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (p == NULL || !json_object_is_type(p, json_type_object) ||
	    (out->data = json_object_new_object()) == NULL)
		goto done;
	if (strcmp(message_type, PUSH_MSG_CUSTOM) == 0)
		rc = custom_content(p, out);
	else
		rc = system_content(message_type, p, activation_id, texts,
		    out);
	/* An alert needs something to show. */
	if (rc == 0 && !out->silent && out->title == NULL && out->body ==
	    NULL)
		out->silent = 1;
done:
	json_object_put(p);
	if (rc != 0)
		push_content_clear(out);
	return rc;
}

void
push_content_clear(struct push_content *c)
{
	free(c->title);
	free(c->body);
	free(c->sound);
	json_object_put(c->data);
	memset(c, 0, sizeof(*c));
}

/* --- bodies ------------------------------------------------------------- */

static char *
take_json(json_object *o)
{
	const char *s = o != NULL ? json_object_to_json_string_ext(o,
	    JSON_FLAGS) : NULL;
	char *out = s != NULL ? strdup(s) : NULL;

	json_object_put(o);
	return out;
}

static json_object *
alert_json(const struct push_content *c)
{
	json_object *a = json_object_new_object();

	if (a != NULL && ((c->title != NULL && put_str(a, "title", c->title)
	    != 0) || (c->body != NULL && put_str(a, "body", c->body) != 0))) {
		json_object_put(a);
		a = NULL;
	}
	return a;
}

char *
push_apns_body(const struct push_content *c)
{
	json_object *root = json_object_new_object(), *aps, *alert;

	if (root == NULL || (aps = json_object_new_object()) == NULL ||
	    json_object_object_add(root, "aps", aps) != 0)
		goto fail;
	if (c->silent) {
		if (json_object_object_add(aps, "content-available",
		    json_object_new_int(1)) != 0)
			goto fail;
	} else if ((alert = alert_json(c)) == NULL ||
	    json_object_object_add(aps, "alert", alert) != 0 ||
	    put_str(aps, "sound", c->sound) != 0)
		goto fail;
	json_object_object_foreach(c->data, key, val) {
		if (strcmp(key, "aps") != 0 && json_object_object_add(root,
		    key, json_object_get(val)) != 0)
			goto fail;
	}
	return take_json(root);
fail:
	json_object_put(root);
	return NULL;
}

const char *
push_apns_type(const struct push_content *c)
{
	return c->silent ? "background" : "alert";
}

const char *
push_apns_priority(const struct push_content *c)
{
	/* Apple: background pushes must use 5. */
	return c->silent ? "5" : "10";
}

/* FCM data values are strings: other JSON values go as their text. */
static json_object *
fcm_data(json_object *data)
{
	json_object *d = json_object_new_object();
	const char *s;

	if (d == NULL)
		return NULL;
	json_object_object_foreach(data, key, val) {
		s = json_object_is_type(val, json_type_string) ?
		    json_object_get_string(val) :
		    json_object_to_json_string_ext(val, JSON_FLAGS);
		if (put_str(d, key, s != NULL ? s : "") != 0) {
			json_object_put(d);
			return NULL;
		}
	}
	return d;
}

static json_object *
fcm_android(const struct push_content *c)
{
	json_object *a = json_object_new_object(), *n;

	if (a == NULL || put_str(a, "priority", c->silent ? "normal" :
	    "high") != 0)
		goto fail;
	if (!c->silent && c->sound != NULL) {
		if ((n = json_object_new_object()) == NULL ||
		    json_object_object_add(a, "notification", n) != 0 ||
		    put_str(n, "sound", c->sound) != 0)
			goto fail;
	}
	return a;
fail:
	json_object_put(a);
	return NULL;
}

char *
push_fcm_body(const struct push_content *c, const char *token)
{
	json_object *root = json_object_new_object(), *m, *v;

	if (root == NULL || (m = json_object_new_object()) == NULL ||
	    json_object_object_add(root, "message", m) != 0 ||
	    put_str(m, "token", token) != 0 ||
	    (v = fcm_data(c->data)) == NULL ||
	    json_object_object_add(m, "data", v) != 0)
		goto fail;
	if (!c->silent && ((v = alert_json(c)) == NULL ||
	    json_object_object_add(m, "notification", v) != 0))
		goto fail;
	if ((v = fcm_android(c)) == NULL ||
	    json_object_object_add(m, "android", v) != 0)
		goto fail;
	return take_json(root);
fail:
	json_object_put(root);
	return NULL;
}

/* --- tokens ------------------------------------------------------------- */

/* header and claims objects (taken) signed with key. */
static char *
sign_json(const EVP_PKEY *key, enum jws_alg alg, json_object *h,
    json_object *c)
{
	char *hs = take_json(h), *cs = take_json(c), *out = NULL;

	if (hs != NULL && cs != NULL)
		out = jws_sign(key, alg, hs, cs);
	free(hs);
	free(cs);
	return out;
}

char *
push_apns_jwt(const EVP_PKEY *key, const char *key_id, const char *team_id,
    int64_t iat)
{
	json_object *h = json_object_new_object();
	json_object *c = json_object_new_object();

	if (h == NULL || c == NULL || put_str(h, "alg", "ES256") != 0 ||
	    put_str(h, "kid", key_id) != 0 || put_str(c, "iss", team_id) !=
	    0 || json_object_object_add(c, "iat",
	    json_object_new_int64(iat)) != 0) {
		json_object_put(h);
		json_object_put(c);
		return NULL;
	}
	return sign_json(key, JWS_ES256, h, c);
}

char *
push_fcm_assertion(const EVP_PKEY *key, const char *key_id,
    const char *client_email, const char *aud, int64_t iat)
{
	json_object *h = json_object_new_object();
	json_object *c = json_object_new_object();

	if (h == NULL || c == NULL || put_str(h, "alg", "RS256") != 0 ||
	    put_str(h, "typ", "JWT") != 0 ||
	    (key_id[0] != '\0' && put_str(h, "kid", key_id) != 0) ||
	    put_str(c, "iss", client_email) != 0 ||
	    put_str(c, "scope", PUSH_FCM_SCOPE) != 0 ||
	    put_str(c, "aud", aud) != 0 ||
	    json_object_object_add(c, "iat", json_object_new_int64(iat)) !=
	    0 || json_object_object_add(c, "exp", json_object_new_int64(iat +
	    PUSH_FCM_ASSERTION_TTL_S)) != 0) {
		json_object_put(h);
		json_object_put(c);
		return NULL;
	}
	return sign_json(key, JWS_RS256, h, c);
}

char *
push_fcm_token_request(const char *assertion)
{
	/* The assertion is base64url and dots: nothing to escape. */
	static const char HEAD[] = "grant_type=urn%3Aietf%3Aparams%3Aoauth"
	    "%3Agrant-type%3Ajwt-bearer&assertion=";
	size_t n = strlen(assertion);
	char *out;

	if (strspn(assertion, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_.") != n ||
	    (out = malloc(sizeof(HEAD) + n)) == NULL)
		return NULL;
	memcpy(out, HEAD, sizeof(HEAD) - 1);
	memcpy(out + sizeof(HEAD) - 1, assertion, n + 1);
	return out;
}

int
push_fcm_token_parse(const char *body, char *token, size_t cap,
    int64_t *expires_in)
{
	json_object *o = json_tokener_parse(body), *v;
	const char *t;
	int rc = -1;

	*expires_in = 0;
	if (cap > 0)
		token[0] = '\0';
	if (o == NULL || (t = member_str(o, "access_token")) == NULL ||
	    t[0] == '\0' || strlen(t) >= cap ||
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~+/=") != strlen(t))
		goto done;
	*expires_in = 3600;
	if (json_object_object_get_ex(o, "expires_in", &v) &&
	    json_object_is_type(v, json_type_int))
		*expires_in = json_object_get_int64(v);
	if (*expires_in <= 0)
		goto done;
	snprintf(token, cap, "%s", t);
	rc = 0;
done:
	json_object_put(o);
	return rc;
}

/* --- answers ------------------------------------------------------------ */

/* The why of an answer: "HTTP n" and the service's reason if any. */
static void
why_text(char *why, size_t cap, long http, const char *reason)
{
	if (http == 0)
		snprintf(why, cap, "no answer");
	else if (reason != NULL && reason[0] != '\0')
		snprintf(why, cap, "HTTP %ld %.100s", http, reason);
	else
		snprintf(why, cap, "HTTP %ld", http);
}

enum push_outcome
push_apns_outcome(long http, const char *body, char *why, size_t cap)
{
	json_object *o = body != NULL ? json_tokener_parse(body) : NULL;
	const char *reason = o != NULL ? member_str(o, "reason") : NULL;
	enum push_outcome r;

	why_text(why, cap, http, reason);
	if (reason == NULL)
		reason = "";
	if (http == 200)
		r = PUSH_OUT_DELIVERED;
	else if (http == 410 || (http == 400 && (strcmp(reason,
	    "BadDeviceToken") == 0 || strcmp(reason,
	    "DeviceTokenNotForTopic") == 0)))
		r = PUSH_OUT_BAD_TOKEN;
	else if (http == 403 && (strcmp(reason, "ExpiredProviderToken") ==
	    0 || strcmp(reason, "InvalidProviderToken") == 0))
		r = PUSH_OUT_REAUTH;
	else if (http == 0 || http == 429 || http >= 500)
		r = PUSH_OUT_RETRY;
	else
		r = PUSH_OUT_REJECTED;
	json_object_put(o);
	return r;
}

/* error.details[].errorCode of an FCM error answer, else error.status. */
static const char *
fcm_code(json_object *o, const char **message)
{
	json_object *err, *details, *d;
	const char *code;
	size_t i, n;

	*message = "";
	if (o == NULL || !json_object_object_get_ex(o, "error", &err) ||
	    !json_object_is_type(err, json_type_object))
		return "";
	if (member_str(err, "message") != NULL)
		*message = member_str(err, "message");
	if (json_object_object_get_ex(err, "details", &details) &&
	    json_object_is_type(details, json_type_array))
		for (i = 0, n = json_object_array_length(details); i < n;
		    i++) {
			d = json_object_array_get_idx(details, i);
			if ((code = member_str(d, "errorCode")) != NULL)
				return code;
		}
	code = member_str(err, "status");
	return code != NULL ? code : "";
}

enum push_outcome
push_fcm_outcome(long http, const char *body, char *why, size_t cap)
{
	json_object *o = body != NULL ? json_tokener_parse(body) : NULL;
	const char *message, *code = fcm_code(o, &message);
	enum push_outcome r;

	why_text(why, cap, http, code);
	if (http == 200)
		r = PUSH_OUT_DELIVERED;
	else if (http == 404 || strcmp(code, "UNREGISTERED") == 0 ||
	    strcmp(code, "SENDER_ID_MISMATCH") == 0 ||
	    (http == 400 && strcmp(code, "INVALID_ARGUMENT") == 0 &&
	    strcasestr(message, "token") != NULL))
		r = PUSH_OUT_BAD_TOKEN;
	else if (http == 401)
		r = PUSH_OUT_REAUTH;
	else if (http == 0 || http == 429 || http >= 500)
		r = PUSH_OUT_RETRY;
	else
		r = PUSH_OUT_REJECTED;
	json_object_put(o);
	return r;
}
