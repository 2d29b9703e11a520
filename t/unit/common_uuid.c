/* UUID v4 generation and strict validation. */
#include <config.h>

#include <string.h>

#include "common/uuid.h"
#include "tap.h"

int
main(void)
{
	char a[UUID_STR_LEN + 1], b[UUID_STR_LEN + 1];

	tap_ok(uuid_v4_generate(a) == 0 && strlen(a) == UUID_STR_LEN,
	    "generate");
	tap_ok(uuid_is_v4(a), "generated value is v4 (%s)", a);
	tap_ok(uuid_v4_generate(b) == 0 && strcmp(a, b) != 0, "two differ");
	tap_ok(uuid_is_valid("0f8fad5b-d9cb-469f-a165-70867728950e"), "valid");
	tap_ok(uuid_is_valid("0F8FAD5B-D9CB-469F-A165-70867728950E"),
	    "upper case accepted");
	tap_ok(!uuid_is_valid("0f8fad5bd9cb469fa16570867728950e"),
	    "no hyphens rejected");
	tap_ok(!uuid_is_valid("{0f8fad5b-d9cb-469f-a165-70867728950e}"),
	    "braces rejected");
	tap_ok(!uuid_is_valid("0f8fad5b-d9cb-469f-a165-70867728950e "),
	    "trailing space rejected");
	tap_ok(!uuid_is_valid("0f8fad5b-d9cb-469f-a165-70867728950"),
	    "short rejected");
	tap_ok(!uuid_is_valid("0f8fad5g-d9cb-469f-a165-70867728950e"),
	    "non-hex rejected");
	tap_ok(!uuid_is_valid(NULL) && !uuid_is_valid(""), "NULL/empty");
	tap_ok(!uuid_is_v4("0f8fad5b-d9cb-169f-a165-70867728950e"),
	    "version 1 is not v4");
	tap_ok(!uuid_is_v4("0f8fad5b-d9cb-469f-c165-70867728950e"),
	    "wrong variant is not v4");
	return tap_done();
}
