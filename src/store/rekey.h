/*
 * rekey.h - the values of one encrypted column, read and written back in
 * batches (paserv-admin rotate-master-key).
 *
 * Owns: the statements over a column the caller names (table, column,
 * optionally a second column read along, primary key `id` or another key
 * column that, with the second column, makes up the primary key), built
 * from those names, which must be plain identifiers ([a-z0-9_]); keyset
 * pagination by the primary key; the short transaction of one batch.
 * Must not: decrypt or decide anything, or know which columns hold
 * secrets (service/secrets.c lists them).
 */
#ifndef PASERV_STORE_REKEY_H
#define PASERV_STORE_REKEY_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define REKEY_ID_MAX	255	/* id and the second column, characters */
#define REKEY_ENC_MAX	8192	/* a stored value, characters */

struct rekey_row {
	char	 id[REKEY_ID_MAX + 1];		/* the key column's value */
	char	 user_id[REKEY_ID_MAX + 1];	/* "" without a user column */
	char	*enc;
};

struct rekey_column;

/*
 * The statements of table.column; NULL for a name that is not a plain
 * identifier, or without memory. key_column NULL: the primary key is
 * `id`; otherwise it is (key_column, user_column), both required.
 */
struct rekey_column	*rekey_column_new(const char *table,
			    const char *column, const char *user_column,
			    const char *key_column);
/* Drops the statements from db's connection and frees c. */
void	rekey_column_free(struct db *db, struct rekey_column *c);

/* A transaction at READ COMMITTED (no gap locks: concurrent inserts go
 * on); ended with db_commit() or db_rollback(). */
int	rekey_begin(struct db *db);
/*
 * Up to limit rows with a primary key after (after, after_user) and a
 * non-empty value, ordered by it, into *rows (malloc'ed,
 * rekey_rows_free()); after_user matters only with a key_column. lock:
 * SELECT ... FOR UPDATE, inside rekey_begin(). The row count (>= 0) or a
 * negative enum db_rc.
 */
int	rekey_read(struct db *db, const struct rekey_column *c,
	    const char *after, const char *after_user, int64_t limit,
	    int lock, struct rekey_row **rows);
/* Replaces the value of row (id, user_id); user_id matters only with a
 * key_column. */
int	rekey_write(struct db *db, const struct rekey_column *c,
	    const char *id, const char *user_id, const char *enc);
void	rekey_rows_free(struct rekey_row *rows, size_t n);

#endif
