/*
 * fcgi_enroll.c - fuzz target: a whole FastCGI request to paserv-enroll
 * without a socket: parameters (method, DOCUMENT_URI / REQUEST_URI, query
 * string, every header a handler reads), stdin, the request reader, the
 * router with its 404/405 answers, the handlers of /enrollment-server
 * and the response writer. The input is the text form of fuzz.h.
 *
 * Invariant: every request gets one well-formed FastCGI answer (a status,
 * matching Content-Length, JSON that parses) and leaves no transaction
 * open.
 */
#include <config.h>

#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct fuzz_fcgi f;

	FUZZ_ASSERT(fuzz_fcgi_init(&f, data, n) == 0);
	fuzz_serve(fuzz_enroll_worker(), &f);
	fuzz_fcgi_free(&f);
	return 0;
}
