/* apps.c - SQL for applications and their versions (see apps.h). */
#include <config.h>

#include "store/apps.h"

#include <string.h>

static const char SQL_INSERT_APP[] =
    "INSERT INTO app (id, roles, master_private_key_enc, master_public_key,"
    " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_INSERT_VERSION[] =
    "INSERT INTO app_version (app_id, app_key, app_secret, supported,"
    " created_at) VALUES (?, ?, ?, 1, UTC_TIMESTAMP(3))";
#define APP_COLUMNS \
    "SELECT a.id, a.roles, a.master_private_key_enc, a.master_public_key," \
    " v.app_key, v.app_secret," \
    " CAST(ROUND(UNIX_TIMESTAMP(a.created_at) * 1000) AS SIGNED)" \
    " FROM app a JOIN app_version v ON v.id = (SELECT MAX(v2.id)" \
    " FROM app_version v2 WHERE v2.app_id = a.id AND v2.supported = 1)"
static const char SQL_GET[] = APP_COLUMNS " WHERE a.id = ?";
static const char SQL_LIST[] = APP_COLUMNS " ORDER BY a.id";
static const char SQL_BY_KEY[] =
    "SELECT a.id, a.roles, a.master_private_key_enc, a.master_public_key,"
    " v.app_key, v.app_secret,"
    " CAST(ROUND(UNIX_TIMESTAMP(a.created_at) * 1000) AS SIGNED)"
    " FROM app_version v JOIN app a ON a.id = v.app_id"
    " WHERE v.app_key = ? AND v.supported = 1";

int
apps_insert(struct db *db, const struct app_row *a)
{
	struct db_arg app[4], ver[3];
	int rc;

	app[0] = db_str(a->id);
	app[1] = db_str(a->roles);
	app[2] = db_str(a->master_private_key_enc);
	app[3] = db_blob(a->master_public_key, a->master_public_key_len);
	ver[0] = db_str(a->id);
	ver[1] = db_str(a->app_key);
	ver[2] = db_str(a->app_secret);
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	if ((rc = db_exec(db, SQL_INSERT_APP, app, 4, NULL)) != DB_OK ||
	    (rc = db_exec(db, SQL_INSERT_VERSION, ver, 3, NULL)) != DB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

struct fetch {
	struct app_row	*row;
	struct db_col	 cols[7];
	int		(*fn)(const struct app_row *, void *);
	void		*arg;
};

static void
fetch_init(struct fetch *f, struct app_row *row)
{
	memset(f->cols, 0, sizeof(f->cols));
	f->row = row;
	f->cols[0] = (struct db_col){ DB_T_STR, row->id, sizeof(row->id),
	    0, 0, 0 };
	f->cols[1] = (struct db_col){ DB_T_STR, row->roles,
	    sizeof(row->roles), 0, 0, 0 };
	f->cols[2] = (struct db_col){ DB_T_STR, row->master_private_key_enc,
	    sizeof(row->master_private_key_enc), 0, 0, 0 };
	f->cols[3] = (struct db_col){ DB_T_BLOB, row->master_public_key,
	    sizeof(row->master_public_key), 0, 0, 0 };
	f->cols[4] = (struct db_col){ DB_T_STR, row->app_key,
	    sizeof(row->app_key), 0, 0, 0 };
	f->cols[5] = (struct db_col){ DB_T_STR, row->app_secret,
	    sizeof(row->app_secret), 0, 0, 0 };
	f->cols[6] = (struct db_col){ DB_T_I64, NULL, 0, 0, 0, 0 };
}

static int
on_row(void *arg)
{
	struct fetch *f = arg;

	f->row->master_public_key_len = f->cols[3].len;
	f->row->created_ms = f->cols[6].i;
	return f->fn != NULL ? f->fn(f->row, f->arg) : 0;
}

/* One application by a single key (id or app key). */
static int
get_one(struct db *db, const char *sql, const char *key, struct app_row *out)
{
	struct db_arg arg = db_str(key);
	struct fetch f;
	int rc;

	memset(out, 0, sizeof(*out));
	fetch_init(&f, out);
	f.fn = NULL;
	f.arg = NULL;
	rc = db_query(db, sql, &arg, 1, f.cols, 7, on_row, &f);
	if (rc < 0)
		return rc;
	return rc == 0 ? DB_NOT_FOUND : DB_OK;
}

int
apps_get(struct db *db, const char *id, struct app_row *out)
{
	return get_one(db, SQL_GET, id, out);
}

int
apps_get_by_key(struct db *db, const char *app_key, struct app_row *out)
{
	return get_one(db, SQL_BY_KEY, app_key, out);
}

int
apps_list(struct db *db, int (*fn)(const struct app_row *, void *),
    void *arg)
{
	struct app_row row;
	struct fetch f;
	int rc;

	memset(&row, 0, sizeof(row));
	fetch_init(&f, &row);
	f.fn = fn;
	f.arg = arg;
	rc = db_query(db, SQL_LIST, NULL, 0, f.cols, 7, on_row, &f);
	return rc < 0 ? rc : DB_OK;
}
