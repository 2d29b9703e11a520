/* The rules of webhook callbacks (service/callbacks.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "service/callbacks.h"
#include "tap.h"

static struct callback_row row;
static char auth[CALLBACK_AUTH_MAX + 1];

static void
dur_ok(const char *s, int64_t want)
{
	int64_t ms = -1;

	tap_ok(callback_duration_parse(s, &ms) == 0 && ms == want,
	    "duration %s = %lld ms (got %lld)", s, (long long)want,
	    (long long)ms);
}

static void
dur_bad(const char *s)
{
	int64_t ms;

	tap_ok(callback_duration_parse(s, &ms) != 0, "duration refused: %s",
	    s);
}

static void
dur_fmt(int64_t ms, const char *want)
{
	char out[CALLBACK_DURATION_MAX];
	int64_t back = -1;

	callback_duration_format(ms, out, sizeof(out));
	tap_str(out, want, "%lld ms formats as %s", (long long)ms, want);
	tap_ok(callback_duration_parse(out, &back) == 0 && back == ms,
	    "%s parses back", out);
}

static struct callback_req
req(const char *type, const char *url)
{
	struct callback_req r;

	memset(&r, 0, sizeof(r));
	r.name = "my callback";
	r.type = type;
	r.url = url;
	return r;
}

/* The check of a request whose JSON members are given as text. */
static const char *
check_json(const char *type, const char *url, const char *attributes,
    const char *authentication, const char *stored)
{
	struct callback_req r = req(type, url);
	const char *why;

	r.attributes = attributes != NULL ? json_tokener_parse(attributes) :
	    NULL;
	r.authentication = authentication != NULL ?
	    json_tokener_parse(authentication) : NULL;
	why = callback_check(&r, stored, &row, auth, sizeof(auth));
	json_object_put(r.attributes);
	json_object_put(r.authentication);
	return why;
}

static void
refused(const char *why, const char *want, const char *what)
{
	tap_ok(why != NULL && strstr(why, want) != NULL, "refused: %s (%s)",
	    what, why != NULL ? why : "accepted");
}

static void
url_ok(const char *url)
{
	const char *why = check_json("REGISTRATION_STATUS_CHANGE", url, NULL,
	    NULL, NULL);

	tap_ok(why == NULL, "callbackUrl accepted: %s (%s)", url,
	    why != NULL ? why : "ok");
}

static void
url_bad(const char *url, const char *what)
{
	refused(check_json("REGISTRATION_STATUS_CHANGE", url, NULL, NULL,
	    NULL), "callbackUrl", what);
}

/* The retry policy of a request with one member set from JSON text. */
static const char *
policy(const char *member, const char *value)
{
	struct callback_req r = req("OPERATION_STATUS_CHANGE",
	    "https://example.com/hook");
	json_object *v = json_tokener_parse(value);
	const char *why;

	if (strcmp(member, "maxAttempts") == 0)
		r.max_attempts = v;
	else if (strcmp(member, "initialBackoff") == 0)
		r.initial_backoff = v;
	else if (strcmp(member, "backoffMultiplier") == 0)
		r.backoff_multiplier = v;
	else if (strcmp(member, "maxBackoff") == 0)
		r.max_backoff = v;
	else
		r.retention_period = v;
	why = callback_check(&r, NULL, &row, auth, sizeof(auth));
	json_object_put(v);
	return why;
}

static void
durations(void)
{
	dur_ok("PT2S", 2000);
	dur_ok("P30D", 30LL * 86400000);
	dur_ok("PT1M30S", 90000);
	dur_ok("PT5M", 300000);
	dur_ok("P1DT2H3M4S", 86400000LL + 7200000 + 180000 + 4000);
	dur_ok("PT0.5S", 500);
	dur_ok("PT1.25S", 1250);
	dur_ok("PT36H", 36LL * 3600000);
	dur_bad("");
	dur_bad("P");
	dur_bad("PT");
	dur_bad("P1DT");
	dur_bad("pt2s");
	dur_bad("PT2");
	dur_bad("2S");
	dur_bad("P1M");
	dur_bad("P1W");
	dur_bad("PT1S2M");
	dur_bad("PT1S1S");
	dur_bad("PT-1S");
	dur_bad("PT1.5M");
	dur_bad("PT1.0M");
	dur_bad("PT1.2345S");
	dur_bad("PT.5S");
	dur_bad("PT1.S");
	dur_bad("P1H");
	dur_bad("PT1HT1M");
	dur_bad("PT1234567890S");
	dur_bad(" PT2S");
	dur_fmt(2000, "PT2S");
	dur_fmt(300000, "PT5M");
	dur_fmt(30LL * 86400000, "P30D");
	dur_fmt(90000, "PT1M30S");
	dur_fmt(1500, "PT1.5S");
	dur_fmt(100, "PT0.1S");
	dur_fmt(3600000, "PT1H");
	dur_fmt(86400000LL + 1000, "P1DT1S");
	dur_fmt(0, "PT0S");
}

