/* temporary_keys.c - SQL for table temporary_key (see temporary_keys.h). */
#include <config.h>

#include "store/temporary_keys.h"

#include <string.h>

static const char SQL_INSERT[] =
    "INSERT INTO temporary_key (id, app_key, activation_id,"
    " private_key_enc, public_key, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3), FROM_UNIXTIME(? / 1000))";
static const char SQL_GET[] =
    "SELECT id, app_key, activation_id, private_key_enc, public_key,"
    " CAST(ROUND(UNIX_TIMESTAMP(expires_at) * 1000) AS SIGNED)"
    " FROM temporary_key WHERE id = ? AND expires_at > UTC_TIMESTAMP(3)";

int
tkey_insert(struct db *db, const struct tkey_row *k)
{
	struct db_arg a[6];

	a[0] = db_str(k->id);
	a[1] = db_str(k->app_key);
	a[2] = db_str(k->activation_id[0] != '\0' ? k->activation_id : NULL);
	a[3] = db_str(k->private_key_enc);
	a[4] = db_blob(k->public_key, k->public_key_len);
	a[5] = db_i64(k->expires_ms);
	return db_exec(db, SQL_INSERT, a, 6, NULL);
}

int
tkey_get(struct db *db, const char *id, struct tkey_row *out)
{
	struct db_arg a = db_str(id);
	struct db_col c[6];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(c, 0, sizeof(c));
	c[0] = (struct db_col){ DB_T_STR, out->id, sizeof(out->id), 0, 0, 0 };
	c[1] = (struct db_col){ DB_T_STR, out->app_key, sizeof(out->app_key),
	    0, 0, 0 };
	c[2] = (struct db_col){ DB_T_STR, out->activation_id,
	    sizeof(out->activation_id), 0, 0, 0 };
	c[3] = (struct db_col){ DB_T_STR, out->private_key_enc,
	    sizeof(out->private_key_enc), 0, 0, 0 };
	c[4] = (struct db_col){ DB_T_BLOB, out->public_key,
	    sizeof(out->public_key), 0, 0, 0 };
	c[5] = (struct db_col){ DB_T_I64, NULL, 0, 0, 0, 0 };
	rc = db_query(db, SQL_GET, &a, 1, c, 6, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	if (c[2].is_null)
		out->activation_id[0] = '\0';
	out->public_key_len = c[4].len;
	out->expires_ms = c[5].i;
	return DB_OK;
}
