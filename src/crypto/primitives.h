/*
 * primitives.h - the symmetric building blocks of PowerAuth 3.x
 * (protocol.md §0.1, §1.1-§1.4).
 *
 * Owns: randomness, SHA-256, HMAC-SHA256, AES-128-CBC, the AES index KDF,
 * KDF_INTERNAL, X9.63 KDF with SHA-256, the 32->16 fold, the hash-based
 * counter step and LV ("concatWithSizes") encoding.
 * Must not: do I/O, allocate except inside OpenSSL contexts, log.
 *
 * All functions return 0 on success and -1 on failure. Algorithms are fetched
 * from OpenSSL once per process (crypto_init(), also done lazily), so the hot
 * paths never pay for an implicit fetch.
 */
#ifndef PASERV_CRYPTO_PRIMITIVES_H
#define PASERV_CRYPTO_PRIMITIVES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define PA_KEY_LEN	16	/* every symmetric key is AES-128 */
#define PA_SHA256_LEN	32
#define PA_AES_BLOCK	16

/* Fetches the algorithms; safe to call many times and from many threads. */
int	crypto_init(void);

int	pa_random(uint8_t *out, size_t n);
int	pa_sha256(const uint8_t *m, size_t n, uint8_t out[PA_SHA256_LEN]);
int	pa_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *m,
	    size_t n, uint8_t out[PA_SHA256_LEN]);
/* HMAC over the concatenation of two messages (saves a copy on hot paths). */
int	pa_hmac_sha256_2(const uint8_t *key, size_t klen, const uint8_t *m1,
	    size_t n1, const uint8_t *m2, size_t n2,
	    uint8_t out[PA_SHA256_LEN]);

/* out[i] = in[i] ^ in[i + 16] (Java convert32Bto16B, SDK reduce). */
void	pa_reduce32to16(const uint8_t in[32], uint8_t out[PA_KEY_LEN]);

/* KDF(key, index) = AES-128-ECB(key, 0x00*8 || BE64(index)) (§1.1). */
int	pa_kdf(const uint8_t key[PA_KEY_LEN], uint64_t index,
	    uint8_t out[PA_KEY_LEN]);
/* KDF_INTERNAL(key, data) = reduce32to16(HMAC(key, data)) (§1.2). */
int	pa_kdf_internal(const uint8_t key[PA_KEY_LEN], const uint8_t *data,
	    size_t n, uint8_t out[PA_KEY_LEN]);
/* ANSI X9.63 KDF with SHA-256 (§1.3); any output length. */
int	pa_x963_sha256(const uint8_t *z, size_t zlen, const uint8_t *info,
	    size_t infolen, uint8_t *out, size_t outlen);
/* NEXT(ctr) = reduce32to16(SHA256(ctr)) (§1.4). in and out may alias. */
int	pa_ctr_next(const uint8_t in[PA_KEY_LEN], uint8_t out[PA_KEY_LEN]);

/*
 * AES-128-CBC. With pad != 0 PKCS#7 is applied/checked; without, n must be a
 * multiple of 16. Encrypt needs n + 16 bytes of room in out; decrypt n bytes.
 * *outlen receives the produced length.
 */
int	pa_aes_cbc_encrypt(const uint8_t key[PA_KEY_LEN],
	    const uint8_t iv[PA_AES_BLOCK], int pad, const uint8_t *in,
	    size_t n, uint8_t *out, size_t *outlen);
int	pa_aes_cbc_decrypt(const uint8_t key[PA_KEY_LEN],
	    const uint8_t iv[PA_AES_BLOCK], int pad, const uint8_t *in,
	    size_t n, uint8_t *out, size_t *outlen);

/* LV(x) = BE32(len) || x; a NULL or empty item is BE32(0) alone (§0.1). */
int	pa_lv_append(struct buf *b, const uint8_t *p, size_t n);
int	pa_lv_append_str(struct buf *b, const char *s);

#endif
