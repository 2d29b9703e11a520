/*
 * status_blob.h - the 32-byte activation status blob (protocol.md §6.2-§6.4).
 *
 * Owns: the blob layout, its encryption with KEY_TRANSPORT (IV from
 * challenge || nonce via KEY_TRANSPORT_IV, or zero for 3.0 requests without
 * challenge), the CTR_DATA hash via KEY_TRANSPORT_CTR, the 3.0 random filling
 * rules, and the device-side decryption, parsing and counter-distance search.
 * Must not: decide states or touch storage.
 */
#ifndef PASERV_CRYPTO_STATUS_BLOB_H
#define PASERV_CRYPTO_STATUS_BLOB_H

#include <stddef.h>
#include <stdint.h>

#define STATUS_BLOB_LEN		32
#define STATUS_BLOB_NONCE_LEN	16

/* Activation states as carried in the blob. */
enum status_blob_state {
	STATUS_CREATED = 1,
	STATUS_PENDING_COMMIT = 2,
	STATUS_ACTIVE = 3,
	STATUS_BLOCKED = 4,
	STATUS_REMOVED = 5
};

struct status_blob {
	uint8_t	status;			/* enum status_blob_state */
	uint8_t	current_version;	/* 2 or 3 */
	uint8_t	upgrade_version;	/* 3 */
	uint8_t	ctr_byte;		/* CTR & 0xff */
	uint8_t	failed_attempts;
	uint8_t	max_failed_attempts;
	uint8_t	ctr_lookahead;		/* 20 */
	uint8_t	ctr_data_hash[16];	/* KDF_INTERNAL(KEY_TRANSPORT_CTR, ctr) */
};

/* KDF_INTERNAL(KDF(transport, 3000), challenge || nonce). */
int	status_blob_iv(const uint8_t transport_key[16],
	    const uint8_t challenge[16], const uint8_t nonce[16],
	    uint8_t iv[16]);
/* KDF_INTERNAL(KDF(transport, 4000), ctr_data). */
int	status_blob_ctr_hash(const uint8_t transport_key[16],
	    const uint8_t ctr_data[16], uint8_t out[16]);

/*
 * Plain blob. with_challenge = 0 (3.0 client) fills bytes 7..31 except 13/14
 * with random data, as the reference server does; otherwise only the five
 * reserved bytes are random. b->ctr_data_hash is used as given.
 */
int	status_blob_build(const struct status_blob *b, int with_challenge,
	    uint8_t out[STATUS_BLOB_LEN]);
/* AES-128-CBC without padding; challenge NULL = zero IV (nonce ignored). */
int	status_blob_encrypt(const uint8_t transport_key[16],
	    const uint8_t *challenge, const uint8_t *nonce,
	    const uint8_t plain[STATUS_BLOB_LEN], uint8_t out[STATUS_BLOB_LEN]);
int	status_blob_decrypt(const uint8_t transport_key[16],
	    const uint8_t *challenge, const uint8_t *nonce,
	    const uint8_t enc[STATUS_BLOB_LEN], uint8_t plain[STATUS_BLOB_LEN]);

/*
 * Server, all in one: hashes ctr_data (NULL for a v2 activation: zeros),
 * builds, draws the response nonce (only when a challenge is given) and
 * encrypts. nonce_out receives 16 bytes when challenge != NULL.
 */
int	status_blob_seal(const struct status_blob *info,
	    const uint8_t transport_key[16], const uint8_t *ctr_data,
	    const uint8_t *challenge, uint8_t nonce_out[16],
	    uint8_t out[STATUS_BLOB_LEN]);

/* Device: checks magic (DE C0 DE D1..DF) and status 1..5; -1 otherwise. */
int	status_blob_parse(const uint8_t plain[STATUS_BLOB_LEN],
	    struct status_blob *out);
/*
 * Device: how many NEXT() steps from the local ctr_data reach the server's
 * hash (0..lookahead); -1 if none within the window.
 */
int	status_blob_ctr_distance(const uint8_t transport_key[16],
	    const uint8_t ctr_data[16], const uint8_t hash[16],
	    unsigned lookahead);

#endif
