/*
 * json.c - fuzz target: the strict JSON body parser every handler uses
 * (http/jsonin.c) and its typed field accessors.
 *
 * Invariants: an accepted body is one JSON object that json-c, printing
 * and reading it back, finds equal to itself; every accessor either
 * refuses a member or returns one within the limits it was given.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "http/jsonin.h"

static void
accessors(json_object *o, const char *key)
{
	const char *s = NULL, **items = NULL;
	char err[160];
	int64_t v = 0;
	size_t n = 0, i;
	int present = 0, b = 0;

	if (jsonin_string(o, key, 1, 1, 64, jsonin_cs_ident, &s, err,
	    sizeof(err)) == 0) {
		FUZZ_ASSERT(s != NULL && strlen(s) >= 1 && strlen(s) <= 64);
		for (i = 0; s[i] != '\0'; i++)
			FUZZ_ASSERT(jsonin_cs_ident((unsigned char)s[i]));
	}
	if (jsonin_string(o, key, 0, 0, 4096, NULL, &s, err,
	    sizeof(err)) == 0 && s != NULL)
		for (i = 0; s[i] != '\0'; i++)
			FUZZ_ASSERT((unsigned char)s[i] >= 0x20);
	if (jsonin_int64(o, key, 0, -1000, 1000, &v, &present, err,
	    sizeof(err)) == 0 && present)
		FUZZ_ASSERT(v >= -1000 && v <= 1000);
	(void)jsonin_int64(o, key, 1, INT64_MIN, INT64_MAX, &v, &present, err,
	    sizeof(err));
	(void)jsonin_bool(o, key, 1, &b, err, sizeof(err));
	if (jsonin_string_array(o, key, 0, 8, 32, jsonin_cs_username, &items,
	    &n, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(n <= 8);
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(items[i] != NULL && strlen(items[i]) <= 32);
	}
	free(items);
	(void)jsonin_member(o, key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	json_object *o = NULL, *again;
	char err[160];
	const char *text;

	(void)fuzz_config();
	if (jsonin_parse_object(data, n, n > 0 && data[0] == ' ', &o, err,
	    sizeof(err)) != 0) {
		FUZZ_ASSERT(o == NULL && err[0] != '\0');
		return 0;
	}
	if (o == NULL)
		return 0;		/* empty body, allowed */
	FUZZ_ASSERT(json_object_is_type(o, json_type_object));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	FUZZ_ASSERT(text != NULL);
	again = json_tokener_parse(text);
	FUZZ_ASSERT(again != NULL && json_object_equal(o, again));
	json_object_put(again);
	json_object_object_foreach(o, key, val) {
		(void)val;
		accessors(o, key);
	}
	accessors(o, "absent");
	json_object_put(o);
	return 0;
}
