/* callbacks.c - rules and secrets of webhook callbacks (callbacks.h). */
#include <config.h>

#include "service/callbacks.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/base64.h"
#include "common/uuid.h"
#include "service/secrets.h"
#include "store/users.h"

#define JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

#define MS_SECOND	1000LL
#define MS_MINUTE	(60 * MS_SECOND)
#define MS_HOUR		(60 * MS_MINUTE)
#define MS_DAY		(24 * MS_HOUR)

static const char TYPE_REGISTRATION[] = "REGISTRATION_STATUS_CHANGE";
static const char TYPE_OPERATION[] = "OPERATION_STATUS_CHANGE";

/* The payload attributes a callback of each type may select (what the
 * event_outbox payloads of schema/006_events.sql hold). */
static const char *const REGISTRATION_ATTRIBUTES[] = { "userId",
    "activationName", "deviceInfo", "platform", "protocol",
    "activationFlags", "activationStatus", "blockedReason",
    "applicationId", NULL };
static const char *const OPERATION_ATTRIBUTES[] = { "userId",
    "applications", "operationType", "parameters", "additionalData",
    "activationFlag", "status", "data", "failureCount", "maxFailureCount",
    "signatureType", "externalId", "timestampCreated", "timestampExpires",
    "timestampFinalized", NULL };
#define ATTRIBUTES_MAX	15	/* the longer list */

/*
 * The authentication toward the receiver, section by section. A secret
 * is never shown (it reads "<name>Set": true) and, on a replace, stays
 * when the client leaves it out.
 */
enum auth_kind {
	AUTH_TEXT = 1,		/* shown */
	AUTH_PATH,		/* absolute path on the dispatcher's host */
	AUTH_SECRET
};

struct auth_field {
	const char	*name;
	enum auth_kind	 kind;
	size_t		 max;
	int		 required;
};

static const struct auth_section {
	const char		*name;
	struct auth_field	 fields[4];
	const char		*keys;		/* why, for an unknown key */
	const char		*missing;	/* why, for a required field */
} AUTH_SECTIONS[] = {
	{ "httpBasic", { { "username", AUTH_TEXT, 255, 1 },
	    { "password", AUTH_SECRET, 255, 1 } },
	    "authentication.httpBasic has only enabled, username, password",
	    "authentication.httpBasic needs a username (without ':') and "
	    "a password of 1 to 255 characters" },
	{ "bearer", { { "token", AUTH_SECRET, 2048, 1 } },
	    "authentication.bearer has only enabled, token",
	    "authentication.bearer needs a token of 1 to 2048 visible "
	    "ASCII characters" },
	{ "certificate", { { "certificateFile", AUTH_PATH, 1024, 1 },
	    { "keyFile", AUTH_PATH, 1024, 1 },
	    { "keyPassword", AUTH_SECRET, 255, 0 },
	    { "caFile", AUTH_PATH, 1024, 0 } },
	    "authentication.certificate has only enabled, certificateFile, "
	    "keyFile, keyPassword, caFile",
	    "authentication.certificate needs certificateFile and keyFile "
	    "as absolute paths (caFile too when given) and a keyPassword of "
	    "at most 255 characters" },
};
#define NAUTH_SECTIONS	(sizeof(AUTH_SECTIONS) / sizeof(AUTH_SECTIONS[0]))

/* --- durations ---------------------------------------------------------- */

/* Up to three decimals after a '.' at *p as milliseconds; -1 if none. */
static int64_t
fraction_ms(const char **p)
{
	int64_t ms = 0, scale = 100;
	const char *s = *p + 1;

	if (**p != '.' || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, scale /= 10) {
		if (scale == 0)
			return -1;
		ms += (*s - '0') * scale;
	}
	*p = s;
	return ms;
}

