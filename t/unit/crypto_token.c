/*
 * MAC token digest (§7.3). No public 3.x vectors exist: the digest is
 * checked against an independent computation straight from the formula with
 * pa_hmac_sha256, for 3.0/3.1 and 3.2/3.3, plus constant-time verify cases.
 */
#include <string.h>

#include "common/base64.h"
#include "common/uuid.h"
#include "crypto/primitives.h"
#include "crypto/token.h"
#include "tap.h"

static void
by_hand(const uint8_t s[16], const uint8_t nonce[16], const char *ts,
    const char *ver, uint8_t out[32])
{
	uint8_t msg[64];
	size_t n = 0;

	memcpy(msg, nonce, 16);
	n = 16;
	msg[n++] = '&';
	memcpy(msg + n, ts, strlen(ts));
	n += strlen(ts);
	if (ver != NULL) {
		msg[n++] = '&';
		memcpy(msg + n, ver, strlen(ver));
		n += strlen(ver);
	}
	pa_hmac_sha256(s, 16, msg, n, out);
}

/*
 * Fixed known answers, computed outside this code base (Python hmac) from
 * the §7.3 formula: secret = 00..0f, nonce = 10..1f, ts = "1700000000123".
 */
static void
known_answers(void)
{
	static const struct { enum pa_proto_version v; const char *b64; }
	    kat[4] = {
		{ PA_PROTO_30, "gpxvJOGxbXftuWI8z3gJ14dlYLGG+YjoWHhmDS+sVgs=" },
		{ PA_PROTO_31, "gpxvJOGxbXftuWI8z3gJ14dlYLGG+YjoWHhmDS+sVgs=" },
		{ PA_PROTO_32, "iX9h253IoQrqvE4vK5Mc0yUnz8KStejSzJpx3QJ4Xrs=" },
		{ PA_PROTO_33, "7Ubbnam53zJaxvSNZr3vfSVBYYWBhlRwSpLcWt4sjyY=" }
	};
	uint8_t s[16], nonce[16], d[32];
	char b64[45];
	int i;

	for (i = 0; i < 16; i++) {
		s[i] = (uint8_t)i;
		nonce[i] = (uint8_t)(16 + i);
	}
	for (i = 0; i < 4; i++) {
		b64[0] = '\0';
		if (token_digest(s, kat[i].v, nonce, "1700000000123", d) == 0)
			b64_encode(d, 32, b64);
		tap_str(b64, kat[i].b64, "digest %s = fixed known answer",
		    pa_proto_str(kat[i].v));
	}
}

static void
new_tokens(void)
{
	char id[TOKEN_ID_LEN + 1], id2[TOKEN_ID_LEN + 1];
	uint8_t s[TOKEN_SECRET_LEN], s2[TOKEN_SECRET_LEN];

	tap_ok(token_new(id, s) == 0 && token_new(id2, s2) == 0 &&
	    uuid_is_v4(id) && uuid_is_v4(id2) && strcmp(id, id2) != 0 &&
	    memcmp(s, s2, sizeof(s)) != 0, "token_new: UUID v4 ids, random "
	    "secrets (%s)", id);
	tap_ok(token_new(NULL, s) == -1 && token_new(id, NULL) == -1,
	    "token_new: NULL refused");
}

int
main(void)
{
	static const struct { enum pa_proto_version v; const char *tag; }
	    vs[4] = { { PA_PROTO_30, NULL }, { PA_PROTO_31, NULL },
	    { PA_PROTO_32, "3.2" }, { PA_PROTO_33, "3.3" } };
	const char *ts = "1700000000123";
	uint8_t s[16], nonce[16], d[32], want[32], s2[16];
	char b64[48];
	int i;

	/* The header carries Base64 values; decode as the server does. */
	b64_decode_exact("MDEyMzQ1Njc4OWFiY2RlZg==", s, 16);
	b64_decode_exact("kYjzVBB8Y0ZFabxSWbWovQ==", nonce, 16);
	for (i = 0; i < 4; i++) {
		by_hand(s, nonce, ts, vs[i].tag, want);
		tap_ok(token_digest(s, vs[i].v, nonce, ts, d) == 0,
		    "digest %s", pa_proto_str(vs[i].v));
		tap_mem(d, 32, want, 32, "digest %s = hand computation",
		    pa_proto_str(vs[i].v));
		tap_ok(token_verify(s, vs[i].v, nonce, ts, want) == 0,
		    "verify %s", pa_proto_str(vs[i].v));
		want[31] ^= 1;
		tap_ok(token_verify(s, vs[i].v, nonce, ts, want) != 0,
		    "verify %s: flipped bit refused", pa_proto_str(vs[i].v));
	}
	/* 3.0 and 3.1 agree; 3.2 differs from 3.1 and from 3.3. */
	{
		uint8_t a[32], b[32], c[32];

		token_digest(s, PA_PROTO_31, nonce, ts, a);
		token_digest(s, PA_PROTO_32, nonce, ts, b);
		token_digest(s, PA_PROTO_33, nonce, ts, c);
		tap_ok(memcmp(a, b, 32) != 0 && memcmp(b, c, 32) != 0,
		    "version enters the digest from 3.2 on");
		b64_encode(b, 32, b64);
		tap_ok(strlen(b64) == 44, "digest Base64 is 44 chars");
	}
	/* The timestamp is text: "0123" and "123" differ. */
	token_digest(s, PA_PROTO_33, nonce, "1700000000123", d);
	token_digest(s, PA_PROTO_33, nonce, "01700000000123", want);
	tap_ok(memcmp(d, want, 32) != 0, "timestamp used as received text");
	tap_ok(token_digest(s, PA_PROTO_33, nonce, "", d) != 0 &&
	    token_digest(s, PA_PROTO_33, nonce, "1234567890123456", d) != 0 &&
	    token_digest(s, (enum pa_proto_version)34, nonce, ts, d) != 0,
	    "bad timestamp / version refused");
	tap_ok(token_secret_generate(s) == 0 && token_secret_generate(s2) == 0 &&
	    memcmp(s, s2, 16) != 0, "token secrets are random");
	known_answers();
	new_tokens();
	return tap_done();
}
