/*
 * headers.c - X-PowerAuth-Authorization / -Token / -Encryption (see headers.h).
 *
 * Owns the header syntax and value validation only; no lookups, no logging.
 * Tolerance matches the reference server, whose parser is the regex
 * (\w+)="*((?<=")[^"]+(?=")|([^\s]+)),*"*  applied repeatedly: pairs may be
 * separated by ", ", "," or just whitespace, and a quoted value may be
 * followed directly by the next key. Its Base64 decoder also ignores non-zero
 * trailing bits (the integration tutorial's sample header relies on that), so
 * fixed-length Base64 values are decoded the same way here; signature data is
 * later built from the canonical re-encoding (§5.1).
 */
#include "crypto/headers.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"

#define HDR_PREFIX	"PowerAuth"
#define HDR_MAX_FIELDS	16
#define HDR_KEY_MAX	32
#define HDR_VALUE_MAX	128

static const char *const sig_type_names[] = {
	[HDR_SIG_POSSESSION] = "possession",
	[HDR_SIG_KNOWLEDGE] = "knowledge",
	[HDR_SIG_BIOMETRY] = "biometry",
	[HDR_SIG_POSSESSION_KNOWLEDGE] = "possession_knowledge",
	[HDR_SIG_POSSESSION_BIOMETRY] = "possession_biometry",
	[HDR_SIG_POSSESSION_KNOWLEDGE_BIOMETRY] =
	    "possession_knowledge_biometry",
};
#define SIG_TYPE_COUNT	(sizeof(sig_type_names) / sizeof(sig_type_names[0]))

static const char *const err_names[] = {
	[HDR_OK] = "ok",
	[HDR_ERR_SYNTAX] = "malformed header",
	[HDR_ERR_DUPLICATE] = "duplicate field",
	[HDR_ERR_MISSING] = "missing field",
	[HDR_ERR_VERSION] = "unsupported version",
	[HDR_ERR_ACTIVATION_ID] = "invalid activation id",
	[HDR_ERR_APP_KEY] = "invalid application key",
	[HDR_ERR_NONCE] = "invalid nonce",
	[HDR_ERR_SIG_TYPE] = "invalid signature type",
	[HDR_ERR_SIGNATURE] = "invalid signature",
	[HDR_ERR_TOKEN_ID] = "invalid token id",
	[HDR_ERR_DIGEST] = "invalid token digest",
	[HDR_ERR_TIMESTAMP] = "invalid timestamp",
};

/* One known key of a header and where its value was found. */
struct slot {
	const char	*name;
	const char	*val;
	size_t		 len;
	int		 seen;
};

enum hdr_sig_type
hdr_sig_type_parse(const char *s)
{
	for (size_t i = 1; s != NULL && i < SIG_TYPE_COUNT; i++)
		if (strcmp(s, sig_type_names[i]) == 0)
			return (enum hdr_sig_type)i;
	return (enum hdr_sig_type)0;
}

const char *
hdr_sig_type_str(enum hdr_sig_type t)
{
	if ((size_t)t == 0 || (size_t)t >= SIG_TYPE_COUNT)
		return NULL;
	return sig_type_names[t];
}

const char *
hdr_err_str(enum hdr_err e)
{
	if ((size_t)e >= sizeof(err_names) / sizeof(err_names[0]))
		return "unknown error";
	return err_names[e];
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

int
hdr_uuid_valid(const char *s, size_t n)
{
	if (s == NULL || n != HDR_UUID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i]))
			return 0;
	}
	if (s[14] < '1' || s[14] > '5')
		return 0;
	return strchr("89abAB", s[19]) != NULL && s[19] != '\0';
}

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* Records one key="value" pair in its slot; unknown keys are ignored. */
static enum hdr_err
put(struct slot *slots, size_t nslots, const char *k, size_t klen,
    const char *v, size_t vlen)
{
	for (size_t i = 0; i < nslots; i++) {
		if (strlen(slots[i].name) != klen ||
		    memcmp(slots[i].name, k, klen) != 0)
			continue;
		if (slots[i].seen)
			return HDR_ERR_DUPLICATE;
		slots[i].seen = 1;
		slots[i].val = v;
		slots[i].len = vlen;
	}
	return HDR_OK;
}

