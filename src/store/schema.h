/*
 * schema.h - table schema_version (written by paserv-migrate).
 *
 * Owns: reading which migrations the database has.
 * Must not: apply migrations (paserv-migrate does, with the client).
 */
#ifndef PASERV_STORE_SCHEMA_H
#define PASERV_STORE_SCHEMA_H

#include <stdint.h>

#include "store/db.h"

/* The highest applied version (0: none) and how many are applied.
 * DB_OK, DB_ERROR (e.g. no schema_version table), DB_DOWN. */
int	schema_applied(struct db *db, int64_t *version, int64_t *count);

#endif
