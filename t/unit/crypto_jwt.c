/*
 * Temporary-key JWTs (3.3). No public vectors exist: the request JWTs below
 * were computed independently from protocol.md §9.3 (HS256, 16-byte keys,
 * compact JSON, base64url without padding); the ES256 response is checked by
 * round trip, JOSE signature length and tampering.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/jwt.h"
#include "crypto/primitives.h"
#include "tap.h"

#define APP_KEY		"w4+hAeogFLTZjcSjPwbG2g=="
#define APP_SECRET	"Szls/7JWbKN+FAOijHcsPA=="
#define AID		"c564e700-7e86-4a87-b6c8-a5a0cc89683f"
#define CHALLENGE	"MDEyMzQ1Njc4OWFiY2RlZmdo"

static const char app_jwt[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhcHBsaWNhdGlvbktleSI6Inc0K2hBZW9nRkxUWmpjU2pQd2JHMmc9PSIsImNoYWxs"
    "ZW5nZSI6Ik1ERXlNelExTmpjNE9XRmlZMlJsWm1kbyJ9."
    "ZPDEpXMMvdTkdbXomiSZe_UMwG629vJhCWLeDmp0VmM";
static const char act_jwt[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhcHBsaWNhdGlvbktleSI6Inc0K2hBZW9nRkxUWmpjU2pQd2JHMmc9PSIsImFjdGl2"
    "YXRpb25JZCI6ImM1NjRlNzAwLTdlODYtNGE4Ny1iNmM4LWE1YTBjYzg5NjgzZiIsImNo"
    "YWxsZW5nZSI6Ik1ERXlNelExTmpjNE9XRmlZMlJsWm1kbyJ9."
    "ywNNmk4HjkYk9vDmZmdMIM9NUoRVatDgV8kOkVbXsLY";

static const uint8_t tk[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    14, 15, 16 };

/* A JWT with arbitrary header/payload text, HS256-signed with key. */
static char *
custom_jwt(const char *h, const char *p, const uint8_t key[16])
{
	struct buf b = BUF_INIT;
	char tmp[512];
	uint8_t mac[32];

	b64url_encode((const uint8_t *)h, strlen(h), tmp);
	buf_append_str(&b, tmp);
	buf_append_byte(&b, '.');
	b64url_encode((const uint8_t *)p, strlen(p), tmp);
	buf_append_str(&b, tmp);
	pa_hmac_sha256(key, 16, b.data, b.len, mac);
	buf_append_byte(&b, '.');
	b64url_encode(mac, 32, tmp);
	buf_append_str(&b, tmp);
	buf_cstr(&b);
	return (char *)b.data;
}

static void
requests(void)
{
	struct jwt_request_claims c = { 0 }, got;
	uint8_t kapp[16], kact[16], kwrong[16] = { 0 };
	char *s, bad[sizeof(app_jwt)];

	tap_ok(jwt_key_application(APP_SECRET, kapp) == 0 &&
	    jwt_key_activation(tk, APP_SECRET, kact) == 0, "JWT keys");
	memcpy(c.app_key, APP_KEY, sizeof(APP_KEY));
	memcpy(c.challenge, CHALLENGE, sizeof(CHALLENGE));
	s = jwt_request_build(kapp, &c);
	tap_str(s, app_jwt, "app-scope request JWT known answer");
	free(s);
	c.has_activation_id = 1;
	memcpy(c.activation_id, AID, sizeof(AID));
	s = jwt_request_build(kact, &c);
	tap_str(s, act_jwt, "activation-scope request JWT known answer");
	free(s);

	tap_ok(jwt_request_parse(app_jwt, strlen(app_jwt), &got) == JWT_OK &&
	    !got.has_activation_id && strcmp(got.app_key, APP_KEY) == 0 &&
	    strcmp(got.challenge, CHALLENGE) == 0, "app claims");
	tap_ok(jwt_request_parse(act_jwt, strlen(act_jwt), &got) == JWT_OK &&
	    got.has_activation_id && strcmp(got.activation_id, AID) == 0,
	    "activation claims");
	tap_ok(jwt_request_verify(app_jwt, strlen(app_jwt), kapp) == JWT_OK,
	    "app JWT verifies with the raw app secret");
	tap_ok(jwt_request_verify(act_jwt, strlen(act_jwt), kact) == JWT_OK,
	    "activation JWT verifies with KDF_INTERNAL(transport, secret)");
	tap_ok(jwt_request_verify(act_jwt, strlen(act_jwt), kapp) ==
	    JWT_ERR_SIGNATURE, "activation JWT with the app key fails");
	tap_ok(jwt_request_verify(app_jwt, strlen(app_jwt), kwrong) ==
	    JWT_ERR_SIGNATURE, "wrong key fails");
	memcpy(bad, app_jwt, sizeof(app_jwt));
	bad[sizeof(app_jwt) - 3] = bad[sizeof(app_jwt) - 3] == 'A' ? 'B' : 'A';
	tap_ok(jwt_request_verify(bad, strlen(bad), kapp) == JWT_ERR_SIGNATURE,
	    "tampered signature fails");
	memcpy(bad, app_jwt, sizeof(app_jwt));
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	tap_ok(jwt_request_verify(bad, strlen(bad), kapp) != JWT_OK,
	    "tampered payload fails");
}

