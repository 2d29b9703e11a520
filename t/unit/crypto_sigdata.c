/*
 * Signature data normalisation: extracted/signature-data-normalization.json
 * (SDK known answer, server parser cases, URL-encoding table) plus the GET
 * query canonicalisation.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/sigdata.h"
#include "tap.h"
#include "vectors.h"

static const char file[] = "extracted/signature-data-normalization.json";

static int
normalization(struct json_object *v)
{
	struct buf out = BUF_INIT;
	uint8_t nonce[16], body[256];
	int nb = vec_b64(v, "bodyBase64", body, sizeof(body)), ok;

	ok = vec_b64(v, "nonceB64", nonce, 16) == 16 && nb >= 0 &&
	    sigdata_build(&out, vec_str(v, "method"), vec_str(v, "uriId"),
	    nonce, body, (size_t)nb, vec_str(v, "applicationSecret")) == 0;
	ok = tap_ok(ok, "normalization builds") &&
	    tap_str(buf_cstr(&out), vec_str(v, "expectedNormalizedData"),
	    "normalized data (%s)", vec_str(v, "uriId"));
	buf_free(&out);
	return ok;
}

static int
server_parser(struct json_object *v)
{
	struct sigdata_parts p;
	struct json_object *pf;
	const char *data = vec_str(v, "requestData"), *body;
	int ok, rc = sigdata_parse(data, strlen(data), &p);

	if (json_object_object_get_ex(v, "parses", &pf) &&
	    !json_object_get_boolean(pf)) {
		ok = tap_ok(rc != 0, "parser rejects: %s", vec_str(v, "note"));
		sigdata_parts_free(&p);
		return ok;
	}
	body = vec_str(v, "expectedBody");
	ok = tap_ok(rc == 0, "parser accepts line %lld", vec_int(v, "line")) &&
	    tap_str(p.method, vec_str(v, "expectedMethod"), "parsed method") &&
	    tap_str(p.uri_id, vec_str(v, "expectedUriIdentifier"),
	    "parsed uri id") &&
	    tap_mem(p.body.data, p.body.len, body, strlen(body), "parsed body");
	sigdata_parts_free(&p);
	return ok;
}

static int
url_encoding(struct json_object *v)
{
	struct buf out = BUF_INIT;
	uint8_t in[512];
	int n = vec_hex(v, "inputHex", in, sizeof(in)), ok;

	ok = n >= 0 && sigdata_url_encode(&out, in, (size_t)n) == 0 &&
	    tap_str(buf_cstr(&out), vec_str(v, "expected"), "URL encode line %lld",
	    vec_int(v, "line"));
	if (n < 0)
		tap_ok(0, "hex input");
	buf_free(&out);
	return ok;
}

static int
each(struct json_object *root, const char *key, int (*fn)(struct json_object *))
{
	struct json_object *arr;
	int n = 0;

	if (!json_object_object_get_ex(root, key, &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array) &&
	    !json_object_object_get_ex(arr, "vectors", &arr))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		n += fn(json_object_array_get_idx(arr, i));
	return n;
}

static void
vectors(void)
{
	struct json_object *root = vec_load(file);
	int a, b, c;

	if (root == NULL) {
		tap_ok(0, "load %s", file);
		return;
	}
	a = each(root, "normalization", normalization);
	b = each(root, "serverParser", server_parser);
	c = each(root, "urlEncoding", url_encoding);
	tap_ok(a == 1 && b == 2 && c == 8, "all 1 + 2 + 8 entries pass");
	vec_report(file, a + b + c, 0);
	json_object_put(root);
}

static void
query(const char *q, const char *want)
{
	struct buf out = BUF_INIT;
	int rc = sigdata_canonical_query(&out, q, strlen(q));

	if (want == NULL)
		tap_ok(rc != 0, "query '%s' rejected", q);
	else
		tap_ok(rc == 0 && strcmp(buf_cstr(&out), want) == 0,
		    "query '%s' -> '%s' (got '%s')", q, want,
		    rc == 0 ? buf_cstr(&out) : "error");
	buf_free(&out);
}

static void
queries(void)
{
	char many[4096];
	size_t n = 0;

	query("", "");
	query("b=2&a=1", "a=1&b=2");
	query("a=2&a=1&a=10", "a=1&a=10&a=2");
	query("x=hello%20world&y=a+b", "x=hello+world&y=a+b");
	query("q=%7e&p=%7E~", "p=%7E%7E&q=%7E");
	query("name=J%C3%A1n&&flag", "flag=&name=J%C3%A1n");
	query("k=v=w", "k=v%3Dw");
	query("a=%zz", NULL);
	query("a=%4", NULL);
	query("a=%", NULL);
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "k%d=1&", i);
	query(many, NULL);
}

static void
build_edges(void)
{
	struct buf out = BUF_INIT;
	uint8_t nonce[16] = { 0 };

	tap_ok(sigdata_build(&out, "GET", "/x", nonce, NULL, 0,
	    SIGDATA_OFFLINE) == 0 && strcmp(buf_cstr(&out),
	    "GET&L3g=&AAAAAAAAAAAAAAAAAAAAAA==&&offline") == 0,
	    "offline secret, empty body");
	tap_ok(sigdata_build(&out, "post", "/x", nonce, NULL, 0, "s") != 0,
	    "lower-case method refused");
	tap_ok(sigdata_build(&out, "POST", "/x", nonce, (const uint8_t *)"{}",
	    2, "s") == 0 && strcmp(buf_cstr(&out),
	    "POST&L3g=&AAAAAAAAAAAAAAAAAAAAAA==&e30=&s") == 0, "body {}");
	buf_free(&out);
}

int
main(void)
{
	vectors();
	queries();
	build_edges();
	return tap_done();
}
