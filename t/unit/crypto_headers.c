/*
 * X-PowerAuth-Authorization / -Token / -Encryption: positive and negative
 * tables, the integration tutorial's sloppy sample header, builders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/headers.h"
#include "tap.h"

#define AID	"c564e700-7e86-4a87-b6c8-a5a0cc89683f"
#define AKEY	"w4+hAeogFLTZjcSjPwbG2g=="
#define NONCE	"ZQxUjy/hSRyJ3xBtqyXBeQ=="
#define SIG	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

struct hcase {
	const char	*h;
	enum hdr_err	 want;
	const char	*why;
};

static const struct hcase auth_cases[] = {
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession_knowledge\", pa_signature=\"" SIG "\"",
	  HDR_OK, "SDK order" },
	/* protocol.md §5.4 sample (its nonce has non-zero trailing bits) */
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"7a24c6e9-48e9-43c2-ab4a-aed6270e924d\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"kYjzVBB8Y0ZFabxSWbWovY==\", "
	  "pa_signature_type=\"possession_knowledge\", pa_signature=\"" SIG "\"",
	  HDR_OK, "protocol.md sample" },
	{ "PowerAuth pa_signature=\"" SIG "\",pa_signature_type=\"possession\","
	  "pa_nonce=\"" NONCE "\",pa_application_key=\"" AKEY "\","
	  "pa_activation_id=\"" AID "\",pa_version=\"3.1\"", HDR_OK,
	  "reversed order, no spaces" },
	{ "PowerAuth\tpa_version=\"3.0\"  pa_activation_id=\"" AID "\"\t"
	  "pa_application_key=\"" AKEY "\" ,pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession_knowledge_biometry\", "
	  "pa_signature=\"12345678-87654321-00000000\", pa_extra=\"x\"",
	  HDR_OK, "tabs, spaces only, unknown key, decimal signature" },
	{ "PowerAuth pa_version=3.2, pa_activation_id=" AID ", "
	  "pa_application_key=" AKEY ", pa_nonce=" NONCE ", "
	  "pa_signature_type=knowledge, pa_signature=" SIG, HDR_OK,
	  "unquoted values" },
	{ "Basic pa_version=\"3.3\"", HDR_ERR_SYNTAX, "wrong scheme" },
	{ "PowerAuthpa_version=\"3.3\"", HDR_ERR_SYNTAX, "no space after scheme" },
	{ "powerauth pa_version=\"3.3\"", HDR_ERR_SYNTAX, "scheme case" },
	{ "PowerAuth ", HDR_ERR_MISSING, "no fields" },
	{ "PowerAuth pa_version=\"3.3", HDR_ERR_SYNTAX, "unterminated quote" },
	{ "PowerAuth pa_version", HDR_ERR_SYNTAX, "key without value" },
	{ "PowerAuth =\"3.3\"", HDR_ERR_SYNTAX, "value without key" },
	{ "PowerAuth pa_version=\"3.3\", pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_DUPLICATE, "duplicate version" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\"", HDR_ERR_MISSING, "no signature" },
	{ "PowerAuth pa_version=\"3.4\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_VERSION, "version 3.4" },
	{ "PowerAuth pa_version=\"2.1\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_VERSION, "version 2.1" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"c564e700-7e86-0a87-b6c8-a5a0cc89683f\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_ACTIVATION_ID, "UUID version nibble 0" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"c564e700-7e86-4a87-c6c8-a5a0cc89683f\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_ACTIVATION_ID, "UUID variant c" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"c564e7007e864a87b6c8a5a0cc89683f\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_ACTIVATION_ID, "UUID without dashes" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"g564e700-7e86-4a87-b6c8-a5a0cc89683f\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_ACTIVATION_ID, "UUID non-hex" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"w4+hAeogFLTZjcSjPwbG\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_APP_KEY, "app key 15 bytes" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"w4+hAeogFLTZjcSjPwbG2g=\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_APP_KEY, "app key bad padding" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"w4-hAeogFLTZjcSjPwbG2g==\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_APP_KEY, "app key url alphabet" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" SIG "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_NONCE, "nonce 32 bytes" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"Possession\", pa_signature=\"" SIG "\"",
	  HDR_ERR_SIG_TYPE, "signature type case" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"knowledge_biometry\", pa_signature=\"" SIG "\"",
	  HDR_ERR_SIG_TYPE, "unknown signature type" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"123456789\"",
	  HDR_ERR_SIGNATURE, "9 digits" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"12345678_87654321\"",
	  HDR_ERR_SIGNATURE, "wrong decimal separator" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"1234567a\"",
	  HDR_ERR_SIGNATURE, "non-digit" },
	{ "PowerAuth pa_version=\"3.3\", pa_activation_id=\"" AID "\", "
	  "pa_application_key=\"" AKEY "\", pa_nonce=\"" NONCE "\", "
	  "pa_signature_type=\"possession\", pa_signature=\"MDEyMzQ1Njc4OWFiY2Rl\"",
	  HDR_ERR_SIGNATURE, "Base64 of 15 bytes" },
};