static void
request_shapes(void)
{
	struct jwt_request_claims got;
	uint8_t kapp[16];
	char *s;

	jwt_key_application(APP_SECRET, kapp);
	/* Other claim order and spacing: verified over the received text. */
	s = custom_jwt("{\"typ\":\"JWT\", \"alg\":\"HS256\"}",
	    "{ \"challenge\": \"" CHALLENGE "\", \"applicationKey\": \"" APP_KEY
	    "\" }", kapp);
	tap_ok(jwt_request_parse(s, strlen(s), &got) == JWT_OK &&
	    jwt_request_verify(s, strlen(s), kapp) == JWT_OK,
	    "other claim order verifies over received text");
	free(s);
	s = custom_jwt("{\"alg\":\"none\"}", "{\"applicationKey\":\"" APP_KEY
	    "\",\"challenge\":\"x\"}", kapp);
	tap_ok(jwt_request_parse(s, strlen(s), &got) == JWT_ERR_ALG &&
	    jwt_request_verify(s, strlen(s), kapp) == JWT_ERR_ALG,
	    "alg none refused");
	free(s);
	s = custom_jwt("{\"alg\":\"HS256\"}", "{\"applicationKey\":\"short\","
	    "\"challenge\":\"x\"}", kapp);
	tap_ok(jwt_request_parse(s, strlen(s), &got) == JWT_ERR_CLAIMS,
	    "malformed applicationKey refused");
	free(s);
	s = custom_jwt("{\"alg\":\"HS256\"}", "{\"applicationKey\":\"" APP_KEY
	    "\",\"activationId\":\"x\",\"challenge\":\"x\"}", kapp);
	tap_ok(jwt_request_parse(s, strlen(s), &got) == JWT_ERR_CLAIMS,
	    "malformed activationId refused");
	free(s);
	s = custom_jwt("{\"alg\":\"HS256\"}", "{\"applicationKey\":\"" APP_KEY
	    "\"}", kapp);
	tap_ok(jwt_request_parse(s, strlen(s), &got) == JWT_ERR_CLAIMS,
	    "missing challenge refused");
	free(s);
	tap_ok(jwt_request_parse("a.b", 3, &got) == JWT_ERR_FORMAT &&
	    jwt_request_parse("a.b.c.d", 7, &got) == JWT_ERR_FORMAT &&
	    jwt_request_parse("..", 2, &got) == JWT_ERR_FORMAT,
	    "wrong part count refused");
	/* Parts that are not base64url of JSON (1-character parts decode to
	 * nothing). */
	tap_ok(jwt_request_parse("a.b.c", 5, &got) != JWT_OK &&
	    jwt_request_parse("e30.!!.c", 8, &got) != JWT_OK &&
	    jwt_request_parse("bm90IGpzb24.e30.c", 17, &got) != JWT_OK,
	    "parts that are not base64url JSON refused");
	if ((s = calloc(1, JWT_MAX_LEN + 2)) == NULL)
		return;
	memset(s, 'A', JWT_MAX_LEN + 1);
	s[10] = s[20] = '.';
	tap_ok(jwt_request_verify(s, strlen(s), kapp) == JWT_ERR_FORMAT,
	    "over-long JWT refused");
	free(s);
}

static void
response_claims(struct jwt_response_claims *c, int activation)
{
	EVP_PKEY *tmp = NULL;
	uint8_t pub[65];
	size_t plen = 0;

	memset(c, 0, sizeof(*c));
	strcpy(c->key_id, "dc497e8a-8faa-44bc-a52a-20d8393005d2");
	strcpy(c->app_key, APP_KEY);
	strcpy(c->challenge, CHALLENGE);
	if (activation) {
		c->has_activation_id = 1;
		strcpy(c->activation_id, AID);
	}
	if (pa_ec_generate(&tmp) == 0 &&
	    pa_ec_public_to_bytes(tmp, 0, pub, &plen) == 0)
		b64_encode(pub, plen, c->public_key);
	EVP_PKEY_free(tmp);
	c->iat_ms = 1700000000123LL;
	c->exp_ms = c->iat_ms + 300000;
}

static void
responses(void)
{
	EVP_PKEY *signer = NULL, *other = NULL;
	struct jwt_response_claims c, got;
	uint8_t raw[128];
	size_t n = 0;
	char *s, *dot;

	if (pa_ec_generate(&signer) != 0 || pa_ec_generate(&other) != 0) {
		tap_ok(0, "generate keys");
		goto done;
	}
	for (int act = 0; act < 2; act++) {
		response_claims(&c, act);
		s = jwt_response_build(signer, &c);
		tap_ok(s != NULL, "response JWT built (activation=%d)", act);
		if (s == NULL)
			continue;
		tap_ok(jwt_response_verify(s, strlen(s), signer, &got) ==
		    JWT_OK && memcmp(&got, &c, sizeof(c)) == 0,
		    "response verifies, claims round trip (activation=%d)",
		    act);
		tap_ok(strncmp(s, "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.", 37) ==
		    0, "ES256 header");
		dot = strrchr(s, '.');
		tap_ok(b64url_decode(dot + 1, strlen(dot + 1), raw, sizeof(raw),
		    &n) == 0 && n == 64, "JOSE r||s signature, 64 bytes");
		tap_ok(jwt_response_verify(s, strlen(s), other, &got) ==
		    JWT_ERR_SIGNATURE, "wrong public key fails");
		dot[3] = dot[3] == 'A' ? 'B' : 'A';
		tap_ok(jwt_response_verify(s, strlen(s), signer, &got) ==
		    JWT_ERR_SIGNATURE, "tampered signature fails");
		free(s);
	}
	s = custom_jwt("{\"alg\":\"HS256\"}", "{}", (const uint8_t *)tk);
	tap_ok(jwt_response_verify(s, strlen(s), signer, &got) == JWT_ERR_ALG,
	    "HS256 response refused");
	free(s);
done:
	EVP_PKEY_free(signer);
	EVP_PKEY_free(other);
}

int
main(void)
{
	requests();
	request_shapes();
	responses();
	return tap_done();
}
