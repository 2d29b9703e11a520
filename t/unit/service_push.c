/*
 * Push payloads and tokens (service/push_payload.c, crypto/jws.c): the
 * bodies sent to APNs and FCM for every kind of push, the ES256 provider
 * token and the RS256 assertion (their signatures checked here with
 * OpenSSL's own verification), the token endpoint's form and answer, and
 * what each service's answers mean.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/jws.h"
#include "crypto/primitives.h"
#include "service/push_payload.h"
#include "tap.h"

static const char OP_PENDING[] = "{\"type\":\"OPERATION\",\"operationId\":"
    "\"op-1\",\"userId\":\"u\",\"operationType\":\"login\",\"status\":"
    "\"PENDING\",\"parameters\":{}}";
static const char OP_APPROVED[] = "{\"type\":\"OPERATION\",\"operationId\":"
    "\"op-1\",\"operationType\":\"payment\",\"status\":\"APPROVED\"}";
static const char INBOX[] = "{\"type\":\"INBOX\",\"inboxId\":\"in-7\","
    "\"userId\":\"u\",\"subject\":\"Statement \\\"May\\\"\"}";
static const char MESSAGE[] = "{\"type\":\"MESSAGE\",\"userId\":\"u\","
    "\"silent\":false,\"title\":\"Hi\",\"message\":\"There\",\"sound\":"
    "\"ping.caf\",\"extras\":{\"url\":\"app://a/b\",\"n\":7,\"o\":{\"x\":"
    "true}}}";

static const struct push_texts TEXTS = { "Login Approval",
    "Confirm the login.", "New message" };

/* The APNs and FCM bodies of a push, compared with the expected text. */
static void
bodies(const char *type, const char *payload, const char *apns,
    const char *fcm, const char *what)
{
	struct push_content c;
	char *a = NULL, *f = NULL;

	if (!tap_ok(push_content_build(type, payload, "act-1", &TEXTS, &c) ==
	    0, "%s: content built", what)) {
		tap_ok(0, "%s: APNs body", what);
		tap_ok(0, "%s: FCM body", what);
		return;
	}
	a = push_apns_body(&c);
	f = push_fcm_body(&c, "tok:1");
	tap_str(a != NULL ? a : "(null)", apns, "%s: APNs body", what);
	tap_str(f != NULL ? f : "(null)", fcm, "%s: FCM body", what);
	free(a);
	free(f);
	push_content_clear(&c);
}

