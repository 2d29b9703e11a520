/*
 * fcgi_cloud.c - fuzz target: a whole FastCGI request to paserv-cloud
 * without a socket: parameters, query strings, stdin, the request reader,
 * the router, authentication (HTTP basic; see fuzz.h for who gets in),
 * every handler of /powerauth-cloud with its body and query parameters,
 * and the response writer. The input is the text form of fuzz.h.
 *
 * Invariant: as fcgi_enroll.c.
 */
#include <config.h>

#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct fuzz_fcgi f;

	FUZZ_ASSERT(fuzz_fcgi_init(&f, data, n) == 0);
	fuzz_serve(fuzz_cloud_worker(), &f);
	fuzz_fcgi_free(&f);
	return 0;
}
