/*
 * session.h - what a device derives from its stored activation: its own key
 * pair, the server public key and the activation keys (protocol.md §1.5).
 */
#ifndef PASERV_DEVICE_SESSION_H
#define PASERV_DEVICE_SESSION_H

#include <openssl/evp.h>

#include "crypto/keys.h"
#include "device/device.h"

struct session {
	const char	*activation_id;
	EVP_PKEY	*device_key;	/* key pair */
	EVP_PKEY	*server_pub;
	struct pa_keys	 keys;
};

/* Loads the activation from the state; -1 (with d->err) if there is none. */
int	session_open(struct device *d, struct session *s);
void	session_close(struct session *s);

#endif
