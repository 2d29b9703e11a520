/*
 * rekey.c - batches of one encrypted column (see rekey.h).
 *
 * The statement texts are built here from the names the caller gives,
 * after checking they are plain identifiers: no value ever goes into
 * them. The connection's statement cache refers to the texts, so
 * rekey_column_free() drops the statements before freeing them.
 */
#include <config.h>

#include "store/rekey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX	512

struct rekey_column {
	char	select[SQL_MAX];	/* plain read (dry run) */
	char	lock[SQL_MAX];		/* the same, FOR UPDATE */
	char	update[SQL_MAX];
	int	composite;		/* key (key_column, user_column) */
};

/* 1..64 of [a-z0-9_]. */
static int
identifier(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* The statements over primary key (k, u): keyset by both columns. */
static int
composite_sql(struct rekey_column *c, const char *table, const char *column,
    const char *k, const char *u)
{
	int n;

	n = snprintf(c->select, sizeof(c->select), "SELECT %s, %s, %s FROM %s"
	    " WHERE (%s > ? OR (%s = ? AND %s > ?)) AND %s IS NOT NULL AND"
	    " %s <> '' ORDER BY %s, %s LIMIT ?", k, u, column, table, k, k,
	    u, column, column, k, u);
	if (n > 0 && (size_t)n < sizeof(c->select))
		n = snprintf(c->update, sizeof(c->update),
		    "UPDATE %s SET %s = ? WHERE %s = ? AND %s = ?", table,
		    column, k, u);
	c->composite = 1;
	return n;
}

struct rekey_column *
rekey_column_new(const char *table, const char *column,
    const char *user_column, const char *key_column)
{
	struct rekey_column *c;
	const char *user = user_column != NULL ? user_column : "''";
	int n;

	if (!identifier(table) || !identifier(column) ||
	    (user_column != NULL && !identifier(user_column)) ||
	    (key_column != NULL && (!identifier(key_column) ||
	    user_column == NULL)) || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (key_column != NULL)
		n = composite_sql(c, table, column, key_column, user_column);
	else {
		n = snprintf(c->select, sizeof(c->select), "SELECT id, %s, %s"
		    " FROM %s WHERE id > ? AND %s IS NOT NULL AND %s <> ''"
		    " ORDER BY id LIMIT ?", user, column, table, column,
		    column);
		if (n > 0 && (size_t)n < sizeof(c->select))
			n = snprintf(c->update, sizeof(c->update),
			    "UPDATE %s SET %s = ? WHERE id = ?", table,
			    column);
	}
	if (n > 0 && (size_t)n < sizeof(c->update))
		n = snprintf(c->lock, sizeof(c->lock), "%s FOR UPDATE",
		    c->select);
	if (n <= 0 || (size_t)n >= sizeof(c->lock)) {
		free(c);
		return NULL;
	}
	return c;
}

void
rekey_column_free(struct db *db, struct rekey_column *c)
{
	if (c == NULL)
		return;
	db_forget(db, c->select);
	db_forget(db, c->lock);
	db_forget(db, c->update);
	free(c);
}

int
rekey_begin(struct db *db)
{
	int rc;

	if ((rc = db_read_committed(db)) != DB_OK)
		return rc;
	return db_begin(db);
}

struct reader {
	struct rekey_row	*rows;
	size_t			 n, cap;
	char			 id[REKEY_ID_MAX + 1];
	char			 user_id[REKEY_ID_MAX + 1];
	char			 enc[REKEY_ENC_MAX + 1];
};

static int
one_row(void *arg)
{
	struct reader *r = arg;
	struct rekey_row *w;

	if (r->n >= r->cap)
		return -1;
	w = &r->rows[r->n];
	memcpy(w->id, r->id, sizeof(w->id));
	memcpy(w->user_id, r->user_id, sizeof(w->user_id));
	if ((w->enc = strdup(r->enc)) == NULL)
		return -1;
	r->n++;
	return 0;
}

int
rekey_read(struct db *db, const struct rekey_column *c, const char *after,
    const char *after_user, int64_t limit, int lock, struct rekey_row **rows)
{
	struct reader *r;
	struct db_col cols[3];
	struct db_arg a[4];
	size_t na = 0;
	int rc;

	*rows = NULL;
	if (limit < 1 || limit > 100000 || (r = calloc(1, sizeof(*r))) == NULL)
		return DB_ERROR;
	if ((r->rows = calloc((size_t)limit, sizeof(*r->rows))) == NULL) {
		free(r);
		return DB_ERROR;
	}
	r->cap = (size_t)limit;
	cols[0] = db_out(DB_T_STR, r->id, sizeof(r->id));
	cols[1] = db_out(DB_T_STR, r->user_id, sizeof(r->user_id));
	cols[2] = db_out(DB_T_STR, r->enc, sizeof(r->enc));
	a[na++] = db_str(after);
	if (c->composite) {
		a[na++] = db_str(after);
		a[na++] = db_str(after_user != NULL ? after_user : "");
	}
	a[na++] = db_i64(limit);
	rc = db_query(db, lock ? c->lock : c->select, a, na, cols, 3, one_row,
	    r);
	if (rc < 0)
		rekey_rows_free(r->rows, r->n);
	else {
		*rows = r->rows;
		rc = (int)r->n;
	}
	free(r);
	return rc;
}

int
rekey_write(struct db *db, const struct rekey_column *c, const char *id,
    const char *user_id, const char *enc)
{
	struct db_arg a[3];

	a[0] = db_str(enc);
	a[1] = db_str(id);
	a[2] = db_str(user_id != NULL ? user_id : "");
	return db_exec_one(db, c->update, a, c->composite ? 3 : 2);
}

void
rekey_rows_free(struct rekey_row *rows, size_t n)
{
	size_t i;

	if (rows == NULL)
		return;
	for (i = 0; i < n; i++)
		free(rows[i].enc);
	free(rows);
}
