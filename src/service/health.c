/* health.c - dependency checks for the health endpoints (see health.h). */
#include <config.h>

#include "service/health.h"

int
health_db_up(struct db *db)
{
	return db != NULL && db_ping(db) == DB_OK;
}
