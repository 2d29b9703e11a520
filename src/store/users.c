/* users.c - SQL for cloud users and grants (see users.h). */
#include <config.h>

#include "store/users.h"

#include <string.h>

static const char SQL_GET[] =
    "SELECT id, username, password_hash, role, enabled FROM cloud_user"
    " WHERE username = ?";
static const char SQL_INSERT[] =
    "INSERT INTO cloud_user (username, password_hash, role, enabled,"
    " created_at) VALUES (?, ?, ?, 1, UTC_TIMESTAMP(3))";
static const char SQL_LAST_ID[] = "SELECT LAST_INSERT_ID()";
static const char SQL_GRANT[] =
    "INSERT INTO cloud_user_app (user_id, app_id, created_at)"
    " VALUES (?, ?, UTC_TIMESTAMP(3))"
    " ON DUPLICATE KEY UPDATE user_id = user_id";
static const char SQL_APPS[] =
    "SELECT app_id FROM cloud_user_app WHERE user_id = ? ORDER BY app_id"
    " LIMIT 2";
static const char SQL_HAS_APP[] =
    "SELECT 1 FROM cloud_user_app WHERE user_id = ? AND app_id = ?";

int
users_get(struct db *db, const char *username, struct user_row *out)
{
	struct db_arg arg = db_str(username);
	struct db_col c[5];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(c, 0, sizeof(c));
	c[0].type = DB_T_I64;
	c[1] = (struct db_col){ DB_T_STR, out->username,
	    sizeof(out->username), 0, 0, 0 };
	c[2] = (struct db_col){ DB_T_STR, out->password_hash,
	    sizeof(out->password_hash), 0, 0, 0 };
	c[3] = (struct db_col){ DB_T_STR, out->role, sizeof(out->role),
	    0, 0, 0 };
	c[4].type = DB_T_I64;
	rc = db_query(db, SQL_GET, &arg, 1, c, 5, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->id = c[0].i;
	out->enabled = c[4].i != 0;
	return DB_OK;
}

int
users_insert(struct db *db, const char *username, const char *hash,
    const char *role, int64_t *id)
{
	struct db_arg a[3];
	struct db_col c;
	int rc;

	a[0] = db_str(username);
	a[1] = db_str(hash);
	a[2] = db_str(role);
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.type = DB_T_I64;
	if ((rc = db_exec(db, SQL_INSERT, a, 3, NULL)) != DB_OK ||
	    (rc = db_query(db, SQL_LAST_ID, NULL, 0, &c, 1, NULL, NULL)) != 1) {
		db_rollback(db);
		return rc < 0 ? rc : DB_ERROR;
	}
	*id = c.i;
	return db_commit(db);
}

int
users_grant_app(struct db *db, int64_t user_id, const char *app_id)
{
	struct db_arg a[2];

	a[0] = db_i64(user_id);
	a[1] = db_str(app_id);
	return db_exec(db, SQL_GRANT, a, 2, NULL);
}

int
users_has_app(struct db *db, int64_t user_id, const char *app_id)
{
	struct db_arg a[2];

	a[0] = db_i64(user_id);
	a[1] = db_str(app_id);
	return db_exists(db, SQL_HAS_APP, a, 2);
}

int
users_only_app(struct db *db, int64_t user_id, char out[APP_ID_MAX + 1])
{
	struct db_arg a = db_i64(user_id);
	struct db_col c = { DB_T_STR, out, APP_ID_MAX + 1, 0, 0, 0 };
	int rc;

	out[0] = '\0';
	rc = db_query(db, SQL_APPS, &a, 1, &c, 1, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc != 1) {
		out[0] = '\0';
		return DB_NOT_FOUND;
	}
	return DB_OK;
}