static void
urls(void)
{
	char big[CB_URL_MAX + 2];

	url_ok("https://example.com/hook");
	url_ok("http://127.0.0.1:8080/cb?x=1");
	url_ok("HTTPS://Example.COM");
	url_ok("https://[::1]:8443/x");
	url_ok("https://a.b-c.example");
	url_bad("ftp://example.com/", "ftp scheme");
	url_bad("/relative/path", "relative URL");
	url_bad("https://", "no host");
	url_bad("https:///path", "empty host");
	url_bad("https://exa mple.com/", "space");
	url_bad("https://example.com/\t", "tab");
	url_bad("https://example.com/\xc3\xa9", "non-ASCII");
	url_bad("https://user:pw@example.com/", "credentials");
	url_bad("https://example.com:0/", "port 0");
	url_bad("https://example.com:65536/", "port 65536");
	url_bad("https://example.com:x/", "port not a number");
	url_bad("https://example.com:/", "empty port");
	url_bad("https://ex_ample.com/", "underscore in host");
	url_bad("https://[::1/", "open IPv6 bracket");
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "https://x.example/", 18);
	big[sizeof(big) - 1] = '\0';
	url_bad(big, "2049 characters");
	big[sizeof(big) - 2] = '\0';
	url_ok(big);
}

static void
attributes(void)
{
	const char *why;

	why = check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "[\"userId\",\"activationStatus\",\"applicationId\"]", NULL, NULL);
	tap_ok(why == NULL, "registration attributes accepted");
	tap_str(row.attributes,
	    "[\"userId\",\"activationStatus\",\"applicationId\"]",
	    "attributes kept in the given order");
	why = check_json("OPERATION_STATUS_CHANGE", "https://e.example",
	    "[\"userId\",\"applications\",\"operationType\",\"parameters\","
	    "\"additionalData\",\"activationFlag\",\"status\",\"data\","
	    "\"failureCount\",\"maxFailureCount\",\"signatureType\","
	    "\"externalId\",\"timestampCreated\",\"timestampExpires\","
	    "\"timestampFinalized\"]", NULL, NULL);
	tap_ok(why == NULL, "every operation attribute accepted");
	refused(check_json("OPERATION_STATUS_CHANGE", "https://e.example",
	    "[\"activationStatus\"]", NULL, NULL), "OPERATION_STATUS_CHANGE",
	    "a registration attribute on an operation callback");
	refused(check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "[\"operationType\"]", NULL, NULL), "REGISTRATION_STATUS_CHANGE",
	    "an operation attribute on a registration callback");
	refused(check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "[\"userId\",\"userId\"]", NULL, NULL), "repeat",
	    "an attribute twice");
	refused(check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "[1]", NULL, NULL), "attributes", "a number as attribute");
	refused(check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "\"userId\"", NULL, NULL), "array", "attributes not an array");
	refused(check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    "[\"type\"]", NULL, NULL), "attributes", "type as attribute");
}