int
callback_duration_parse(const char *s, int64_t *ms)
{
	static const struct {
		char	 unit;
		int	 in_time;
		int64_t	 ms;
	} UNITS[] = { { 'D', 0, MS_DAY }, { 'H', 1, MS_HOUR },
	    { 'M', 1, MS_MINUTE }, { 'S', 1, MS_SECOND } };
	const char *p = s;
	int64_t n, frac;
	size_t u = 0, digits;
	int in_time = 0, parts = 0, has_frac;

	*ms = 0;
	if (s == NULL || *p++ != 'P')
		return -1;
	while (*p != '\0') {
		if (*p == 'T' && !in_time) {
			in_time = 1;
			parts = 0;
			p++;
			continue;
		}
		for (n = 0, digits = 0; *p >= '0' && *p <= '9'; p++)
			if (++digits > 9)
				return -1;
			else
				n = n * 10 + (*p - '0');
		has_frac = *p == '.';
		frac = has_frac ? fraction_ms(&p) : 0;
		while (u < 4 && (UNITS[u].unit != *p ||
		    UNITS[u].in_time != in_time))
			u++;
		if (digits == 0 || frac < 0 || u == 4 ||
		    (has_frac && UNITS[u].unit != 'S'))
			return -1;
		*ms += n * UNITS[u].ms + frac;
		u++;
		p++;
		parts++;
	}
	return parts > 0 ? 0 : -1;
}

void
callback_duration_format(int64_t ms, char *out, size_t cap)
{
	int64_t d = ms / MS_DAY, h = ms / MS_HOUR % 24, m = ms / MS_MINUTE %
	    60, s = ms / MS_SECOND % 60, f = ms % MS_SECOND;
	char buf[CALLBACK_DURATION_MAX], frac[8] = "";
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "P");
	if (d > 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%lldD",
		    (long long)d);
	if (d == 0 || h > 0 || m > 0 || s > 0 || f > 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "T");
	if (h > 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%lldH",
		    (long long)h);
	if (m > 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%lldM",
		    (long long)m);
	if (f > 0) {
		snprintf(frac, sizeof(frac), ".%03lld", (long long)f);
		while (frac[strlen(frac) - 1] == '0')
			frac[strlen(frac) - 1] = '\0';
	}
	if (s > 0 || f > 0 || ms == 0)
		snprintf(buf + n, sizeof(buf) - n, "%lld%sS", (long long)s,
		    frac);
	snprintf(out, cap, "%s", buf);
}

/*
 * A duration member: ISO-8601 text or an integer of milliseconds within
 * min..max; absent or null: dflt. 0 ok, -1 otherwise.
 */
static int
duration_value(json_object *v, int64_t dflt, int64_t min, int64_t max,
    int64_t *out)
{
	*out = dflt;
	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int))
		*out = json_object_get_int64(v);
	else if (!json_object_is_type(v, json_type_string) ||
	    callback_duration_parse(json_object_get_string(v), out) != 0)
		return -1;
	return *out >= min && *out <= max ? 0 : -1;
}

/* --- the other fields ---------------------------------------------------- */

/* Whether s has only visible ASCII characters (no space). */
static int
visible_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int
port_valid(const char *p, const char *end)
{
	long port = 0;

	if (p == end || end - p > 5)
		return 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535;
}

static const char *
url_problem(const char *u)
{
	const char *host, *end, *p;

	if (u == NULL || u[0] == '\0' || strlen(u) > CB_URL_MAX)
		return "callbackUrl must be 1 to 2048 characters";
	if (!visible_ascii(u))
		return "callbackUrl must not contain whitespace, control or "
		    "non-ASCII characters";
	if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return "callbackUrl must be an absolute http:// or https:// "
		    "URL";
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		return "callbackUrl must not hold credentials (use "
		    "authentication)";
	if (*host == '[') {
		for (p = host + 1; p < end && (strchr("0123456789abcdefABCDEF"
		    ":.", *p) != NULL); p++)
			;
		if (p == host + 1 || p == end || *p++ != ']')
			return "callbackUrl has a malformed IPv6 address";
	} else {
		for (p = host; p < end && (svc_ident_char((unsigned char)*p) &&
		    *p != '_'); p++)
			;
		if (p == host)
			return "callbackUrl needs a host";
	}
	if (p < end && (*p != ':' || !port_valid(p + 1, end)))
		return "callbackUrl has a malformed host or port";
	return NULL;
}