static void
contents(void)
{
	struct push_content c;

	bodies(PUSH_MSG_OPERATION_INIT, OP_PENDING,
	    "{\"aps\":{\"alert\":{\"title\":\"Login Approval\",\"body\":"
	    "\"Confirm the login.\"},\"sound\":\"default\"},\"messageType\":"
	    "\"mtoken.operationInit\",\"operationId\":\"op-1\","
	    "\"operationName\":\"login\",\"activationId\":\"act-1\"}",
	    "{\"message\":{\"token\":\"tok:1\",\"data\":{\"messageType\":"
	    "\"mtoken.operationInit\",\"operationId\":\"op-1\","
	    "\"operationName\":\"login\",\"activationId\":\"act-1\"},"
	    "\"notification\":{\"title\":\"Login Approval\",\"body\":"
	    "\"Confirm the login.\"},\"android\":{\"priority\":\"high\","
	    "\"notification\":{\"sound\":\"default\"}}}}",
	    "operationInit");
	bodies(PUSH_MSG_OPERATION_FINISHED, OP_APPROVED,
	    "{\"aps\":{\"content-available\":1},\"messageType\":"
	    "\"mtoken.operationFinished\",\"operationId\":\"op-1\","
	    "\"operationName\":\"payment\",\"mtokenOperationResult\":"
	    "\"authentication.success\",\"activationId\":\"act-1\"}",
	    "{\"message\":{\"token\":\"tok:1\",\"data\":{\"messageType\":"
	    "\"mtoken.operationFinished\",\"operationId\":\"op-1\","
	    "\"operationName\":\"payment\",\"mtokenOperationResult\":"
	    "\"authentication.success\",\"activationId\":\"act-1\"},"
	    "\"android\":{\"priority\":\"normal\"}}}",
	    "operationFinished (silent, with the result)");
	bodies(PUSH_MSG_INBOX, INBOX,
	    "{\"aps\":{\"alert\":{\"title\":\"New message\",\"body\":"
	    "\"Statement \\\"May\\\"\"},\"sound\":\"default\"},"
	    "\"messageType\":\"mtoken.inboxMessage.new\",\"inboxId\":"
	    "\"in-7\",\"activationId\":\"act-1\"}",
	    "{\"message\":{\"token\":\"tok:1\",\"data\":{\"messageType\":"
	    "\"mtoken.inboxMessage.new\",\"inboxId\":\"in-7\","
	    "\"activationId\":\"act-1\"},\"notification\":{\"title\":"
	    "\"New message\",\"body\":\"Statement \\\"May\\\"\"},"
	    "\"android\":{\"priority\":\"high\",\"notification\":{\"sound\":"
	    "\"default\"}}}}", "inboxMessage.new (the subject as body)");
	bodies(PUSH_MSG_REMOVED, "{\"type\":\"ACTIVATION\"}",
	    "{\"aps\":{\"content-available\":1},\"messageType\":"
	    "\"mtoken.activationRemoved\",\"activationId\":\"act-1\"}",
	    "{\"message\":{\"token\":\"tok:1\",\"data\":{\"messageType\":"
	    "\"mtoken.activationRemoved\",\"activationId\":\"act-1\"},"
	    "\"android\":{\"priority\":\"normal\"}}}",
	    "activationRemoved (silent)");
	bodies(PUSH_MSG_CUSTOM, MESSAGE,
	    "{\"aps\":{\"alert\":{\"title\":\"Hi\",\"body\":\"There\"},"
	    "\"sound\":\"ping.caf\"},\"url\":\"app://a/b\",\"n\":7,\"o\":"
	    "{\"x\":true}}",
	    "{\"message\":{\"token\":\"tok:1\",\"data\":{\"url\":"
	    "\"app://a/b\",\"n\":\"7\",\"o\":\"{\\\"x\\\":true}\"},"
	    "\"notification\":{\"title\":\"Hi\",\"body\":\"There\"},"
	    "\"android\":{\"priority\":\"high\",\"notification\":{\"sound\":"
	    "\"ping.caf\"}}}}", "a message: extras beside aps / as strings");
	push_content_build(PUSH_MSG_CUSTOM, "{\"silent\":true,\"title\":\"x\"}",
	    "a", &TEXTS, &c);
	tap_ok(c.silent && strcmp(push_apns_type(&c), "background") == 0 &&
	    strcmp(push_apns_priority(&c), "5") == 0, "silent message: "
	    "background, priority 5");
	push_content_clear(&c);
	push_content_build(PUSH_MSG_OPERATION_INIT, OP_PENDING, "a", &TEXTS,
	    &c);
	tap_ok(!c.silent && strcmp(push_apns_type(&c), "alert") == 0 &&
	    strcmp(push_apns_priority(&c), "10") == 0, "operationInit: alert, "
	    "priority 10");
	push_content_clear(&c);
	tap_ok(push_content_build(PUSH_MSG_INBOX, "[1]", "a", &TEXTS, &c) ==
	    -1 && push_content_build(PUSH_MSG_INBOX, "{", "a", &TEXTS, &c) ==
	    -1, "a payload that is no JSON object: -1");
}

static void
names(void)
{
	static const char *const P[][2] = { { "apns", "apns" },
	    { "iOS", "apns" }, { "fcm", "fcm" }, { "android", "fcm" },
	    { "HMS", "hms" }, { "huawei", "hms" } };
	static const char *const R[][2] = {
	    { "APPROVED", "authentication.success" },
	    { "FAILED", "authentication.fail" },
	    { "EXPIRED", "operation.timeout" },
	    { "CANCELED", "operation.canceled" },
	    { "REJECTED", "operation.canceled" } };
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(P) / sizeof(P[0]); i++)
		ok &= push_platform_canonical(P[i][0]) != NULL &&
		    strcmp(push_platform_canonical(P[i][0]), P[i][1]) == 0;
	tap_ok(ok && push_platform_canonical("nokia") == NULL &&
	    push_platform_canonical(NULL) == NULL, "platform names, old ones "
	    "and case");
	for (i = 0, ok = 1; i < sizeof(R) / sizeof(R[0]); i++)
		ok &= strcmp(push_operation_result(R[i][0]), R[i][1]) == 0;
	tap_ok(ok && push_operation_result("PENDING") == NULL,
	    "operation status -> mtokenOperationResult");
}