static void
defaults_and_fields(void)
{
	struct callback_req r;

	r = req("REGISTRATION_STATUS_CHANGE", "https://example.com/hook");
	tap_ok(callback_check(&r, NULL, &row, auth, sizeof(auth)) == NULL,
	    "minimal callback accepted");
	tap_ok(row.max_attempts == 50 && row.initial_backoff_ms == 2000 &&
	    row.backoff_multiplier_pct == 150 &&
	    row.max_backoff_ms == 300000 && row.retention_s == 2592000,
	    "defaults: 50 attempts, PT2S, x1.5, PT5M, P30D");
	tap_str(row.attributes, "[]", "default attributes: []");
	tap_str(auth, "", "no authentication by default");
	tap_str(row.name, "my callback", "name kept");
	r.name = "";
	refused(callback_check(&r, NULL, &row, auth, sizeof(auth)), "name",
	    "empty name");
	r.name = "a\nb";
	refused(callback_check(&r, NULL, &row, auth, sizeof(auth)), "name",
	    "control character in the name");
	r = req("STATUS_CHANGE", "https://example.com/hook");
	refused(callback_check(&r, NULL, &row, auth, sizeof(auth)), "type",
	    "unknown type");

	tap_ok(policy("maxAttempts", "1000") == NULL && row.max_attempts ==
	    1000, "maxAttempts 1000");
	refused(policy("maxAttempts", "0"), "maxAttempts", "maxAttempts 0");
	refused(policy("maxAttempts", "1001"), "maxAttempts",
	    "maxAttempts 1001");
	refused(policy("maxAttempts", "\"5\""), "maxAttempts",
	    "maxAttempts as text");
	tap_ok(policy("initialBackoff", "100") == NULL &&
	    row.initial_backoff_ms == 100, "initialBackoff 100 ms");
	tap_ok(policy("initialBackoff", "\"PT1H\"") == NULL &&
	    row.initial_backoff_ms == 3600000 && row.max_backoff_ms ==
	    3600000, "initialBackoff PT1H; maxBackoff default follows it");
	refused(policy("initialBackoff", "99"), "initialBackoff", "99 ms");
	refused(policy("initialBackoff", "\"PT1H0.001S\""), "initialBackoff",
	    "over an hour");
	refused(policy("initialBackoff", "\"2 seconds\""), "initialBackoff",
	    "not a duration");
	refused(policy("initialBackoff", "1.5"), "initialBackoff",
	    "fractional milliseconds");
	tap_ok(policy("backoffMultiplier", "2") == NULL &&
	    row.backoff_multiplier_pct == 200, "backoffMultiplier 2");
	tap_ok(policy("backoffMultiplier", "1.25") == NULL &&
	    row.backoff_multiplier_pct == 125, "backoffMultiplier 1.25");
	refused(policy("backoffMultiplier", "0.9"), "backoffMultiplier",
	    "multiplier 0.9");
	refused(policy("backoffMultiplier", "10.5"), "backoffMultiplier",
	    "multiplier 10.5");
	refused(policy("backoffMultiplier", "\"1.5\""), "backoffMultiplier",
	    "multiplier as text");
	tap_ok(policy("maxBackoff", "\"P1D\"") == NULL &&
	    row.max_backoff_ms == 86400000, "maxBackoff P1D");
	refused(policy("maxBackoff", "\"PT1S\""), "maxBackoff",
	    "maxBackoff below initialBackoff");
	refused(policy("maxBackoff", "\"P1DT1S\""), "maxBackoff",
	    "maxBackoff over a day");
	tap_ok(policy("retentionPeriod", "\"PT1H\"") == NULL &&
	    row.retention_s == 3600, "retentionPeriod PT1H");
	tap_ok(policy("retentionPeriod", "\"P365D\"") == NULL &&
	    row.retention_s == 365 * 86400, "retentionPeriod P365D");
	refused(policy("retentionPeriod", "\"PT59M\""), "retentionPeriod",
	    "retention under an hour");
	refused(policy("retentionPeriod", "\"P366D\""), "retentionPeriod",
	    "retention over 365 days");
	refused(policy("retentionPeriod", "3600500"), "retentionPeriod",
	    "retention not whole seconds");
}

static const char *
auth_check(const char *authentication, const char *stored)
{
	return check_json("REGISTRATION_STATUS_CHANGE", "https://e.example",
	    NULL, authentication, stored);
}