/* The tutorial's sample: no comma before pa_signature, none after one value. */
static const char tutorial[] =
    "PowerAuth pa_activation_id=\"c8a1faf6-2dcd-4a66-b309-43a57afa8ca6\","
    "pa_application_key=\"Z19gyYaW5kb521fYWN0aXZ==\", "
    "pa_nonce=\"kYjzVBB8Y0ZFabxSWbWovY==\", "
    "pa_signature_type=\"possession_knowledge\" "
    "pa_signature=\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\", "
    "pa_version=\"3.1\"";

static void
auth_tables(void)
{
	struct hdr_auth h;
	char big[HDR_MAX_LEN + 64], many[1024];
	size_t n;

	for (size_t i = 0; i < sizeof(auth_cases) / sizeof(auth_cases[0]);
	    i++) {
		enum hdr_err e = hdr_auth_parse(auth_cases[i].h,
		    strlen(auth_cases[i].h), &h);

		tap_ok(e == auth_cases[i].want, "auth: %s (got %s)",
		    auth_cases[i].why, hdr_err_str(e));
	}
	tap_ok(hdr_auth_parse(tutorial, strlen(tutorial), &h) == HDR_OK,
	    "auth: integration tutorial sample parses");
	tap_ok(h.version == PA_PROTO_31 && h.sig_type ==
	    HDR_SIG_POSSESSION_KNOWLEDGE && strcmp(h.activation_id,
	    "c8a1faf6-2dcd-4a66-b309-43a57afa8ca6") == 0 &&
	    strcmp(h.app_key, "Z19gyYaW5kb521fYWN0aXZ==") == 0 &&
	    strcmp(h.signature, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") ==
	    0 && !h.signature_decimal, "auth: tutorial sample fields");
	memset(big, 0, sizeof(big));
	memcpy(big, auth_cases[0].h, strlen(auth_cases[0].h));
	n = strlen(big);
	memset(big + n, ' ', sizeof(big) - n - 1);
	tap_ok(hdr_auth_parse(big, strlen(big), &h) == HDR_ERR_SYNTAX,
	    "auth: over-long header");
	tap_ok(hdr_auth_parse(auth_cases[0].h, strlen(auth_cases[0].h) + 1,
	    &h) == HDR_ERR_SYNTAX, "auth: embedded NUL");
	n = (size_t)snprintf(many, sizeof(many), "PowerAuth ");
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "x%d=\"1\", ", i);
	tap_ok(hdr_auth_parse(many, n, &h) == HDR_ERR_SYNTAX,
	    "auth: too many fields");
	n = (size_t)snprintf(many, sizeof(many), "PowerAuth x=\"%0200d\"", 0);
	tap_ok(hdr_auth_parse(many, n, &h) == HDR_ERR_SYNTAX,
	    "auth: over-long value");
}

static void
auth_build(void)
{
	struct hdr_auth h, back;
	char *s;

	if (hdr_auth_parse(auth_cases[0].h, strlen(auth_cases[0].h), &h) !=
	    HDR_OK) {
		tap_ok(0, "auth build: parse");
		return;
	}
	s = hdr_auth_build(&h);
	tap_str(s, auth_cases[0].h, "auth build: SDK text");
	tap_ok(s != NULL && hdr_auth_parse(s, strlen(s), &back) == HDR_OK &&
	    memcmp(&h, &back, sizeof(h)) == 0, "auth build: round trip");
	free(s);
	h.sig_type = (enum hdr_sig_type)0;
	tap_ok(hdr_auth_build(&h) == NULL, "auth build: refuses bad type");
	/* the tutorial nonce is re-encoded canonically */
	hdr_auth_parse(tutorial, strlen(tutorial), &h);
	s = hdr_auth_build(&h);
	tap_ok(s != NULL && strstr(s, "pa_nonce=\"kYjzVBB8Y0ZFabxSWbWovQ==\"")
	    != NULL, "auth build: canonical nonce");
	free(s);
}