static const char *
attributes_json(json_object *a, const char *type, char *out, size_t cap)
{
	const char *const *allowed = strcmp(type, TYPE_OPERATION) == 0 ?
	    OPERATION_ATTRIBUTES : REGISTRATION_ATTRIBUTES;
	const char *seen[ATTRIBUTES_MAX], *s;
	json_object *v;
	size_t i, j, k, n;

	if (a == NULL)
		return svc_strings_to_json(NULL, 0, out, cap) == 0 ? NULL :
		    "out of memory";
	if (!json_object_is_type(a, json_type_array))
		return "attributes must be an array of attribute names";
	if ((n = json_object_array_length(a)) > ATTRIBUTES_MAX)
		return "attributes must not repeat a name";
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		s = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(s, allowed[j]) == 0)
				break;
		if (allowed[j] == NULL)
			return allowed == OPERATION_ATTRIBUTES ?
			    "attributes of an OPERATION_STATUS_CHANGE callback "
			    "are userId, applications, operationType, "
			    "parameters, additionalData, activationFlag, "
			    "status, data, failureCount, maxFailureCount, "
			    "signatureType, externalId, timestampCreated, "
			    "timestampExpires, timestampFinalized" :
			    "attributes of a REGISTRATION_STATUS_CHANGE "
			    "callback are userId, activationName, deviceInfo, "
			    "platform, protocol, activationFlags, "
			    "activationStatus, blockedReason, applicationId";
		for (k = 0; k < i; k++)
			if (seen[k] == allowed[j])
				return "attributes must not repeat a name";
		seen[i] = allowed[j];
	}
	return svc_strings_to_json(seen, n, out, cap) == 0 ? NULL :
	    "out of memory";
}

static const char *
policy_problem(const struct callback_req *r, struct callback_row *c)
{
	json_object *v = r->backoff_multiplier;
	int64_t n;
	double x;

	c->max_attempts = CALLBACK_DEFAULT_MAX_ATTEMPTS;
	if (r->max_attempts != NULL) {
		n = json_object_get_int64(r->max_attempts);
		if (!json_object_is_type(r->max_attempts, json_type_int) ||
		    n < 1 || n > CALLBACK_MAX_ATTEMPTS)
			return "maxAttempts must be an integer of 1 to 1000";
		c->max_attempts = n;
	}
	if (duration_value(r->initial_backoff,
	    CALLBACK_DEFAULT_INITIAL_BACKOFF_MS, 100, MS_HOUR,
	    &c->initial_backoff_ms) != 0)
		return "initialBackoff must be an ISO-8601 duration (PT2S) or "
		    "milliseconds, from 100 ms to 1 hour";
	c->backoff_multiplier_pct = CALLBACK_DEFAULT_MULTIPLIER_PCT;
	if (v != NULL) {
		x = json_object_get_double(v);
		if ((!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int)) ||
		    !(x >= 1.0 && x <= 10.0))
			return "backoffMultiplier must be a number from 1.0 to "
			    "10.0";
		c->backoff_multiplier_pct = (int64_t)(x * 100.0 + 0.5);
	}
	/* The default ceiling never sits below the first delay. */
	if (duration_value(r->max_backoff, c->initial_backoff_ms >
	    CALLBACK_DEFAULT_MAX_BACKOFF_MS ? c->initial_backoff_ms :
	    CALLBACK_DEFAULT_MAX_BACKOFF_MS, c->initial_backoff_ms, MS_DAY,
	    &c->max_backoff_ms) != 0)
		return "maxBackoff must be an ISO-8601 duration (PT5M) or "
		    "milliseconds, from initialBackoff to 1 day";
	if (duration_value(r->retention_period, CALLBACK_DEFAULT_RETENTION_S *
	    MS_SECOND, MS_HOUR, 365 * MS_DAY, &n) != 0 || n % MS_SECOND != 0)
		return "retentionPeriod must be an ISO-8601 duration (P30D) or "
		    "milliseconds, whole seconds from 1 hour to 365 days";
	c->retention_s = n / MS_SECOND;
	return NULL;
}

