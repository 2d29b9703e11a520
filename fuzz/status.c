/*
 * status.c - fuzz target: the activation status request
 * (POST /pa/v3/activation/status, protocol.md §6): the input is the body,
 * sent through the /enrollment-server pipeline to the real handler and
 * service. The database is up and knows no activation, so a well-formed
 * request gets the random blob the reference server gives for an unknown
 * one; one input in four finds the database down instead.
 */
#include <config.h>

#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "DOCUMENT_URI=/enrollment-server/pa/v3/activation/status",
	    "CONTENT_TYPE=application/json", NULL };
	struct fuzz_fcgi f;

	FUZZ_ASSERT(fuzz_fcgi_init_body(&f, params, data, n) == 0);
	f.db = n % 4 == 3 ? FUZZ_DB_DOWN : FUZZ_DB_EMPTY;
	fuzz_serve(fuzz_enroll_worker(), &f);
	fuzz_fcgi_free(&f);
	return 0;
}
