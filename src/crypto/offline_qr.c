/*
 * offline_qr.c - offline operation QR payload (see offline_qr.h).
 *
 * Owns the text layout and its ECDSA signature; no I/O, no state. Every
 * field is checked for embedded newlines on build so a title cannot forge
 * extra lines, and the total size is bounded in both directions.
 */
#include "crypto/offline_qr.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "crypto/ec.h"
#include "crypto/primitives.h"

#define OFFLINE_QR_DATA_LINES	5
#define OFFLINE_QR_SIG_B64	97	/* Base64 of a 72-byte DER + NUL */

static int
single_line(const char *s)
{
	return s != NULL && strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

static void
append_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_append_str(b, "\\\\");
		else if (*s == '\n')
			buf_append_str(b, "\\n");
		else
			buf_append_byte(b, (uint8_t)*s);
	}
}

static int
input_ok(const struct offline_qr *q)
{
	if (!single_line(q->operation_id) || *q->operation_id == '\0' ||
	    q->title == NULL || q->message == NULL ||
	    !single_line(q->operation_data) || !single_line(q->flags) ||
	    strspn(q->flags, "BXFC") != strlen(q->flags) ||
	    q->nattrs > OFFLINE_QR_MAX_ATTRS || (q->nattrs > 0 && !q->attrs))
		return 0;
	for (size_t i = 0; i < q->nattrs; i++)
		if (!single_line(q->attrs[i]))
			return 0;
	return 1;
}

/* Everything that is signed: data lines, nonce, K. */
static int
signed_part(struct buf *b, const struct offline_qr *q, const uint8_t *nonce,
    int personalized)
{
	uint8_t rnd[16];
	char nb64[25];

	if (nonce == NULL) {
		if (pa_random(rnd, sizeof(rnd)) != 0)
			return -1;
		nonce = rnd;
	}
	b64_encode(nonce, 16, nb64);
	buf_append_str(b, q->operation_id);
	buf_append_byte(b, '\n');
	append_escaped(b, q->title);
	buf_append_byte(b, '\n');
	append_escaped(b, q->message);
	buf_append_byte(b, '\n');
	buf_append_str(b, q->operation_data);
	buf_append_byte(b, '\n');
	buf_append_str(b, q->flags);
	buf_append_byte(b, '\n');
	for (size_t i = 0; i < q->nattrs; i++) {
		buf_append_str(b, q->attrs[i]);
		buf_append_byte(b, '\n');
	}
	buf_append_str(b, nb64);
	buf_append_byte(b, '\n');
	buf_append_byte(b, personalized ? '1' : '0');
	return b->failed || b->len > OFFLINE_QR_MAX_LEN - 100 ? -1 : 0;
}

char *
offline_qr_build(const struct offline_qr *q, const uint8_t *nonce,
    int personalized, const EVP_PKEY *signing_key)
{
	struct buf b = BUF_INIT;
	uint8_t der[PA_ECDSA_DER_MAX];
	char sig[OFFLINE_QR_SIG_B64];
	size_t derlen = 0;
	char *s;

	if (q == NULL || signing_key == NULL || !input_ok(q) ||
	    signed_part(&b, q, nonce, personalized) != 0 ||
	    pa_ecdsa_sign(signing_key, b.data, b.len, der, &derlen) != 0) {
		buf_free(&b);
		return NULL;
	}
	b64_encode(der, derlen, sig);
	buf_append_str(&b, sig);
	if (b.failed || buf_cstr(&b) == NULL) {
		buf_free(&b);
		return NULL;
	}
	s = (char *)b.data;
	return s;
}

/* Splits the owned copy at '\n'; returns the number of lines or -1. */
static int
split_lines(char *s, char **line, int max)
{
	int k = 0;

	line[k++] = s;
	for (; *s != '\0'; s++) {
		if (*s != '\n')
			continue;
		if (k == max)
			return -1;
		*s = '\0';
		line[k++] = s + 1;
	}
	return k;
}

static int
tail_ok(struct offline_qr_parsed *out, const char *nonce, const char *ksig)
{
	size_t n;

	if (strlen(nonce) != 24 || b64_decode_exact(nonce, out->nonce, 16) != 0)
		return -1;
	memcpy(out->nonce_b64, nonce, 25);
	if (ksig[0] != '0' && ksig[0] != '1')
		return -1;
	out->personalized = ksig[0] == '1';
	n = strlen(ksig + 1);
	if (n == 0 || b64_decode(ksig + 1, n, out->sig, sizeof(out->sig),
	    &out->siglen) != 0)
		return -1;
	return 0;
}

int
offline_qr_parse(const char *code, size_t n, struct offline_qr_parsed *out)
{
	char *line[OFFLINE_QR_DATA_LINES + OFFLINE_QR_MAX_ATTRS + 2];
	int k, nattrs;

	memset(out, 0, sizeof(*out));
	if (code == NULL || n == 0 || n > OFFLINE_QR_MAX_LEN ||
	    memchr(code, '\0', n) != NULL)
		return -1;
	if ((out->lines = malloc(n + 1)) == NULL)
		return -1;
	memcpy(out->lines, code, n);
	out->lines[n] = '\0';
	k = split_lines(out->lines, line, (int)(sizeof(line) / sizeof(line[0])));
	if (k < OFFLINE_QR_DATA_LINES + 2)
		goto fail;
	nattrs = k - OFFLINE_QR_DATA_LINES - 2;
	if (*line[0] == '\0' || tail_ok(out, line[k - 2], line[k - 1]) != 0)
		goto fail;
	out->operation_id = line[0];
	out->title = line[1];
	out->message = line[2];
	out->operation_data = line[3];
	out->flags = line[4];
	for (int i = 0; i < nattrs; i++)
		out->attrs[i] = line[OFFLINE_QR_DATA_LINES + i];
	out->nattrs = (size_t)nattrs;
	out->signed_len = (size_t)(line[k - 1] - out->lines) + 1;
	return 0;
fail:
	offline_qr_parsed_free(out);
	return -1;
}

int
offline_qr_verify(const struct offline_qr_parsed *p, const char *code,
    const EVP_PKEY *pub)
{
	if (p->lines == NULL || code == NULL || pub == NULL)
		return -1;
	return pa_ecdsa_verify(pub, (const uint8_t *)code, p->signed_len,
	    p->sig, p->siglen);
}

void
offline_qr_parsed_free(struct offline_qr_parsed *p)
{
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

int
offline_qr_unescape(struct buf *out, const char *in)
{
	for (; *in != '\0'; in++) {
		if (*in != '\\') {
			buf_append_byte(out, (uint8_t)*in);
			continue;
		}
		in++;
		if (*in == 'n')
			buf_append_byte(out, '\n');
		else if (*in == '\\')
			buf_append_byte(out, '\\');
		else
			return -1;
	}
	buf_cstr(out);
	return out->failed ? -1 : 0;
}

int
offline_qr_signing_body(struct buf *out, const char *operation_id,
    const char *operation_data, const char *totp)
{
	if (operation_id == NULL || operation_data == NULL)
		return -1;
	buf_append_str(out, operation_id);
	buf_append_byte(out, '&');
	buf_append_str(out, operation_data);
	if (totp != NULL) {
		buf_append_byte(out, '&');
		buf_append_str(out, totp);
	}
	return out->failed ? -1 : 0;
}