static void
authentication(void)
{
	char shown[CALLBACK_AUTH_MAX + 64];
	char stored[CALLBACK_AUTH_MAX + 1];

	tap_ok(auth_check("{\"httpBasic\":{\"enabled\":true,\"username\":"
	    "\"u\",\"password\":\"p w\"}}", NULL) == NULL,
	    "httpBasic accepted");
	tap_str(auth, "{\"httpBasic\":{\"enabled\":true,\"username\":\"u\","
	    "\"password\":\"p w\"}}", "httpBasic stored");
	snprintf(stored, sizeof(stored), "%s", auth);
	tap_ok(callback_auth_redact(stored, shown, sizeof(shown)) == 0,
	    "redacted");
	tap_str(shown, "{\"httpBasic\":{\"enabled\":true,\"username\":\"u\","
	    "\"passwordSet\":true}}", "password shown as passwordSet");
	tap_ok(auth_check(shown, stored) == NULL, "the shown form is "
	    "accepted on replace");
	tap_str(auth, stored, "the stored password stays");
	refused(auth_check(shown, NULL), "httpBasic",
	    "no password and none stored");
	tap_ok(auth_check("{\"httpBasic\":{\"enabled\":true,\"username\":"
	    "\"u\",\"password\":\"new\"}}", stored) == NULL &&
	    strstr(auth, "\"new\"") != NULL, "a given password replaces it");
	tap_ok(auth_check("{\"httpBasic\":{\"enabled\":false,\"username\":"
	    "\"u\"}}", stored) == NULL, "disabled httpBasic accepted");
	tap_str(auth, "{\"httpBasic\":{\"enabled\":false}}",
	    "disabled: nothing but enabled kept");
	refused(auth_check("{\"httpBasic\":{\"enabled\":true,\"username\":"
	    "\"a:b\",\"password\":\"p\"}}", NULL), "httpBasic",
	    "username with a colon");
	refused(auth_check("{\"httpBasic\":{\"username\":\"u\","
	    "\"password\":\"p\"}}", NULL), "enabled", "no enabled");
	refused(auth_check("{\"httpBasic\":{\"enabled\":true,\"username\":"
	    "\"u\",\"password\":\"p\",\"realm\":\"x\"}}", NULL), "only",
	    "unknown key");
	refused(auth_check("{\"oauth2\":{\"enabled\":true}}", NULL),
	    "httpBasic, bearer, certificate", "oauth2");
	refused(auth_check("[]", NULL), "object", "not an object");

	tap_ok(auth_check("{\"bearer\":{\"enabled\":true,\"token\":"
	    "\"abc.DEF-_~+/=\"}}", NULL) == NULL, "bearer accepted");
	snprintf(stored, sizeof(stored), "%s", auth);
	callback_auth_redact(stored, shown, sizeof(shown));
	tap_str(shown, "{\"bearer\":{\"enabled\":true,\"tokenSet\":true}}",
	    "token shown as tokenSet");
	refused(auth_check("{\"bearer\":{\"enabled\":true,\"token\":"
	    "\"a b\"}}", NULL), "bearer", "token with a space");
	refused(auth_check("{\"bearer\":{\"enabled\":true}}", NULL), "bearer",
	    "bearer without a token");
	refused(auth_check("{\"bearer\":{\"enabled\":true,\"token\":\"t\"},"
	    "\"httpBasic\":{\"enabled\":true,\"username\":\"u\","
	    "\"password\":\"p\"}}", NULL), "both", "bearer and httpBasic");

	tap_ok(auth_check("{\"certificate\":{\"enabled\":true,"
	    "\"certificateFile\":\"/etc/c.pem\",\"keyFile\":\"/etc/k.pem\","
	    "\"keyPassword\":\"kp\",\"caFile\":\"/etc/ca.pem\"}}", NULL) ==
	    NULL, "certificate accepted");
	snprintf(stored, sizeof(stored), "%s", auth);
	callback_auth_redact(stored, shown, sizeof(shown));
	tap_str(shown, "{\"certificate\":{\"enabled\":true,"
	    "\"certificateFile\":\"/etc/c.pem\",\"keyFile\":\"/etc/k.pem\","
	    "\"caFile\":\"/etc/ca.pem\",\"keyPasswordSet\":true}}",
	    "key password hidden, paths shown");
	tap_ok(auth_check("{\"certificate\":{\"enabled\":true,"
	    "\"certificateFile\":\"/c\",\"keyFile\":\"/k\",\"keyPassword\":"
	    "\"\"}}", stored) == NULL && strstr(auth, "keyPassword") == NULL,
	    "an empty keyPassword removes it");
	refused(auth_check("{\"certificate\":{\"enabled\":true,"
	    "\"certificateFile\":\"c.pem\",\"keyFile\":\"/k\"}}", NULL),
	    "absolute", "relative certificate path");
	refused(auth_check("{\"certificate\":{\"enabled\":true,"
	    "\"certificateFile\":\"/c\"}}", NULL), "keyFile", "no keyFile");
	tap_ok(auth_check("{}", NULL) == NULL && auth[0] == '\0',
	    "empty authentication: none");
	tap_ok(callback_auth_redact("", shown, sizeof(shown)) == 0 &&
	    shown[0] == '\0', "nothing to redact");
	tap_ok(callback_auth_redact("x", shown, sizeof(shown)) != 0,
	    "not JSON: refused");
}

int
main(void)
{
	durations();
	urls();
	attributes();
	defaults_and_fields();
	authentication();
	tap_ok(callback_delivery_status_parse("PENDING") == CB_PENDING &&
	    callback_delivery_status_parse("DELIVERED") == CB_DELIVERED &&
	    callback_delivery_status_parse("FAILED") == CB_FAILED &&
	    callback_delivery_status_parse("pending") == 0 &&
	    callback_delivery_status_parse(NULL) == 0,
	    "delivery status names");
	tap_str(callback_delivery_status_name(CB_FAILED), "FAILED",
	    "FAILED by number");
	return tap_done();
}