/* Reads a value at s[*i]: "quoted" or a bare run without separators. */
static enum hdr_err
read_value(const char *s, size_t n, size_t *i, const char **v, size_t *vlen)
{
	size_t p = *i, start;

	if (p < n && s[p] == '"') {
		start = ++p;
		while (p < n && s[p] != '"')
			p++;
		if (p >= n)
			return HDR_ERR_SYNTAX;
		*v = s + start;
		*vlen = p - start;
		*i = p + 1;
	} else {
		start = p;
		while (p < n && !is_sep(s[p]) && s[p] != '"')
			p++;
		*v = s + start;
		*vlen = p - start;
		*i = p;
	}
	return *vlen > HDR_VALUE_MAX ? HDR_ERR_SYNTAX : HDR_OK;
}

static enum hdr_err
scan(const char *s, size_t n, struct slot *slots, size_t nslots)
{
	const char *k, *v;
	size_t i = sizeof(HDR_PREFIX) - 1, klen, vlen, fields = 0;
	enum hdr_err e;

	if (s == NULL || n > HDR_MAX_LEN || n <= i ||
	    memcmp(s, HDR_PREFIX, i) != 0 || (s[i] != ' ' && s[i] != '\t'))
		return HDR_ERR_SYNTAX;
	if (memchr(s, '\0', n) != NULL)
		return HDR_ERR_SYNTAX;
	for (;;) {
		while (i < n && is_sep(s[i]))
			i++;
		if (i == n)
			break;
		for (k = s + i, klen = 0; i < n && is_word(s[i]); i++)
			klen++;
		if (klen == 0 || klen > HDR_KEY_MAX || i >= n || s[i] != '=' ||
		    ++fields > HDR_MAX_FIELDS)
			return HDR_ERR_SYNTAX;
		i++;
		if ((e = read_value(s, n, &i, &v, &vlen)) != HDR_OK ||
		    (e = put(slots, nslots, k, klen, v, vlen)) != HDR_OK)
			return e;
	}
	for (size_t j = 0; j < nslots; j++)
		if (!slots[j].seen)
			return HDR_ERR_MISSING;
	return HDR_OK;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Base64 of exactly `want` bytes, ignoring non-zero trailing bits as the
 * reference decoder does; otherwise strict (alphabet, padding, length).
 */
static int
b64_fixed(const char *s, size_t n, uint8_t *out, size_t want)
{
	char tmp[HDR_VALUE_MAX + 1];
	const char *pos;
	size_t pad = 0, last;

	if (n != b64_encoded_len(want) || n == 0 || n > HDR_VALUE_MAX)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	while (pad < 2 && tmp[n - 1 - pad] == '=')
		pad++;
	if (pad > 0 && n >= pad + 1) {
		last = n - 1 - pad;
		if ((pos = strchr(b64_alphabet, tmp[last])) != NULL &&
		    tmp[last] != '\0')
			tmp[last] = b64_alphabet[(pos - b64_alphabet) &
			    (pad == 1 ? 0x3c : 0x30)];
	}
	return b64_decode_exact(tmp, out, want);
}

static int
version_of(const struct slot *sl, enum pa_proto_version *v)
{
	char tmp[4];

	if (sl->len != 3)
		return -1;
	memcpy(tmp, sl->val, 3);
	tmp[3] = '\0';
	*v = pa_proto_parse(tmp);
	return *v == 0 ? -1 : 0;
}

static void
copy_val(char *dst, const struct slot *sl)
{
	memcpy(dst, sl->val, sl->len);
	dst[sl->len] = '\0';
}

/* Decimal 8/17/26 (`^[0-9]{8}(-[0-9]{8}){0,2}$`) or Base64 of 16/32/48. */
static int
signature_shape(const char *s, size_t n, int *decimal)
{
	uint8_t raw[48];

	if (n == 8 || n == 17 || n == 26) {
		for (size_t i = 0; i < n; i++) {
			if (i % 9 == 8 ? s[i] != '-' :
			    (s[i] < '0' || s[i] > '9'))
				return -1;
		}
		*decimal = 1;
		return 0;
	}
	*decimal = 0;
	if (n == 24)
		return b64_fixed(s, n, raw, 16);
	if (n == 44)
		return b64_fixed(s, n, raw, 32);
	if (n == 64)
		return b64_fixed(s, n, raw, 48);
	return -1;
}

enum hdr_err
hdr_auth_parse(const char *s, size_t n, struct hdr_auth *out)
{
	struct slot sl[] = {
		{ "pa_version", NULL, 0, 0 },
		{ "pa_activation_id", NULL, 0, 0 },
		{ "pa_application_key", NULL, 0, 0 },
		{ "pa_nonce", NULL, 0, 0 },
		{ "pa_signature_type", NULL, 0, 0 },
		{ "pa_signature", NULL, 0, 0 },
	};
	char type[40];
	enum hdr_err e;

	memset(out, 0, sizeof(*out));
	if ((e = scan(s, n, sl, sizeof(sl) / sizeof(sl[0]))) != HDR_OK)
		return e;
	if (version_of(&sl[0], &out->version) != 0)
		return HDR_ERR_VERSION;
	if (!hdr_uuid_valid(sl[1].val, sl[1].len))
		return HDR_ERR_ACTIVATION_ID;
	copy_val(out->activation_id, &sl[1]);
	if (b64_fixed(sl[2].val, sl[2].len, out->app_key_raw, 16) != 0)
		return HDR_ERR_APP_KEY;
	copy_val(out->app_key, &sl[2]);
	if (b64_fixed(sl[3].val, sl[3].len, out->nonce, 16) != 0)
		return HDR_ERR_NONCE;
	if (sl[4].len >= sizeof(type))
		return HDR_ERR_SIG_TYPE;
	copy_val(type, &sl[4]);
	if ((out->sig_type = hdr_sig_type_parse(type)) == 0)
		return HDR_ERR_SIG_TYPE;
	if (signature_shape(sl[5].val, sl[5].len,
	    &out->signature_decimal) != 0)
		return HDR_ERR_SIGNATURE;
	copy_val(out->signature, &sl[5]);
	return HDR_OK;
}

enum hdr_err
hdr_token_parse(const char *s, size_t n, struct hdr_token *out)
{
	struct slot sl[] = {
		{ "version", NULL, 0, 0 },
		{ "token_id", NULL, 0, 0 },
		{ "token_digest", NULL, 0, 0 },
		{ "nonce", NULL, 0, 0 },
		{ "timestamp", NULL, 0, 0 },
	};
	enum hdr_err e;

	memset(out, 0, sizeof(*out));
	if ((e = scan(s, n, sl, sizeof(sl) / sizeof(sl[0]))) != HDR_OK)
		return e;
	if (version_of(&sl[0], &out->version) != 0)
		return HDR_ERR_VERSION;
	if (!hdr_uuid_valid(sl[1].val, sl[1].len))
		return HDR_ERR_TOKEN_ID;
	copy_val(out->token_id, &sl[1]);
	if (b64_fixed(sl[2].val, sl[2].len, out->digest, 32) != 0)
		return HDR_ERR_DIGEST;
	if (b64_fixed(sl[3].val, sl[3].len, out->nonce, 16) != 0)
		return HDR_ERR_NONCE;
	if (sl[4].len < 9 || sl[4].len > 15)
		return HDR_ERR_TIMESTAMP;
	for (size_t i = 0; i < sl[4].len; i++) {
		if (sl[4].val[i] < '0' || sl[4].val[i] > '9')
			return HDR_ERR_TIMESTAMP;
		out->timestamp_ms = out->timestamp_ms * 10 +
		    (sl[4].val[i] - '0');
	}
	copy_val(out->timestamp, &sl[4]);
	return HDR_OK;
}

enum hdr_err
hdr_encryption_parse(const char *s, size_t n, struct hdr_encryption *out)
{
	struct slot sl[] = {
		{ "version", NULL, 0, 0 },
		{ "application_key", NULL, 0, 0 },
		{ "activation_id", NULL, 0, 0 },	/* optional: last */
	};
	enum hdr_err e;

	memset(out, 0, sizeof(*out));
	if ((e = scan(s, n, sl, 3)) != HDR_OK && e != HDR_ERR_MISSING)
		return e;
	if (!sl[0].seen || !sl[1].seen)
		return HDR_ERR_MISSING;
	if (version_of(&sl[0], &out->version) != 0)
		return HDR_ERR_VERSION;
	if (b64_fixed(sl[1].val, sl[1].len, out->app_key_raw, 16) != 0)
		return HDR_ERR_APP_KEY;
	copy_val(out->app_key, &sl[1]);
	if (sl[2].seen) {
		if (!hdr_uuid_valid(sl[2].val, sl[2].len))
			return HDR_ERR_ACTIVATION_ID;
		copy_val(out->activation_id, &sl[2]);
		out->has_activation_id = 1;
	}
	return HDR_OK;
}

static int
text_ok(const char *s, size_t maxlen)
{
	return s != NULL && memchr(s, '\0', maxlen + 1) != NULL;
}

char *
hdr_auth_build(const struct hdr_auth *h)
{
	struct buf b = BUF_INIT;
	char nonce[HDR_B64_16_LEN + 1];
	uint8_t raw[16];
	int dec;

	if (pa_proto_str(h->version) == NULL ||
	    hdr_sig_type_str(h->sig_type) == NULL ||
	    !text_ok(h->activation_id, HDR_UUID_LEN) ||
	    !hdr_uuid_valid(h->activation_id, strlen(h->activation_id)) ||
	    !text_ok(h->app_key, HDR_B64_16_LEN) ||
	    b64_fixed(h->app_key, strlen(h->app_key), raw, 16) != 0 ||
	    !text_ok(h->signature, HDR_SIGNATURE_MAX) ||
	    signature_shape(h->signature, strlen(h->signature), &dec) != 0)
		return NULL;
	b64_encode(h->nonce, 16, nonce);
	buf_printf(&b, "PowerAuth pa_version=\"%s\", pa_activation_id=\"%s\", "
	    "pa_application_key=\"%s\", pa_nonce=\"%s\", "
	    "pa_signature_type=\"%s\", pa_signature=\"%s\"",
	    pa_proto_str(h->version), h->activation_id, h->app_key, nonce,
	    hdr_sig_type_str(h->sig_type), h->signature);
	return buf_take_cstr(&b);
}

char *
hdr_token_build(const struct hdr_token *h)
{
	struct buf b = BUF_INIT;
	char nonce[HDR_B64_16_LEN + 1], digest[45];
	size_t tl;

	if (pa_proto_str(h->version) == NULL ||
	    !text_ok(h->token_id, HDR_UUID_LEN) ||
	    !hdr_uuid_valid(h->token_id, strlen(h->token_id)) ||
	    !text_ok(h->timestamp, 15))
		return NULL;
	tl = strlen(h->timestamp);
	if (tl < 9 || strspn(h->timestamp, "0123456789") != tl)
		return NULL;
	b64_encode(h->nonce, 16, nonce);
	b64_encode(h->digest, 32, digest);
	buf_printf(&b, "PowerAuth version=\"%s\", token_id=\"%s\", "
	    "token_digest=\"%s\", nonce=\"%s\", timestamp=\"%s\"",
	    pa_proto_str(h->version), h->token_id, digest, nonce,
	    h->timestamp);
	return buf_take_cstr(&b);
}

char *
hdr_encryption_build(const struct hdr_encryption *h)
{
	struct buf b = BUF_INIT;
	uint8_t raw[16];

	if (pa_proto_str(h->version) == NULL ||
	    !text_ok(h->app_key, HDR_B64_16_LEN) ||
	    b64_fixed(h->app_key, strlen(h->app_key), raw, 16) != 0)
		return NULL;
	if (h->has_activation_id && (!text_ok(h->activation_id, HDR_UUID_LEN) ||
	    !hdr_uuid_valid(h->activation_id, strlen(h->activation_id))))
		return NULL;
	buf_printf(&b, "PowerAuth version=\"%s\", application_key=\"%s\"",
	    pa_proto_str(h->version), h->app_key);
	if (h->has_activation_id)
		buf_printf(&b, ", activation_id=\"%s\"", h->activation_id);
	return buf_take_cstr(&b);
}
