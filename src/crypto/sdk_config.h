/*
 * sdk_config.h - the `mobileSdkConfig` string handed to app developers
 * (api.md §1.4): one Base64 value carrying appKey, appSecret and the master
 * server public key, which Mobile SDK 1.8+ takes instead of the three values.
 *
 * Owns: the byte layout (version byte, count-prefixed data items, key table)
 * and its variable-length count encoding, in both directions.
 */
#ifndef PASERV_CRYPTO_SDK_CONFIG_H
#define PASERV_CRYPTO_SDK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'ed Base64 string, NULL on failure. */
char	*sdk_config_build(const uint8_t app_key[16],
	    const uint8_t app_secret[16], const uint8_t *master_pub,
	    size_t master_pub_len);
/* Parses a configuration; master_pub needs 65 bytes. 0 ok, -1 malformed. */
int	 sdk_config_parse(const char *b64, uint8_t app_key[16],
	    uint8_t app_secret[16], uint8_t *master_pub, size_t *master_pub_len);

/*
 * The variable-length count of the layout: < 0x80 one byte, < 0x4000 two
 * bytes (top bits 10), < 0x40000000 four bytes (top bits 11), big endian.
 * Encode writes up to 4 bytes and returns the length, or 0 if the value is
 * not encodable; decode returns the bytes consumed, or 0 if truncated.
 */
size_t	 sdk_config_count_encode(uint32_t v, uint8_t out[4]);
size_t	 sdk_config_count_decode(const uint8_t *p, size_t n, uint32_t *v);

#endif