/* Splits a compact JWS; decodes header and claims into JSON objects. */
static int
jws_parts(const char *jws, json_object **h, json_object **c,
    uint8_t *sig, size_t cap, size_t *siglen, size_t *signed_len)
{
	const char *d1 = strchr(jws, '.'), *d2 = d1 ? strchr(d1 + 1, '.') :
	    NULL;
	uint8_t buf[2048];
	size_t n;

	*h = *c = NULL;
	if (d2 == NULL || b64url_decode(jws, (size_t)(d1 - jws), buf,
	    sizeof(buf) - 1, &n) != 0)
		return -1;
	buf[n] = '\0';
	*h = json_tokener_parse((char *)buf);
	if (b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), buf,
	    sizeof(buf) - 1, &n) != 0)
		return -1;
	buf[n] = '\0';
	*c = json_tokener_parse((char *)buf);
	*signed_len = (size_t)(d2 - jws);
	return b64url_decode(d2 + 1, strlen(d2 + 1), sig, cap, siglen);
}

static const char *
field(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ?
	    json_object_get_string(v) : "(none)";
}

/* OpenSSL's verification of a signature (DER for ECDSA) over m. */
static int
openssl_verifies(EVP_PKEY *k, const char *m, size_t n, const uint8_t *sig,
    size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(),
	    NULL, k) == 1 && EVP_DigestVerify(ctx, sig, siglen,
	    (const uint8_t *)m, n) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

/* r||s as DER with OpenSSL's ECDSA_SIG (not the code under test). */
static int
jose_der(const uint8_t jose[64], uint8_t *der, size_t *n)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(jose, 32, NULL), *ss = BN_bin2bn(jose + 32, 32,
	    NULL);
	unsigned char *p = der;
	int len;

	if (s == NULL || r == NULL || ss == NULL ||
	    ECDSA_SIG_set0(s, r, ss) != 1) {
		BN_free(r);
		BN_free(ss);
		ECDSA_SIG_free(s);
		return -1;
	}
	len = i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	*n = len > 0 ? (size_t)len : 0;
	return len > 0 ? 0 : -1;
}

static void
apns_jwt(void)
{
	EVP_PKEY *k = NULL, *k2 = NULL;
	json_object *h = NULL, *c = NULL;
	uint8_t sig[600], der[80];
	size_t siglen = 0, slen = 0, dlen = 0;
	char *jwt = NULL, *pem = NULL;

	if (pa_ec_generate(&k) != 0) {
		tap_ok(0, "P-256 key");
		return;
	}
	pem = jws_key_to_pem(k);
	tap_ok(pem != NULL && strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27)
	    == 0 && jws_key_from_pem(pem, strlen(pem), JWS_ES256, &k2) == 0 &&
	    EVP_PKEY_eq(k, k2) == 1, "P-256 key to PKCS#8 PEM and back");
	EVP_PKEY_free(k2);
	k2 = NULL;
	tap_ok(pem != NULL && jws_key_from_pem(pem, strlen(pem), JWS_RS256,
	    &k2) == -1, "an EC key is no RS256 key");
	jwt = push_apns_jwt(k, "ABC123DEFG", "TEAM4567", 1700000000);
	if (jwt == NULL || jws_parts(jwt, &h, &c, sig, sizeof(sig), &siglen,
	    &slen) != 0) {
		tap_ok(0, "APNs JWT parts");
		goto done;
	}
	tap_ok(strcmp(field(h, "alg"), "ES256") == 0 &&
	    strcmp(field(h, "kid"), "ABC123DEFG") == 0 &&
	    json_object_object_length(h) == 2, "APNs JWT header: alg ES256, "
	    "kid");
	tap_ok(strcmp(field(c, "iss"), "TEAM4567") == 0 &&
	    strcmp(field(c, "iat"), "1700000000") == 0 &&
	    json_object_object_length(c) == 2, "APNs JWT claims: iss = team, "
	    "iat");
	tap_ok(siglen == 64 && jose_der(sig, der, &dlen) == 0 &&
	    openssl_verifies(k, jwt, slen, der, dlen),
	    "APNs JWT: OpenSSL verifies the JOSE ES256 signature");
	jwt[slen - 1] ^= 1;
	tap_ok(!openssl_verifies(k, jwt, slen, der, dlen),
	    "a changed claim does not verify");
