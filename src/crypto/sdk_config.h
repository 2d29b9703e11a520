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

#endif
