/*
 * base64.c - strict Base64 / base64url codec (see base64.h).
 *
 * Written as a table codec rather than on EVP_DecodeBlock because the OpenSSL
 * decoder accepts whitespace and does not report the padding length, which
 * would make two different header texts decode to the same bytes.
 */
#include <config.h>

#include "common/base64.h"

#include <stdlib.h>
#include <string.h>

static const char STD[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t
b64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

static size_t
encode(const char *alpha, int pad, const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	return encode(STD, 1, in, n, out);
}

char *
b64_encode_new(const uint8_t *in, size_t n)
{
	char *s = malloc(b64_encoded_len(n) + 1);

	if (s != NULL)
		b64_encode(in, n, s);
	return s;
}

size_t
b64url_encode(const uint8_t *in, size_t n, char *out)
{
	return encode(URL, 0, in, n, out);
}

static int
value_of(const char *alpha, char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(alpha, c);
	return p == NULL ? -1 : (int)(p - alpha);
}

/* Decodes groups; `pad` selects whether the input must be padded to 4. */
static int
decode(const char *alpha, int pad, const char *in, size_t len, uint8_t *out,
    size_t outcap, size_t *outlen)
{
	size_t i, o = 0, full, rest, npad = 0;
	int v[4];

	if (pad) {
		if (len % 4 != 0)
			return -1;
		if (len >= 1 && in[len - 1] == '=')
			npad++;
		if (len >= 2 && in[len - 2] == '=')
			npad++;
		len -= npad;
		rest = len % 4;
		if ((npad == 1 && rest != 3) || (npad == 2 && rest != 2))
			return -1;
	} else {
		rest = len % 4;
	}
	if (rest == 1)
		return -1;
	full = len - rest;
	if (full / 4 * 3 + (rest ? rest - 1 : 0) > outcap)
		return -1;
	for (i = 0; i < full; i += 4) {
		for (int k = 0; k < 4; k++)
			if ((v[k] = value_of(alpha, in[i + k])) < 0)
				return -1;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		out[o++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		out[o++] = (uint8_t)(v[2] << 6 | v[3]);
	}
	if (rest >= 2) {
		for (size_t k = 0; k < rest; k++)
			if ((v[k] = value_of(alpha, in[full + k])) < 0)
				return -1;
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (rest == 2) {
			if (v[1] & 0x0f)
				return -1;	/* non-canonical trailing bits */
		} else {
			out[o++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
			if (v[2] & 0x03)
				return -1;
		}
	}
	*outlen = o;
	return 0;
}

int
b64_decode(const char *in, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen)
{
	return decode(STD, 1, in, len, out, outcap, outlen);
}

int
b64_decode_exact(const char *in, uint8_t *out, size_t want)
{
	size_t got;

	if (in == NULL || b64_decode(in, strlen(in), out, want, &got) != 0)
		return -1;
	return got == want ? 0 : -1;
}

int
b64url_decode(const char *in, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen)
{
	return decode(URL, 0, in, len, out, outcap, outlen);
}
