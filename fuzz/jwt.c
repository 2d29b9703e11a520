/*
 * jwt.c - fuzz target: the request JWT of /pa/v3/keystore/create
 * (protocol 3.3 temporary keys): crypto/jwt.c on its own, then the whole
 * endpoint with the JWT in its body. Also the ES256 response JWT a device
 * verifies. The input is the JWT text.
 *
 * Invariants: parsed claims are built into a JWT that parses to the same
 * claims and verifies with its key; nothing verifies with a key the input
 * cannot know.
 */
#include <config.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/jwt.h"
#include "fuzz/fuzz.h"

static const uint8_t KEY[16] = "fuzz-jwt-key-16b";

static void
request(const char *s, size_t n)
{
	struct jwt_request_claims c, c2;
	char *again;

	if (jwt_request_parse(s, n, &c) != JWT_OK)
		return;
	(void)jwt_request_verify(s, n, KEY);
	FUZZ_ASSERT((again = jwt_request_build(KEY, &c)) != NULL);
	FUZZ_ASSERT(jwt_request_parse(again, strlen(again), &c2) == JWT_OK);
	FUZZ_ASSERT(memcmp(&c, &c2, sizeof(c)) == 0);
	FUZZ_ASSERT(jwt_request_verify(again, strlen(again), KEY) == JWT_OK);
	free(again);
}

static void
endpoint(const char *s, size_t n)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "DOCUMENT_URI=/enrollment-server/pa/v3/keystore/create",
	    "CONTENT_TYPE=application/json", NULL };
	json_object *body, *ro;
	struct fuzz_fcgi f;
	const char *text;

	FUZZ_ASSERT((body = json_object_new_object()) != NULL &&
	    (ro = json_object_new_object()) != NULL);
	json_object_object_add(ro, "jwt", json_object_new_string_len(s,
	    (int)n));
	json_object_object_add(body, "requestObject", ro);
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(fuzz_fcgi_init_body(&f, params, (const uint8_t *)text,
	    strlen(text)) == 0);
	fuzz_serve(fuzz_enroll_worker(), &f);
	fuzz_fcgi_free(&f);
	json_object_put(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static EVP_PKEY *pub;
	struct jwt_response_claims rc;
	char *s;

	if (n > JWT_MAX_LEN + 16)
		return 0;
	if (pub == NULL)
		FUZZ_ASSERT(pa_ec_generate(&pub) == 0);
	s = fuzz_strndup(data, n);
	request(s, n);
	FUZZ_ASSERT(jwt_response_verify(s, n, pub, &rc) != JWT_OK);
	endpoint(s, n);
	free(s);
	return 0;
}