done:
	json_object_put(h);
	json_object_put(c);
	free(jwt);
	free(pem);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}

static void
fcm_assertion(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048), *small = EVP_RSA_gen(1024);
	EVP_PKEY *k2 = NULL, *k3 = NULL;
	json_object *h = NULL, *c = NULL;
	uint8_t sig[600];
	size_t siglen = 0, slen = 0;
	char *a = NULL, *pem = NULL, *form = NULL;

	pem = k != NULL ? jws_key_to_pem(k) : NULL;
	tap_ok(pem != NULL && jws_key_from_pem(pem, strlen(pem), JWS_RS256,
	    &k2) == 0 && jws_key_from_pem(pem, strlen(pem), JWS_ES256, &k3) ==
	    -1, "RSA key: an RS256 key, not an ES256 one");
	free(pem);
	EVP_PKEY_free(k2);
	k2 = NULL;
	pem = small != NULL ? jws_key_to_pem(small) : NULL;
	tap_ok(pem != NULL && jws_key_from_pem(pem, strlen(pem), JWS_RS256,
	    &k2) == -1, "RSA below 2048 bits refused");
	a = push_fcm_assertion(k, "0a1b", "svc@p.iam.gserviceaccount.com",
	    "https://oauth2.googleapis.com/token", 1700000000);
	if (a == NULL || jws_parts(a, &h, &c, sig, sizeof(sig), &siglen,
	    &slen) != 0) {
		tap_ok(0, "FCM assertion parts");
		goto done;
	}
	tap_ok(strcmp(field(h, "alg"), "RS256") == 0 &&
	    strcmp(field(h, "kid"), "0a1b") == 0 &&
	    strcmp(field(h, "typ"), "JWT") == 0, "assertion header: RS256, "
	    "typ, kid");
	tap_ok(strcmp(field(c, "iss"), "svc@p.iam.gserviceaccount.com") == 0 &&
	    strcmp(field(c, "scope"), PUSH_FCM_SCOPE) == 0 &&
	    strcmp(field(c, "aud"), "https://oauth2.googleapis.com/token") ==
	    0 && strcmp(field(c, "iat"), "1700000000") == 0 &&
	    strcmp(field(c, "exp"), "1700003600") == 0,
	    "assertion claims: iss, scope, aud, iat, exp = iat + 1 h");
	tap_ok(siglen == 256 && openssl_verifies(k, a, slen, sig, siglen),
	    "assertion: OpenSSL verifies the RS256 signature");
	form = push_fcm_token_request(a);
	tap_ok(form != NULL && strncmp(form, "grant_type=urn%3Aietf%3Aparams"
	    "%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", 75) == 0 &&
	    strcmp(form + 75, a) == 0, "the token request form");
done:
	json_object_put(h);
	json_object_put(c);
	free(a);
	free(pem);
	free(form);
	EVP_PKEY_free(k);
	EVP_PKEY_free(small);
	EVP_PKEY_free(k2);
}

