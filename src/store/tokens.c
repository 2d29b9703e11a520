/* tokens.c - SQL for table token (see tokens.h). */
#include <config.h>

#include "store/tokens.h"

#include <string.h>

static const char SQL_INSERT[] =
    "INSERT INTO token (id, activation_id, secret_enc, signature_type,"
    " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_GET[] =
    "SELECT t.id, t.activation_id, t.secret_enc, t.signature_type,"
    " a.status, a.user_id, a.app_id, a.flags, p.roles"
    " FROM token t JOIN activation a ON a.id = t.activation_id"
    " JOIN app p ON p.id = a.app_id WHERE t.id = ?";
static const char SQL_DELETE[] =
    "DELETE FROM token WHERE id = ? AND activation_id = ?";

int
token_insert(struct db *db, const struct token_row *t)
{
	struct db_arg a[4];

	a[0] = db_str(t->id);
	a[1] = db_str(t->activation_id);
	a[2] = db_str(t->secret_enc);
	a[3] = db_str(t->signature_type);
	return db_exec(db, SQL_INSERT, a, 4, NULL);
}

int
token_get(struct db *db, const char *id, struct token_view *out)
{
	struct db_arg a = db_str(id);
	struct db_col c[9];
	int rc;

	memset(out, 0, sizeof(*out));
	c[0] = db_out(DB_T_STR, out->token.id, sizeof(out->token.id));
	c[1] = db_out(DB_T_STR, out->token.activation_id,
	    sizeof(out->token.activation_id));
	c[2] = db_out(DB_T_STR, out->token.secret_enc,
	    sizeof(out->token.secret_enc));
	c[3] = db_out(DB_T_STR, out->token.signature_type,
	    sizeof(out->token.signature_type));
	c[4] = db_out(DB_T_I64, NULL, 0);
	c[5] = db_out(DB_T_STR, out->user_id, sizeof(out->user_id));
	c[6] = db_out(DB_T_STR, out->app_id, sizeof(out->app_id));
	c[7] = db_out(DB_T_STR, out->flags, sizeof(out->flags));
	c[8] = db_out(DB_T_STR, out->roles, sizeof(out->roles));
	rc = db_query(db, SQL_GET, &a, 1, c, 9, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->status = (int)c[4].i;
	return DB_OK;
}

int
token_delete(struct db *db, const char *id, const char *activation_id)
{
	struct db_arg a[2];

	a[0] = db_str(id);
	a[1] = db_str(activation_id);
	return db_exec_one(db, SQL_DELETE, a, 2);
}
