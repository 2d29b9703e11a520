/* Strict JSON request parsing and typed fields. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "http/jsonin.h"
#include "tap.h"

static int
parse(const char *s, size_t n, int allow_empty, json_object **o)
{
	char err[160];

	return jsonin_parse_object((const uint8_t *)s, n, allow_empty, o, err,
	    sizeof(err));
}

static void
bad(const char *s, const char *what)
{
	json_object *o = NULL;

	tap_ok(parse(s, strlen(s), 0, &o) != 0 && o == NULL, "reject %s", what);
}

static void
good(const char *s, const char *what)
{
	json_object *o = NULL;

	tap_ok(parse(s, strlen(s), 0, &o) == 0 && o != NULL, "accept %s",
	    what);
	json_object_put(o);
}

int
main(void)
{
	json_object *o = NULL;
	const char *s, **arr;
	char err[160], deep[200];
	size_t n;
	int b;

	tap_ok(parse("{\"id\":\"a\"}", 10, 0, &o) == 0 && o != NULL,
	    "object parses");
	json_object_put(o);
	tap_ok(parse(" {} \n", 5, 0, &o) == 0, "surrounding whitespace ok");
	json_object_put(o);
	tap_ok(parse("", 0, 1, &o) == 0 && o == NULL, "empty allowed");
	tap_ok(parse("  ", 2, 0, &o) != 0, "empty refused when required");
	s = "{\"a\":\"it's \\\"q\\\" /*x*/\"}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0, "quotes and slashes inside "
	    "strings");
	json_object_put(o);
	bad("[1]", "array");
	bad("\"s\"", "string");
	bad("null", "null");
	bad("{\"a\":1", "truncated");
	bad("{\"a\":1}x", "trailing garbage");
	bad("{\"a\":1}{}", "two objects");
	bad("{'a':1}", "single quotes");
	/* One trailing comma before a closer is tolerated (doc/registrations.md). */
	s = "{\"userId\": \"u\", \"otpValidation\": \"ON_KEY_EXCHANGE\",\n}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0 && o != NULL &&
	    jsonin_string(o, "otpValidation", 1, 1, 32, NULL, &s, err,
	    sizeof(err)) == 0 && strcmp(s, "ON_KEY_EXCHANGE") == 0,
	    "trailing comma before } accepted (tutorial body)");
	json_object_put(o);
	s = "{\"r\":[\"A\",\"B\",],}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0 &&
	    jsonin_string_array(o, "r", 1, 5, 10, NULL, &arr, &n, err,
	    sizeof(err)) == 0 && n == 2, "trailing comma before ] accepted");
	free(arr);
	json_object_put(o);
	s = "{\"a\":\",}\",}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0 &&
	    jsonin_string(o, "a", 1, 1, 10, NULL, &s, err, sizeof(err)) == 0 &&
	    strcmp(s, ",}") == 0, "comma inside a string left alone");
	json_object_put(o);
	bad("{\"a\":1,,}", "double trailing comma");
	bad("{\"a\":1 , ,}", "two commas with space");
	bad("[1,]", "array with trailing comma (still not an object)");
	bad("{,}", "lone comma");
	bad("{,\"a\":1}", "leading comma");
	bad("{\"a\":[,1]}", "leading comma in array");
	bad("{\"a\":,}", "comma after colon");
	bad("{\"a\",}", "comma after a key");
	bad("{\"a\":\"x,\"}x", "comma in string does not excuse garbage");
	bad("{\"a\":\"x\\\",}\"", "escaped quote: comma is inside the string");
	bad("{\"a\":1,}x", "trailing comma and garbage");
	bad("{\"a\":\"\xff\"}", "invalid UTF-8");
	bad("{/*c*/}", "comment");
	bad("{\"a\":tru}", "bad literal");
	bad("{\"a\":\"it's \\\"q\\\"\"}x", "garbage after escaped quotes");
	tap_ok(parse("{\"a\":\"b\0\"}", 10, 0, &o) != 0, "NUL byte");
	bad("{\"a\":\"PT2S\\u0000x\"}", "escaped NUL");
	bad("{\"a\\u0000\":1}", "escaped NUL in a key");
	bad("{\"a\":\"\\u0000", "escaped NUL at the end");
	good("{\"a\":\"\\\\u0000\"}", "an escaped backslash, then u0000");
	good("{\"a\":\"\\u0001\\u00e9\"}", "other \\u escapes");
	memset(deep, '[', sizeof(deep));
	deep[0] = '{';
	deep[1] = '"';
	deep[2] = 'a';
	deep[3] = '"';
	deep[4] = ':';
	tap_ok(parse(deep, sizeof(deep), 0, &o) != 0, "deep nesting");

	s = "{\"id\":\"my-app\",\"n\":5,\"r\":[\"A\",\"b\"],"
	    "\"x\":[1],\"ws\":\"a b\",\"nul\":null}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0, "fields object");
	tap_ok(jsonin_string(o, "id", 1, 1, 10, jsonin_cs_ident, &s, err,
	    sizeof(err)) == 0 && strcmp(s, "my-app") == 0, "string field");
	tap_ok(jsonin_string(o, "n", 1, 1, 10, NULL, &s, err, sizeof(err)) != 0
	    && strstr(err, "'n' must be a string") != NULL, "wrong type: %s",
	    err);
	tap_ok(jsonin_string(o, "zz", 1, 1, 10, NULL, &s, err, sizeof(err)) != 0
	    && strstr(err, "'zz' is required") != NULL, "missing: %s", err);
	tap_ok(jsonin_string(o, "zz", 0, 1, 10, NULL, &s, err, sizeof(err)) == 0
	    && s == NULL, "optional missing");
	tap_ok(jsonin_string(o, "nul", 0, 1, 10, NULL, &s, err, sizeof(err))
	    == 0 && s == NULL, "null is absent");
	tap_ok(jsonin_string(o, "id", 1, 1, 3, NULL, &s, err, sizeof(err)) != 0,
	    "too long");
	tap_ok(jsonin_string(o, "ws", 1, 1, 10, jsonin_cs_ident, &s, err,
	    sizeof(err)) != 0, "charset enforced");
	tap_ok(jsonin_string_array(o, "r", 1, 5, 10, jsonin_cs_ident, &arr, &n,
	    err, sizeof(err)) == 0 && n == 2 && strcmp(arr[1], "b") == 0,
	    "string array");
	free(arr);
	tap_ok(jsonin_string_array(o, "x", 1, 5, 10, NULL, &arr, &n, err,
	    sizeof(err)) != 0 && strstr(err, "'x[0]'") != NULL,
	    "array item type named: %s", err);
	tap_ok(jsonin_string_array(o, "r", 1, 1, 10, NULL, &arr, &n, err,
	    sizeof(err)) != 0, "too many items");
	tap_ok(jsonin_string_array(o, "id", 1, 5, 10, NULL, &arr, &n, err,
	    sizeof(err)) != 0, "not an array");
	json_object_put(o);

	s = "{\"t\":true,\"f\":false,\"s\":\"true\",\"z\":null}";
	tap_ok(parse(s, strlen(s), 0, &o) == 0, "booleans object");
	tap_ok(jsonin_bool(o, "t", 0, &b, err, sizeof(err)) == 0 && b == 1,
	    "bool true");
	tap_ok(jsonin_bool(o, "f", 1, &b, err, sizeof(err)) == 0 && b == 0,
	    "bool false");
	tap_ok(jsonin_bool(o, "zz", -1, &b, err, sizeof(err)) == 0 && b == -1,
	    "bool absent: the default");
	tap_ok(jsonin_bool(o, "z", 7, &b, err, sizeof(err)) == 0 && b == 7,
	    "bool null: the default");
	tap_ok(jsonin_bool(o, "s", 0, &b, err, sizeof(err)) != 0 &&
	    strstr(err, "'s' must be a boolean") != NULL, "bool as a string "
	    "refused: %s", err);
	json_object_put(o);
	return tap_done();
}
