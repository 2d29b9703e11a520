/* schema.c - reading schema_version (see schema.h). */
#include <config.h>

#include "store/schema.h"

static const char SQL_APPLIED[] =
    "SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_version";

int
schema_applied(struct db *db, int64_t *version, int64_t *count)
{
	struct db_col c[2];
	int rc;

	*version = *count = 0;
	c[0] = db_out(DB_T_I64, NULL, 0);
	c[1] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_APPLIED, NULL, 0, c, 2, NULL, NULL);
	if (rc < 0)
		return rc;
	*version = c[0].i;
	*count = c[1].i;
	return DB_OK;
}
