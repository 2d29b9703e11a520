/* What one webhook attempt consists of (service/webhook.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/primitives.h"
#include "service/webhook.h"
#include "tap.h"

static void
body_is(const char *payload, const char *attributes, const char *want,
    const char *what)
{
	char *got = webhook_body(payload, attributes);

	tap_str(got != NULL ? got : "(null)", want, "body: %s", what);
	free(got);
}

int
main(void)
{
	static const char reg[] = "{\"type\":\"ACTIVATION\",\"activationId\":"
	    "\"a-1\",\"userId\":\"u\",\"activationStatus\":\"ACTIVE\","
	    "\"blockedReason\":null,\"applicationId\":\"app/1\","
	    "\"timestamp\":17}";
	static const uint8_t key[] = "0123456789abcdef0123456789abcdef";
	struct webhook_auth a;
	char sig[WEBHOOK_SIG_MAX + 1];
	int64_t d;
	int i, ok;

	if (crypto_init() != 0)
		return tap_skip_all("no crypto");
	body_is(reg, "[]", "{\"type\":\"ACTIVATION\",\"activationId\":\"a-1\"}",
	    "no attributes: type and id");
	body_is(reg, "[\"applicationId\",\"userId\",\"blockedReason\"]",
	    "{\"type\":\"ACTIVATION\",\"activationId\":\"a-1\",\"userId\":"
	    "\"u\",\"blockedReason\":null,\"applicationId\":\"app/1\"}",
	    "selected attributes in the payload's order, null kept, / as is");
	body_is("{\"type\":\"OPERATION\",\"operationId\":\"o\",\"status\":"
	    "\"PENDING\",\"parameters\":{\"a\":\"1\"}}", "[\"parameters\"]",
	    "{\"type\":\"OPERATION\",\"operationId\":\"o\",\"parameters\":"
	    "{\"a\":\"1\"}}", "operation with an object attribute");
	body_is(reg, "[\"timestampX\"]",
	    "{\"type\":\"ACTIVATION\",\"activationId\":\"a-1\"}",
	    "an attribute the event lacks is left out");
	tap_ok(webhook_body("{", "[]") == NULL, "broken payload: NULL");
	tap_ok(webhook_body(reg, "{}") == NULL, "attributes not an array");

	/* Standard Webhooks: HMAC-SHA256(key, id.ts.body), Base64, "v1,".
	 * Expected value computed independently (Python hmac). */
	tap_ok(webhook_signature(key, 32, "msg_1", 1700000000, "{\"a\":1}",
	    sig) == 0, "signature made");
	tap_str(sig, "v1,rkwp5YuvdrMkcu0ZhuMsXoTg44mHAr1Q0+FFgFpXsjY=",
	    "signature value");
	webhook_signature(key, 32, "msg_1", 1700000001, "{\"a\":1}", sig);
	tap_ok(strcmp(sig, "v1,rkwp5YuvdrMkcu0ZhuMsXoTg44mHAr1Q0+FFgFpXsjY=")
	    != 0, "another timestamp, another signature");

	/* Backoff: 2 s x1.5 up to 32 s; jitter takes up to half off. */
	tap_ok(webhook_backoff_ms(1, 2000, 150, 32000, 0) == 2000 &&
	    webhook_backoff_ms(2, 2000, 150, 32000, 0) == 3000 &&
	    webhook_backoff_ms(3, 2000, 150, 32000, 0) == 4500,
	    "backoff grows by the multiplier");
	tap_ok(webhook_backoff_ms(20, 2000, 150, 32000, 0) == 32000 &&
	    webhook_backoff_ms(1000000, 2000, 150, 32000, 0) == 32000,
	    "backoff capped (also after very many failures)");
	tap_ok(webhook_backoff_ms(1, 2000, 150, 32000, 0.999) == 1001,
	    "jitter takes at most half off");
	for (i = 0, ok = 1; i < 100; i++) {
		d = webhook_backoff_ms(5, 1000, 200, 60000, i / 100.0);
		ok &= d > 8000 && d <= 16000;
	}
	tap_ok(ok, "jittered delays stay in [delay/2, delay]");
	tap_ok(webhook_backoff_ms(3, 500, 100, 900, 0) == 500,
	    "multiplier 1.0: constant");

	/* Receiver authentication. */
	tap_ok(webhook_auth_parse("", &a) == 0 && !a.basic && !a.bearer &&
	    !a.certificate, "no authentication");
	tap_ok(webhook_auth_parse("{\"httpBasic\":{\"enabled\":true,"
	    "\"username\":\"u\",\"password\":\"p w\"},\"bearer\":{\"enabled\":"
	    "false,\"token\":\"t\"}}", &a) == 0 && a.basic && !a.bearer &&
	    strcmp(a.username, "u") == 0 && strcmp(a.password, "p w") == 0,
	    "basic on, bearer off");
	webhook_auth_clear(&a);
	tap_ok(a.password[0] == '\0', "cleared");
	tap_ok(webhook_auth_parse("{\"bearer\":{\"enabled\":true,\"token\":"
	    "\"abc\"},\"certificate\":{\"enabled\":true,\"certificateFile\":"
	    "\"/c.pem\",\"keyFile\":\"/k.pem\",\"caFile\":\"/ca.pem\"}}", &a)
	    == 0 && a.bearer && strcmp(a.token, "abc") == 0 && a.certificate &&
	    strcmp(a.cert_file, "/c.pem") == 0 &&
	    strcmp(a.ca_file, "/ca.pem") == 0 && a.key_password[0] == '\0',
	    "bearer and client certificate");
	webhook_auth_clear(&a);
	tap_ok(webhook_auth_parse("{\"httpBasic\":{\"enabled\":true,"
	    "\"username\":5}}", &a) != 0, "username not a string: refused");
	tap_ok(webhook_auth_parse("[1]", &a) != 0, "not an object: refused");
	return tap_done();
}
