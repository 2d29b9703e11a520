/*
 * keystore.h - temporary encryption keys of protocol 3.3
 * (/pa/v3/keystore/create, protocol.md §9.3).
 *
 * Owns: the rules: the request JWT names an application key (and, for
 * activation scope, an activation of that application in ACTIVE or
 * BLOCKED) and is HS256-signed with the scope's key; the answer is a fresh
 * P-256 key pair valid for temporary_key.validity seconds, its private
 * half stored encrypted, announced in an ES256 JWT signed with the
 * application master key or the registration's server key.
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_KEYSTORE_H
#define PASERV_SERVICE_KEYSTORE_H

#include <stddef.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"

/* SVC_OK (*out: malloc'ed response JWT), SVC_TEMP_KEY (why says which
 * rule, for the log), SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	keystore_create(struct db *db, const struct config *cfg,
		    const char *jwt, size_t n, char **out, const char **why);

#endif
