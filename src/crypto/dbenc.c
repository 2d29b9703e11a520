/*
 * dbenc.c - at-rest encryption of stored secrets, bound to their record
 * (see dbenc.h).
 */
#include <config.h>

#include "crypto/dbenc.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "crypto/primitives.h"

#define DBENC_MAX_SECRET	4096

/* key = KDF_INTERNAL(master, UTF8(parts joined by "&")) */
static int
record_key(const uint8_t master[16], const char *const *parts, size_t nparts,
    uint8_t key[PA_KEY_LEN])
{
	struct buf idx = BUF_INIT;
	int rc = -1;

	if (nparts == 0)
		return -1;
	for (size_t i = 0; i < nparts; i++) {
		if (parts[i] == NULL)
			goto fail;
		if (i > 0 && buf_append_byte(&idx, '&') != 0)
			goto fail;
		if (buf_append_str(&idx, parts[i]) != 0)
			goto fail;
	}
	rc = pa_kdf_internal(master, idx.data, idx.len, key);
fail:
	buf_free(&idx);
	return rc;
}

char *
dbenc_encrypt(const uint8_t master[16], const char *const *parts,
    size_t nparts, const uint8_t *secret, size_t n)
{
	uint8_t key[PA_KEY_LEN], *blob = NULL;
	size_t clen = 0;
	char *out = NULL;

	if (n > DBENC_MAX_SECRET)
		return NULL;
	if ((blob = malloc(PA_AES_BLOCK + n + PA_AES_BLOCK)) == NULL)
		return NULL;
	if (record_key(master, parts, nparts, key) != 0 ||
	    pa_random(blob, PA_AES_BLOCK) != 0 ||
	    pa_aes_cbc_encrypt(key, blob, 1, secret, n, blob + PA_AES_BLOCK,
	    &clen) != 0)
		goto fail;
	out = b64_encode_new(blob, PA_AES_BLOCK + clen);
fail:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(blob, PA_AES_BLOCK + n + PA_AES_BLOCK);
	free(blob);
	return out;
}

int
dbenc_decrypt(const uint8_t master[16], const char *const *parts,
    size_t nparts, const char *b64, uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t key[PA_KEY_LEN], *blob = NULL, *plain = NULL;
	size_t len, n = 0, plen = 0;
	int rc = -1;

	if (b64 == NULL || (len = strlen(b64)) == 0 ||
	    len > b64_encoded_len(DBENC_MAX_SECRET + 2 * PA_AES_BLOCK))
		return -1;
	if ((blob = malloc(b64_decoded_max(len))) == NULL)
		return -1;
	if (b64_decode(b64, len, blob, b64_decoded_max(len), &n) != 0 ||
	    n < 2 * PA_AES_BLOCK || (n - PA_AES_BLOCK) % PA_AES_BLOCK != 0)
		goto fail;
	if ((plain = malloc(n)) == NULL)
		goto fail;
	if (record_key(master, parts, nparts, key) != 0 ||
	    pa_aes_cbc_decrypt(key, blob, 1, blob + PA_AES_BLOCK,
	    n - PA_AES_BLOCK, plain, &plen) != 0 || plen > cap)
		goto fail;
	memcpy(out, plain, plen);
	*outlen = plen;
	rc = 0;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	if (plain != NULL) {
		OPENSSL_cleanse(plain, n);
		free(plain);
	}
	free(blob);
	return rc;
}
