/* stats.c - the scrape-time figures (see stats.h). */
#include <config.h>

#include "service/stats.h"

enum svc_rc
stats_collect(struct db *db, struct stats_snapshot *out)
{
	int rc;

	rc = stats_by_status(db, STATS_ACTIVATIONS, out->registrations);
	if (rc == DB_OK)
		rc = stats_by_status(db, STATS_OPERATIONS, out->operations);
	return svc_from_db(rc, SVC_INTERNAL);
}