static const struct hcase token_cases[] = {
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"1700000000123\"", HDR_OK, "SDK order" },
	{ "PowerAuth token_id=\"" AID "\", token_digest=\"" SIG "\", nonce=\"" NONCE "\", "
	  "timestamp=\"123456789\", version=\"3.0\"", HDR_OK, "Java order, 9 digits" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"12345678\"", HDR_ERR_TIMESTAMP, "8 digits" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"1234567890123456\"", HDR_ERR_TIMESTAMP,
	  "16 digits" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"-123456789\"", HDR_ERR_TIMESTAMP, "sign" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" NONCE "\", "
	  "nonce=\"" NONCE "\", timestamp=\"1700000000123\"", HDR_ERR_DIGEST,
	  "digest 16 bytes" },
	{ "PowerAuth version=\"3.3\", token_id=\"1234\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"1700000000123\"", HDR_ERR_TOKEN_ID,
	  "token id" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" SIG "\", timestamp=\"1700000000123\"", HDR_ERR_NONCE, "nonce" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", nonce=\"" NONCE "\", timestamp=\"1700000000123\"",
	  HDR_ERR_DUPLICATE, "duplicate nonce" },
	{ "PowerAuth version=\"3.5\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "nonce=\"" NONCE "\", timestamp=\"1700000000123\"", HDR_ERR_VERSION, "version" },
	{ "PowerAuth version=\"3.3\", token_id=\"" AID "\", token_digest=\"" SIG "\", "
	  "timestamp=\"1700000000123\"", HDR_ERR_MISSING, "no nonce" },
};

static void
token_tables(void)
{
	struct hdr_token h, back;
	char *s;

	for (size_t i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]);
	    i++) {
		enum hdr_err e = hdr_token_parse(token_cases[i].h,
		    strlen(token_cases[i].h), &h);

		tap_ok(e == token_cases[i].want, "token: %s (got %s)",
		    token_cases[i].why, hdr_err_str(e));
	}
	hdr_token_parse(token_cases[0].h, strlen(token_cases[0].h), &h);
	tap_ok(h.timestamp_ms == 1700000000123LL &&
	    strcmp(h.timestamp, "1700000000123") == 0 &&
	    h.version == PA_PROTO_33, "token: fields");
	s = hdr_token_build(&h);
	tap_str(s, token_cases[0].h, "token build: SDK text");
	tap_ok(s != NULL && hdr_token_parse(s, strlen(s), &back) == HDR_OK &&
	    memcmp(&h, &back, sizeof(h)) == 0, "token build: round trip");
	free(s);
}

static const struct hcase enc_cases[] = {
	{ "PowerAuth version=\"3.3\", application_key=\"" AKEY "\"", HDR_OK,
	  "application scope" },
	{ "PowerAuth version=\"3.2\", application_key=\"" AKEY "\", "
	  "activation_id=\"" AID "\"", HDR_OK, "activation scope" },
	{ "PowerAuth activation_id=\"" AID "\",application_key=\"" AKEY "\","
	  "version=\"3.0\"", HDR_OK, "reordered" },
	{ "PowerAuth version=\"3.3\"", HDR_ERR_MISSING, "no application key" },
	{ "PowerAuth application_key=\"" AKEY "\"", HDR_ERR_MISSING, "no version" },
	{ "PowerAuth version=\"3.3\", application_key=\"" AKEY "\", "
	  "activation_id=\"nope\"", HDR_ERR_ACTIVATION_ID, "bad activation id" },
	{ "PowerAuth version=\"3.3\", application_key=\"" AKEY "\", "
	  "activation_id=\"" AID "\", activation_id=\"" AID "\"",
	  HDR_ERR_DUPLICATE, "duplicate activation id" },
	{ "PowerAuth version=\"3\", application_key=\"" AKEY "\"",
	  HDR_ERR_VERSION, "version 3" },
	{ "PowerAuth version=\"3.3\", application_key=\"\"", HDR_ERR_APP_KEY,
	  "empty app key" },
};

static void
enc_tables(void)
{
	struct hdr_encryption h, back;
	char *s;

	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		enum hdr_err e = hdr_encryption_parse(enc_cases[i].h,
		    strlen(enc_cases[i].h), &h);

		tap_ok(e == enc_cases[i].want, "encryption: %s (got %s)",
		    enc_cases[i].why, hdr_err_str(e));
	}
	for (size_t i = 0; i < 2; i++) {
		hdr_encryption_parse(enc_cases[i].h, strlen(enc_cases[i].h), &h);
		tap_ok(h.has_activation_id == (int)i, "encryption: scope %zu",
		    i);
		s = hdr_encryption_build(&h);
		tap_str(s, enc_cases[i].h, "encryption build %zu", i);
		tap_ok(s != NULL && hdr_encryption_parse(s, strlen(s), &back) ==
		    HDR_OK && memcmp(&h, &back, sizeof(h)) == 0,
		    "encryption build: round trip %zu", i);
		free(s);
	}
}

int
main(void)
{
	tap_ok(hdr_sig_type_parse("possession_biometry") ==
	    HDR_SIG_POSSESSION_BIOMETRY && hdr_sig_type_parse("") == 0 &&
	    strcmp(hdr_sig_type_str(HDR_SIG_KNOWLEDGE), "knowledge") == 0,
	    "signature type table");
	auth_tables();
	auth_build();
	token_tables();
	enc_tables();
	return tap_done();
}
