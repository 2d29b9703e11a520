/*
 * sigdata.c - normalised request data for signatures (see sigdata.h).
 *
 * Owns string building only; no MACs, no I/O. The body enters as raw bytes
 * (Base64-encoded here), never re-serialised: a single changed byte would
 * make the device's and the server's data differ.
 */
#include "crypto/sigdata.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/urlcode.h"

struct qpair {
	struct buf	key;
	struct buf	val;
};

static int
append_b64(struct buf *out, const uint8_t *p, size_t n)
{
	char *s;
	int rc;

	if (n == 0)
		return 0;
	if ((s = b64_encode_new(p, n)) == NULL)
		return -1;
	rc = buf_append_str(out, s);
	free(s);
	return rc;
}

static int
method_ok(const char *m)
{
	size_t n = m != NULL ? strlen(m) : 0;

	if (n == 0 || n > SIGDATA_METHOD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (m[i] < 'A' || m[i] > 'Z')
			return 0;
	return 1;
}

int
sigdata_build(struct buf *out, const char *method, const char *uri_id,
    const uint8_t nonce[16], const uint8_t *body, size_t bodylen,
    const char *secret)
{
	char nb64[25];

	buf_reset(out);
	if (!method_ok(method) || uri_id == NULL || nonce == NULL ||
	    secret == NULL || (bodylen > 0 && body == NULL))
		return -1;
	b64_encode(nonce, 16, nb64);
	buf_append_str(out, method);
	buf_append_byte(out, '&');
	append_b64(out, (const uint8_t *)uri_id, strlen(uri_id));
	buf_append_byte(out, '&');
	buf_append_str(out, nb64);
	buf_append_byte(out, '&');
	append_b64(out, body, bodylen);
	buf_append_byte(out, '&');
	buf_append_str(out, secret);
	return out->failed ? -1 : 0;
}

int
sigdata_url_encode(struct buf *out, const uint8_t *in, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t c;

	for (size_t i = 0; i < n; i++) {
		c = in[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '*')
			buf_append_byte(out, c);
		else if (c == ' ')
			buf_append_byte(out, '+');
		else {
			buf_append_byte(out, '%');
			buf_append_byte(out, (uint8_t)hex[c >> 4]);
			buf_append_byte(out, (uint8_t)hex[c & 15]);
		}
	}
	return out->failed ? -1 : 0;
}

/* Form URL decoding ('+' is a space); -1 on a malformed escape. */
static int
url_decode(struct buf *out, const char *s, size_t n)
{
	uint8_t *tmp;
	size_t len = 0;
	int rc = -1;

	if ((tmp = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	if (url_unescape(s, n, 1, tmp, &len) == 0 &&
	    buf_append(out, tmp, len) == 0 &&
	    /* empty values get a valid pointer for the comparisons */
	    buf_cstr(out) != NULL)
		rc = 0;
	free(tmp);
	return rc;
}

static int
buf_cmp(const struct buf *a, const struct buf *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->data, b->data, n) : 0;

	if (c != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int
pair_cmp(const void *x, const void *y)
{
	const struct qpair *a = x, *b = y;
	int c = buf_cmp(&a->key, &b->key);

	return c != 0 ? c : buf_cmp(&a->val, &b->val);
}

/* Splits q on '&' and decodes each key/value; empty segments are skipped. */
static int
split_query(const char *q, size_t n, struct qpair *pairs, size_t *np)
{
	size_t i = 0, end, eq;

	*np = 0;
	while (i < n) {
		for (end = i; end < n && q[end] != '&'; end++)
			;
		if (end > i) {
			if (*np == SIGDATA_QUERY_PAIRS)
				return -1;
			for (eq = i; eq < end && q[eq] != '='; eq++)
				;
			if (url_decode(&pairs[*np].key, q + i, eq - i) != 0 ||
			    url_decode(&pairs[*np].val, q + eq + (eq < end),
			    end - eq - (eq < end)) != 0) {
				(*np)++;
				return -1;
			}
			(*np)++;
		}
		i = end + 1;
	}
	return 0;
}

int
sigdata_canonical_query(struct buf *out, const char *q, size_t n)
{
	struct qpair *pairs;
	size_t np = 0;
	int rc = -1;

	buf_reset(out);
	if (q == NULL && n > 0)
		return -1;
	if ((pairs = calloc(SIGDATA_QUERY_PAIRS, sizeof(*pairs))) == NULL)
		return -1;
	if (split_query(q, n, pairs, &np) != 0)
		goto fail;
	qsort(pairs, np, sizeof(*pairs), pair_cmp);
	for (size_t i = 0; i < np; i++) {
		if (i > 0)
			buf_append_byte(out, '&');
		sigdata_url_encode(out, pairs[i].key.data, pairs[i].key.len);
		buf_append_byte(out, '=');
		sigdata_url_encode(out, pairs[i].val.data, pairs[i].val.len);
	}
	buf_cstr(out);
	rc = out->failed ? -1 : 0;
fail:
	for (size_t i = 0; i < np; i++) {
		buf_free(&pairs[i].key);
		buf_free(&pairs[i].val);
	}
	free(pairs);
	return rc;
}

/* Strict Base64 of part [p, p+n) appended to out. */
static int
decode_part(struct buf *out, const char *p, size_t n)
{
	uint8_t *tmp;
	size_t len = 0;
	int rc;

	if (n == 0)
		return 0;
	if ((tmp = malloc(b64_decoded_max(n))) == NULL)
		return -1;
	rc = b64_decode(p, n, tmp, b64_decoded_max(n), &len);
	if (rc == 0)
		rc = buf_append(out, tmp, len);
	free(tmp);
	return rc;
}

/* Finds the parts of s split on '&' (4 or 5 of them). */
static int
split_parts(const char *s, size_t n, const char *part[5], size_t len[5])
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '&')
			continue;
		if (k == 5)
			return -1;
		part[k] = s + start;
		len[k++] = i - start;
		start = i + 1;
	}
	return k == 4 || k == 5 ? (int)k : -1;
}

int
sigdata_parse(const char *s, size_t n, struct sigdata_parts *out)
{
	const char *part[5];
	size_t len[5], ulen = 0;
	int k;

	memset(out, 0, sizeof(*out));
	if (s == NULL || (k = split_parts(s, n, part, len)) < 0)
		return -1;
	if (len[0] == 0 || len[0] > SIGDATA_METHOD_MAX)
		return -1;
	memcpy(out->method, part[0], len[0]);
	if (!method_ok(out->method))
		return -1;
	if (len[1] == 0 || b64_decode(part[1], len[1], (uint8_t *)out->uri_id,
	    SIGDATA_URI_MAX, &ulen) != 0 || memchr(out->uri_id, '\0', ulen))
		return -1;
	out->uri_id[ulen] = '\0';
	if (len[2] != 24 || b64_decode(part[2], 24, out->nonce, 16,
	    &ulen) != 0 || ulen != 16)
		return -1;
	if (decode_part(&out->body, part[3], len[3]) != 0)
		return -1;
	if (k == 5) {
		if (len[4] >= sizeof(out->secret))
			return -1;
		memcpy(out->secret, part[4], len[4]);
	}
	return 0;
}

void
sigdata_parts_free(struct sigdata_parts *p)
{
	buf_free(&p->body);
}
