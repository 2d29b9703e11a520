/*
 * sdk_config.c - the `mobileSdkConfig` string (see sdk_config.h, api.md §1.4).
 *
 * Owns the byte layout only: version 0x01, data(appKey), data(appSecret),
 * count(keys), then per key: id byte + data(bytes). Key id 0x01 is the P-256
 * master public key; other ids (e.g. newer protocol keys) are skipped when
 * parsing. Strict: every length is checked, trailing bytes are rejected.
 */
#include "crypto/sdk_config.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"

#define SDK_CONFIG_VERSION	0x01
#define SDK_KEY_P256_MASTER	0x01
#define SDK_CONFIG_MAX_B64	4096
#define SDK_MAX_KEYS		16

size_t
sdk_config_count_encode(uint32_t v, uint8_t out[4])
{
	if (v < 0x80) {
		out[0] = (uint8_t)v;
		return 1;
	}
	if (v < 0x4000) {
		out[0] = (uint8_t)(0x80 | (v >> 8));
		out[1] = (uint8_t)v;
		return 2;
	}
	if (v < 0x40000000) {
		out[0] = (uint8_t)(0xc0 | (v >> 24));
		out[1] = (uint8_t)(v >> 16);
		out[2] = (uint8_t)(v >> 8);
		out[3] = (uint8_t)v;
		return 4;
	}
	return 0;
}

size_t
sdk_config_count_decode(const uint8_t *p, size_t n, uint32_t *v)
{
	if (n < 1)
		return 0;
	switch (p[0] & 0xc0) {
	case 0xc0:
		if (n < 4)
			return 0;
		*v = (uint32_t)(p[0] & 0x3f) << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
		return 4;
	case 0x80:
		if (n < 2)
			return 0;
		*v = (uint32_t)(p[0] & 0x3f) << 8 | p[1];
		return 2;
	default:
		*v = p[0];
		return 1;
	}
}

static int
put_data(struct buf *b, const uint8_t *p, size_t n)
{
	uint8_t c[4];
	size_t cl = sdk_config_count_encode((uint32_t)n, c);

	if (cl == 0 || n > UINT32_MAX)
		return -1;
	buf_append(b, c, cl);
	return buf_append(b, p, n);
}

char *
sdk_config_build(const uint8_t app_key[16], const uint8_t app_secret[16],
    const uint8_t *master_pub, size_t master_pub_len)
{
	struct buf b = BUF_INIT;
	char *s = NULL;

	if (master_pub == NULL || (master_pub_len != 33 && master_pub_len != 65))
		return NULL;
	buf_append_byte(&b, SDK_CONFIG_VERSION);
	put_data(&b, app_key, 16);
	put_data(&b, app_secret, 16);
	buf_append_byte(&b, 1);		/* one key */
	buf_append_byte(&b, SDK_KEY_P256_MASTER);
	put_data(&b, master_pub, master_pub_len);
	if (!b.failed)
		s = b64_encode_new(b.data, b.len);	/* buf_free wipes */
	buf_free(&b);
	return s;
}

/* Reads count + that many bytes at *off; the bytes start at *data. */
static int
get_data(const uint8_t *p, size_t n, size_t *off, const uint8_t **data,
    size_t *len)
{
	uint32_t v = 0;
	size_t cl = sdk_config_count_decode(p + *off, n - *off, &v);

	if (cl == 0 || v > n - *off - cl)
		return -1;
	*data = p + *off + cl;
	*len = v;
	*off += cl + v;
	return 0;
}

static int
parse_keys(const uint8_t *p, size_t n, size_t off, uint8_t *master_pub,
    size_t *master_pub_len)
{
	const uint8_t *d;
	size_t len, cl;
	uint32_t nkeys = 0;
	int found = 0;
	uint8_t id;

	if ((cl = sdk_config_count_decode(p + off, n - off, &nkeys)) == 0 ||
	    nkeys == 0 || nkeys > SDK_MAX_KEYS)
		return -1;
	off += cl;
	for (uint32_t i = 0; i < nkeys; i++) {
		if (off >= n)
			return -1;
		id = p[off++];
		if (get_data(p, n, &off, &d, &len) != 0)
			return -1;
		if (id != SDK_KEY_P256_MASTER)
			continue;
		if (found || (len != 33 && len != 65))
			return -1;
		memcpy(master_pub, d, len);
		*master_pub_len = len;
		found = 1;
	}
	return found && off == n ? 0 : -1;
}

int
sdk_config_parse(const char *b64, uint8_t app_key[16], uint8_t app_secret[16],
    uint8_t *master_pub, size_t *master_pub_len)
{
	uint8_t *p = NULL;
	const uint8_t *d;
	size_t n = 0, off = 1, len, slen;
	int rc = -1;

	if (b64 == NULL || (slen = strlen(b64)) == 0 ||
	    slen > SDK_CONFIG_MAX_B64)
		return -1;
	if ((p = malloc(b64_decoded_max(slen))) == NULL)
		return -1;
	if (b64_decode(b64, slen, p, b64_decoded_max(slen), &n) != 0 ||
	    n < 1 || p[0] != SDK_CONFIG_VERSION)
		goto fail;
	if (get_data(p, n, &off, &d, &len) != 0 || len != 16)
		goto fail;
	memcpy(app_key, d, 16);
	if (get_data(p, n, &off, &d, &len) != 0 || len != 16)
		goto fail;
	memcpy(app_secret, d, 16);
	rc = parse_keys(p, n, off, master_pub, master_pub_len);
fail:
	OPENSSL_cleanse(p, b64_decoded_max(slen));
	free(p);
	return rc;
}