/* --- authentication ----------------------------------------------------- */

/* A string field of a section: 0 ok (absent or null: *out = NULL). */
static int
auth_text(json_object *o, const struct auth_field *f, const char **out)
{
	json_object *v;
	const char *s;

	*out = NULL;
	if (!json_object_object_get_ex(o, f->name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (s[0] == '\0') {
		*out = s;
		return f->required ? -1 : 0;
	}
	/* A bearer token goes into a header as it is (RFC 6750 b64token);
	 * a username must not hold the ':' that ends it (RFC 7617). */
	if (!svc_text_valid(s, f->max) ||
	    (f->kind == AUTH_PATH && s[0] != '/') ||
	    (strcmp(f->name, "token") == 0 && !visible_ascii(s)) ||
	    (strcmp(f->name, "username") == 0 && strchr(s, ':') != NULL))
		return -1;
	*out = s;
	return 0;
}

/* Whether key is "enabled", a field of sec or a field's "<name>Set". */
static int
auth_key_known(const struct auth_section *sec, const char *key)
{
	const struct auth_field *f;
	size_t i, n;

	if (strcmp(key, "enabled") == 0)
		return 1;
	for (i = 0; i < 4 && (f = &sec->fields[i])->name != NULL; i++) {
		n = strlen(f->name);
		if (strcmp(key, f->name) == 0 || (f->kind == AUTH_SECRET &&
		    strncmp(key, f->name, n) == 0 && strcmp(key + n, "Set") ==
		    0))
			return 1;
	}
	return 0;
}

/* One section into out (a new object added to dst); old: the stored one. */
static const char *
auth_section(const struct auth_section *sec, json_object *in,
    json_object *old, json_object *dst)
{
	const struct auth_field *f;
	json_object *o, *v = NULL;
	const char *s;
	size_t i;

	if (!json_object_is_type(in, json_type_object))
		return "authentication sections must be objects";
	json_object_object_foreach(in, key, val) {
		(void)val;
		if (!auth_key_known(sec, key))
			return sec->keys;
	}
	if (!json_object_object_get_ex(in, "enabled", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return "authentication sections need \"enabled\": true or "
		    "false";
	if ((o = json_object_new_object()) == NULL)
		return "out of memory";
	json_object_object_add(dst, sec->name, o);
	json_object_object_add(o, "enabled",
	    json_object_new_boolean(json_object_get_boolean(v)));
	if (!json_object_get_boolean(v))
		return NULL;
	for (i = 0; i < 4 && (f = &sec->fields[i])->name != NULL; i++) {
		if (auth_text(in, f, &s) != 0)
			return sec->missing;
		/* A secret left out stays as it was: a GET body
		 * round-trips. */
		if (s == NULL && f->kind == AUTH_SECRET && old != NULL &&
		    json_object_object_get_ex(old, f->name, &v))
			s = json_object_get_string(v);
		if (s == NULL && f->required)
			return sec->missing;
		if (s != NULL && s[0] != '\0')
			json_object_object_add(o, f->name,
			    json_object_new_string(s));
	}
	return NULL;
}

/* The value of a boolean member "enabled" of section name in o. */
static int
auth_enabled(json_object *o, const char *name)
{
	json_object *sec, *v;

	return json_object_object_get_ex(o, name, &sec) &&
	    json_object_object_get_ex(sec, "enabled", &v) &&
	    json_object_get_boolean(v);
}

/* Text of o into out (cap bytes); -1 if it does not fit. */
static int
compact_text(json_object *o, char *out, size_t cap)
{
	const char *s = json_object_to_json_string_ext(o, JSON_FLAGS);

	if (s == NULL || strlen(s) >= cap)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static const char *
auth_json(json_object *in, const char *stored, char *out, size_t cap)
{
	json_object *dst = NULL, *old = NULL, *sec, *prev;
	const char *why = NULL;
	size_t i;

	out[0] = '\0';
	if (in == NULL)
		return NULL;
	if (!json_object_is_type(in, json_type_object))
		return "authentication must be an object";
	json_object_object_foreach(in, key, val) {
		(void)val;
		for (i = 0; i < NAUTH_SECTIONS; i++)
			if (strcmp(key, AUTH_SECTIONS[i].name) == 0)
				break;
		if (i == NAUTH_SECTIONS)
			return "authentication has only httpBasic, bearer, "
			    "certificate";
	}
	if ((dst = json_object_new_object()) == NULL)
		return "out of memory";
	old = stored != NULL ? json_tokener_parse(stored) : NULL;
	for (i = 0; why == NULL && i < NAUTH_SECTIONS; i++) {
		prev = NULL;
		if (!json_object_object_get_ex(in, AUTH_SECTIONS[i].name,
		    &sec) || sec == NULL)
			continue;
		if (old != NULL && auth_enabled(old, AUTH_SECTIONS[i].name))
			(void)json_object_object_get_ex(old,
			    AUTH_SECTIONS[i].name, &prev);
		why = auth_section(&AUTH_SECTIONS[i], sec, prev, dst);
	}
	if (why == NULL && auth_enabled(dst, "httpBasic") &&
	    auth_enabled(dst, "bearer"))
		why = "authentication: httpBasic and bearer cannot both be "
		    "enabled";
	if (why == NULL && json_object_object_length(dst) > 0 &&
	    compact_text(dst, out, cap) != 0)
		why = "authentication is too long";
	if (why != NULL)
		OPENSSL_cleanse(out, cap);
	json_object_put(dst);
	json_object_put(old);
	return why;
}

int
callback_auth_redact(const char *auth, char *out, size_t cap)
{
	const struct auth_field *f;
	json_object *o, *sec;
	char set[32];
	size_t i, j;
	int rc = -1;

	out[0] = '\0';
	if (auth == NULL || auth[0] == '\0')
		return 0;
	if ((o = json_tokener_parse(auth)) == NULL ||
	    !json_object_is_type(o, json_type_object))
		goto done;
	for (i = 0; i < NAUTH_SECTIONS; i++) {
		if (!json_object_object_get_ex(o, AUTH_SECTIONS[i].name, &sec))
			continue;
		for (j = 0; j < 4; j++) {
			f = &AUTH_SECTIONS[i].fields[j];
			if (f->name == NULL || f->kind != AUTH_SECRET ||
			    !json_object_object_get_ex(sec, f->name, NULL))
				continue;
			json_object_object_del(sec, f->name);
			snprintf(set, sizeof(set), "%sSet", f->name);
			json_object_object_add(sec, set,
			    json_object_new_boolean(1));
		}
	}
	rc = compact_text(o, out, cap);
done:
	json_object_put(o);
	return rc;
}

const char *
callback_check(const struct callback_req *r, const char *stored_auth,
    struct callback_row *c, char *auth, size_t cap)
{
	const char *why;

	memset(c, 0, sizeof(*c));
	auth[0] = '\0';
	if (r->name == NULL || !svc_text_valid(r->name, CB_NAME_MAX))
		return "name must be 1 to 255 characters, no control "
		    "characters";
	if (r->type == NULL || (strcmp(r->type, TYPE_REGISTRATION) != 0 &&
	    strcmp(r->type, TYPE_OPERATION) != 0))
		return "type must be REGISTRATION_STATUS_CHANGE or "
		    "OPERATION_STATUS_CHANGE";
	if ((why = url_problem(r->url)) != NULL ||
	    (why = attributes_json(r->attributes, r->type, c->attributes,
	    sizeof(c->attributes))) != NULL ||
	    (why = policy_problem(r, c)) != NULL ||
	    (why = auth_json(r->authentication, stored_auth, auth, cap)) !=
	    NULL)
		return why;
	snprintf(c->name, sizeof(c->name), "%s", r->name);
	snprintf(c->type, sizeof(c->type), "%s", r->type);
	snprintf(c->url, sizeof(c->url), "%s", r->url);
	return NULL;
}

int
callback_delivery_status_parse(const char *s)
{
	int i;

	for (i = CB_PENDING; s != NULL && i <= CB_FAILED; i++)
		if (strcmp(s, callback_delivery_status_name(i)) == 0)
			return i;
	return 0;
}

const char *
callback_delivery_status_name(int status)
{
	switch (status) {
	case CB_PENDING:
		return "PENDING";
	case CB_DELIVERED:
		return "DELIVERED";
	case CB_FAILED:
		return "FAILED";
	default:
		return "UNKNOWN";
	}
}

/* --- stored callbacks ---------------------------------------------------- */

/* The caller may manage the application's callbacks, and it exists. */
static enum svc_rc
app_in_scope(struct db *db, const struct reg_scope *scope,
    const char *app_id)
{
	struct app_row *app;
	enum svc_rc rc;

	if (app_id == NULL || app_id[0] == '\0' || strlen(app_id) > APP_ID_MAX)
		return SVC_APP_NOT_FOUND;
	if (!scope->admin)
		return svc_from_db(users_has_app(db, scope->caller_id, app_id),
		    SVC_APP_NOT_FOUND);
	if ((app = malloc(sizeof(*app))) == NULL)
		return SVC_INTERNAL;
	rc = svc_from_db(apps_get(db, app_id, app), SVC_APP_NOT_FOUND);
	OPENSSL_cleanse(app, sizeof(*app));
	free(app);
	return rc;
}

/* The callback id of the application, within the caller's scope. */
static enum svc_rc
find(struct db *db, const struct reg_scope *scope, const char *app_id,
    const char *id, struct callback_row *out)
{
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = app_in_scope(db, scope, app_id)) != SVC_OK)
		return rc;
	if (id == NULL || !uuid_is_valid(id))
		return SVC_CALLBACK_NOT_FOUND;
	return svc_from_db(cb_get(db, app_id, id, out),
	    SVC_CALLBACK_NOT_FOUND);
}

/* A fresh HMAC key into c->secret_enc (encrypted) and b64. */
static enum svc_rc
new_secret(const struct config *cfg, struct callback_row *c,
    char b64[CALLBACK_SECRET_B64_LEN + 1])
{
	uint8_t key[CALLBACK_SECRET_LEN];
	enum svc_rc rc = SVC_INTERNAL;
	char *enc = NULL;

	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    (enc = secret_seal(cfg, SECRET_CB_HMAC, NULL, c->id, key,
	    sizeof(key), CB_SECRET_ENC_MAX)) == NULL)
		goto done;
	snprintf(c->secret_enc, sizeof(c->secret_enc), "%s", enc);
	b64_encode(key, sizeof(key), b64);
	rc = SVC_OK;
done:
	OPENSSL_cleanse(key, sizeof(key));
	free(enc);
	return rc;
}

/*
 * The stored HMAC key of old kept in c->secret_enc, under the current
 * master key: a value read before a key rotation re-encrypted the row
 * must not be written back under the previous key.
 */
static enum svc_rc
keep_secret(const struct config *cfg, const struct callback_row *old,
    struct callback_row *c)
{
	enum secret_key k;
	char *fresh = NULL;

	k = secret_reseal(cfg, SECRET_CB_HMAC, NULL, old->id, old->secret_enc,
	    CB_SECRET_ENC_MAX, &fresh);
	snprintf(c->secret_enc, sizeof(c->secret_enc), "%s",
	    fresh != NULL ? fresh : old->secret_enc);
	free(fresh);
	return k == SECRET_KEY_ERROR ? SVC_INTERNAL : SVC_OK;
}

/* The authentication (plain JSON or "") into c->auth_enc. */
static enum svc_rc
seal_auth(const struct config *cfg, struct callback_row *c,
    const char *auth)
{
	char *enc;

	c->auth_enc[0] = '\0';
	if (auth[0] == '\0')
		return SVC_OK;
	if ((enc = secret_seal(cfg, SECRET_CB_AUTH, NULL, c->id,
	    (const uint8_t *)auth, strlen(auth), CB_AUTH_ENC_MAX)) == NULL)
		return SVC_INTERNAL;
	snprintf(c->auth_enc, sizeof(c->auth_enc), "%s", enc);
	free(enc);
	return SVC_OK;
}

/* The stored authentication in clear into out (cap bytes; "" none). */
static int
open_auth(const struct config *cfg, const struct callback_row *c,
    char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	if (c->auth_enc[0] == '\0')
		return 0;
	if (secret_open(cfg, SECRET_CB_AUTH, NULL, c->id, c->auth_enc,
	    (uint8_t *)out, cap - 1, &n) < SECRET_KEY_CURRENT)
		return -1;
	out[n] = '\0';
	return 0;
}

/* out->auth from out->row: the authentication without its secrets. */
static enum svc_rc
redact(const struct config *cfg, struct callback *out)
{
	char plain[CALLBACK_AUTH_MAX + 1];
	int rc;

	rc = open_auth(cfg, &out->row, plain, sizeof(plain)) != 0 ||
	    callback_auth_redact(plain, out->auth, sizeof(out->auth)) != 0;
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc ? SVC_INTERNAL : SVC_OK;
}

/* Reads back what was stored (timestamps are the server's). */
static enum svc_rc
reload(struct db *db, const struct config *cfg, struct callback *out)
{
	char app_id[APP_ID_MAX + 1], id[CB_ID_LEN + 1];
	enum svc_rc rc;

	memcpy(app_id, out->row.app_id, sizeof(app_id));
	memcpy(id, out->row.id, sizeof(id));
	rc = svc_from_db(cb_get(db, app_id, id, &out->row),
	    SVC_CALLBACK_NOT_FOUND);
	return rc == SVC_OK ? redact(cfg, out) : rc;
}

enum svc_rc
callback_create(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *app_id,
    const struct callback_req *r, struct callback *out, const char **why)
{
	struct callback_row *c = &out->row;
	char auth[CALLBACK_AUTH_MAX + 1];
	enum svc_rc rc;
	int dbrc;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	auth[0] = '\0';
	if ((rc = app_in_scope(db, scope, app_id)) != SVC_OK)
		goto done;
	if ((*why = callback_check(r, NULL, c, auth, sizeof(auth))) != NULL) {
		rc = SVC_INVALID;
		goto done;
	}
	snprintf(c->app_id, sizeof(c->app_id), "%s", app_id);
	rc = SVC_INTERNAL;
	if (uuid_v4_generate(c->id) != 0 ||
	    (rc = new_secret(cfg, c, out->secret)) != SVC_OK ||
	    (rc = seal_auth(cfg, c, auth)) != SVC_OK)
		goto done;
	dbrc = cb_insert(db, c);
	rc = dbrc == DB_NO_PARENT ? SVC_APP_NOT_FOUND :
	    svc_from_db(dbrc, SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = reload(db, cfg, out);
done:
	OPENSSL_cleanse(auth, sizeof(auth));
	if (rc != SVC_OK)
		OPENSSL_cleanse(out->secret, sizeof(out->secret));
	return rc;
}

enum svc_rc
callback_replace(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *app_id, const char *id,
    const struct callback_req *r, struct callback *out, const char **why)
{
	struct callback_row *old;
	char stored[CALLBACK_AUTH_MAX + 1], auth[CALLBACK_AUTH_MAX + 1];
	enum svc_rc rc;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	stored[0] = auth[0] = '\0';
	if ((old = malloc(sizeof(*old))) == NULL)
		return SVC_INTERNAL;
	if ((rc = find(db, scope, app_id, id, old)) != SVC_OK)
		goto done;
	if (open_auth(cfg, old, stored, sizeof(stored)) != 0) {
		rc = SVC_INTERNAL;
		goto done;
	}
	if ((*why = callback_check(r, stored[0] != '\0' ? stored : NULL,
	    &out->row, auth, sizeof(auth))) != NULL) {
		rc = SVC_INVALID;
		goto done;
	}
	memcpy(out->row.id, old->id, sizeof(old->id));
	memcpy(out->row.app_id, old->app_id, sizeof(old->app_id));
	rc = r->rotate_secret ? new_secret(cfg, &out->row, out->secret) :
	    keep_secret(cfg, old, &out->row);
	if (rc != SVC_OK || (rc = seal_auth(cfg, &out->row, auth)) != SVC_OK)
		goto done;
	rc = svc_from_db(cb_replace(db, &out->row), SVC_CALLBACK_NOT_FOUND);
	if (rc == SVC_OK)
		rc = reload(db, cfg, out);
done:
	OPENSSL_cleanse(stored, sizeof(stored));
	OPENSSL_cleanse(auth, sizeof(auth));
	if (rc != SVC_OK)
		OPENSSL_cleanse(out->secret, sizeof(out->secret));
	free(old);
	return rc;
}

enum svc_rc
callback_get(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *app_id, const char *id,
    struct callback *out)
{
	enum svc_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = find(db, scope, app_id, id, &out->row)) != SVC_OK)
		return rc;
	return redact(cfg, out);
}

struct list_ctx {
	const struct config	*cfg;
	struct callback		 cb;
	int			(*fn)(const struct callback *, void *);
	void			*arg;
};

static int
list_row(const struct callback_row *row, void *arg)
{
	struct list_ctx *lc = arg;

	memcpy(&lc->cb.row, row, sizeof(*row));
	if (redact(lc->cfg, &lc->cb) != SVC_OK)
		return -1;
	return lc->fn(&lc->cb, lc->arg);
}

enum svc_rc
callback_list(struct db *db, const struct config *cfg,
    const struct reg_scope *scope, const char *app_id,
    int (*fn)(const struct callback *, void *), void *arg)
{
	struct list_ctx *lc;
	enum svc_rc rc;

	if ((rc = app_in_scope(db, scope, app_id)) != SVC_OK)
		return rc;
	if ((lc = calloc(1, sizeof(*lc))) == NULL)
		return SVC_INTERNAL;
	lc->cfg = cfg;
	lc->fn = fn;
	lc->arg = arg;
	rc = svc_from_db(cb_list(db, app_id, list_row, lc), SVC_INTERNAL);
	free(lc);
	return rc;
}

enum svc_rc
callback_delete(struct db *db, const struct reg_scope *scope,
    const char *app_id, const char *id)
{
	enum svc_rc rc;

	if ((rc = app_in_scope(db, scope, app_id)) != SVC_OK)
		return rc;
	if (id == NULL || !uuid_is_valid(id))
		return SVC_CALLBACK_NOT_FOUND;
	return svc_from_db(cb_delete(db, app_id, id), SVC_CALLBACK_NOT_FOUND);
}

enum svc_rc
callback_deliveries(struct db *db, const struct reg_scope *scope,
    const char *app_id, const char *id, int status, int64_t limit,
    int (*fn)(const struct cb_delivery_row *, void *), void *arg)
{
	struct callback_row *c;
	enum svc_rc rc;

	if ((c = malloc(sizeof(*c))) == NULL)
		return SVC_INTERNAL;
	rc = find(db, scope, app_id, id, c);
	free(c);
	if (rc != SVC_OK)
		return rc;
	return svc_from_db(cb_deliveries(db, id, status, limit, fn, arg),
	    SVC_INTERNAL);
}

enum svc_rc
callback_queue_status(struct db *db, struct delivery_counts *counts,
    int (*fn)(const struct dispatcher_row *, void *), void *arg)
{
	int rc;

	if ((rc = dlv_counts(db, counts)) != DB_OK)
		return svc_from_db(rc, SVC_INTERNAL);
	return svc_from_db(dlv_dispatchers(db, fn, arg), SVC_INTERNAL);
}
