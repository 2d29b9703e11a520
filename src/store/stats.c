/* stats.c - SQL of the status counts (see stats.h). */
#include <config.h>

#include "store/stats.h"

#include <string.h>

static const char SQL_ACTIVATIONS[] =
    "SELECT status, COUNT(*) FROM activation GROUP BY status";
static const char SQL_OPERATIONS[] =
    "SELECT status, COUNT(*) FROM operation GROUP BY status";

struct count_fetch {
	struct db_col	 c[2];
	int64_t		*counts;
};

static int
count_row(void *arg)
{
	struct count_fetch *f = arg;
	int64_t s = f->c[0].i;

	if (s <= 0 || s >= STATS_STATUS_MAX)
		s = 0;
	f->counts[s] += f->c[1].i;
	return 0;
}

int
stats_by_status(struct db *db, enum stats_table t,
    int64_t counts[STATS_STATUS_MAX])
{
	struct count_fetch f;
	int rc;

	memset(counts, 0, sizeof(counts[0]) * STATS_STATUS_MAX);
	f.c[0] = db_out(DB_T_I64, NULL, 0);
	f.c[1] = db_out(DB_T_I64, NULL, 0);
	f.counts = counts;
	rc = db_query(db, t == STATS_OPERATIONS ? SQL_OPERATIONS :
	    SQL_ACTIVATIONS, NULL, 0, f.c, 2, count_row, &f);
	return rc < 0 ? rc : DB_OK;
}
