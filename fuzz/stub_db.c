/*
 * stub_db.c - the database as the fuzz targets see it: every function of
 * store/db.h without a server (see fuzz.h for the modes).
 *
 * Linked as an object before libpastore.a, so src/store/db.c is never
 * pulled in; the table modules above it run unchanged and get answers a
 * real server could give: the connection is down, or the statements run
 * and no row exists (existence checks and keyed updates may find theirs).
 * A query never returns a row, so no handler sees made-up data.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "store/db.h"

struct db {
	const struct config	*cfg;
	int			 in_tx;
};

static enum fuzz_db_mode mode = FUZZ_DB_YES;

void
fuzz_db_set(enum fuzz_db_mode m)
{
	mode = m;
}

enum fuzz_db_mode
fuzz_db_get(void)
{
	return mode;
}

int
fuzz_db_idle(const struct db *db)
{
	return !db->in_tx;
}

int
db_library_init(void)
{
	return 0;
}

void
db_library_end(void)
{
}

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db != NULL)
		db->cfg = cfg;
	return db;
}

void
db_free(struct db *db)
{
	free(db);
}

int
db_ping(struct db *db)
{
	(void)db;
	return mode == FUZZ_DB_DOWN ? DB_DOWN : DB_OK;
}

const char *
db_last_error(const struct db *db)
{
	(void)db;
	return mode == FUZZ_DB_DOWN ? "connect: no server (fuzzing)" : "";
}

/* The statement and its arguments are looked at as a server would. */
static int
check_args(const char *sql, const struct db_arg *args, size_t nargs)
{
	size_t i;

	FUZZ_ASSERT(sql != NULL && nargs <= DB_MAX_ARGS);
	for (i = 0; i < nargs; i++)
		FUZZ_ASSERT(args[i].type == DB_T_NULL ||
		    args[i].type == DB_T_I64 || args[i].p != NULL ||
		    args[i].len == 0);
	return mode == FUZZ_DB_DOWN ? DB_DOWN : DB_OK;
}

int
db_exec(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, uint64_t *affected)
{
	int rc = check_args(sql, args, nargs);

	(void)db;
	if (affected != NULL)
		*affected = rc == DB_OK && mode == FUZZ_DB_YES ? 1 : 0;
	return rc;
}

int
db_exec_one(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs)
{
	int rc = check_args(sql, args, nargs);

	(void)db;
	if (rc != DB_OK)
		return rc;
	return mode == FUZZ_DB_YES ? DB_OK : DB_NOT_FOUND;
}

int
db_query(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, struct db_col *cols, size_t ncols,
    int (*row)(void *arg), void *arg)
{
	int rc = check_args(sql, args, nargs);

	(void)db;
	(void)row;
	(void)arg;
	FUZZ_ASSERT(ncols <= DB_MAX_COLS && (ncols == 0 || cols != NULL));
	return rc != DB_OK ? rc : 0;
}

int
db_exists(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs)
{
	int rc = check_args(sql, args, nargs);

	(void)db;
	if (rc != DB_OK)
		return rc;
	return mode == FUZZ_DB_YES ? DB_OK : DB_NOT_FOUND;
}

int
db_count(struct db *db, const char *sql, const struct db_arg *args,
    size_t nargs, int64_t *n)
{
	int rc = check_args(sql, args, nargs);

	(void)db;
	*n = 0;
	return rc;
}

void
db_forget(struct db *db, const char *sql)
{
	(void)db;
	(void)sql;
}

int
db_begin(struct db *db)
{
	if (mode == FUZZ_DB_DOWN)
		return DB_DOWN;
	FUZZ_ASSERT(!db->in_tx);
	db->in_tx = 1;
	return DB_OK;
}

int
db_commit(struct db *db)
{
	FUZZ_ASSERT(db->in_tx);
	db->in_tx = 0;
	return DB_OK;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
}
