/* Strict Base64 / base64url codec. */
#include <string.h>

#include "common/base64.h"
#include "tap.h"

static void
roundtrip(const char *plain, const char *b64)
{
	char enc[128];
	uint8_t dec[128];
	size_t n = 0;

	b64_encode((const uint8_t *)plain, strlen(plain), enc);
	tap_str(enc, b64, "encode '%s'", plain);
	tap_ok(b64_decode(b64, strlen(b64), dec, sizeof(dec), &n) == 0 &&
	    n == strlen(plain) && memcmp(dec, plain, n) == 0,
	    "decode '%s'", b64);
}

static void
rejects(const char *b64, const char *why)
{
	uint8_t dec[128];
	size_t n;

	tap_ok(b64_decode(b64, strlen(b64), dec, sizeof(dec), &n) != 0,
	    "reject '%s' (%s)", b64, why);
}

int
main(void)
{
	uint8_t out[16], raw[3] = { 0xfb, 0xff, 0x01 };
	char url[8];
	size_t n = 0;

	/* RFC 4648 §10 test vectors. */
	roundtrip("", "");
	roundtrip("f", "Zg==");
	roundtrip("fo", "Zm8=");
	roundtrip("foo", "Zm9v");
	roundtrip("foob", "Zm9vYg==");
	roundtrip("fooba", "Zm9vYmE=");
	roundtrip("foobar", "Zm9vYmFy");

	rejects("Zg=", "bad length");
	rejects("Zg", "missing padding");
	rejects("Zh==", "non-zero trailing bits");
	rejects("Zm9=", "non-zero trailing bits");
	rejects("Zm 9v", "whitespace");
	rejects("Zm9v\n", "newline");
	rejects("Z===", "three pads");
	rejects("=Zm9", "pad first");
	rejects("Zm-v", "url alphabet in standard text");

	tap_ok(b64_decode("Zm9vYmFy", 8, out, 5, &n) != 0,
	    "decode refuses to overflow the output");
	tap_ok(b64_decode_exact("AAAAAAAAAAAAAAAAAAAAAA==", out, 16) == 0,
	    "exact 16 bytes");
	tap_ok(b64_decode_exact("AAAAAAAAAAAAAAAAAAAA", out, 16) != 0,
	    "exact rejects 15 bytes");

	b64url_encode(raw, sizeof(raw), url);
	tap_str(url, "-_8B", "base64url alphabet, no padding");
	tap_ok(b64url_decode("-_8", 3, out, sizeof(out), &n) == 0 && n == 2 &&
	    out[0] == 0xfb && out[1] == 0xff, "base64url decodes unpadded");
	tap_ok(b64url_decode("-_8=", 4, out, sizeof(out), &n) != 0,
	    "base64url rejects padding");
	return tap_done();
}
