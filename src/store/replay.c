/* replay.c - SQL for table replay_value (see replay.h). */
#include <config.h>

#include "store/replay.h"

static const char SQL_INSERT[] =
    "INSERT INTO replay_value (scope, value_hash, expires_at)"
    " VALUES (?, ?, FROM_UNIXTIME(? / 1000))";

int
replay_insert(struct db *db, enum replay_scope scope, const uint8_t value[32],
    int64_t expires_ms)
{
	struct db_arg a[3];

	a[0] = db_i64(scope);
	a[1] = db_blob(value, 32);
	a[2] = db_i64(expires_ms);
	return db_exec(db, SQL_INSERT, a, 3, NULL);
}
