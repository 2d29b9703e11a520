/*
 * health.h - readiness of a worker's dependencies.
 *
 * Owns: the answer to "can this worker serve?": today the database link.
 * Must not: speak HTTP.
 */
#ifndef PASERV_SERVICE_HEALTH_H
#define PASERV_SERVICE_HEALTH_H

#include "store/db.h"

/* 1 if the database answers, 0 if not. */
int	health_db_up(struct db *db);

#endif
