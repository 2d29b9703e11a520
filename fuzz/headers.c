/*
 * headers.c - fuzz target: the request headers a mobile client controls:
 * X-PowerAuth-Authorization, X-PowerAuth-Token, X-PowerAuth-Encryption
 * (crypto/headers.c) and the User-Agent the operation history keeps
 * (service/user_agent.c). The input is one header value.
 *
 * Invariant: a value a parser accepts is built again by the matching
 * builder, and that text parses to the same fields.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/headers.h"
#include "fuzz/fuzz.h"
#include "service/user_agent.h"

static void
auth(const char *s, size_t n)
{
	struct hdr_auth a, b;
	char *t;

	memset(&a, 0, sizeof(a));
	if (hdr_auth_parse(s, n, &a) != HDR_OK)
		return;
	FUZZ_ASSERT((t = hdr_auth_build(&a)) != NULL);
	memset(&b, 0, sizeof(b));
	FUZZ_ASSERT(hdr_auth_parse(t, strlen(t), &b) == HDR_OK);
	FUZZ_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	free(t);
}

static void
token(const char *s, size_t n)
{
	struct hdr_token a, b;
	char *t;

	memset(&a, 0, sizeof(a));
	if (hdr_token_parse(s, n, &a) != HDR_OK)
		return;
	FUZZ_ASSERT((t = hdr_token_build(&a)) != NULL);
	memset(&b, 0, sizeof(b));
	FUZZ_ASSERT(hdr_token_parse(t, strlen(t), &b) == HDR_OK);
	FUZZ_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	free(t);
}

static void
encryption(const char *s, size_t n)
{
	struct hdr_encryption a, b;
	char *t;

	memset(&a, 0, sizeof(a));
	if (hdr_encryption_parse(s, n, &a) != HDR_OK)
		return;
	FUZZ_ASSERT((t = hdr_encryption_build(&a)) != NULL);
	memset(&b, 0, sizeof(b));
	FUZZ_ASSERT(hdr_encryption_parse(t, strlen(t), &b) == HDR_OK);
	FUZZ_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *s = fuzz_strndup(data, n);
	json_object *dev;

	(void)fuzz_config();
	/* The parsers take a length: the bytes as received, NULs included. */
	auth(s, n);
	token(s, n);
	encryption(s, n);
	if ((dev = user_agent_device(s)) != NULL) {
		FUZZ_ASSERT(json_object_is_type(dev, json_type_object));
		json_object_put(dev);
	}
	free(s);
	return 0;
}
