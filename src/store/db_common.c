/*
 * db_common.c - the parts of db.h that need no MariaDB (see db.h): the
 * argument builders, READ COMMITTED transactions and the outbox claim,
 * written on the public statement functions only, so that any
 * implementation of those (the fuzz targets' stub database too) serves.
 */
#include <config.h>

#include "store/db.h"

#include <string.h>

struct db_arg
db_str(const char *s)
{
	struct db_arg a = { DB_T_STR, s, s != NULL ? strlen(s) : 0, 0 };

	if (s == NULL)
		a.type = DB_T_NULL;
	return a;
}

struct db_arg
db_blob(const void *p, size_t n)
{
	struct db_arg a = { DB_T_BLOB, p, n, 0 };

	return a;
}

struct db_arg
db_i64(int64_t v)
{
	struct db_arg a = { DB_T_I64, NULL, 0, v };

	return a;
}

struct db_col
db_out(enum db_type t, void *buf, size_t cap)
{
	struct db_col c = { t, buf, cap, 0, 0, 0 };

	return c;
}

int
db_read_committed(struct db *db)
{
	static const char sql[] =
	    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";

	return db_exec(db, sql, NULL, 0, NULL);
}

struct claim_rows {
	struct db_col	 c;
	int64_t		*ids;
	size_t		 n;
	size_t		 cap;
};

static int
claim_row(void *arg)
{
	struct claim_rows *r = arg;

	if (r->n >= r->cap)
		return -1;
	r->ids[r->n++] = r->c.i;
	return 0;
}

int
db_claim(struct db *db, const char *select_sql, const char *select_arg,
    const char *update_sql, const char *holder, int64_t lease_s,
    int64_t limit, int64_t *ids, size_t *n)
{
	struct claim_rows r = { db_out(DB_T_I64, NULL, 0), ids, 0,
	    (size_t)limit };
	struct db_arg a[3];
	size_t i;
	int rc;

	*n = 0;
	if (limit <= 0)
		return DB_OK;
	if ((rc = db_read_committed(db)) != DB_OK)
		return rc;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	a[0] = db_str(select_arg);
	a[1] = db_i64(limit);
	rc = db_query(db, select_sql, a, 2, &r.c, 1, claim_row, &r);
	if (rc < 0)
		goto fail;
	a[0] = db_str(holder);
	a[1] = db_i64(lease_s);
	for (i = 0; i < r.n; i++) {
		a[2] = db_i64(ids[i]);
		if ((rc = db_exec(db, update_sql, a, 3, NULL)) != DB_OK)
			goto fail;
	}
	if ((rc = db_commit(db)) != DB_OK)
		goto fail;
	*n = r.n;
	return DB_OK;
fail:
	db_rollback(db);
	return rc < 0 ? rc : DB_ERROR;
}