static void
tokens(void)
{
	char t[64];
	int64_t exp = 0;

	tap_ok(push_fcm_token_parse("{\"access_token\":\"ya29.a-b_c\","
	    "\"expires_in\":3599,\"token_type\":\"Bearer\"}", t, sizeof(t),
	    &exp) == 0 && strcmp(t, "ya29.a-b_c") == 0 && exp == 3599,
	    "token answer: the access token and its lifetime");
	tap_ok(push_fcm_token_parse("{\"access_token\":\"a b\"}", t,
	    sizeof(t), &exp) == -1 && push_fcm_token_parse("{\"error\":"
	    "\"invalid_grant\"}", t, sizeof(t), &exp) == -1 &&
	    push_fcm_token_parse("{\"access_token\":\"x\",\"expires_in\":0}",
	    t, sizeof(t), &exp) == -1, "token answers refused: a space, an "
	    "error, no lifetime");
	tap_ok(push_fcm_token_request("a.b\r\nc") == NULL,
	    "an assertion with other characters is refused");
}

static void
outcomes(void)
{
	static const struct {
		int		 fcm;
		long		 http;
		const char	*body;
		enum push_outcome want;
	} T[] = {
		{ 0, 200, "", PUSH_OUT_DELIVERED },
		{ 0, 410, "{\"reason\":\"Unregistered\"}", PUSH_OUT_BAD_TOKEN },
		{ 0, 400, "{\"reason\":\"BadDeviceToken\"}",
		    PUSH_OUT_BAD_TOKEN },
		{ 0, 400, "{\"reason\":\"DeviceTokenNotForTopic\"}",
		    PUSH_OUT_BAD_TOKEN },
		{ 0, 400, "{\"reason\":\"PayloadTooLarge\"}",
		    PUSH_OUT_REJECTED },
		{ 0, 403, "{\"reason\":\"ExpiredProviderToken\"}",
		    PUSH_OUT_REAUTH },
		{ 0, 429, "{\"reason\":\"TooManyRequests\"}", PUSH_OUT_RETRY },
		{ 0, 503, "", PUSH_OUT_RETRY },
		{ 0, 0, NULL, PUSH_OUT_RETRY },
		{ 1, 200, "{\"name\":\"x\"}", PUSH_OUT_DELIVERED },
		{ 1, 404, "{\"error\":{\"status\":\"NOT_FOUND\",\"details\":"
		    "[{\"errorCode\":\"UNREGISTERED\"}]}}",
		    PUSH_OUT_BAD_TOKEN },
		{ 1, 400, "{\"error\":{\"status\":\"INVALID_ARGUMENT\","
		    "\"message\":\"The registration token is not valid\"}}",
		    PUSH_OUT_BAD_TOKEN },
		{ 1, 400, "{\"error\":{\"status\":\"INVALID_ARGUMENT\","
		    "\"message\":\"Invalid JSON payload\"}}",
		    PUSH_OUT_REJECTED },
		{ 1, 403, "{\"error\":{\"details\":[{\"errorCode\":"
		    "\"SENDER_ID_MISMATCH\"}]}}", PUSH_OUT_BAD_TOKEN },
		{ 1, 401, "{}", PUSH_OUT_REAUTH },
		{ 1, 500, "{\"error\":{\"status\":\"INTERNAL\"}}",
		    PUSH_OUT_RETRY },
		{ 1, 0, NULL, PUSH_OUT_RETRY },
	};
	char why[PUSH_WHY_MAX];
	size_t i;

	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++)
		tap_ok((T[i].fcm ? push_fcm_outcome(T[i].http, T[i].body, why,
		    sizeof(why)) : push_apns_outcome(T[i].http, T[i].body, why,
		    sizeof(why))) == T[i].want, "%s HTTP %ld %s: outcome %d "
		    "(%s)", T[i].fcm ? "FCM" : "APNs", T[i].http, T[i].body !=
		    NULL ? T[i].body : "-", (int)T[i].want, why);
	push_apns_outcome(410, "{\"reason\":\"Unregistered\"}", why,
	    sizeof(why));
	tap_str(why, "HTTP 410 Unregistered", "the why of an APNs answer");
}

int
main(void)
{
	if (crypto_init() != 0)
		return tap_skip_all("no crypto");
	names();
	contents();
	apns_jwt();
	fcm_assertion();
	tokens();
	outcomes();
	return tap_done();
}
