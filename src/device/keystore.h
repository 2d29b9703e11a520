/*
 * keystore.h - temporary ECIES keys on the device side (protocol 3.3).
 */
#ifndef PASERV_DEVICE_KEYSTORE_H
#define PASERV_DEVICE_KEYSTORE_H

#include <openssl/evp.h>
#include <stdint.h>

#include "device/device.h"

/*
 * Gives the public temporary key (and its id) of the scope, from the cache
 * or fetched from the server. signer verifies the answer: the master public
 * key (application scope) or the activation's server public key.
 * transport_key is needed for the activation scope only.
 */
int	device_temp_key(struct device *d, int activation_scope,
	    const uint8_t transport_key[16], const EVP_PKEY *signer,
	    EVP_PKEY **pub, char id[65]);

#endif
