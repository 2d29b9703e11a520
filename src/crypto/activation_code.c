/*
 * activation_code.c - activation / recovery code formats (protocol.md §2.1,
 * §2.2, §9.2). Owns text formats and the code signature; no lookups, no I/O.
 */
#include <config.h>

#include <openssl/crypto.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/activation_code.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"

static const char b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

uint16_t
activation_code_crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) :
			    (uint16_t)(crc >> 1);
	}
	return crc;
}

size_t
activation_code_base32_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alpha[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_alpha[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
activation_code_base32_decode(const char *in, size_t len, uint8_t *out,
    size_t cap, size_t *outlen)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (in == NULL || out == NULL || outlen == NULL)
		return -1;
	/* Lengths whose tail cannot be canonical (1, 3, 6 chars mod 8). */
	if (len % 8 == 1 || len % 8 == 3 || len % 8 == 6)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = b32_value(in[i])) < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
	if (acc != 0)		/* non-zero trailing bits: not canonical */
		return -1;
	*outlen = o;
	return 0;
}

int
activation_code_from_bytes(const uint8_t r[ACTIVATION_CODE_RAND],
    char out[ACTIVATION_CODE_LEN + 1])
{
	uint8_t b[ACTIVATION_CODE_RAND + 2];
	char t[21];
	uint16_t crc;
	int g;

	if (r == NULL || out == NULL)
		return -1;
	memcpy(b, r, ACTIVATION_CODE_RAND);
	crc = activation_code_crc16(b, ACTIVATION_CODE_RAND);
	b[10] = (uint8_t)(crc >> 8);
	b[11] = (uint8_t)crc;
	activation_code_base32_encode(b, sizeof(b), t);
	for (g = 0; g < 4; g++) {
		memcpy(out + g * 6, t + g * 5, 5);
		out[g * 6 + 5] = g < 3 ? '-' : '\0';
	}
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int
activation_code_generate(char out[ACTIVATION_CODE_LEN + 1])
{
	uint8_t r[ACTIVATION_CODE_RAND];
	int rc = -1;

	if (pa_random(r, sizeof(r)) == 0)
		rc = activation_code_from_bytes(r, out);
	OPENSSL_cleanse(r, sizeof(r));
	return rc;
}

/* Checks n characters (n must be 23). */
static int
code_check(const char *s, size_t n)
{
	char t[20];
	uint8_t b[12];
	size_t i, k = 0, got = 0;

	if (n != ACTIVATION_CODE_LEN)
		return -1;
	for (i = 0; i < n; i++) {
		if (i == 5 || i == 11 || i == 17) {
			if (s[i] != '-')
				return -1;
		} else
			t[k++] = s[i];
	}
	if (activation_code_base32_decode(t, sizeof(t), b, sizeof(b),
	    &got) != 0 || got != sizeof(b))
		return -1;
	if (activation_code_crc16(b, 10) != ((uint16_t)b[10] << 8 | b[11]))
		return -1;
	return 0;
}

int
activation_code_validate(const char *s)
{
	if (s == NULL)
		return -1;
	return code_check(s, strlen(s));
}

int
activation_code_sign(const EVP_PKEY *master_priv, const char *code,
    char out[ACTIVATION_SIG_B64_MAX + 1])
{
	uint8_t der[PA_ECDSA_DER_MAX];
	size_t derlen = 0;

	if (master_priv == NULL || out == NULL ||
	    activation_code_validate(code) != 0)
		return -1;
	if (pa_ecdsa_sign(master_priv, (const uint8_t *)code,
	    ACTIVATION_CODE_LEN, der, &derlen) != 0)
		return -1;
	b64_encode(der, derlen, out);
	return 0;
}

int
activation_code_verify(const EVP_PKEY *master_pub, const char *code,
    const char *sig_b64)
{
	uint8_t der[PA_ECDSA_DER_MAX + 8];
	size_t derlen = 0;

	if (master_pub == NULL || code == NULL || sig_b64 == NULL)
		return -1;
	if (b64_decode(sig_b64, strlen(sig_b64), der, sizeof(der),
	    &derlen) != 0 || derlen == 0)
		return -1;
	return pa_ecdsa_verify(master_pub, (const uint8_t *)code,
	    strlen(code), der, derlen);
}

int
activation_code_qr_build(const char *code, const char *sig_b64, char *out,
    size_t cap)
{
	size_t sl = sig_b64 != NULL ? strlen(sig_b64) : 0;

	if (out == NULL || activation_code_validate(code) != 0)
		return -1;
	if (ACTIVATION_CODE_LEN + (sl ? sl + 1 : 0) + 1 > cap)
		return -1;
	memcpy(out, code, ACTIVATION_CODE_LEN);
	if (sl) {
		out[ACTIVATION_CODE_LEN] = '#';
		memcpy(out + ACTIVATION_CODE_LEN + 1, sig_b64, sl);
	}
	out[ACTIVATION_CODE_LEN + (sl ? sl + 1 : 0)] = '\0';
	return 0;
}

/* Base64 shape: alphabet, length % 4 == 0, '=' only as the last 1-2. */
static int
b64_shape(const char *s, size_t n)
{
	size_t i, pad = 0;

	if (n == 0 || n % 4 != 0 || n > ACTIVATION_SIG_B64_MAX)
		return -1;
	while (pad < 2 && s[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return -1;
	}
	return 0;
}

int
activation_code_qr_parse(const char *s, char code[ACTIVATION_CODE_LEN + 1],
    char sig[ACTIVATION_SIG_B64_MAX + 1])
{
	const char *h;
	size_t cl, sl;

	if (s == NULL || code == NULL || sig == NULL)
		return -1;
	h = strchr(s, '#');
	cl = h != NULL ? (size_t)(h - s) : strlen(s);
	if (code_check(s, cl) != 0)
		return -1;
	if (h != NULL) {
		sl = strlen(h + 1);
		if (b64_shape(h + 1, sl) != 0)
			return -1;
		memcpy(sig, h + 1, sl + 1);
	} else
		sig[0] = '\0';
	memcpy(code, s, ACTIVATION_CODE_LEN);
	code[ACTIVATION_CODE_LEN] = '\0';
	return 0;
}

int
recovery_code_validate(const char *s, int allow_r_prefix)
{
	if (s == NULL)
		return -1;
	if (allow_r_prefix && strncmp(s, "R:", 2) == 0)
		s += 2;
	return activation_code_validate(s);
}

int
recovery_code_parse(const char *s, char code[ACTIVATION_CODE_LEN + 1])
{
	if (s == NULL || code == NULL || recovery_code_validate(s, 1) != 0)
		return -1;
	if (strncmp(s, "R:", 2) == 0)
		s += 2;
	memcpy(code, s, ACTIVATION_CODE_LEN + 1);
	return 0;
}

int
recovery_puk_validate(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != RECOVERY_PUK_LEN)
		return -1;
	for (i = 0; i < RECOVERY_PUK_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return 0;
}
