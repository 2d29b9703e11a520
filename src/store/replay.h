/*
 * replay.h - table replay_value: single-use values already seen (ECIES
 * envelopes, MAC token nonces).
 *
 * Owns: recording one value (a 32-byte hash computed by the caller) per
 * scope until an expiry; a second insert of the same value
 * is refused by the primary key, atomically across every worker and host.
 * Purging expired rows belongs to the housekeeping job.
 */
#ifndef PASERV_STORE_REPLAY_H
#define PASERV_STORE_REPLAY_H

#include <stdint.h>

#include "store/db.h"

enum replay_scope {
	REPLAY_SCOPE_APPLICATION = 1,
	REPLAY_SCOPE_ACTIVATION = 2,
	REPLAY_SCOPE_TOKEN = 3
};

/* DB_OK (first time), DB_DUPLICATE (seen before), DB_ERROR, DB_DOWN. */
int	replay_insert(struct db *db, enum replay_scope scope,
	    const uint8_t value[32], int64_t expires_ms);

#endif
