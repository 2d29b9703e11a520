/* Request parsing: method, path sources, query decoding, request id. */
#include <config.h>

#include <string.h>

#include "http/request.h"
#include "tap.h"

static enum api_err
parse(struct request *r, char **envp)
{
	char err[160];

	return request_parse_params(r, envp, err, sizeof(err));
}

static void
decodes(const char *in, int plus, const char *want)
{
	char out[128];

	tap_ok(url_decode(in, strlen(in), plus, out) == 0 &&
	    strcmp(out, want) == 0, "decode '%s' -> '%s'", in, want);
}

static void
undecodable(const char *in)
{
	char out[128];

	tap_ok(url_decode(in, strlen(in), 1, out) != 0, "reject '%s'", in);
}

int
main(void)
{
	char *e1[] = { "REQUEST_METHOD=GET",
	    "DOCUMENT_URI=/powerauth-cloud/x", "QUERY_STRING=a=1&b=x%20y+z&c",
	    "HTTP_X_REQUEST_ID=abc-123", NULL };
	char *e2[] = { "REQUEST_METHOD=POST",
	    "REQUEST_URI=/enrollment-server/a%2Fb?q=%41", NULL };
	char *e3[] = { "REQUEST_METHOD=get", "DOCUMENT_URI=/x", NULL };
	char *e4[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=x", NULL };
	char *e5[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/x",
	    "HTTP_X_REQUEST_ID=bad id!", "QUERY_STRING=a=%zz", NULL };
	char *e6[] = { "DOCUMENT_URI=/x", NULL };
	char *e7[] = { "REQUEST_METHOD=GET", "DOCUMENT_URI=/x",
	    "QUERY_STRING=a=1&a=2", NULL };
	char *e8[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/x%00y", NULL };
	struct request r;
	char err[160];

	decodes("abc", 1, "abc");
	decodes("a%20b", 0, "a b");
	decodes("a+b", 1, "a b");
	decodes("a+b", 0, "a+b");
	decodes("%C3%A9", 1, "\xc3\xa9");
	undecodable("%");
	undecodable("%4");
	undecodable("%zz");
	undecodable("%00");
	undecodable("%0a");
	undecodable("a\x01");

	memset(err, 'x', sizeof(err));
	tap_ok(url_decode("ab%zz", 5, 0, err) != 0 && err[0] == '\0',
	    "failed decode leaves a terminated empty string (regression)");
	tap_ok(parse(&r, e1) == API_OK, "full request parses");
	tap_str(r.method, "GET", "method");
	tap_str(r.path, "/powerauth-cloud/x", "path from DOCUMENT_URI");
	tap_ok(r.nquery == 3, "three query parameters");
	tap_str(request_query(&r, "b"), "x y z", "query value decoded");
	tap_str(request_query(&r, "c"), "", "key without value");
	tap_ok(request_query(&r, "d") == NULL, "absent key");
	tap_str(r.id, "abc-123", "sane incoming request id reused");
	request_free(&r);

	tap_ok(parse(&r, e2) == API_OK, "REQUEST_URI fallback parses");
	tap_str(r.path, "/enrollment-server/a/b", "path decoded");
	tap_str(request_query(&r, "q"), "A", "query from REQUEST_URI");
	tap_ok(strlen(r.id) == 32, "request id generated");
	request_free(&r);

	tap_ok(parse(&r, e3) == API_ERROR_REQUEST, "lower-case method");
	request_free(&r);
	tap_ok(parse(&r, e4) == API_ERROR_REQUEST, "relative path");
	request_free(&r);
	tap_ok(parse(&r, e5) == API_ERROR_REQUEST && strlen(r.id) == 32,
	    "bad query; insane request id replaced");
	request_free(&r);
	tap_ok(parse(&r, e6) == API_ERROR_REQUEST, "missing method");
	request_free(&r);
	tap_ok(parse(&r, e7) == API_ERROR_REQUEST, "duplicate query key");
	request_free(&r);
	tap_ok(parse(&r, e8) == API_ERROR_REQUEST, "encoded NUL in path");
	request_free(&r);

	memset(&r, 0, sizeof(r));
	tap_ok(query_parse(&r, "a=1&&b=2&", err, sizeof(err)) == 0 &&
	    r.nquery == 2, "empty pairs skipped");
	request_free(&r);
	memset(&r, 0, sizeof(r));
	tap_ok(query_parse(&r, "a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p&q", err,
	    sizeof(err)) != 0, "too many parameters");
	request_free(&r);

	tap_ok(request_id_is_sane("A-b_c.9"), "sane id");
	tap_ok(!request_id_is_sane("") && !request_id_is_sane("a b") &&
	    !request_id_is_sane("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaa"), "insane ids");
	return tap_done();
}
