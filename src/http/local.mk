# src/http: FastCGI plumbing shared by the workers: request reading, strict
# JSON input, routing, the error table, response writing, responder threads.
noinst_LIBRARIES += src/http/libpahttp.a
src_http_libpahttp_a_SOURCES = \
	src/http/error.c src/http/error.h \
	src/http/jsonin.c src/http/jsonin.h \
	src/http/metrics.c src/http/metrics.h \
	src/http/request.c src/http/request.h \
	src/http/response.c src/http/response.h \
	src/http/router.c src/http/router.h \
	src/http/server.c src/http/server.h
