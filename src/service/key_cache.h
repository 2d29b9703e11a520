/*
 * key_cache.h - imported private keys that many requests share.
 *
 * Owns: a small process-wide table of EVP_PKEYs (application master keys,
 * temporary ECIES keys), each filed under a tag its caller makes: a digest
 * of everything the key was opened from (service/secrets.c: its kind, its
 * record id, the stored encrypted value and the master keys). Opening
 * and importing such a key costs a decryption, a scalar multiplication and
 * an OpenSSL key import; every activation, token creation, vault unlock
 * and ECIES request of an application needs the same one again. The table
 * holds KEY_CACHE_SLOTS keys; the least recently used one leaves first,
 * and a removed key is freed (its scalar wiped by OpenSSL).
 * Nothing here is state in the sense of the design: a value found here is
 * exactly what opening the database's value again would give, and a
 * changed stored value (key rotation, a new temporary key) is a different
 * entry.
 * Must not: open or decide anything. Thread-safe (one mutex).
 */
#ifndef PASERV_SERVICE_KEY_CACHE_H
#define PASERV_SERVICE_KEY_CACHE_H

#include <openssl/evp.h>

#include <stdint.h>

#define KEY_CACHE_SLOTS		16
#define KEY_CACHE_TAG_LEN	32

/* A new reference to the key filed under tag, or NULL. */
EVP_PKEY	*key_cache_get(const uint8_t tag[KEY_CACHE_TAG_LEN]);
/* Files a reference to k under tag (the caller keeps its own). */
void		 key_cache_put(const uint8_t tag[KEY_CACHE_TAG_LEN], EVP_PKEY *k);
/* Frees every key (shutdown, tests). */
void		 key_cache_clear(void);

#endif
